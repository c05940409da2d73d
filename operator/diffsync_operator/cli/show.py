"""`diffsync show-diff`: page through the diff a job stored in Redis.

It reads the job from the cluster (`cluster.fetch_job`: its store id, its Redis, how to log
in), then reads the diff's log (`stages.job_logs`) a page at a time and prints each page
before reading the next: a diff of 100k objects is printed without being loaded whole, in
text or as one JSON document written as it goes (`-o json`):

- `show-diff NAME`: the diff the committed diff stage stored, as `diffsync run` prints it
  (`diff_tree`), or `{"summary": ..., "elements": [...]}` with every changed element
  (`depth`, `type`, `name`, `keys`, `action`, attributes on both sides).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from diffsync.exceptions import ObjectStoreException
from diffsync_operator.api.status import Stage
from diffsync_operator.cli import cluster, render
from diffsync_operator.cli.diff_tree import tree_lines
from diffsync_operator.cli.errors import ExitCode, InvalidInput, RunFailed, checked_redis_url, redact_url
from diffsync_operator.stages import diff_codec, job_logs
from diffsync_operator.stages.config import ENV_REDIS_URL
from diffsync_operator.stages.handover import RedisJobState


@dataclass
class StoredJob:
    """A job on the cluster and a reader of its Redis state."""

    name: str
    namespace: str
    store_id: str
    url: str
    state: RedisJobState

    def title(self) -> str:
        return f"SyncJob {self.namespace}/{self.name} (store {self.store_id})"


@contextmanager
def stored_job(args: argparse.Namespace) -> Iterator[StoredJob]:
    """The job `args.name` and its Redis state, the connection closed afterwards.

    Redis failing at any point, also half-way through the output, is a `RunFailed` (exit 1).
    """
    job, api_client, namespace = cluster.fetch_job(args.name, args.namespace)
    store_id = job.status.store_id if job.status else None
    if not store_id:
        raise RunFailed(
            f"SyncJob {namespace}/{args.name} has no store id yet: its first stage has not started"
        )
    url = args.redis_url or job.spec.redis.url or os.environ.get(ENV_REDIS_URL)
    if not url:
        raise InvalidInput(
            "no Redis URL: pass --redis-url (e.g. redis://localhost:6379/0 after "
            f"kubectl port-forward to the operator's Redis) or set {ENV_REDIS_URL}"
        )
    where = "--redis-url" if args.redis_url else ("spec.redis.url" if job.spec.redis.url else ENV_REDIS_URL)
    checked_redis_url(url, where)
    try:
        import redis

        from diffsync.store.redis import client_from_url
    except ImportError as error:
        raise InvalidInput(f"{args.command} needs the redis client: pip install 'diffsync[redis]'") from error
    username, password = cluster.redis_login(job, api_client, namespace, url)
    client = client_from_url(url, username=username, password=password)
    try:
        yield StoredJob(args.name, namespace, store_id, url, RedisJobState(client, store_id))
    except (redis.RedisError, ObjectStoreException) as error:
        raise RunFailed(
            f"Redis {redact_url(url)}: {error}; if it runs in the cluster, "
            "forward it (kubectl port-forward) and pass --redis-url redis://localhost:<port>/0"
        ) from error
    finally:
        client.close()


def _emit(line: str) -> None:
    print(line)


def _finish_output(write: Callable[[], int]) -> int:
    """Run `write`; a reader that stopped reading (`| head`) ends the output quietly."""
    try:
        code = write()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit: point it at nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.OK)
    return code


# --- show-diff --------------------------------------------------------------------------------


def _changed_records(stored: StoredJob, log: str, header: diff_codec.DiffHeader) -> Iterator[dict[str, Any]]:
    """The elements that changed (or have changed children), checked to be the whole diff."""
    read = 0
    for line in job_logs.read_lines(stored.state, log, start=1):
        read += 1
        try:
            record = diff_codec.parse_record(line)
        except ValueError as error:
            raise RunFailed(
                f"element {read} of the diff stored for store {stored.store_id}: {error}"
            ) from error
        if record.get("changed", True):
            yield record
    if read != header.elements:
        raise RunFailed(
            f"the diff of store {stored.store_id} changed while it was read ({read} of its "
            f"{header.elements} elements were there): the job diffed again, or its state expired"
        )


def _diff_log(stored: StoredJob) -> tuple[str, diff_codec.DiffHeader]:
    diffed = stored.state.get_result(Stage.DIFF)
    header = None
    if diffed is not None and diffed.ok and diffed.log:
        try:
            header = job_logs.read_diff_header(stored.state, diffed.log)
        except ValueError as error:
            raise RunFailed(f"the diff stored for store {stored.store_id} cannot be read: {error}") from error
    if diffed is None or diffed.log is None or header is None:
        raise RunFailed(
            f"no diff stored for store {stored.store_id}: "
            "the diff stage has not finished, or the job's state was deleted or expired"
        )
    return diffed.log, header


def _json_element(record: dict[str, Any]) -> str:
    element = diff_codec.element_from_record(record)
    shown = {
        "depth": record["depth"],
        "type": element.type,
        "name": element.name,
        "keys": element.keys,
        "action": element.action,
        "source_attrs": element.source_attrs,
        "dest_attrs": element.dest_attrs,
    }
    return json.dumps(shown, default=str)


def cmd_show_diff(args: argparse.Namespace) -> int:
    """`diffsync show-diff NAME`: the diff the job's diff stage stored in Redis, a page at a time."""
    with stored_job(args) as stored:
        log, header = _diff_log(stored)
        summary = render.summary_line(header.summary)

        def write_text() -> int:
            _emit(f"{stored.title()}\n")
            for line in tree_lines(_changed_records(stored, log, header)):
                _emit(line)
            _emit(f"\nsummary: {summary}")
            return int(ExitCode.OK)

        def write_json() -> int:
            _emit("{")
            for key, value in (
                ("name", args.name),
                ("namespace", stored.namespace),
                ("storeId", stored.store_id),
                ("summary", header.summary),
            ):
                _emit(f"  {json.dumps(key)}: {json.dumps(value)},")
            _emit('  "elements": [')
            _emit_items(_json_element(record) for record in _changed_records(stored, log, header))
            _emit("  ]")
            _emit("}")
            return int(ExitCode.OK)

        return _finish_output(write_json if args.output == "json" else write_text)


def _emit_items(items: Iterator[str]) -> int:
    """Print JSON array items, a comma after all but the last; returns how many."""
    count, previous = 0, None
    for item in items:
        if previous is not None:
            _emit(f"    {previous},")
        previous = item
        count += 1
    if previous is not None:
        _emit(f"    {previous}")
    return count

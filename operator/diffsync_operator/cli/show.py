"""`diffsync show-diff` and `diffsync show-results`: page through what a job stored in Redis.

Both read the job from the cluster (`cluster.fetch_job`: its store id, its Redis, how to log
in), then read a log of its state (`stages.job_logs`) a page at a time and print each page
before reading the next: a diff or a sync of 100k objects is printed without being loaded
whole, in text or as one JSON document written as it goes (`-o json`).

- `show-diff NAME`: the diff the committed diff stage stored, as `diffsync run` prints it
  (`diff_tree`), or `{"summary": ..., "elements": [...]}` with every changed element
  (`depth`, `type`, `name`, `keys`, `action`, attributes on both sides).
- `show-results NAME [--failed] [--attempt N]`: every per-object result of the sync (the
  committed sync attempt's by default), one line each: outcome, action, model, id, message.
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
from diffsync_operator.stages.sync_log import SyncRecord


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
            fields = {"name": args.name, "namespace": stored.namespace, "storeId": stored.store_id}
            elements = (_json_element(record) for record in _changed_records(stored, log, header))
            _emit_document({**fields, "summary": header.summary}, "elements", elements)
            return int(ExitCode.OK)

        return _finish_output(write_json if args.output == "json" else write_text)


def _emit_document(fields: dict[str, Any], array: str, items: Iterator[str]) -> None:
    """Print one JSON object as it goes: `fields`, then `array` holding the JSON texts `items`."""
    _emit("{")
    for key, value in fields.items():
        _emit(f"  {json.dumps(key)}: {json.dumps(value)},")
    _emit(f"  {json.dumps(array)}: [")
    previous = None
    for item in items:  # a comma after all but the last
        if previous is not None:
            _emit(f"    {previous},")
        previous = item
    if previous is not None:
        _emit(f"    {previous}")
    _emit("  ]")
    _emit("}")


# --- show-results -----------------------------------------------------------------------------


def _results_log(stored: StoredJob, attempt: int | None) -> tuple[str, str | None]:
    """The results log to show, and a note for stderr (another attempt also wrote results)."""
    committed = stored.state.get_result(Stage.SYNC)
    names = sorted(
        (name for name in stored.state.log_names() if job_logs.log_kind(name) == job_logs.SYNC_RESULTS),
        key=job_logs.log_attempt,
    )
    if attempt is not None:
        chosen = [name for name in names if job_logs.log_attempt(name) == attempt]
        if not chosen:
            have = ", ".join(str(job_logs.log_attempt(name)) for name in names) or "none"
            raise InvalidInput(
                f"--attempt {attempt}: no sync results stored for it (attempts with results: {have})"
            )
        named = committed.log if committed is not None else None
        return (named if named is not None and named in chosen else chosen[-1]), None
    if committed is not None and committed.log:
        later = [name for name in names if job_logs.log_attempt(name) > committed.attempt]
        note = None
        if later:
            note = (
                f"note: sync attempt {job_logs.log_attempt(later[-1])} recorded results but no result of its "
                f"own (its pod ended without reporting): --attempt {job_logs.log_attempt(later[-1])}"
            )
        return committed.log, note
    if names:
        last = names[-1]
        attempt = job_logs.log_attempt(last)
        return last, f"note: no sync attempt committed a result; showing what attempt {attempt} recorded"
    why = committed.error if committed is not None and committed.error else None
    raise RunFailed(
        f"no sync results stored for store {stored.store_id}: "
        + (f"the sync applied nothing ({why})" if why else
           "the sync stage has not run (diff mode, or waiting), or the job's state was deleted or expired")
    )  # fmt: skip


def _text_line(record: SyncRecord) -> str:
    line = f"{record.outcome:<8} {record.action:<6} {record.model} {record.id}"
    return f"{line}: {record.message}" if record.message and record.outcome != "success" else line


def cmd_show_results(args: argparse.Namespace) -> int:
    """`diffsync show-results NAME [--failed]`: the sync's per-object results, a page at a time."""
    if args.attempt is not None and args.attempt < 1:
        raise InvalidInput(f"--attempt {args.attempt}: attempts count from 1")
    with stored_job(args) as stored:
        log, note = _results_log(stored, args.attempt)
        if note:
            print(note, file=sys.stderr)
        total = stored.state.log_length(log)
        attempt = job_logs.log_attempt(log)

        def records() -> Iterator[SyncRecord]:
            read = 0
            for line in job_logs.read_lines(stored.state, log):
                read += 1
                try:
                    record = SyncRecord.model_validate_json(line)
                except ValueError as error:
                    raise RunFailed(f"result {read} of {log} in store {stored.store_id}: {error}") from error
                if not args.failed or record.outcome == "failure":
                    yield record
            if read < total:
                raise RunFailed(
                    f"the results of store {stored.store_id} went away while they were read ({read} of "
                    f"{total}): the job's state was deleted or expired"
                )

        def write_text() -> int:
            _emit(f"{stored.title()}, sync attempt {attempt}: {total} results")
            shown = 0
            for record in records():
                _emit(_text_line(record))
                shown += 1
            _emit(f"{shown} failed of {total} results" if args.failed else f"{shown} results")
            return int(ExitCode.OK)

        def write_json() -> int:
            fields = {"name": args.name, "namespace": stored.namespace, "storeId": stored.store_id}
            fields |= {"attempt": attempt, "total": total, "failedOnly": bool(args.failed)}
            _emit_document(fields, "results", (record.to_line() for record in records()))
            return int(ExitCode.OK)

        return _finish_output(write_json if args.output == "json" else write_text)

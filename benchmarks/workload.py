"""One benchmark run, executed in a fresh interpreter: load, diff, sync, re-diff, and report.

This file runs under our diffsync AND under upstream diffsync 2.2.3, so it uses only the
public diffsync 2.x API and the network example (which uses only that API too). It is started
as a script with ``python -I`` from a scratch directory, so the repository root is not on
``sys.path`` and ``import diffsync`` finds the interpreter's installed diffsync, never the
working tree by accident. Arguments come as one JSON object on the command line; the result
is written as JSON to the path it names (stdout stays free for anything a library prints).

Phases (each timed with ``time.perf_counter``):

- load: ``load()`` on both adapters, as a sync job calls it, filling them from generated
  in-memory records (no file parsing); a store that buffers writes (``flush()``, when it has
  one) is flushed inside the phase;
- diff: ``current.diff_from(desired)``; its ``summary()`` must equal the one computed from the
  records alone, otherwise the run fails;
- sync: ``current.sync_from(desired, diff=diff)``, then ``flush()`` when present;
- re-diff: ``current.diff_from(desired)``, which must have no diffs, otherwise the run fails.

``store`` is ``local``, ``redis`` or ``cluster`` (RedisStore on a Redis Cluster, spread over
``shards`` slot groups; afterwards, untimed, the objects, keys and memory of each master are
reported). With RedisStore, an untimed last check builds a second adapter on the same ``store_id``
(without loading) and diffs it too: the synced state must be in Redis, not only in memory.

The CPU time of this process over the four phases is reported too: on a busy machine it
moves less than the wall-clock times (it leaves out a Redis server's own work, though).

Peak memory is this process's ``ru_maxrss`` (peak resident set size, so it includes the
interpreter, imports and the generated records, which are the same for every implementation).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import resource
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

PHASES = ("load", "diff", "sync", "rediff")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _quiet_library_logging() -> None:
    """Drop diffsync's info/debug events, as a production deployment would.

    Both implementations log through structlog, whose default prints every event to stdout;
    thousands of "Created successfully" lines would measure the terminal, not the library.
    """
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def _make_adapter(adapter_class: Any, name: str, spec: dict[str, Any], run_id: str) -> Any:
    if spec["store"] == "local":
        return adapter_class(name=name)
    redis_module = importlib.import_module("diffsync.store.redis")
    options = {"shards": spec["shards"]} if spec.get("shards") else {}
    store = redis_module.RedisStore(url=spec["redis_url"], store_id=f"bench-{run_id}-{name}", **options)
    return adapter_class(name=name, internal_storage_engine=store)


def _per_node(adapters: list[Any]) -> dict[str, dict[str, float]]:
    """Ours on a cluster only: per master, the stores' objects, the node's keys and memory (MiB)."""
    nodes: dict[str, dict[str, float]] = {}
    for adapter in adapters:
        store = adapter.store
        client = store._client
        for group in store._layout.groups:
            node = client.get_node_from_key(group.meta)
            stats = nodes.setdefault(node.name, {"objects": 0})
            stats["objects"] += sum(client.hlen(group.data(name)) for name in store.get_all_model_names())
    for name in nodes:
        node = client.get_node(node_name=name)
        nodes[name]["keys"] = client.dbsize(target_nodes=node)
        nodes[name]["used_mib"] = client.info("memory", target_nodes=node)["used_memory"] / 2**20
    return nodes


def _loading_records(inventory_adapter: Any) -> Any:
    """The inventory adapter with a ``load()`` that adds the records set on ``records``.

    Users call ``load()``; the records come in as an attribute rather than a constructor
    argument because ``Adapter`` deep-copies its keyword arguments (``_meta_kwargs``).
    """

    class RecordsAdapter(inventory_adapter):  # type: ignore[misc,valid-type]
        records: Any = None

        def load(self) -> None:
            self.load_records(self.records)

    return RecordsAdapter


def _flush(adapter: Any) -> None:
    flush = getattr(adapter.store, "flush", None)
    if callable(flush):
        flush()


Observer = Callable[[str], contextlib.AbstractContextManager[Any]]


def run(spec: dict[str, Any], observe: Observer | None = None) -> dict[str, Any]:
    """Run every phase once and return timings, counts and the outcome.

    ``observe(phase)``, when given, is entered around each timed phase (``benchmarks.profile``
    uses it to profile them); the timings then include what it adds.
    """
    watch = observe or (lambda phase: contextlib.nullcontext())
    sys.path.insert(0, spec["examples_path"])
    _quiet_library_logging()
    diffsync = importlib.import_module("diffsync")
    generate = importlib.import_module("network.generate")
    records = importlib.import_module("network.records")
    inventory_adapter = _loading_records(importlib.import_module("network.adapter").InventoryAdapter)

    result: dict[str, Any] = {
        "diffsync_file": getattr(diffsync, "__file__", None),
        "diffsync_version": _version(),
        "python": sys.version.split()[0],
        "times": {},
        "cpu_times": {},
        "error": None,
    }
    pair = generate.generate_pair(spec["devices_per_site"], seed=spec["seed"], rate=spec.get("rate", 0.02))
    expected = records.expected_summary(pair.current, pair.desired)
    result["objects"] = {
        "current": records.count_objects(pair.current),
        "desired": records.count_objects(pair.desired),
    }
    result["expected"] = expected
    result["baseline_mib"] = _peak_mib()

    run_id = uuid.uuid4().hex[:12]
    times: dict[str, float] = result["times"]
    cpu_times: dict[str, float] = result["cpu_times"]
    phase = "setup"
    cpu_start = time.process_time()
    try:
        current = _make_adapter(inventory_adapter, "current", spec, run_id)
        desired = _make_adapter(inventory_adapter, "desired", spec, run_id)

        phase = "load"
        cpu_start = time.process_time()
        current.records, desired.records = pair.current, pair.desired
        with watch(phase):
            start, cpu = time.perf_counter(), time.process_time()
            current.load()
            desired.load()
            _flush(current)
            _flush(desired)
            times["load"] = time.perf_counter() - start
            cpu_times["load"] = time.process_time() - cpu

        phase = "diff"
        with watch(phase):
            start, cpu = time.perf_counter(), time.process_time()
            diff = current.diff_from(desired)
            times["diff"] = time.perf_counter() - start
            cpu_times["diff"] = time.process_time() - cpu
        summary = diff.summary()
        result["summary"] = summary
        if summary != expected:
            result["error"] = f"diff summary {summary} differs from the expected {expected}"

        phase = "sync"
        with watch(phase):
            start, cpu = time.perf_counter(), time.process_time()
            current.sync_from(desired, diff=diff)
            _flush(current)
            times["sync"] = time.perf_counter() - start
            cpu_times["sync"] = time.process_time() - cpu

        phase = "rediff"
        with watch(phase):
            start, cpu = time.perf_counter(), time.process_time()
            rediff = current.diff_from(desired)
            times["rediff"] = time.perf_counter() - start
            cpu_times["rediff"] = time.process_time() - cpu
        result["cpu_seconds"] = time.process_time() - cpu_start
        result["peak_mib"] = _peak_mib()  # before the untimed check below adds its own objects
        if rediff.has_diffs() and result["error"] is None:
            result["error"] = f"re-diff after sync is not empty: {rediff.summary()}"

        if spec["store"] in ("redis", "cluster") and result["error"] is None:
            # Untimed: the synced state must be in Redis itself, not only in this process's
            # objects, so a second store instance on the same store_id must agree.
            phase = "reopen"
            reopened = _make_adapter(inventory_adapter, "current", spec, run_id)
            again = reopened.diff_from(desired)
            if again.has_diffs():
                result["error"] = f"a new RedisStore on the same store_id still differs: {again.summary()}"
            if spec["store"] == "cluster":
                result["nodes"] = _per_node([current, desired])
    except Exception as exc:  # a failed phase is a result to report, not a crash
        message = str(exc).splitlines()[0] if str(exc) else ""
        result["error"] = f"{phase}: {type(exc).__name__}: {message[:160]}"
    result.setdefault("cpu_seconds", time.process_time() - cpu_start)  # up to a failure
    result.setdefault("peak_mib", _peak_mib())
    return result


def _version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("diffsync")
    except metadata.PackageNotFoundError:
        return None


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = run(spec)
    Path(spec["result_path"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()

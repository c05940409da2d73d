"""Two costs the library promises, measured in a fresh interpreter: run as a script, JSON out.

- Adapter construction: how much longer ``Adapter(..., data=<200k-entry dict>)`` takes than
  the same construction without it (`_meta_kwargs` records keyword arguments; it must not copy
  a large one). Best of many constructions each, with ``time.perf_counter``.
- RedisStore writes: loading the network inventory's current side through ``load_records``
  into a store with the default write-back (one script call per batch at ``flush()``) and with
  ``write_through=True`` (one call per add), flush included; best of ``repeat`` runs each, wall
  clock and this process's CPU time.

Started like ``workload.py`` (``python -I``, scratch directory) so it imports the installed
diffsync; arguments come as one JSON object, the result is printed as JSON on the last line.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import uuid
from typing import Any


def _best(action: Any, times: int) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def constructor_cost() -> dict[str, float]:
    adapter_module = importlib.import_module("diffsync")

    class WithData(adapter_module.Adapter):  # type: ignore[misc,name-defined]
        def __init__(self, name: str | None = None, data: Any = None) -> None:
            super().__init__(name=name)
            self.data = data

    big = {f"device{number}": {"role": "leaf", "site": f"site{number % 10}"} for number in range(200_000)}
    without = _best(lambda: WithData(name="bench"), 201)
    with_big = _best(lambda: WithData(name="bench", data=big), 201)
    return {"without_ms": without * 1000, "with_200k_ms": with_big * 1000}


def write_costs(spec: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, spec["examples_path"])
    redis_module = importlib.import_module("diffsync.store.redis")
    generate = importlib.import_module("network.generate")
    adapter_class = importlib.import_module("network.adapter").InventoryAdapter
    pair = generate.generate_pair(spec["devices_per_site"], seed=0)
    results: dict[str, Any] = {}
    for mode, write_through in (("write-back", False), ("write-through", True)):
        wall, cpu = float("inf"), float("inf")
        for _ in range(spec["repeat"]):
            store = redis_module.RedisStore(
                url=spec["redis_url"], store_id=f"bench-costs-{uuid.uuid4().hex}", write_through=write_through
            )
            adapter = adapter_class(name="current", internal_storage_engine=store)
            cpu_start, start = time.process_time(), time.perf_counter()
            adapter.load_records(pair.current)
            store.flush()
            wall = min(wall, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - cpu_start)
            objects = store.count()
            store.clear()
            store.close()
        results[mode] = {"wall": wall, "cpu": cpu, "objects": objects}
    return results


def main() -> None:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    spec = json.loads(sys.argv[1])
    result: dict[str, Any] = {"constructor": constructor_cost()}
    if spec.get("redis_url"):
        result["writes"] = write_costs(spec)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

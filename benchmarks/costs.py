"""Run `store_costs.py` in a fresh interpreter and render its lines under the table."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.runner import REPO, run_script

SCRIPT = Path(__file__).resolve().parent / "store_costs.py"
CONSTRUCTOR_TARGET_MS = 10.0


def run_store_costs(python: str, redis_url: str | None, timeout: float) -> dict[str, Any]:
    """The costs measured by a child process, or {"error": ...}."""
    spec = {
        "redis_url": redis_url,
        "examples_path": str(REPO / "examples"),
        "devices_per_site": 200,  # the 36k workload; its current side is loaded
        "repeat": 3,
    }
    with tempfile.TemporaryDirectory(prefix="bench-costs-") as scratch:
        completed = run_script(python, SCRIPT, spec, scratch, timeout)
    if isinstance(completed, str):
        return {"error": completed}
    lines = completed.stdout.strip().splitlines()
    if not lines:
        return {"error": "child exited 0 without printing its result"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def render_costs(costs: dict[str, Any]) -> str:
    """Constructor cost as a PASS/FAIL line, write-back and write-through as rows."""
    if "error" in costs:
        return f"Store costs: FAILED: {costs['error']}"
    constructor = costs["constructor"]
    extra = constructor["with_200k_ms"] - constructor["without_ms"]
    mark = "PASS" if extra < CONSTRUCTOR_TARGET_MS else "FAIL"
    lines = [
        "Store costs (best of several runs, one fresh process):",
        f"  [{mark}] Adapter(..., data=<200k-entry dict>): {constructor['with_200k_ms']:.3f} ms vs "
        f"{constructor['without_ms']:.3f} ms without, {extra:+.3f} ms "
        f"(target < {CONSTRUCTOR_TARGET_MS:.0f} ms extra)",
    ]
    writes = costs.get("writes")
    if writes:
        back, through = writes["write-back"], writes["write-through"]
        lines.append(f"  RedisStore load of {back['objects']:,} objects (36k current side), flush included:")
        for name, cell in (("write-back (default)", back), ("write_through=True", through)):
            lines.append(
                f"    {name:<21} {cell['wall']:6.2f} s wall {cell['cpu']:6.2f} s cpu "
                f"{cell['wall'] / back['wall']:5.1f}x  {cell['wall'] / cell['objects'] * 1e6:6.1f} us/object"
            )
    return "\n".join(lines)

"""Run one benchmark cell in a fresh interpreter and read back its result."""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.plan import Cell

REPO = Path(__file__).resolve().parent.parent
WORKLOAD = Path(__file__).resolve().parent / "workload.py"
PHASES = ("load", "diff", "sync", "rediff")
# Slot groups of the benchmark's store on the cluster: one per master of the six-node cluster.
CLUSTER_SHARDS = 3


@dataclass
class RunResult:
    """What one child process reported (or why it reported nothing)."""

    times: dict[str, float] = field(default_factory=dict)
    cpu_times: dict[str, float] = field(default_factory=dict)
    peak_mib: float | None = None
    cpu_seconds: float | None = None
    baseline_mib: float | None = None
    objects: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    summary: dict[str, int] | None = None
    error: str | None = None
    diffsync_version: str | None = None
    diffsync_file: str | None = None
    # RedisStore on a cluster: per master ("host:port"), the store's objects, keys and memory.
    nodes: dict[str, dict[str, float]] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def total(self) -> float:
        """Seconds over the phases that ran (all four when the run succeeded)."""
        return sum(self.times.get(phase, 0.0) for phase in PHASES)

    @property
    def bytes_per_object(self) -> float | None:
        """Memory the run added over its baseline, per object of both sides."""
        objects = sum(self.objects.values())
        if self.peak_mib is None or self.baseline_mib is None or not objects:
            return None
        return (self.peak_mib - self.baseline_mib) * 1024 * 1024 / objects

    @property
    def changes(self) -> int:
        """Creates, updates and deletes the diff was expected to hold."""
        return sum(self.expected.get(action, 0) for action in ("create", "update", "delete"))


def run_script(
    python: str, script: Path, spec: dict[str, Any], scratch: str, timeout: float
) -> subprocess.CompletedProcess[str] | str:
    """Run ``script`` with ``spec`` as JSON under ``python -I`` in ``scratch``; an error text if it
    did not finish in time or exited non-zero."""
    try:
        completed = subprocess.run(
            [python, "-I", str(script), json.dumps(spec)],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s"
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return f"child exited {completed.returncode}: {last[:200]}"
    return completed


def run_cell(python: str, cell: Cell, redis_url: str | None, seed: int, timeout: float) -> RunResult:
    """Run the workload for ``cell`` under ``python`` in a scratch directory."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        result_path = Path(scratch) / "result.json"
        spec: dict[str, Any] = {
            "devices_per_site": cell.size.devices_per_site,
            "rate": cell.size.rate,
            "seed": seed,
            "store": cell.store,
            "redis_url": redis_url,
            "shards": CLUSTER_SHARDS if cell.store == "cluster" else None,
            "examples_path": str(REPO / "examples"),
            "result_path": str(result_path),
        }
        completed = run_script(python, WORKLOAD, spec, scratch, timeout)
        if isinstance(completed, str):
            return RunResult(error=completed)
        if not result_path.exists():
            return RunResult(error="child exited 0 without writing its result")
        data = json.loads(result_path.read_text())
    return RunResult(**{key: data.get(key) for key in RunResult.__dataclass_fields__ if key in data})


def representative(results: list[RunResult]) -> RunResult:
    """The run to show for repeated cells: the first failure, else the median total."""
    failures = [result for result in results if not result.ok]
    if failures:
        return failures[0]
    median = statistics.median_low([result.total for result in results])
    return next(result for result in results if result.total == median)

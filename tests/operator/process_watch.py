"""Watch the stage processes of one job from the outside: which are alive, sampled from /proc.

The test kubelet runs each stage pod as a local `python -m diffsync_operator.worker <stage>`
process. `StageProcesses` samples /proc every `period` seconds and keeps, for each such process
whose environment mentions `marker` (e.g. the test's tmp_path, which the job's params contain),
its stage and when it was first and last seen; a sample with two live processes of one stage is
an overlap. It sees processes, not pods: a pod object may be gone while its process still runs.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

WORKER_MODULE = "diffsync_operator.worker"


@dataclass
class Lifetime:
    pid: int
    stage: str
    first_seen: float
    last_seen: float


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:  # gone meanwhile, or not ours to read
        return b""


class StageProcesses(threading.Thread):
    """Sample the job's stage processes until `stop()`; see the module docstring."""

    def __init__(self, marker: str, period: float = 0.05) -> None:
        super().__init__(daemon=True, name="stage-processes")
        self.marker = marker.encode()
        self.period = period
        self.lifetimes: dict[int, Lifetime] = {}
        self.overlaps: list[tuple[float, str, list[int]]] = []
        self._stopped = threading.Event()

    def __enter__(self) -> StageProcesses:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self.join(timeout=10)

    def _sample(self) -> dict[int, str]:
        alive = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            argv = _read(f"/proc/{entry}/cmdline").split(b"\0")
            if WORKER_MODULE.encode() not in argv or len(argv) < 2:
                continue
            if self.marker in _read(f"/proc/{entry}/environ"):
                stage = next(arg for arg in reversed(argv) if arg).decode()
                alive[int(entry)] = stage
        return alive

    def run(self) -> None:
        while not self._stopped.is_set():
            now = time.monotonic()
            alive = self._sample()
            for pid, stage in alive.items():
                seen = self.lifetimes.setdefault(pid, Lifetime(pid, stage, now, now))
                seen.last_seen = now
            by_stage: dict[str, list[int]] = {}
            for pid, stage in alive.items():
                by_stage.setdefault(stage, []).append(pid)
            for stage, pids in by_stage.items():
                if len(pids) > 1:
                    self.overlaps.append((now, stage, sorted(pids)))
            self._stopped.wait(self.period)

    def processes(self, stage: str) -> list[Lifetime]:
        """The processes of `stage` seen so far, in the order they started."""
        return sorted((p for p in self.lifetimes.values() if p.stage == stage), key=lambda p: p.first_seen)

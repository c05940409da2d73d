"""Live progress of a run's stages, on stderr so stdout carries only the report.

On a terminal (and with `rich` installed, the `cli` extra) each stage gets a progress bar
with its object count, refreshed from a probe (a function returning the count so far);
otherwise each stage prints one line when it starts and one when it ends, which is what a
CI log wants. Stages may run at the same time (the two load stages in separate processes).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from diffsync_operator.results import StageResult
from diffsync_operator.status import Stage

Probe = Callable[[], int]


def describe_result(result: StageResult) -> str:
    """`21 objects (person 16, team 5) in 0.01s`, or the error of a failed stage."""
    if not result.ok:
        return f"FAILED after {result.duration_seconds:.2f}s: {result.error}"
    if result.sync is not None:
        counts = f"{result.sync.succeeded} applied, {result.sync.failed} failed"
    elif result.diff is not None:
        changes = result.diff.create + result.diff.update + result.diff.delete
        counts = f"{changes} changes in {result.objects} elements"
    else:
        counts = f"{result.objects} objects"
        if result.models:
            counts += " (" + ", ".join(f"{name} {count}" for name, count in result.models.items()) + ")"
    return f"{counts} in {result.duration_seconds:.2f}s"


class StageProgress(Protocol):
    """What the runners report to."""

    def start(self, stage: Stage, *, total: int | None = None, probe: Probe | None = None) -> None: ...
    def finish(self, result: StageResult) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    """Reports nothing (`--quiet`)."""

    def start(self, stage: Stage, *, total: int | None = None, probe: Probe | None = None) -> None:
        return None

    def finish(self, result: StageResult) -> None:
        return None

    def close(self) -> None:
        return None


class LineProgress:
    """One line per stage start and end, for logs and pipes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stderr, flush=True)

    def start(self, stage: Stage, *, total: int | None = None, probe: Probe | None = None) -> None:
        self._print(f"{stage.value}: started" + (f" ({total} objects)" if total is not None else ""))

    def finish(self, result: StageResult) -> None:
        self._print(f"{result.stage.value}: {'done, ' if result.ok else ''}{describe_result(result)}")

    def close(self) -> None:
        return None


class BarProgress:
    """A rich progress bar per stage, fed by probes from a background thread."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description:<12}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._tasks: dict[Stage, tuple[Any, Probe | None, int | None]] = {}  # rich TaskIDs
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._progress.start()
        self._poller = threading.Thread(target=self._poll, name="diffsync-progress", daemon=True)
        self._poller.start()

    @staticmethod
    def _count_text(count: int, total: int | None) -> str:
        return f"{count}/{total} objects" if total is not None else f"{count} objects"

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            with self._lock:
                tasks = list(self._tasks.values())
            for task_id, probe, total in tasks:
                if probe is None:
                    continue
                try:
                    count = probe()
                except Exception:  # noqa: S112 - a probe racing the stage may fail; try next tick
                    continue
                self._progress.update(task_id, completed=count, count=self._count_text(count, total))

    def start(self, stage: Stage, *, total: int | None = None, probe: Probe | None = None) -> None:
        if probe is None:  # nothing to count while it runs: a pulsing bar with what it works on
            text = f"{total} objects" if total is not None else ""
            task_id = self._progress.add_task(stage.value, total=None, count=text)
        else:
            task_id = self._progress.add_task(stage.value, total=total, count=self._count_text(0, total))
        with self._lock:
            self._tasks[stage] = (task_id, probe, total)

    def finish(self, result: StageResult) -> None:
        with self._lock:
            task_id, _, _ = self._tasks.pop(result.stage)
        done = max(result.objects, 1)
        text = describe_result(result) if result.ok else "[red]FAILED"
        self._progress.update(task_id, total=done, completed=done if result.ok else 0, count=text)
        self._progress.stop_task(task_id)

    def close(self) -> None:
        self._stop.set()
        self._poller.join()
        self._progress.stop()


def make(quiet: bool = False, stream: TextIO | None = None) -> StageProgress:
    """Bars on a terminal when rich is installed, lines otherwise, nothing when quiet."""
    if quiet:
        return NoProgress()
    out = stream or sys.stderr
    if out.isatty():
        try:
            import rich  # noqa: F401
        except ImportError:
            return LineProgress(stream)
        return BarProgress()
    return LineProgress(stream)

"""Live progress of a run's stages, on stderr so stdout carries only the report.

On a terminal (and with `rich` installed, the `cli` extra) each stage gets a progress bar
with its object count, refreshed from a probe (a function returning the count so far);
otherwise each stage prints a line when it starts and when it ends, and its count every few
seconds while it runs, which is what a CI log wants. Stages may run at the same time (the
two load stages in separate processes).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from diffsync_operator.api.status import Stage
from diffsync_operator.stages.result import StageResult

Probe = Callable[[], int]

#: Seconds between a bar's refreshes, and between "so far" lines (`$DIFFSYNC_PROGRESS_INTERVAL`).
BAR_INTERVAL = 0.1
LINE_INTERVAL = 5.0


def describe_result(result: StageResult) -> str:
    """`21 objects (person 16, team 5) in 0.01s`, or the error of a failed stage."""
    if not result.ok:
        return f"FAILED after {result.duration_seconds:.2f}s: {result.error}"
    if result.sync is not None:
        counts = f"{result.sync.succeeded} applied, {result.sync.failed} failed"
        if result.sync.skipped:
            counts += f", {result.sync.skipped} skipped"
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


class _Poller:
    """Calls `tick` every `interval` seconds on a daemon thread until `stop()`."""

    def __init__(self, tick: Callable[[], None], interval: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(tick, interval), name="diffsync-progress", daemon=True
        )
        self._thread.start()

    def _run(self, tick: Callable[[], None], interval: float) -> None:
        while not self._stop.wait(interval):
            tick()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class LineProgress:
    """A line when a stage starts and ends, and its count every `interval` seconds meanwhile.

    For logs and pipes: a long load in CI shows it is moving without a terminal's bar.
    """

    def __init__(self, stream: TextIO | None = None, interval: float = LINE_INTERVAL) -> None:
        self.stream = stream
        self._running: dict[Stage, tuple[Probe, int | None, list[int]]] = {}
        self._lock = threading.Lock()  # a "so far" line never follows its stage's last line
        self._poller = _Poller(self._tick, interval)

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stderr, flush=True)

    def _tick(self) -> None:
        with self._lock:
            for stage, (probe, total, last) in self._running.items():
                try:
                    count = probe()
                except Exception:  # noqa: S112 - a probe racing the stage may fail; try next tick
                    continue
                if count != last[0]:
                    last[0] = count
                    of_total = f"/{total}" if total is not None else ""
                    self._print(f"{stage.value}: {count}{of_total} objects so far")

    def start(self, stage: Stage, *, total: int | None = None, probe: Probe | None = None) -> None:
        self._print(f"{stage.value}: started" + (f" ({total} objects)" if total is not None else ""))
        if probe is not None:
            with self._lock:
                self._running[stage] = (probe, total, [0])

    def finish(self, result: StageResult) -> None:
        with self._lock:
            self._running.pop(result.stage, None)
            self._print(f"{result.stage.value}: {'done, ' if result.ok else ''}{describe_result(result)}")

    def close(self) -> None:
        self._poller.stop()


class BarProgress:
    """A rich progress bar per stage, fed by probes from a background thread."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description:<12}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[count]}"),  # ends with the stage's time once it is done
            console=Console(stderr=True),
        )
        self._tasks: dict[Stage, tuple[Any, Probe | None, int | None]] = {}  # rich TaskIDs
        self._lock = threading.Lock()
        self._progress.start()
        self._poller = _Poller(self._poll, BAR_INTERVAL)

    @staticmethod
    def _count_text(count: int, total: int | None) -> str:
        return f"{count}/{total} objects" if total is not None else f"{count} objects"

    def _poll(self) -> None:
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
        self._poller.stop()
        self._progress.stop()


def _line_interval() -> float:
    text = os.environ.get("DIFFSYNC_PROGRESS_INTERVAL", "")
    try:
        return max(float(text), 0.05) if text else LINE_INTERVAL
    except ValueError:
        return LINE_INTERVAL


def make(quiet: bool = False, stream: TextIO | None = None) -> StageProgress:
    """Bars on a terminal when rich is installed, lines otherwise, nothing when quiet."""
    if quiet:
        return NoProgress()
    out = stream or sys.stderr
    if out.isatty():
        try:
            import rich  # noqa: F401
        except ImportError:
            return LineProgress(stream, _line_interval())
        return BarProgress()
    return LineProgress(stream, _line_interval())

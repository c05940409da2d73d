"""Live progress of a running stage: how many objects it has loaded or synced so far.

A stage pod cannot tell the API server itself (it has no token, by design), so it writes its
count to a short-lived Redis key beside the job's other keys, and the operator, which reads
the job's Redis anyway, copies it into `status.stages[].objects` at each look:

    diffsync-job:{<storeId>}:progress:<stage>    the count, refreshed every few seconds

(with the job's `storeTTLSeconds`, like every key of the job).

The stage code says what to count (`track(probe)`: the loading store's size, the sync's
outcomes so far); `ProgressReporter` samples that probe on a background thread every
`DIFFSYNC_PROGRESS_SECONDS` (default 5) and writes only when the count changed. Reporting is
best effort: a failed sample or write is skipped, never fails the stage. The diff stage
reports its count when it ends (the differ has no cheap running count).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from diffsync_operator.api.status import Stage

KEY_PREFIX = "diffsync-job"
ENV_PROGRESS_SECONDS = "DIFFSYNC_PROGRESS_SECONDS"
DEFAULT_INTERVAL = 5.0

_LOG = logging.getLogger(__name__)
Probe = Callable[[], int]
_lock = threading.Lock()
_probe: Probe | None = None


def progress_key(store_id: str, stage: Stage) -> str:
    """The Redis key holding `stage`'s running count for the job `store_id`."""
    return f"{KEY_PREFIX}:{{{store_id}}}:progress:{stage.value}"


def progress_keys(store_id: str) -> list[str]:
    """Every progress key of a job (for deleting a job's state)."""
    return [progress_key(store_id, stage) for stage in Stage]


def track(probe: Probe | None) -> None:
    """Count with `probe` from now on (None: nothing to count); called by the stage code."""
    global _probe
    with _lock:
        _probe = probe


def current() -> int | None:
    """The running count, or None when nothing is tracked or the probe failed just now."""
    with _lock:
        probe = _probe
    if probe is None:
        return None
    try:
        return int(probe())
    except Exception:  # e.g. a dict changed size under a concurrent count: skip this sample
        return None


class ProgressReporter:
    """Samples `current()` every `interval` seconds and hands changed counts to `write`."""

    def __init__(self, write: Callable[[int], Any], interval: float = DEFAULT_INTERVAL) -> None:
        self.write = write
        self.interval = interval
        self._stop = threading.Event()
        self._last: int | None = None
        self._thread = threading.Thread(target=self._run, name="diffsync-progress", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            count = current()
            if count is None or count == self._last:
                continue
            try:
                self.write(count)
            except Exception as error:  # best effort: the next sample tries again
                _LOG.debug("progress not written: %s: %s", type(error).__name__, error)
                continue
            self._last = count

    @contextmanager
    def running(self) -> Iterator[ProgressReporter]:
        """Report while the `with` block runs; stop (and forget the probe) when it ends."""
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=self.interval + 1)
            track(None)


def interval_from(env: dict[str, str] | Any) -> float:
    """`DIFFSYNC_PROGRESS_SECONDS` as a positive number of seconds (the default otherwise)."""
    try:
        value = float(env.get(ENV_PROGRESS_SECONDS, DEFAULT_INTERVAL))
    except (TypeError, ValueError):
        return DEFAULT_INTERVAL
    return value if value > 0 else DEFAULT_INTERVAL

"""A stage stopped by SIGTERM ends as a reported, retryable failure, not as a silent death.

Kubernetes stops a pod (deleted, evicted, preempted, its node shutting down) by sending
SIGTERM, waiting the grace period, then SIGKILL. Python's default for SIGTERM is to die on the
spot: no `finally`, no result, no termination message, so the operator could not tell a
deleted pod from a crash. The worker installs `stop_on_sigterm()`; inside it, SIGTERM raises
`StageInterrupted` in the stage's work, but only within `interruptible()` sections:
`run_stage` wraps the stage's work in one, and keeps its commit (writing the result) outside,
so a signal can never cut a commit in half. A signal that arrives before a section begins is
raised when it begins; one that arrives after the work is ignored (the result is on its way).

`StageInterrupted` derives from BaseException, like KeyboardInterrupt, so an adapter's
`except Exception` does not swallow it; its `finally` blocks and context managers still run
(an adapter closing its connections within the grace period is what it is for).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class StageInterrupted(BaseException):
    """The stage's process was asked to stop (SIGTERM) while the stage worked."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


class _Interruptions:
    """The state the signal handler shares with the sections (handlers run in the main thread)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.open_sections = 0
        self.raised = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if self.open_sections and not self.raised:
            self.raised = True  # once: the adapter's cleanup must not be cut by a second signal
            raise StageInterrupted(signum)


_STATE = _Interruptions()


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into `StageInterrupted` inside `interruptible()` sections, until the block ends."""
    previous = signal.signal(signal.SIGTERM, _STATE.handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def interruptible() -> Iterator[None]:
    """A section SIGTERM may interrupt; raises at once if the signal came before it began."""
    if _STATE.received is not None and not _STATE.raised:
        _STATE.raised = True
        raise StageInterrupted(_STATE.received)
    _STATE.open_sections += 1
    try:
        yield
    finally:
        _STATE.open_sections -= 1

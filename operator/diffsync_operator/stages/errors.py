"""How a stage says why it failed: `StageError`, and whether another attempt can help."""

from __future__ import annotations


class StageError(Exception):
    """A stage failure with a clear message; `retryable` says whether a new attempt may help."""

    def __init__(
        self, message: str, *, retryable: bool, lost_state: bool = False, deletion_blocked: bool = False
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.lost_state = lost_state
        self.deletion_blocked = deletion_blocked


def lost(message: str) -> StageError:
    """The job's state is not what was loaded: not retryable as is, fixed by loading again."""
    return StageError(f"{message}; the load stages must run again", retryable=False, lost_state=True)

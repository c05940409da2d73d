"""Collect the per-object outcome of a sync from the syncer's structlog events.

The syncer logs one event per changed object, carrying `action`, `model`, `unique_id` and
`status` (success, failure, error, unknown), with the object's status message as the event.
`recording_outcomes()` puts a processor at the front of structlog's chain for the duration
of a sync and counts those events; it does not change what else is logged. A filtering
logger configured above INFO (by an embedding program) hides successes from the count.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog

from diffsync_operator.api.status import SyncFailure, SyncOutcome
from diffsync_operator.stages.redaction import redact

_ACTIONS = {"create", "update", "delete"}
# A failure's message comes from the target adapter: redacted, and short (ten fit in a status).
_FAILURE_MESSAGE_LIMIT = 300


class OutcomeRecorder:
    """A structlog processor that counts object outcomes; keeps the first failures."""

    def __init__(self, keep_failures: int = 10) -> None:
        self.succeeded = 0
        self.failed = 0
        self.failures: list[SyncFailure] = []
        self.keep_failures = keep_failures

    def __call__(self, logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        status, action = event.get("status"), event.get("action")
        if status is None or action not in _ACTIONS:
            return event
        if status == "success":
            self.succeeded += 1
        else:
            self.failed += 1
            if len(self.failures) < self.keep_failures:
                self.failures.append(
                    SyncFailure(
                        id=str(event.get("unique_id", "")),
                        model=str(event.get("model", "")) or None,
                        action=str(action),
                        message=redact(str(event.get("event", "")), _FAILURE_MESSAGE_LIMIT)
                        or f"status {status}",
                    )
                )
        return event

    def outcome(self) -> SyncOutcome:
        """The counts so far as a SyncOutcome."""
        return SyncOutcome(succeeded=self.succeeded, failed=self.failed, failures=list(self.failures))


@contextmanager
def recording_outcomes(keep_failures: int = 10) -> Iterator[OutcomeRecorder]:
    """Count sync outcomes logged inside the `with` block."""
    recorder = OutcomeRecorder(keep_failures)
    processors = list(structlog.get_config()["processors"])
    structlog.configure(processors=[recorder, *processors])
    try:
        yield recorder
    finally:
        structlog.configure(processors=processors)

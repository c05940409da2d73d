"""Every per-object outcome of a sync: one JSON line each in the job's log, counts for the status.

The syncer logs one event per changed object, carrying `action`, `model`, `unique_id` and
`status` (success, failure, error, unknown), with the object's status message as the event.
`recording_sync()` puts a `SyncRecorder` at the front of structlog's chain for the duration
of a sync; it does not change what else is logged. Each event becomes a `SyncRecord` line
in the attempt's `sync-results@...` log (`job_logs`), written a page at a time:

    {"model": "part", "id": "p000100", "action": "create", "outcome": "failure",
     "message": "the target refuses to create part p000100"}

`outcome` is `success`, `failure` (any other status, or an exception the target raised) or
`skipped`: a change of the diff the syncer never attempted, because its parent failed, its
parent's delete removed it, or the sync stopped (an error without CONTINUE_ON_FAILURE, or
SIGTERM). `SyncRecorder.finish` finds those by walking the diff after the sync and appends
them after the attempted ones. Messages come from the target adapter: redacted
(`redaction.redact`). The status keeps only counts per model and action and the first
failures (`SyncOutcome`); the log keeps everything, with the job's TTL.

A filtering logger configured above INFO (by an embedding program) hides successes from
the recorder; the worker and the CLI keep INFO.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, Literal

import structlog
from pydantic import BaseModel, ConfigDict

from diffsync import Adapter
from diffsync.diff import Diff, DiffElement
from diffsync_operator.api.status import SyncCount, SyncFailure, SyncOutcome
from diffsync_operator.stages.job_logs import LogWriter
from diffsync_operator.stages.redaction import redact

ACTIONS = ("create", "update", "delete")
Outcome = Literal["success", "failure", "skipped"]

#: Failures kept in the status (the log keeps all of them).
STATUS_FAILURES = 10
# Distinct messages remembered redacted: most are the same few ("Created successfully").
_REDACTED_CACHE = 4096
# A failure's message in the status: short, so the first failures fit a termination message.
_STATUS_MESSAGE_LIMIT = 300


class SyncRecord(BaseModel):
    """One line of a sync's results log."""

    model_config = ConfigDict(extra="ignore")  # a newer writer may add fields

    model: str
    id: str
    action: str
    outcome: Outcome
    message: str = ""

    def to_line(self) -> str:
        """The record as its compact JSON line."""
        return record_line(self.model, self.id, self.action, self.outcome, self.message)


def record_line(model: str, uid: str, action: str, outcome: Outcome, message: str) -> str:
    """A `SyncRecord`'s line from its fields, without building the model (one per object)."""
    fields = {"model": model, "id": uid, "action": action, "outcome": outcome, "message": message}
    return json.dumps(fields, separators=(",", ":"))


class SyncRecorder:
    """A structlog processor writing every object outcome to a log; counts and first failures."""

    def __init__(self, writer: LogWriter, target: Adapter, keep_failures: int = STATUS_FAILURES) -> None:
        self.writer = writer
        self.target = target
        self.keep_failures = keep_failures
        self.counts: dict[tuple[str, str], SyncCount] = {}
        self.failures: list[SyncFailure] = []
        self.seen: dict[tuple[str, str], Outcome] = {}  # (model, id) -> outcome, to find the skipped
        self.attempted = 0  # succeeded or failed so far: the sync's live progress
        self.finished = False
        self._redacted: dict[str, str] = {}

    def __call__(self, logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        status, action = event.get("status"), event.get("action")
        if status is None or action not in ACTIONS:
            return event
        outcome: Outcome = "success" if status == "success" else "failure"
        message = str(event.get("event", "")) or ("" if outcome == "success" else f"status {status}")
        model, uid = str(event.get("model", "")), str(event.get("unique_id", ""))
        self.record(model, uid, str(action), outcome, message)
        return event

    def record(self, model: str, uid: str, action: str, outcome: Outcome, message: str) -> None:
        """Count one outcome and write its line."""
        message = self._redact(message)
        self.seen[(model, uid)] = outcome
        count = self.counts.get((model, action))
        if count is None:
            count = self.counts[(model, action)] = SyncCount(model=model, action=action)
        if outcome == "success":
            count.succeeded += 1
            self.attempted += 1
        elif outcome == "failure":
            count.failed += 1
            self.attempted += 1
            if len(self.failures) < self.keep_failures:
                short = redact(message, _STATUS_MESSAGE_LIMIT)
                self.failures.append(SyncFailure(id=uid, model=model or None, action=action, message=short))
        else:
            count.skipped += 1
        self.writer.add(record_line(model, uid, action, outcome, message))

    def _redact(self, message: str) -> str:
        redacted = self._redacted.get(message)
        if redacted is None:
            redacted = redact(message)
            if len(self._redacted) < _REDACTED_CACHE:
                self._redacted[message] = redacted
        return redacted

    def finish(self, diff: Diff, stopped: str | None = None) -> int:
        """Record the changes never attempted, write the last page; the number of lines written.

        `stopped`: why the sync ended early (it raised), or None when it ran to its end.
        """
        if self.finished:
            return self.writer.written
        self.finished = True
        for element, reason in self._skipped(diff.get_children(), None, stopped):
            model = element.type
            self.record(model, self._unique_id(element), element.action or "", "skipped", reason)
        return self.writer.close()

    def finish_quietly(self, diff: Diff, stopped: str) -> None:
        """`finish` after the sync raised: a failure here must not hide the sync's own error."""
        try:
            self.finish(diff, stopped)
        except Exception as error:  # the stage reports the sync's error; this one goes to the log
            log: Any = structlog.get_logger()
            reason = redact(f"{type(error).__name__}: {error}")
            log.warning("could not record every sync result", error=reason)

    def _unique_id(self, element: DiffElement) -> str:
        model_class = getattr(self.target, element.type, None)
        if model_class is None:
            return element.name
        return str(model_class.create_unique_id(**element.keys))

    def _skipped(
        self, elements: Iterable[DiffElement], parent_note: str | None, stopped: str | None
    ) -> Iterator[tuple[DiffElement, str]]:
        """The elements with a change and no recorded outcome, each with why it was not applied."""
        for element in elements:
            action = element.action
            uid = self._unique_id(element)
            outcome = self.seen.get((element.type, uid))
            if action in ACTIONS and outcome is None:
                if parent_note:
                    yield element, parent_note
                elif stopped:
                    yield element, f"not attempted: {stopped}"
                else:
                    yield element, "not attempted by the syncer"
            note = parent_note
            if outcome == "failure" or (outcome is None and action in ACTIONS):
                note = f"not attempted: its parent {element.type} {uid} was not {action}d"
            elif outcome == "success" and action == "delete":
                note = f"removed with its parent {element.type} {uid}"
            yield from self._skipped(element.get_children(), note, stopped)

    def outcome(self) -> SyncOutcome:
        """The counts so far as a SyncOutcome (counts sorted by model, then create/update/delete)."""
        counts = sorted(self.counts.values(), key=lambda c: (c.model, ACTIONS.index(c.action)))
        return SyncOutcome(
            succeeded=sum(c.succeeded for c in counts),
            failed=sum(c.failed for c in counts),
            skipped=sum(c.skipped for c in counts),
            counts=[c.model_copy() for c in counts],
            failures=list(self.failures),
        )


@contextmanager
def recording_sync(writer: LogWriter, target: Adapter) -> Iterator[SyncRecorder]:
    """Record the sync outcomes logged inside the `with` block into `writer`'s log."""
    recorder = SyncRecorder(writer, target)
    processors = list(structlog.get_config()["processors"])
    structlog.configure(processors=[recorder, *processors])
    try:
        yield recorder
    finally:
        structlog.configure(processors=processors)

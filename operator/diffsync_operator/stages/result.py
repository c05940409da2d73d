"""A stage's result: what the worker reports and the operator reads.

The same JSON goes to two places: the job's Redis state (so a later stage or the CLI can
read it) and the pod's termination message (so the operator reads it from the pod status
without talking to Redis). Kubernetes caps a termination message at 4096 bytes, so
`to_termination_message` shortens, in this order, the plan's sample, the failure list (down to
the first), the sync's counts (summed over models), the last failure and long messages to fit;
the plan's id and counts always stay (the operator publishes them), and what it drops of the
sync stays in the job's logs (`diffsync show-results`).
"""

from __future__ import annotations

import json

from pydantic import Field, ValidationError

from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.status import DiffPlan, DiffSummary, Stage, SyncOutcome

TERMINATION_MESSAGE_LIMIT = 4096
_MESSAGE_LIMIT = 1000


class StageResult(CamelModel):
    """The outcome of one attempt of one stage."""

    stage: Stage
    attempt: int = Field(default=1, ge=1)
    ok: bool
    retryable: bool = False
    lost_state: bool = False  # the job's Redis state is gone: the load stages must run again
    interrupted: bool = False  # stopped by SIGTERM (pod deleted, evicted, node shutting down)
    deletion_blocked: bool = False  # the sync would delete more than the deletion guard allows
    error: str | None = None  # what went wrong, without the stage name (that is `stage`)
    generation: str | None = None  # load stages: the store id this attempt wrote and committed
    epoch: str | None = None  # load stages: the RedisStore epoch of that data (None: nothing stored)
    log: str | None = None  # diff: the log holding the diff; sync: the log of per-object results (job_logs)
    inputs: dict[str, str] = Field(default_factory=dict)  # diff, sync: the generation read per load stage
    objects: int = Field(default=0, ge=0)
    models: dict[str, int] = Field(default_factory=dict)
    duration_seconds: float = Field(default=0.0, ge=0)
    peak_memory_bytes: int = Field(default=0, ge=0)
    diff: DiffSummary | None = None
    sync: SyncOutcome | None = None
    plan: DiffPlan | None = None  # diff stage: the plan of its diff (`stages.plans`)

    def to_json(self) -> str:
        """Compact camelCase JSON."""
        return json.dumps(self.to_manifest(), separators=(",", ":"), sort_keys=True)

    def to_termination_message(self) -> str:
        """The JSON shortened until it fits Kubernetes' termination message limit."""
        result = self.model_copy(deep=True)
        if result.error and len(result.error) > _MESSAGE_LIMIT:
            result.error = result.error[: _MESSAGE_LIMIT - 3] + "..."
        text = result.to_json()
        while len(text.encode()) > TERMINATION_MESSAGE_LIMIT:
            sync = result.sync
            if result.plan and result.plan.sample:
                result.plan.sample.pop()
            elif sync and len(sync.failures) > 1:
                sync.failures.pop()
            elif sync and any(count.model != "*" for count in sync.counts):
                result.sync = sync.totals_only()
            elif sync and sync.failures:
                sync.failures.pop()
            elif result.models:
                result.models = {}
            elif result.error and len(result.error) > 100:
                result.error = result.error[: len(result.error) // 2] + "..."
            else:  # pragma: no cover - every field above is bounded
                break
            text = result.to_json()
        return text

    @classmethod
    def parse(cls, text: str | None) -> StageResult | None:
        """A result from JSON, or None for anything else (e.g. a log tail after a crash)."""
        if not text or not text.lstrip().startswith("{"):
            return None
        try:
            return cls.model_validate_json(text)
        except ValidationError:
            return None

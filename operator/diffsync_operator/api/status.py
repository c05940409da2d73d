"""`SyncJob.status`: progress and results, shaped for people, kubectl and kstatus.

Conditions follow the Kubernetes convention that kstatus (Flux, Argo CD health, `kubectl
wait`) reads: `type`, `status` ("True"/"False"/"Unknown"), `reason`, `message`,
`lastTransitionTime`, `observedGeneration`. Besides Ready, Complete and Failed the operator
keeps the two "abnormal-true" types kstatus looks for, Reconciling (a run is in progress)
and Stalled (the run failed and will not recover on its own). `RedisUser` says how the job's
pods log in to Redis: True with the job's own user, False with the credentials the job
supplies (a Redis the operator does not administer) or when the user could not be set.
`PlanStale` is True when an approved plan no longer matched the diff made after the approval.

`plan` is what the diff stage found, shaped for review: its id (the SHA-256 of the canonical
diff, `stages.plans`), counts per model and action, and a bounded sample of the changes. The
sample holds attribute values, which are job data: it is published only for jobs that are
reviewed (`mode: diff`, or `approval: Manual`), at most `PLAN_SAMPLE_SIZE` changes of at most
`PLAN_SAMPLE_ATTRIBUTES` attributes, each value cut to `PLAN_VALUE_LENGTH` characters, and
the values of `spec.redactAttributes` masked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import Field

from diffsync_operator.api.base import CamelModel


class Stage(str, enum.Enum):
    """The stages of a job, in the order they may start."""

    LOAD_SOURCE = "load-source"
    LOAD_TARGET = "load-target"
    DIFF = "diff"
    SYNC = "sync"

    @property
    def sides(self) -> tuple[str, ...]:
        """The adapters this stage builds (and whose `env` its pod gets): source and/or target."""
        if self is Stage.LOAD_SOURCE:
            return ("source",)
        if self is Stage.LOAD_TARGET:
            return ("target",)
        return ("source", "target")


def stage_groups(mode: str) -> list[tuple[Stage, ...]]:
    """The stages of a job in `mode`, grouped by what runs at the same time, in order.

    Both loads run together, then the diff, then (in sync mode) the sync; a group starts when
    the previous one succeeded. The operator and the local CLI both follow this order.
    """
    groups = [(Stage.LOAD_SOURCE, Stage.LOAD_TARGET), (Stage.DIFF,)]
    if mode == "sync":
        groups.append((Stage.SYNC,))
    return groups


class JobPhase(str, enum.Enum):
    """The job's phase as shown in `kubectl get sj`."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SUSPENDED = "Suspended"
    BLOCKED = "Blocked"  # the deletion guard stopped the sync; a spec change lets it run
    AWAITING_APPROVAL = "AwaitingApproval"  # approval: Manual; spec.approvedPlan lets it run


class StagePhase(str, enum.Enum):
    """A stage's phase; Pending until its pod runs."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class StageStatus(CamelModel):
    """One stage's progress: its current pod, attempts and the last result."""

    name: Stage
    phase: StagePhase = StagePhase.PENDING
    pod: str | None = None
    attempts: int = Field(default=0, ge=0)
    start_time: datetime | None = None
    completion_time: datetime | None = None
    objects: int | None = Field(default=None, ge=0, description="Objects loaded, diffed or synced.")
    duration_seconds: float | None = Field(default=None, ge=0)
    peak_memory_bytes: int | None = Field(default=None, ge=0)
    message: str | None = None
    reloaded_after_attempt: int | None = Field(
        default=None, ge=1, description="This attempt lost the Redis state; the loads ran again after it."
    )
    disrupted_attempts: list[int] = Field(
        default_factory=list,
        description="Attempts whose pod was deleted, evicted or preempted: retried without counting "
        "against backoffLimit.",
    )
    generation: str | None = Field(
        default=None, description="Load stages: the store generation the last successful attempt committed."
    )
    next_attempt_time: datetime | None = Field(
        default=None,
        description="When the next attempt starts: retries back off (10 s, doubling, at most 6 min).",
    )


class DiffSummary(CamelModel):
    """Diff.summary() of the job's diff, with `no-change` spelled noChange."""

    create: int = 0
    update: int = 0
    delete: int = 0
    no_change: int = 0
    skip: int = 0

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> DiffSummary:
        """From `Diff.summary()`, whose keys are spelled `no-change` and so on."""
        return cls(
            create=counts.get("create", 0),
            update=counts.get("update", 0),
            delete=counts.get("delete", 0),
            no_change=counts.get("no-change", 0),
            skip=counts.get("skip", 0),
        )

    def text(self) -> str:
        """`create 5, update 3, delete 3, no-change 13, skip 0`: status messages and reports."""
        return (
            f"create {self.create}, update {self.update}, delete {self.delete}, "
            f"no-change {self.no_change}, skip {self.skip}"
        )


class SyncFailure(CamelModel):
    """One object the sync could not apply."""

    id: str
    model: str | None = None
    action: str | None = None
    message: str = ""


class SyncCount(CamelModel):
    """The outcomes of one model's changes of one action."""

    model: str
    action: str
    succeeded: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)
    skipped: int = Field(default=0, ge=0)


class SyncOutcome(CamelModel):
    """What the sync stage applied: counts, per model and action, and the first failures.

    Every object's outcome is in the job's Redis state (`diffsync show-results NAME`); the
    status keeps what fits in it whatever the size of the sync.
    """

    succeeded: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)
    skipped: int = Field(
        default=0, ge=0, description="Changes never attempted: the parent failed, or the sync stopped early."
    )
    counts: list[SyncCount] = Field(default_factory=list, description="Outcomes per model and action.")
    failures: list[SyncFailure] = Field(
        default_factory=list,
        description="The first failures; `diffsync show-results NAME --failed` lists all.",
    )

    def text(self) -> str:
        """`applied 11, failed 1` (`, skipped 2` when some were): status messages and reports."""
        text = f"applied {self.succeeded}, failed {self.failed}"
        return f"{text}, skipped {self.skipped}" if self.skipped else text

    def totals_only(self) -> SyncOutcome:
        """The same outcome with the counts summed per action over all models (`model: "*"`)."""
        actions = dict.fromkeys(count.action for count in self.counts)
        totals = {action: SyncCount(model="*", action=action) for action in actions}
        for count in self.counts:
            total = totals[count.action]
            total.succeeded += count.succeeded
            total.failed += count.failed
            total.skipped += count.skipped
        return self.model_copy(update={"counts": list(totals.values())})


class Condition(CamelModel):
    """A Kubernetes condition in the shape kstatus reads."""

    type: Literal["Ready", "Complete", "Failed", "Reconciling", "Stalled", "RedisUser", "PlanStale"]
    status: Literal["True", "False", "Unknown"]
    reason: str = Field(min_length=1)
    message: str = ""
    last_transition_time: datetime
    observed_generation: int | None = None


class RedisUserStatus(CamelModel):
    """The job's own Redis ACL user, on a Redis the operator administers.

    The password itself is only in the Secret `secretName` (created by the operator, owned by
    the job). `passwordHash` is its SHA-256, the form Redis ACLs store (`#<hex>`): it lets the
    operator set the user again after a Redis restart without ever reading a Secret, and it
    reveals nothing usable (the password is 256 random bits).
    """

    name: str = Field(min_length=1)
    secret_name: str = Field(min_length=1)
    password_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


#: At most this many changes in a plan's sample (fewer when the stage's report is full).
PLAN_SAMPLE_SIZE = 50
#: At most this many attributes per change in the sample; `omittedAttributes` counts the rest.
PLAN_SAMPLE_ATTRIBUTES = 10
#: A sample value longer than this is cut (and ends in "...").
PLAN_VALUE_LENGTH = 64
#: At most this many models in a plan's counts; more are added up under `OTHER_MODELS`.
PLAN_MODELS = 64
OTHER_MODELS = "(other models)"


class AttributeChange(CamelModel):
    """One attribute of a change in the sample: its value before and after, as short text."""

    name: str = Field(max_length=128)
    before: str | None = Field(default=None, max_length=PLAN_VALUE_LENGTH + 3)
    after: str | None = Field(default=None, max_length=PLAN_VALUE_LENGTH + 3)


class PlanChange(CamelModel):
    """One change in a plan's sample: which object, what happens, which values change."""

    model: str = Field(max_length=128)
    id: str = Field(max_length=256, description="The object's unique id in its model.")
    action: Literal["create", "update", "delete"]
    attributes: list[AttributeChange] = Field(default_factory=list, max_length=PLAN_SAMPLE_ATTRIBUTES)
    omitted_attributes: int | None = Field(default=None, ge=1, description="Attributes not shown.")


class ModelChanges(CamelModel):
    """How many objects of one model the plan creates, updates and deletes."""

    model: str = Field(max_length=128)
    create: int = Field(default=0, ge=0)
    update: int = Field(default=0, ge=0)
    delete: int = Field(default=0, ge=0)


class DiffPlan(CamelModel):
    """What a diff stage found, shaped for review (computed from the Diff, `stages.plans`)."""

    id: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the canonical diff.")
    changes: int = Field(default=0, ge=0, description="Creates, updates and deletes in all.")
    models: list[ModelChanges] = Field(default_factory=list, max_length=PLAN_MODELS + 1)
    sample: list[PlanChange] = Field(
        default_factory=list,
        max_length=PLAN_SAMPLE_SIZE,
        description="The first changes in canonical order (model, then id), values redacted as asked.",
    )


class PlanStatus(DiffPlan):
    """The published plan: what the diff found, when, and whether it waits for approval."""

    short_id: str = Field(description="The first 12 digits of id (kubectl get sj).")
    created_at: datetime
    summary: DiffSummary
    approval: Literal["Automatic", "Waiting", "Approved", "DryRun"] = Field(
        description="Automatic: applied without review; Waiting: approval: Manual and "
        "spec.approvedPlan does not name it; Approved: it does; DryRun: mode diff."
    )


class TargetLockStatus(CamelModel):
    """The job's one-writer-per-target lock (sync mode)."""

    key: str
    held: bool = False
    holder: str | None = Field(default=None, description="The job holding the lock while this one waits.")


class SyncJobStatus(CamelModel):
    """The observed state of a SyncJob, written only by the operator."""

    phase: JobPhase | None = None
    store_id: str | None = None
    start_time: datetime | None = None
    completion_time: datetime | None = None
    stages: list[StageStatus] = Field(default_factory=list)
    diff: DiffSummary | None = None
    sync: SyncOutcome | None = None
    conditions: list[Condition] = Field(default_factory=list)
    observed_generation: int | None = None
    redis_user: RedisUserStatus | None = None
    last_rerun: str | None = Field(default=None, description="The SyncJob the last rerun request made.")
    last_rerun_token: str | None = Field(
        default=None, description="The diffsync.io/rerun value that request carried."
    )
    plan: PlanStatus | None = None
    approved_run: str | None = Field(
        default=None,
        description="The approved plan id the current run checks: its loads and diff started after "
        "spec.approvedPlan named it, under the target lock.",
    )
    target_lock: TargetLockStatus | None = None

    def stage(self, name: Stage) -> StageStatus | None:
        """The entry of stage `name`, if it has one."""
        return next((entry for entry in self.stages if entry.name == name), None)

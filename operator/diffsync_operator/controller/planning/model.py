"""The planner's inputs and output: the job, what the operator checked before the pass, the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import JobPhase, Stage, SyncJobStatus

FINISHED = (JobPhase.SUCCEEDED, JobPhase.FAILED)
#: Attempts per stage that a deleted, evicted or preempted pod may end without using backoffLimit.
FREE_DISRUPTIONS = 5


@dataclass(frozen=True)
class JobView:
    """A SyncJob as the planner sees it."""

    name: str
    namespace: str
    uid: str
    generation: int | None
    spec: SyncJobSpec
    status: SyncJobStatus


@dataclass(frozen=True)
class RetryPolicy:
    """How long a failed stage waits before its next attempt: a Job's backoff."""

    base_seconds: float = 10.0
    max_seconds: float = 360.0

    def delay(self, failures: int) -> timedelta:
        """The wait after the `failures`-th failed attempt: base, doubling, at most max."""
        doublings = min(max(failures - 1, 0), 32)  # 2**32 x base is past any cap
        return timedelta(seconds=min(self.base_seconds * 2**doublings, self.max_seconds))


@dataclass(frozen=True)
class PodRefusal:
    """The API server refused to create a stage's pod (a 4xx): the job cannot run as specified."""

    stage: Stage
    message: str


@dataclass(frozen=True)
class JobEvent:
    """A Kubernetes Event to publish on the SyncJob."""

    type: str  # Normal or Warning
    reason: str
    message: str


@dataclass(frozen=True)
class ClaimCheck:
    """What the operator found when it claimed the job's store before this pass."""

    holder: str | None = None  # another live job holds the store: "ns/name (uid ...)"
    error: str | None = None  # the claim could not be read or written (Redis unreachable)

    @property
    def blocked(self) -> bool:
        """The job may not start anything in this pass."""
        return self.holder is not None or self.error is not None


@dataclass(frozen=True)
class LockCheck:
    """What the operator found when it took (or renewed) the job's target lock before this pass.

    `held=False` with neither holder nor error: the operator did not ask for the lock in this
    pass (the run did not need it yet); the planner then starts nothing that needs it.
    """

    key: str
    held: bool = False
    holder: str | None = None  # another job holds the lock: "ns/name (uid ...)"
    error: str | None = None  # the lock could not be read or written (API server trouble)


@dataclass
class Plan:
    """What to do now: pods to create and delete, events to publish, the new status."""

    status: SyncJobStatus
    create: list[tuple[Stage, int]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    events: list[JobEvent] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """The job reached Succeeded or Failed."""
        return self.status.phase in FINISHED

"""`SyncJob.status`: progress and results, shaped for people, kubectl and kstatus.

Conditions follow the Kubernetes convention that kstatus (Flux, Argo CD health, `kubectl
wait`) reads: `type`, `status` ("True"/"False"/"Unknown"), `reason`, `message`,
`lastTransitionTime`, `observedGeneration`. Besides Ready, Complete and Failed the operator
keeps the two "abnormal-true" types kstatus looks for, Reconciling (a run is in progress)
and Stalled (the run failed and will not recover on its own).
"""

from __future__ import annotations

import enum
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


class JobPhase(str, enum.Enum):
    """The job's phase as shown in `kubectl get sj`."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    SUSPENDED = "Suspended"


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


class DiffSummary(CamelModel):
    """Diff.summary() of the job's diff, with `no-change` spelled noChange."""

    create: int = 0
    update: int = 0
    delete: int = 0
    no_change: int = 0
    skip: int = 0


class SyncFailure(CamelModel):
    """One object the sync could not apply."""

    id: str
    model: str | None = None
    action: str | None = None
    message: str = ""


class SyncOutcome(CamelModel):
    """What the sync stage applied: counts and the first failures."""

    succeeded: int = 0
    failed: int = 0
    failures: list[SyncFailure] = Field(default_factory=list)


class Condition(CamelModel):
    """A Kubernetes condition in the shape kstatus reads."""

    type: Literal["Ready", "Complete", "Failed", "Reconciling", "Stalled"]
    status: Literal["True", "False", "Unknown"]
    reason: str = Field(min_length=1)
    message: str = ""
    last_transition_time: datetime
    observed_generation: int | None = None


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

    def stage(self, name: Stage) -> StageStatus | None:
        """The entry of stage `name`, if it has one."""
        return next((entry for entry in self.stages if entry.name == name), None)

"""`SyncSchedule`: run a SyncJob on a schedule, and tell when two systems drifted apart.

Shaped after Kubernetes' CronJob, so its fields mean what CronJob users expect:
`schedule` (cron, its @-macros, or `@every <duration>` like Flux's `interval`; see `cron`),
`timeZone`, `concurrencyPolicy`, `startingDeadlineSeconds`, `suspend`, the two history limits,
and `jobTemplate` (a SyncJob spec with labels and annotations). Choices beyond CronJob's:

- `concurrencyPolicy` defaults to `Forbid`, not `Allow`: two runs of one sync at once would
  load, diff and write the same target twice;
- a run is named `<schedule>-<tick in Unix seconds>` (CronJob uses minutes; `@every` may tick
  faster than that; a long schedule name is cut and given a hash to fit), so a tick creates at
  most one job even if the operator restarts;
- a job waiting for approval (`AwaitingApproval`) does not block the next tick: the next run
  supersedes it, so a plan nobody approved never goes stale in the cluster.

The status says what ran (`lastScheduleTime`, `lastSuccessfulTime`, `active`, `lastJob`), what
was skipped and why, the last diff summary, and a `Drifted` condition: True with the counts
when the last diff found changes, False when it found none or a sync applied them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, StrictInt, field_validator

from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.corev1 import AnnotationMap, LabelMap
from diffsync_operator.api.cron import Schedule, parse_schedule, zone_named
from diffsync_operator.api.spec import Seconds, SyncJobSpec
from diffsync_operator.api.status import DiffSummary

SCHEDULE_KIND = "SyncSchedule"
SCHEDULE_PLURAL = "syncschedules"
SCHEDULE_SINGULAR = "syncschedule"
SCHEDULE_SHORT_NAMES = ("ss",)


class JobTemplateMeta(CamelModel):
    """Labels and annotations every SyncJob of the schedule gets (beside the operator's own)."""

    labels: LabelMap | None = None
    annotations: AnnotationMap | None = None


class SyncJobTemplate(CamelModel):
    """What each run is: a SyncJob spec, with labels and annotations for its metadata."""

    metadata: JobTemplateMeta | None = None
    spec: SyncJobSpec


class SyncScheduleSpec(CamelModel):
    """When to run, how runs may overlap, and how many finished runs to keep."""

    schedule: str = Field(
        min_length=1,
        max_length=200,
        description='Cron ("*/15 * * * *"), a macro ("@hourly") or "@every <duration>" ("@every 10m").',
    )
    time_zone: str | None = Field(
        default=None, min_length=1, description="IANA zone the cron schedule is read in; default UTC."
    )
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] = Field(
        default="Forbid",
        description="Forbid: skip a tick while a run is active; Replace: stop it and start anew; "
        "Allow: run side by side.",
    )
    starting_deadline_seconds: Seconds | None = Field(
        default=None,
        ge=1,
        description="A tick not started within this many seconds (operator down, Forbid) is skipped.",
    )
    suspend: bool = Field(default=False, description="Start no new runs while true (active runs go on).")
    successful_jobs_history_limit: StrictInt = Field(
        default=3, ge=0, le=1000, description="Succeeded runs kept."
    )
    failed_jobs_history_limit: StrictInt = Field(default=1, ge=0, le=1000, description="Failed runs kept.")
    job_template: SyncJobTemplate

    @field_validator("schedule")
    @classmethod
    def _schedule_parses(cls, value: str) -> str:
        parse_schedule(value)
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        zone_named(value)
        return value

    def parsed(self) -> Schedule:
        """The schedule expression, parsed (the field validator already checked it)."""
        return parse_schedule(self.schedule)


class JobReference(CamelModel):
    """A SyncJob the schedule created."""

    name: str
    uid: str | None = None


class ScheduleCondition(CamelModel):
    """A condition in the kstatus shape (Ready, Drifted, Stalled)."""

    type: Literal["Ready", "Drifted", "Stalled"]
    status: Literal["True", "False", "Unknown"]
    reason: str = Field(min_length=1)
    message: str = ""
    last_transition_time: datetime
    observed_generation: int | None = None


class SyncScheduleStatus(CamelModel):
    """What the schedule did, written only by the operator."""

    last_schedule_time: datetime | None = Field(default=None, description="The tick of the newest run.")
    last_successful_time: datetime | None = Field(default=None, description="When a run last succeeded.")
    next_schedule_time: datetime | None = None
    last_skipped_time: datetime | None = Field(default=None, description="The last tick that started no run.")
    last_skipped_reason: str | None = None
    active: list[JobReference] = Field(default_factory=list)
    last_job: JobReference | None = Field(default=None, description="The newest finished run.")
    last_job_phase: str | None = None
    last_diff: DiffSummary | None = Field(
        default=None, description="The diff summary of the newest run with one."
    )
    conditions: list[ScheduleCondition] = Field(default_factory=list)
    observed_generation: int | None = None

    def condition(self, kind: str) -> ScheduleCondition | None:
        """The condition of type `kind`, if set."""
        return next((c for c in self.conditions if c.type == kind), None)

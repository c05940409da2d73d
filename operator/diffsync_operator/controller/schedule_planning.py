"""Decide what a SyncSchedule does now, from its spec, its status and its jobs (pure).

`plan_schedule` is the whole schedule logic; `schedule_handlers` only fetches the inputs,
creates and deletes the jobs it names, publishes its events and writes its status.

Rules:
- ticks come from the schedule (see `api.cron`), counted after the later of the last tick
  that started a run and the last tick that was skipped, never before the schedule existed;
- each tick is decided once: it starts a run, or it is skipped and recorded
  (`lastSkippedTime`, `lastSkippedReason`, an Event). Unlike CronJob, a skipped tick is not
  replayed later, so a slow run or a suspension is never followed by a burst of catch-up runs;
- a tick is skipped while `suspend` is true, when it is older than `startingDeadlineSeconds`
  (the operator was down), and under `Forbid` while a run is active;
- `Replace` deletes the active runs (their pods go with them) and starts the new one; `Allow`
  starts it beside them;
- a run waiting for approval never blocks a tick: the next run supersedes (deletes) it;
- finished runs beyond `successfulJobsHistoryLimit` / `failedJobsHistoryLimit` are deleted,
  oldest first; deleting the schedule deletes every run (owner references);
- `Drifted` follows the newest run with a result: a diff that found changes (in a diff run, or
  in a sync run still applying them), a sync that could not apply all of them, or a plan
  waiting for approval, is drift; a diff run that found nothing, or a sync run that applied
  everything, is not. A failed run leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from diffsync_operator.api.cron import zone_named
from diffsync_operator.api.names import bounded
from diffsync_operator.api.schedule import (
    JobReference,
    ScheduleCondition,
    SyncScheduleSpec,
    SyncScheduleStatus,
)
from diffsync_operator.api.status import DiffSummary, SyncOutcome
from diffsync_operator.controller.api_time import parse_api_time
from diffsync_operator.controller.conditions import set_condition
from diffsync_operator.controller.planning import JobEvent

SUCCEEDED, FAILED = "Succeeded", "Failed"
#: A sync job that stopped after its diff, waiting for someone to approve the plan.
AWAITING_APPROVAL = "AwaitingApproval"
_FINISHED = (SUCCEEDED, FAILED)
#: Never wait longer than this for the next tick: a changed spec or a clock jump is seen soon.
MAX_WAIT_SECONDS = 30.0
MIN_WAIT_SECONDS = 0.2


@dataclass(frozen=True)
class ScheduleView:
    """A SyncSchedule as the planner sees it."""

    name: str
    namespace: str
    uid: str
    generation: int | None
    created: datetime
    spec: SyncScheduleSpec
    status: SyncScheduleStatus


@dataclass(frozen=True)
class ScheduledJob:
    """One SyncJob the schedule made, reduced to what the planner reads."""

    name: str
    uid: str
    tick: datetime | None
    created: datetime | None
    phase: str | None = None
    mode: str = "diff"
    completion_time: datetime | None = None
    diff: DiffSummary | None = None
    sync: SyncOutcome | None = None
    deleting: bool = False

    @property
    def finished(self) -> bool:
        return self.phase in _FINISHED

    @property
    def order(self) -> datetime:
        return self.tick or self.created or datetime.min.replace(tzinfo=timezone.utc)


@dataclass
class SchedulePlan:
    """What to do now: the tick to start a run for, runs to delete, events, the new status."""

    status: SyncScheduleStatus
    start: datetime | None = None
    delete: list[str] = field(default_factory=list)
    events: list[JobEvent] = field(default_factory=list)
    wait_seconds: float = MAX_WAIT_SECONDS


def job_name(schedule_name: str, tick: datetime) -> str:
    """`<schedule>-<tick in Unix seconds>`: one name per tick, so a tick never runs twice."""
    return bounded(schedule_name, f"-{int(tick.timestamp())}")


def drift_of(job: ScheduledJob) -> tuple[str, str, str] | None:
    """(status, reason, message) of `Drifted` after `job`, or None when `job` says nothing.

    A running sync whose diff stage found changes is drift until its sync succeeds: the
    condition shows the systems apart while the changes are being applied.
    """
    if job.phase == FAILED:
        return None
    if job.phase == AWAITING_APPROVAL:
        return "True", "AwaitingApproval", f"{job.name} found changes; its plan waits for approval"
    if job.mode == "sync" and job.phase == SUCCEEDED:
        if job.sync is not None and job.sync.failed:
            return "True", "SyncIncomplete", f"{job.name} could not apply {job.sync.failed} change(s)"
        applied = job.sync.succeeded if job.sync is not None else 0
        return "False", "Synced", f"{job.name} applied {applied} change(s): the systems are in step"
    if job.diff is None:
        return None
    changes = job.diff.create + job.diff.update + job.diff.delete
    counts = f"create {job.diff.create}, update {job.diff.update}, delete {job.diff.delete}"
    if changes:
        doing = "; applying them" if job.mode == "sync" else ""
        return "True", "ChangesFound", f"{job.name}: {counts}{doing}"
    if job.phase == SUCCEEDED:
        return "False", "InStep", f"{job.name} found no differences"
    return None


class _SchedulePlanner:
    """One planning pass; a class only to share the inputs between small steps."""

    def __init__(self, schedule: ScheduleView, jobs: Sequence[ScheduledJob], now: datetime) -> None:
        self.schedule = schedule
        self.spec = schedule.spec
        self.now = now
        self.jobs = [job for job in jobs if not job.deleting]
        self.status = schedule.status.model_copy(deep=True)
        self.plan = SchedulePlan(status=self.status)

    def event(self, kind: str, reason: str, message: str) -> None:
        self.plan.events.append(JobEvent(kind, reason, message))

    def condition(self, kind: str, status: str, reason: str, message: str) -> None:
        self.status.conditions = set_condition(
            self.status.conditions,
            kind,
            status,
            reason,
            message,
            self.schedule.generation,
            self.now,
            shape=ScheduleCondition,
        )

    def run(self) -> SchedulePlan:
        self.status.observed_generation = self.schedule.generation
        self.record_history()
        self.prune_history()
        self.record_drift()
        self.decide_tick()
        self.status.active = [
            JobReference(name=job.name, uid=job.uid)
            for job in sorted(self.jobs, key=lambda j: j.order)
            if not job.finished and job.name not in self.plan.delete
        ]
        return self.plan

    def record_history(self) -> None:
        finished = sorted((job for job in self.jobs if job.finished), key=lambda j: j.order)
        if finished:
            newest = finished[-1]
            self.status.last_job = JobReference(name=newest.name, uid=newest.uid)
            self.status.last_job_phase = newest.phase
        with_diff = [job for job in finished if job.diff is not None]
        if with_diff:
            self.status.last_diff = with_diff[-1].diff
        successes = [
            job.completion_time for job in finished if job.phase == SUCCEEDED and job.completion_time
        ]
        if completed := [moment for moment in successes if moment is not None]:
            latest = max(completed)
            previous = self.status.last_successful_time
            self.status.last_successful_time = latest if previous is None or latest > previous else previous

    def prune_history(self) -> None:
        for phase, keep in (
            (SUCCEEDED, self.spec.successful_jobs_history_limit),
            (FAILED, self.spec.failed_jobs_history_limit),
        ):
            done = sorted((job for job in self.jobs if job.phase == phase), key=lambda j: j.order)
            for job in done[: max(len(done) - keep, 0)]:
                self.plan.delete.append(job.name)

    def record_drift(self) -> None:
        decisive = [
            (job, drift) for job in sorted(self.jobs, key=lambda j: j.order) if (drift := drift_of(job))
        ]
        before = self.status.condition("Drifted")
        if not decisive:
            if before is None:
                self.condition("Drifted", "Unknown", "NoResultYet", "no run has finished with a result yet")
            return
        _, (status, reason, message) = decisive[-1]
        was = before.status if before is not None else "Unknown"
        if status == "True" and was != "True":
            self.event("Warning", "DriftDetected", message)
        elif status == "False" and was == "True":
            self.event("Normal", "DriftCleared", message)
        self.condition("Drifted", status, reason, message)

    def decide_tick(self) -> None:
        schedule = self.spec.parsed()
        zone = zone_named(self.spec.time_zone)
        anchor = self.schedule.created
        decided = [
            t for t in (self.status.last_schedule_time, self.status.last_skipped_time) if t is not None
        ]
        since = max([anchor, *decided])
        latest = schedule.latest_at_or_before(self.now, zone, anchor)
        if latest is not None and latest > since:
            self.decide(latest)
        upcoming = schedule.next_after(self.now, zone, anchor)
        self.status.next_schedule_time = None if self.spec.suspend else upcoming
        wait = (upcoming - self.now).total_seconds()
        self.plan.wait_seconds = min(max(wait, MIN_WAIT_SECONDS), MAX_WAIT_SECONDS)
        if self.spec.suspend:
            self.condition("Ready", "True", "Suspended", "spec.suspend is true: no new runs")
        else:
            self.condition("Ready", "True", "Scheduled", f"next run at {upcoming.isoformat()}")

    def decide(self, tick: datetime) -> None:
        name = job_name(self.schedule.name, tick)
        if any(job.name == name for job in self.jobs):  # started before a restart: adopt it
            self.status.last_schedule_time = tick
            return
        deadline = self.spec.starting_deadline_seconds
        late = (self.now - tick).total_seconds()
        if self.spec.suspend:
            self.skip(tick, "Suspended", "spec.suspend is true")
            return
        if deadline is not None and late > deadline:
            self.skip(tick, "MissedDeadline", f"{late:.0f}s late, spec.startingDeadlineSeconds is {deadline}")
            return
        running = [job for job in self.jobs if not job.finished and job.phase != AWAITING_APPROVAL]
        if running and self.spec.concurrency_policy == "Forbid":
            names = ", ".join(job.name for job in running)
            self.skip(tick, "Forbid", f"concurrencyPolicy Forbid: {names} still running")
            return
        if running and self.spec.concurrency_policy == "Replace":
            for job in running:
                self.plan.delete.append(job.name)
                self.event("Normal", "Replaced", f"{job.name} replaced by the run of {tick.isoformat()}")
        for job in self.jobs:
            if job.phase == AWAITING_APPROVAL:
                self.plan.delete.append(job.name)
                self.event(
                    "Normal", "Superseded", f"{job.name}'s plan was never approved: superseded by {name}"
                )
        self.plan.start = tick
        self.status.last_schedule_time = tick
        self.event("Normal", "Scheduled", f"started {name} for the tick of {tick.isoformat()}")

    def skip(self, tick: datetime, reason: str, message: str) -> None:
        self.status.last_skipped_time = tick
        self.status.last_skipped_reason = f"{reason}: {message}"
        self.event("Normal", "Skipped", f"the tick of {tick.isoformat()} started no run ({message})")


def plan_schedule(schedule: ScheduleView, jobs: Sequence[ScheduledJob], now: datetime) -> SchedulePlan:
    """The next step for `schedule` given the jobs it made, at `now`; see the module docstring."""
    return _SchedulePlanner(schedule, jobs, now).run()


def scheduled_job_from_body(body: dict[str, Any], tick_annotation: str) -> ScheduledJob:
    """The planner's view of a SyncJob dict the schedule made."""
    meta = body.get("metadata") or {}
    status = body.get("status") or {}
    spec = body.get("spec") or {}
    diff = status.get("diff")
    sync = status.get("sync")
    return ScheduledJob(
        name=meta.get("name", ""),
        uid=meta.get("uid", ""),
        tick=parse_api_time((meta.get("annotations") or {}).get(tick_annotation)),
        created=parse_api_time(meta.get("creationTimestamp")),
        phase=status.get("phase"),
        mode=spec.get("mode", "diff"),
        completion_time=parse_api_time(status.get("completionTime")),
        diff=DiffSummary.model_validate(diff) if isinstance(diff, dict) else None,
        sync=SyncOutcome.model_validate(sync) if isinstance(sync, dict) else None,
        deleting=bool(meta.get("deletionTimestamp")),
    )


def ticks_between(spec: SyncScheduleSpec, start: datetime, end: datetime, anchor: datetime) -> list[datetime]:
    """Every tick in (start, end]: for tests and for `diffsync` to show what a schedule means."""
    schedule = spec.parsed()
    zone = zone_named(spec.time_zone)
    found: list[datetime] = []
    moment = start
    while True:
        moment = schedule.next_after(moment, zone, anchor)
        if moment > end:
            return found
        found.append(moment)
        if len(found) > 10_000:
            raise ValueError("more than 10000 ticks in the range; use a shorter range")


__all__ = [
    "AWAITING_APPROVAL",
    "SchedulePlan",
    "ScheduleView",
    "ScheduledJob",
    "drift_of",
    "job_name",
    "plan_schedule",
    "scheduled_job_from_body",
    "ticks_between",
]

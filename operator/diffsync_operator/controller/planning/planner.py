"""One planning pass over the whole job: deadlines, store claim, target lock, stage groups, phase."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import (
    JobPhase,
    Stage,
    StagePhase,
    SyncJobStatus,
    TargetLockStatus,
    stage_groups,
)
from diffsync_operator.controller.conditions import shape_conditions
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.controller.planning import approval, gates
from diffsync_operator.controller.planning.context import PlanningPass
from diffsync_operator.controller.planning.model import (
    FINISHED,
    ClaimCheck,
    JobView,
    LockCheck,
    Plan,
    PodRefusal,
    RetryPolicy,
)
from diffsync_operator.controller.planning.stage_steps import evaluate
from diffsync_operator.stages.store_ids import job_store_id


def _wait_for_store(ctx: PlanningPass, claim: ClaimCheck) -> Plan:
    """Start nothing: another job holds the store, or its claim could not be checked."""
    status = ctx.status
    if claim.holder is not None and ctx.started:
        ctx.stop_running_pods()
        ctx.finish(
            JobPhase.FAILED,
            "StoreLost",
            f"store {status.store_id} was taken by job {claim.holder} while this job ran "
            "(its claim expired); delete and re-apply the job to run it again",
        )
        return ctx.plan
    if claim.holder is not None:
        kind, reason = "Normal", "StoreInUse"
        message = f"store {status.store_id} is in use by job {claim.holder}; waiting until it finishes"
    else:
        kind, reason = "Warning", "StoreUnreachable"
        message = f"cannot claim store {status.store_id}: {claim.error}; trying again"
    if not ctx.started:
        status.phase = JobPhase.PENDING
    if not any(c.reason == reason for c in status.conditions):
        ctx.event(kind, reason, message)
    status.conditions = shape_conditions(
        status.conditions, status.phase or JobPhase.PENDING, reason, message, ctx.job.generation, ctx.now
    )
    return ctx.plan


def _track_lock(ctx: PlanningPass) -> None:
    """Record the target lock in status; a lock lost mid-run makes the run start again."""
    lock, status = ctx.lock, ctx.status
    if lock is None or ctx.spec.mode != "sync":
        return
    before = status.target_lock
    sync = status.stage(Stage.SYNC)
    lost = (
        before is not None
        and before.held
        and lock.holder is not None
        and gates.lock_wanted(ctx.spec, status)
        and (sync is None or sync.phase is not StagePhase.SUCCEEDED)
    )
    if lost:
        ctx.event(
            "Warning",
            "TargetLockLost",
            f"job {lock.holder} took the target lock {lock.key} while this job held it (the operator "
            "did not renew it within its lease); the run starts again from the loads once the lock is free",
        )
        for stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET, Stage.DIFF):
            entry = status.stage(stage)
            if entry is not None and entry.attempts:
                ctx.mark_for_rerun(entry, f"running again: the target lock {lock.key} was lost")
    status.target_lock = TargetLockStatus(key=lock.key, held=lock.held, holder=lock.holder)


def _in_progress(ctx: PlanningPass, group: tuple[Stage, ...]) -> Plan:
    status, spec = ctx.status, ctx.spec
    if spec.suspend:
        if status.phase is not JobPhase.SUSPENDED:
            ctx.event("Normal", "Suspended", "spec.suspend is true: no new stage pods")
        status.phase = JobPhase.SUSPENDED
        reason, message = "Suspended", "spec.suspend is true"
    elif ctx.awaiting is not None:
        status.phase = JobPhase.AWAITING_APPROVAL
        reason, message = ctx.awaiting
    elif ctx.blocked is not None:
        status.phase = JobPhase.BLOCKED
        reason, message = "DeletionGuard", ctx.blocked
    else:
        if ctx.plan.create and status.start_time is None:
            status.start_time = ctx.now
        status.phase = JobPhase.RUNNING if status.start_time else JobPhase.PENDING
        if ctx.lock_wait is not None and not ctx.plan.create:
            reason, message = "TargetLocked", "; ".join([ctx.lock_wait, *ctx.waiting])
            if not any(c.reason == reason and c.message == message for c in status.conditions):
                ctx.event("Normal", reason, ctx.lock_wait)
        else:
            running = [s.value for s in group if ctx.entry(s).phase is not StagePhase.SUCCEEDED]
            reason = "StageRunning"
            message = "; ".join(["running " + ", ".join(running), *ctx.waiting, *ctx.retrying])
    status.conditions = shape_conditions(
        status.conditions, status.phase, reason, message, ctx.job.generation, ctx.now
    )
    return ctx.plan


def _succeeded(ctx: PlanningPass) -> Plan:
    message = "all stages succeeded"
    if ctx.status.diff is not None:
        message = "diff: " + ctx.status.diff.text()
    sync = ctx.status.sync
    if sync is not None:
        message += f"; sync: {sync.text()}"
    reason = "CompletedWithFailures" if sync is not None and sync.failed else "Completed"
    ctx.finish(JobPhase.SUCCEEDED, reason, message)
    return ctx.plan


def _refuse(ctx: PlanningPass, refused: PodRefusal) -> Plan:
    """The API server will not create the stage's pod: fail the stage and the job."""
    entry = ctx.entry(refused.stage)
    entry.phase = StagePhase.FAILED
    entry.completion_time = ctx.now
    entry.message = refused.message
    ctx.stop_running_pods()
    ctx.finish(JobPhase.FAILED, "PodRefused", f"{refused.stage.value}: {refused.message}")
    return ctx.plan


def _run(
    ctx: PlanningPass, problems: Sequence[str], claim: ClaimCheck | None, refused: PodRefusal | None
) -> Plan:
    status, spec, job = ctx.status, ctx.spec, ctx.job
    status.observed_generation = job.generation
    status.store_id = job_store_id(job.namespace, job.name, job.uid, spec.store_id, status.store_id)
    if status.phase in FINISHED:
        for condition in status.conditions:  # seen, and deliberately not rerun
            condition.observed_generation = job.generation
        return ctx.plan
    if refused is not None:
        return _refuse(ctx, refused)
    if problems:
        ctx.finish(JobPhase.FAILED, "InvalidSpec", "; ".join(problems))
        return ctx.plan
    deadline = spec.active_deadline_seconds
    if deadline and status.start_time and ctx.now >= status.start_time + timedelta(seconds=deadline):
        ctx.stop_running_pods()
        ctx.finish(
            JobPhase.FAILED,
            "DeadlineExceeded",
            f"the job ran longer than spec.activeDeadlineSeconds ({deadline}s)",
        )
        return ctx.plan
    if (unapproved := approval.deadline_passed(ctx)) is not None:
        ctx.finish(JobPhase.FAILED, "ApprovalDeadlineExceeded", unapproved)
        return ctx.plan
    if claim is not None and claim.blocked:
        return _wait_for_store(ctx, claim)
    _track_lock(ctx)
    if not ctx.started:
        approval.begin_run(ctx)
    for group in stage_groups(spec.mode):
        phases = {stage: evaluate(ctx, stage) for stage in group}
        failed = [s for s, p in phases.items() if p is StagePhase.FAILED]
        if failed:
            entry = ctx.entry(failed[0])
            ctx.stop_running_pods()
            ctx.finish(JobPhase.FAILED, "StageFailed", f"{failed[0].value}: {entry.message}")
            return ctx.plan
        if any(p is not StagePhase.SUCCEEDED for p in phases.values()):
            return _in_progress(ctx, group)
    return _succeeded(ctx)


def plan_next_step(
    job: JobView,
    pods: Sequence[ObservedPod],
    now: datetime,
    problems: Sequence[str] = (),
    claim: ClaimCheck | None = None,
    *,
    retry: RetryPolicy | None = None,
    refused: PodRefusal | None = None,
    lock: LockCheck | None = None,
) -> Plan:
    """The next step for `job` given its stage pods at `now`; see the package docstring.

    `claim`: the operator's claim on the job's store, or None when the operator does not
    claim it (a Redis it does not know: the pods claim it themselves). `retry`: the backoff
    of failed stages (default: a Job's). `refused`: the API server refused a pod of the plan
    made without it; the job fails. `lock`: what the operator found taking the job's target
    lock, or None when it does not lock targets.
    """
    ctx = PlanningPass(job, pods, now, lock, retry)
    plan = _run(ctx, problems, claim, refused)
    approval.refresh(ctx)
    return plan


def next_attempt_at(status: SyncJobStatus) -> datetime | None:
    """The earliest time a stage waits for to start its next attempt, if any."""
    times = [entry.next_attempt_time for entry in status.stages if entry.next_attempt_time is not None]
    return min(times, default=None)


def ttl_expiry(status: SyncJobStatus, spec: SyncJobSpec) -> datetime | None:
    """When a finished job should be deleted (ttlSecondsAfterFinished), if ever."""
    if status.phase not in FINISHED or spec.ttl_seconds_after_finished is None:
        return None
    if status.completion_time is None:
        return None
    return status.completion_time + timedelta(seconds=spec.ttl_seconds_after_finished)

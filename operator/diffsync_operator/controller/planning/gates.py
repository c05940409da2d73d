"""What must hold before a stage pod starts: the target lock, the deletion guard, the approval.

- The target lock (`spec.target.lockKey`): a run that may end in a sync (sync mode, and
  `approval: Automatic` or a run checking an approved plan) holds its target's lock from the
  loads to the end of the sync, so the diff it applies is the diff of a target nobody else
  wrote meanwhile. `lock_wanted` says whether the run needs it now; the operator asks it
  before the pass (to take or renew the lock) and after (to release it).
- The deletion guard (`spec.deletionGuard`) is asked before a sync pod starts, with the
  diff's delete count and the target's loaded object count: a sync that would delete more
  does not start; the job is Blocked (condition Stalled, reason DeletionGuard, saying how many
  deletes and how to allow them) until a spec change lets it through.
- The approval (`approval.sync_approved`): with `approval: Manual` a sync starts only for a
  plan that was approved and then found again by a fresh diff.
"""

from __future__ import annotations

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import JobPhase, Stage, StageStatus, SyncJobStatus
from diffsync_operator.controller.planning import approval
from diffsync_operator.controller.planning.context import PlanningPass
from diffsync_operator.controller.planning.model import FINISHED
from diffsync_operator.stages.deletion_guard import deletion_refusal


def lock_wanted(spec: SyncJobSpec, status: SyncJobStatus) -> bool:
    """Whether the job's run must hold its target lock now (see the module docstring)."""
    if spec.mode != "sync" or status.phase in FINISHED:
        return False
    if spec.approval == "Automatic" or status.approved_run is not None:
        return True
    approved = spec.approved_plan
    if approved is None:
        return False
    if not any(entry.attempts for entry in status.stages):
        return True  # a job created with an approved plan: its first run checks it
    return status.plan is not None and status.plan.id == approved  # the approved rerun is due


def lock_allows(ctx: PlanningPass, stage: Stage) -> bool:
    """Whether `stage` may start as far as the target lock goes; records why not."""
    lock = ctx.lock
    if lock is None or lock.held or not lock_wanted(ctx.spec, ctx.status):
        return True
    if lock.error is not None:
        ctx.lock_wait = f"cannot take the target lock {lock.key}: {lock.error}; trying again"
    elif lock.holder is not None:
        ctx.lock_wait = f"the target lock {lock.key} is held by job {lock.holder}; waiting until it is free"
    else:
        ctx.lock_wait = f"taking the target lock {lock.key}"
    return False


def deletion_gate(ctx: PlanningPass) -> str | None:
    """Why the deletion guard stops the sync, or None."""
    load_target = ctx.status.stage(Stage.LOAD_TARGET)
    target_objects = (load_target.objects if load_target else None) or 0
    deletes = ctx.status.diff.delete if ctx.status.diff is not None else 0
    return deletion_refusal(ctx.spec.deletion_guard, deletes, target_objects)


def sync_allowed(ctx: PlanningPass, entry: StageStatus) -> bool:
    """Whether the sync pod may start now: the deletion guard, then the approval."""
    refusal = deletion_gate(ctx)
    if refusal is not None:
        if entry.message != refusal:
            ctx.event("Warning", "DeletionGuard", f"sync not started: {refusal}")
        entry.message = ctx.blocked = refusal
        return False
    if ctx.job.status.phase is JobPhase.BLOCKED:
        entry.message = None
        ctx.event("Normal", "DeletionGuardPassed", "spec.deletionGuard now allows the sync")
    return approval.sync_approved(ctx, entry)

"""Plans people approve (`spec.approval: Manual`): publish, wait, check again, then sync or go stale.

The flow of a Manual sync job:

1. its loads and diff run; the diff stage reports the plan (`stages.plans`), which the
   operator publishes in `status.plan` (every job's diff gets one; `approval` says how it is
   applied). The sync does not start: the job is AwaitingApproval (no kstatus condition True:
   it waits, it has not failed), with an Event;
2. a person sets `spec.approvedPlan` to the published id. The operator takes the target lock,
   records the id in `status.approvedRun`, and runs the loads and the diff again;
3. if the new diff has the approved id (and `spec.approvedPlan` still names it), the sync
   starts; the sync stage checks the id of the diff it reads once more;
4. otherwise nothing is written: the `PlanStale` condition is True, the new plan is
   published and the job waits for its approval (step 2 again).

A job created with `spec.approvedPlan` already set (a plan approved from a `mode: diff` job)
treats its first run as step 2. Removing or changing `spec.approvedPlan` before the sync pod
starts withdraws the approval. A retry after a failed sync diffs again, and what is left to
apply is another plan: it needs its own approval. `approvalDeadlineSeconds` fails a job whose
published plan nobody approved within that time.
"""

from __future__ import annotations

from datetime import timedelta

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import (
    DiffPlan,
    DiffSummary,
    JobPhase,
    PlanStatus,
    Stage,
    StageStatus,
)
from diffsync_operator.controller.conditions import set_condition
from diffsync_operator.controller.planning.context import PlanningPass

PLAN_STALE = "PlanStale"


def approval_state(spec: SyncJobSpec, plan_id: str) -> str:
    """`status.plan.approval` for a plan with `plan_id` under `spec`."""
    if spec.mode == "diff":
        return "DryRun"
    if spec.approval == "Automatic":
        return "Automatic"
    return "Approved" if spec.approved_plan == plan_id else "Waiting"


def publish(ctx: PlanningPass, plan: DiffPlan, summary: DiffSummary) -> None:
    """Make `plan`, reported by a diff attempt that just succeeded, the job's published plan."""
    ctx.status.plan = PlanStatus(
        **plan.model_dump(),
        short_id=plan.id[:12],
        created_at=ctx.now,
        summary=summary,
        approval=approval_state(ctx.spec, plan.id),
    )


def refresh(ctx: PlanningPass) -> None:
    """Keep `status.plan.approval` in step with the spec (an approval arrives at any time)."""
    if ctx.status.plan is not None:
        ctx.status.plan.approval = approval_state(ctx.spec, ctx.status.plan.id)  # type: ignore[assignment]


def begin_run(ctx: PlanningPass) -> None:
    """Before the first stage starts: a job created with an approved plan checks it in its first run."""
    manual = ctx.spec.mode == "sync" and ctx.spec.approval == "Manual"
    ctx.status.approved_run = ctx.spec.approved_plan if manual else None


def deadline_passed(ctx: PlanningPass) -> str | None:
    """Why the job fails because nobody approved its plan in time, or None."""
    deadline, plan = ctx.spec.approval_deadline_seconds, ctx.status.plan
    if deadline is None or plan is None or ctx.job.status.phase is not JobPhase.AWAITING_APPROVAL:
        return None
    if ctx.spec.approved_plan == plan.id or ctx.now < plan.created_at + timedelta(seconds=deadline):
        return None
    return (
        f"plan {plan.short_id} was not approved within spec.approvalDeadlineSeconds ({deadline}s); "
        "nothing was written"
    )


def _how_to_approve(ctx: PlanningPass, plan: PlanStatus) -> str:
    return f"approve it with `diffsync approve {ctx.job.name}` or set spec.approvedPlan: {plan.id}"


def sync_approved(ctx: PlanningPass, entry: StageStatus) -> bool:
    """Whether the sync may start as far as approval goes (see the module docstring).

    When it may not, the job waits for approval (`ctx.awaiting`), or the approved rerun of
    the loads and the diff begins.
    """
    spec, status = ctx.spec, ctx.status
    if spec.mode != "sync" or spec.approval != "Manual":
        return True
    plan, approved, checked = status.plan, spec.approved_plan, status.approved_run
    if plan is None:
        ctx.awaiting = (
            "AwaitingApproval",
            "the diff stage reported no plan (is the stage image older than the operator?): "
            "nothing to approve; delete and re-apply the job with a current image",
        )
        return False
    if checked is not None and checked == plan.id == approved:
        _matched(ctx, plan)
        return True
    status.approved_run = None
    stale = checked is not None and checked != plan.id
    if stale:
        _went_stale(ctx, checked or "", plan)
    elif approved == plan.id:
        _rerun(ctx, plan)
        return False
    _await(ctx, plan, entry, stale)
    return False


def _matched(ctx: PlanningPass, plan: PlanStatus) -> None:
    message = f"the diff after the approval is plan {plan.short_id}, as approved: starting the sync"
    if any(c.type == PLAN_STALE for c in ctx.status.conditions):
        ctx.status.conditions = set_condition(
            ctx.status.conditions, PLAN_STALE, "False", "PlanMatched", message, ctx.job.generation, ctx.now
        )
    ctx.event("Normal", "PlanMatched", message)


def _went_stale(ctx: PlanningPass, checked: str, plan: PlanStatus) -> None:
    message = (
        f"the approved plan {checked[:12]} is stale: after reloading source and target the diff is "
        f"plan {plan.short_id} ({plan.summary.text()}); nothing was written"
    )
    ctx.status.conditions = set_condition(
        ctx.status.conditions, PLAN_STALE, "True", "PlanChanged", message, ctx.job.generation, ctx.now
    )
    ctx.event("Warning", PLAN_STALE, message)


def _rerun(ctx: PlanningPass, plan: PlanStatus) -> None:
    """The published plan was approved: load both sides and diff again, under the target lock."""
    ctx.status.approved_run = plan.id
    message = f"running again to check the approved plan {plan.short_id}"
    for stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET, Stage.DIFF):
        ctx.mark_for_rerun(ctx.entry(stage), message)
    ctx.event(
        "Normal",
        "PlanApproved",
        f"plan {plan.short_id} approved: loading source and target and diffing again; "
        "the sync starts only if the new diff is the same plan",
    )


def _await(ctx: PlanningPass, plan: PlanStatus, entry: StageStatus, stale: bool) -> None:
    approved = ctx.spec.approved_plan
    stale_condition = next((c for c in ctx.status.conditions if c.type == PLAN_STALE), None)
    if stale_condition is not None and stale_condition.status == "True":  # until a plan is approved again
        reason, message = PLAN_STALE, f"{stale_condition.message}; the new plan waits for approval"
    else:
        reason = "AwaitingApproval"
        message = f"plan {plan.short_id} ({plan.summary.text()}) waits for approval"
        if approved is not None and approved != plan.id:
            message += f" (spec.approvedPlan {approved[:12]} is not the published plan)"
    message += f": {_how_to_approve(ctx, plan)}"
    entry.message = f"waiting for approval of plan {plan.short_id}"
    ctx.awaiting = (reason, message)
    if ctx.job.status.phase is not JobPhase.AWAITING_APPROVAL or stale:
        ctx.event("Normal", "AwaitingApproval", message)

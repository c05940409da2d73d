"""`diffsync approve NAME [--plan ID]`: approve a SyncJob's plan, and the plan as text.

Approving sets `spec.approvedPlan` (a merge patch, with the user's own kubeconfig: the same
right as `kubectl patch`). The operator then loads both sides again, diffs, and syncs only if
the new diff has the approved id; otherwise the job shows `PlanStale` and a new plan.
"""

from __future__ import annotations

import argparse
import re

from diffsync_operator.api.resource import SyncJob
from diffsync_operator.api.status import AttributeChange, PlanStatus
from diffsync_operator.cli.cluster import fetch_job, patch_spec
from diffsync_operator.cli.errors import ExitCode, InvalidInput, RunFailed

_FULL_ID = re.compile(r"[0-9a-f]{64}")
_PREFIX = re.compile(r"[0-9a-f]{6,63}")


def plan_lines(plan: PlanStatus) -> list[str]:
    """The published plan for `diffsync status`: id, approval, counts per model, the sample."""
    lines = [
        f"plan: {plan.id} ({plan.approval}, {plan.created_at.isoformat()})",
        f"  {plan.summary.text()}",
    ]
    for row in plan.models:
        lines.append(f"  {row.model}: create {row.create}, update {row.update}, delete {row.delete}")
    if plan.sample:
        lines.append(f"  first {len(plan.sample)} of {plan.changes} changes:")
    for change in plan.sample:
        values = ", ".join(_attribute_text(a) for a in change.attributes)
        more = f" (+{change.omitted_attributes} more)" if change.omitted_attributes else ""
        shown = f" {{{values}}}" if values else ""
        lines.append(f"    {change.action} {change.model} {change.id}{shown}{more}")
    return lines


def _attribute_text(change: AttributeChange) -> str:
    if change.before is not None and change.after is not None:
        return f"{change.name}: {change.before} -> {change.after}"
    return f"{change.name}: {change.after if change.after is not None else change.before}"


def chosen_plan(job: SyncJob, wanted: str | None) -> str:
    """The plan id to approve: the published one, or `--plan` (whole, or the start of the published one)."""
    plan = job.status.plan if job.status else None
    if wanted is None:
        if plan is None:
            raise RunFailed(
                f"SyncJob {job.metadata.name} has published no plan yet: its diff has not finished; "
                "try again when `kubectl get sj` shows a plan"
            )
        return plan.id
    if _FULL_ID.fullmatch(wanted):
        return wanted
    if _PREFIX.fullmatch(wanted):
        if plan is None or not plan.id.startswith(wanted):
            published = plan.short_id if plan else "(none)"
            raise InvalidInput(
                f"--plan {wanted}: not the start of the published plan {published}; "
                "give all 64 digits to approve another plan"
            )
        return plan.id
    raise InvalidInput(f"--plan {wanted!r}: a plan id is 64 lowercase hex digits, or at least the first 6")


def cmd_approve(args: argparse.Namespace) -> int:
    """`diffsync approve NAME [--plan ID]`: set spec.approvedPlan."""
    job, api_client, namespace = fetch_job(args.name, args.namespace)
    if job.spec.mode != "sync" or job.spec.approval != "Manual":
        raise InvalidInput(
            f"SyncJob {namespace}/{args.name} takes no approval (mode {job.spec.mode}, approval "
            f"{job.spec.approval}): only sync jobs with spec.approval: Manual wait for one"
        )
    plan_id = chosen_plan(job, args.plan)
    patch_spec(api_client, namespace, args.name, {"approvedPlan": plan_id})
    plan = job.status.plan if job.status else None
    counts = f" ({plan.summary.text()})" if plan is not None and plan.id == plan_id else ""
    print(
        f"approved plan {plan_id[:12]}{counts} of SyncJob {namespace}/{args.name}: the operator loads "
        "both sides again and syncs only if the diff is still this plan"
    )
    return int(ExitCode.OK)

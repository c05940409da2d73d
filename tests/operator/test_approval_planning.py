"""Planning with approval and target locks: publish, wait, check again, sync or go stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import DiffPlan, DiffSummary, JobPhase, ModelChanges, Stage, SyncJobStatus
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.controller.planning import JobView, LockCheck, lock_wanted, plan_next_step
from diffsync_operator.stages.result import StageResult

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
P1, P2, P3 = "1" * 64, "2" * 64, "3" * 64
LOADS = (Stage.LOAD_SOURCE, Stage.LOAD_TARGET)
HELD = LockCheck("a.b:Dst#key", held=True)
SUMMARY = DiffSummary(create=1, update=2, delete=0, no_change=4)


def _plan(plan_id: str) -> DiffPlan:
    return DiffPlan(id=plan_id, changes=3, models=[ModelChanges(model="item", create=1, update=2)])


class World:
    """A job and the pods its plans created; every pod finishes at once with the result given."""

    def __init__(self, diffs: list[str], **spec) -> None:
        body = {"source": {"adapter": "a.b:Src"}, "target": {"adapter": "a.b:Dst"}, "mode": "sync", **spec}
        self.job = JobView("inv", "ns", "uid-1", 1, SyncJobSpec.model_validate(body), SyncJobStatus())
        self.diffs = list(diffs)  # the plan id of each diff attempt, in order
        self.pods: dict[tuple[Stage, int], ObservedPod] = {}
        self.created: list[tuple[Stage, int]] = []
        self.now = NOW

    def _pod(self, stage: Stage, attempt: int) -> ObservedPod:
        extra = {}
        if stage is Stage.DIFF:
            extra = {"diff": SUMMARY, "plan": _plan(self.diffs.pop(0))}
        message = StageResult(stage=stage, attempt=attempt, ok=True, **extra).to_json()
        return ObservedPod(
            f"inv-{stage.value}-{attempt}", stage, attempt, "Succeeded", exit_code=0, message=message
        )

    def step(self, lock: LockCheck | None = HELD):
        plan = plan_next_step(self.job, list(self.pods.values()), self.now, lock=lock)
        for stage, attempt in plan.create:
            self.pods[(stage, attempt)] = self._pod(stage, attempt)
            self.created.append((stage, attempt))
        self.job = replace(self.job, status=plan.status)
        return plan

    def run(self, passes: int = 6, lock: LockCheck | None = HELD):
        plans = [self.step(lock) for _ in range(passes)]
        return plans[-1], [e for p in plans for e in p.events]

    def spec(self, **changes) -> None:
        body = {**self.job.spec.to_manifest(), **changes}
        self.job = replace(
            self.job, spec=SyncJobSpec.model_validate(body), generation=self.job.generation + 1
        )


def _condition(status: SyncJobStatus, kind: str):
    return next(c for c in status.conditions if c.type == kind)


def test_a_manual_job_publishes_its_plan_and_waits_without_a_sync_pod():
    world = World([P1], approval="Manual")
    plan, events = world.run()
    status = plan.status
    assert status.phase is JobPhase.AWAITING_APPROVAL
    assert (Stage.SYNC, 1) not in world.created
    assert (status.plan.id, status.plan.short_id, status.plan.approval) == (P1, P1[:12], "Waiting")
    assert status.plan.summary == SUMMARY and status.plan.created_at == NOW
    assert {c.type: c.status for c in status.conditions} == dict.fromkeys(
        ["Ready", "Complete", "Failed", "Reconciling", "Stalled"], "False"
    )  # waiting, not failing: kstatus says Current
    assert _condition(status, "Reconciling").reason == "AwaitingApproval"
    assert f"spec.approvedPlan: {P1}" in _condition(status, "Reconciling").message
    assert [e.reason for e in events].count("AwaitingApproval") == 1


def test_approving_the_published_plan_reloads_diffs_again_and_syncs_when_it_matches():
    world = World([P1, P1], approval="Manual")
    world.run()
    world.spec(approvedPlan=P1)
    plan, events = world.run()
    assert world.created == [
        *((s, 1) for s in LOADS),
        (Stage.DIFF, 1),
        *((s, 2) for s in LOADS),
        (Stage.DIFF, 2),
        (Stage.SYNC, 1),
    ]
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert plan.status.plan.approval == "Approved"
    reasons = [e.reason for e in events]
    assert reasons.index("PlanApproved") < reasons.index("PlanMatched")
    assert all(c.type != "PlanStale" for c in plan.status.conditions)


def test_an_approved_plan_that_no_longer_matches_writes_nothing_and_publishes_the_new_plan():
    world = World([P1, P2, P2], approval="Manual")
    world.run()
    world.spec(approvedPlan=P1)
    plan, events = world.run()
    status = plan.status
    assert (Stage.SYNC, 1) not in world.created
    assert status.phase is JobPhase.AWAITING_APPROVAL
    assert (status.plan.id, status.plan.approval) == (P2, "Waiting")
    stale = _condition(status, "PlanStale")
    assert (stale.status, stale.reason) == ("True", "PlanChanged")
    assert P1[:12] in stale.message and P2[:12] in stale.message
    assert _condition(status, "Reconciling").reason == "PlanStale"
    assert "PlanStale" in [e.reason for e in events]
    world.spec(approvedPlan=P2)  # the new plan, approved: checked again, then applied
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert world.created[-1] == (Stage.SYNC, 1) and (Stage.DIFF, 3) in world.created
    assert _condition(plan.status, "PlanStale").status == "False"


def test_a_job_created_with_the_approved_plan_syncs_after_one_run():
    world = World([P1], approval="Manual", approvedPlan=P1)
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert world.created == [*((s, 1) for s in LOADS), (Stage.DIFF, 1), (Stage.SYNC, 1)]


def test_a_job_created_with_another_plan_approved_shows_it_stale():
    world = World([P2], approval="Manual", approvedPlan=P1)
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.AWAITING_APPROVAL
    assert _condition(plan.status, "PlanStale").status == "True"
    assert (Stage.SYNC, 1) not in world.created


def test_withdrawing_the_approval_before_the_sync_starts_stops_it():
    world = World([P1, P1], approval="Manual")
    world.run()
    world.spec(approvedPlan=P1)
    world.step()  # the rerun begins
    world.spec(approvedPlan=None)
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.AWAITING_APPROVAL
    assert (Stage.SYNC, 1) not in world.created


def test_a_plan_nobody_approved_in_time_fails_the_job():
    world = World([P1], approval="Manual", approvalDeadlineSeconds=600)
    world.run()
    world.now = NOW + timedelta(seconds=599)
    assert world.step().status.phase is JobPhase.AWAITING_APPROVAL
    world.now = NOW + timedelta(seconds=600)
    plan = world.step()
    assert plan.status.phase is JobPhase.FAILED
    assert _condition(plan.status, "Failed").reason == "ApprovalDeadlineExceeded"


def test_an_approval_at_the_deadline_wins():
    world = World([P1, P1], approval="Manual", approvalDeadlineSeconds=600)
    world.run()
    world.now = NOW + timedelta(seconds=900)
    world.spec(approvedPlan=P1)
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED


@pytest.mark.parametrize(
    ("spec", "approval"),
    [
        ({"mode": "sync"}, "Automatic"),
        ({"mode": "diff"}, "DryRun"),
        ({"mode": "diff", "approval": "Manual"}, "DryRun"),
    ],
)
def test_every_diff_publishes_its_plan_saying_how_it_is_applied(spec, approval):
    world = World([P1], **spec)
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert (plan.status.plan.id, plan.status.plan.approval) == (P1, approval)


def test_an_automatic_sync_waits_for_a_lock_another_job_holds_naming_it():
    world = World([P1])
    busy = LockCheck("a.b:Dst#key", held=False, holder="team-b/nightly (uid u-2)")
    plan, events = world.run(3, lock=busy)
    assert world.created == []
    assert plan.status.phase is JobPhase.PENDING
    reconciling = _condition(plan.status, "Reconciling")
    assert (reconciling.status, reconciling.reason) == ("True", "TargetLocked")
    assert "team-b/nightly (uid u-2)" in reconciling.message
    assert plan.status.target_lock.model_dump() == {
        "key": "a.b:Dst#key",
        "held": False,
        "holder": busy.holder,
    }
    assert [e.reason for e in events].count("TargetLocked") == 1
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED


def test_an_unapproved_manual_run_needs_no_lock():
    world = World([P1], approval="Manual")
    plan, _ = world.run(lock=LockCheck("a.b:Dst#key"))
    assert plan.status.phase is JobPhase.AWAITING_APPROVAL


def test_an_approved_rerun_waits_for_the_lock_and_keeps_its_intent():
    world = World([P1, P1], approval="Manual")
    world.run(lock=LockCheck("k"))
    world.spec(approvedPlan=P1)
    busy = LockCheck("k", holder="team-b/nightly (uid u-2)")
    plan, _ = world.run(4, lock=busy)
    assert (Stage.LOAD_SOURCE, 2) not in world.created
    assert plan.status.phase is JobPhase.RUNNING
    assert _condition(plan.status, "Reconciling").reason == "TargetLocked"
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert (Stage.LOAD_SOURCE, 2) in world.created


def test_a_lock_lost_before_the_sync_runs_the_loads_again():
    world = World([P1, P1])
    world.step()  # loads start, lock held
    lost = LockCheck("a.b:Dst#key", holder="team-b/nightly (uid u-2)")
    plan = world.step(lock=lost)
    assert "TargetLockLost" in [e.reason for e in plan.events]
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert (Stage.LOAD_SOURCE, 2) in world.created and (Stage.LOAD_TARGET, 2) in world.created


def test_suspending_during_a_reload_keeps_the_reload_for_later():
    world = World([P1, P1], approval="Manual")
    world.run()
    world.spec(approvedPlan=P1, suspend=True)
    world.run(3)
    assert (Stage.LOAD_SOURCE, 2) not in world.created
    world.spec(suspend=False)
    plan, _ = world.run()
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert (Stage.DIFF, 2) in world.created


@pytest.mark.parametrize(
    ("spec", "status", "wanted"),
    [
        ({"mode": "diff"}, {}, False),
        ({}, {}, True),
        ({}, {"phase": "Succeeded"}, False),
        ({"approval": "Manual"}, {}, False),
        ({"approval": "Manual", "approvedPlan": P1}, {}, True),
        ({"approval": "Manual", "approvedPlan": P1}, {"stages": [{"name": "diff", "attempts": 1}]}, False),
        ({"approval": "Manual"}, {"approvedRun": P1}, True),
    ],
)
def test_when_a_run_wants_its_target_lock(spec, status, wanted):
    body = {"source": {"adapter": "a.b:S"}, "target": {"adapter": "a.b:T"}, "mode": "sync", **spec}
    assert lock_wanted(SyncJobSpec.model_validate(body), SyncJobStatus.model_validate(status)) is wanted


def _lock_wanted_for_plan(plan_id: str, approved: str) -> bool:
    spec = SyncJobSpec.model_validate(
        {"source": {"adapter": "a.b:S"}, "target": {"adapter": "a.b:T"}, "mode": "sync",
         "approval": "Manual", "approvedPlan": approved}
    )  # fmt: skip
    world = World([plan_id], approval="Manual")
    world.run()
    return lock_wanted(spec, world.job.status)


def test_an_approval_of_the_published_plan_wants_the_lock_and_of_another_does_not():
    assert _lock_wanted_for_plan(P1, P1) is True
    assert _lock_wanted_for_plan(P1, P3) is False

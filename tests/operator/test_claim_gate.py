"""The planner's claim check: a job starts nothing while another live job holds its store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import JobPhase, Stage, SyncJobStatus
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.controller.planning import ClaimCheck, JobView, Plan, plan_next_step
from diffsync_operator.controller.redacted import redact_plan
from diffsync_operator.stages.result import StageResult

NOW = datetime(2026, 11, 27, 21, 0, tzinfo=timezone.utc)
BUSY = ClaimCheck(holder="team-a/first (uid 1234)")


def _job(status: SyncJobStatus | None = None) -> JobView:
    spec = SyncJobSpec.model_validate({"source": {"adapter": "a.b:S"}, "target": {"adapter": "a.b:T"}})
    return JobView("second", "team-a", "uid-second", 1, spec, status or SyncJobStatus())


def _next(plan: Plan) -> JobView:
    return _job(plan.status)


def _condition(plan: Plan, kind: str = "Reconciling"):
    return next(c for c in plan.status.conditions if c.type == kind)


def test_a_job_whose_store_is_held_starts_nothing_and_names_the_holder():
    plan = plan_next_step(_job(), [], NOW, claim=BUSY)
    assert plan.create == []
    assert plan.status.phase is JobPhase.PENDING
    assert plan.status.start_time is None
    assert _condition(plan).reason == "StoreInUse"
    assert "store team-a/second.uid-seco is in use by job team-a/first (uid 1234)" in _condition(plan).message
    assert [(e.reason, e.type) for e in plan.events] == [("StoreInUse", "Normal")]


def test_the_waiting_job_posts_its_event_once():
    first = plan_next_step(_job(), [], NOW, claim=BUSY)
    again = plan_next_step(_next(first), [], NOW + timedelta(seconds=5), claim=BUSY)
    assert again.events == []
    assert _condition(again).reason == "StoreInUse"


def test_the_waiting_job_starts_once_it_holds_the_claim():
    waiting = plan_next_step(_job(), [], NOW, claim=BUSY)
    plan = plan_next_step(_next(waiting), [], NOW + timedelta(seconds=5), claim=ClaimCheck())
    assert set(plan.create) == {(Stage.LOAD_SOURCE, 1), (Stage.LOAD_TARGET, 1)}
    assert plan.status.phase is JobPhase.RUNNING
    assert _condition(plan).reason == "StageRunning"


def test_a_started_job_whose_store_was_taken_fails_and_stops_its_pods():
    started = plan_next_step(_job(), [], NOW, claim=ClaimCheck())
    running = [
        ObservedPod("second-load-source-1", Stage.LOAD_SOURCE, 1, "Running"),
        ObservedPod("second-load-target-1", Stage.LOAD_TARGET, 1, "Running"),
    ]
    plan = plan_next_step(_next(started), running, NOW + timedelta(seconds=5), claim=BUSY)
    assert plan.status.phase is JobPhase.FAILED
    assert _condition(plan, "Failed").reason == "StoreLost"
    assert sorted(plan.delete) == ["second-load-source-1", "second-load-target-1"]


def test_an_unreachable_claim_starts_nothing_and_keeps_the_running_phase():
    started = plan_next_step(_job(), [], NOW, claim=ClaimCheck())
    plan = plan_next_step(_next(started), [], NOW, claim=ClaimCheck(error="ConnectionError: refused"))
    assert (plan.create, plan.delete) == ([], [])
    assert plan.status.phase is JobPhase.RUNNING
    assert _condition(plan).reason == "StoreUnreachable"
    assert [e.type for e in plan.events] == ["Warning"]


def test_without_an_operator_claim_the_planner_runs_as_before():
    assert len(plan_next_step(_job(), [], NOW, claim=None).create) == 2


def test_the_status_and_events_written_carry_no_secrets():
    error = (
        "load-source: ValidationError: 1 validation error for Login\npassword\n  Input should be short "
        "[type=string_too_long, input_value='TopSecret-4242', input_type=str]; "
        "while connecting to redis://admin:hunter2@db:6379/0"
    )
    message = StageResult(stage=Stage.LOAD_SOURCE, ok=False, retryable=False, error=error).to_json()
    started = plan_next_step(_job(), [], NOW, claim=ClaimCheck())
    failed = [
        ObservedPod("second-load-source-1", Stage.LOAD_SOURCE, 1, "Failed", exit_code=1, message=message),
        ObservedPod("second-load-target-1", Stage.LOAD_TARGET, 1, "Running"),
    ]
    plan = redact_plan(plan_next_step(_next(started), failed, NOW, claim=ClaimCheck()))
    written = plan.status.model_dump_json() + "".join(e.message for e in plan.events)
    assert plan.status.phase is JobPhase.FAILED
    assert "TopSecret-4242" not in written and "hunter2" not in written
    assert "string_too_long" in _condition(plan, "Failed").message  # the problem itself is kept

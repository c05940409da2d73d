"""The SyncSchedule planner: ticks, concurrency, history, suspension and drift (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from diffsync_operator.api.schedule import SyncScheduleSpec, SyncScheduleStatus
from diffsync_operator.api.status import DiffSummary, SyncOutcome
from diffsync_operator.controller.schedule_jobs import ANNOTATION_TICK, scheduled_job
from diffsync_operator.controller.schedule_planning import (
    AWAITING_APPROVAL,
    ScheduledJob,
    ScheduleView,
    job_name,
    plan_schedule,
    scheduled_job_from_body,
    ticks_between,
)

CREATED = datetime(2026, 11, 29, 10, 0, 0, tzinfo=timezone.utc)
TEMPLATE = {
    "metadata": {"labels": {"team": "net"}},
    "spec": {
        "source": {"adapter": "pkg.mod:Source"},
        "target": {"adapter": "pkg.mod:Target"},
        "mode": "diff",
    },
}


def _view(status: SyncScheduleStatus | None = None, **spec: object) -> ScheduleView:
    body = {"schedule": "@every 10s", "jobTemplate": TEMPLATE, **spec}
    return ScheduleView(
        name="inv",
        namespace="ns",
        uid="uid-1",
        generation=1,
        created=CREATED,
        spec=SyncScheduleSpec.model_validate(body),
        status=status or SyncScheduleStatus(),
    )


def _at(seconds: float) -> datetime:
    return CREATED + timedelta(seconds=seconds)


def _job(tick_seconds: float, phase: str | None = "Running", **extra: object) -> ScheduledJob:
    tick = _at(tick_seconds)
    return ScheduledJob(
        name=job_name("inv", tick), uid=f"u{tick_seconds}", tick=tick, created=tick, phase=phase, **extra
    )


def _reasons(plan) -> list[str]:
    return [event.reason for event in plan.events]


def test_nothing_starts_before_the_first_tick_and_the_wait_reaches_it():
    plan = plan_schedule(_view(), [], _at(4))
    assert plan.start is None
    assert plan.wait_seconds == 6
    assert plan.status.next_schedule_time == _at(10)


def test_a_due_tick_starts_one_run_named_after_the_tick():
    plan = plan_schedule(_view(), [], _at(12))
    assert plan.start == _at(10)
    assert plan.status.last_schedule_time == _at(10)
    assert job_name("inv", _at(10)) == f"inv-{int(_at(10).timestamp())}"
    assert "Scheduled" in _reasons(plan)


def test_only_the_latest_missed_tick_runs():
    plan = plan_schedule(_view(), [], _at(35))
    assert plan.start == _at(30)


def test_a_decided_tick_is_not_decided_again():
    status = plan_schedule(_view(), [], _at(12)).status
    again = plan_schedule(_view(status), [_job(10)], _at(15))
    assert again.start is None and again.events == []


def test_a_run_created_before_a_restart_is_adopted_not_duplicated():
    plan = plan_schedule(_view(), [_job(10)], _at(12))
    assert plan.start is None
    assert plan.status.last_schedule_time == _at(10)


def test_forbid_skips_the_tick_while_a_run_is_active_and_never_replays_it():
    status = plan_schedule(_view(), [], _at(10)).status
    running = [_job(10)]
    skipped = plan_schedule(_view(status), running, _at(21))
    assert skipped.start is None
    assert skipped.status.last_skipped_time == _at(20)
    assert "Forbid" in (skipped.status.last_skipped_reason or "")
    assert "Skipped" in _reasons(skipped)
    finished = [_job(10, "Succeeded", completion_time=_at(25))]
    after = plan_schedule(_view(skipped.status), finished, _at(26))
    assert after.start is None  # the tick of 20 s stays skipped
    assert plan_schedule(_view(after.status), finished, _at(31)).start == _at(30)


def test_replace_deletes_the_active_run_and_starts_the_new_one():
    status = plan_schedule(_view(concurrencyPolicy="Replace"), [], _at(10)).status
    plan = plan_schedule(_view(status, concurrencyPolicy="Replace"), [_job(10)], _at(21))
    assert plan.delete == [job_name("inv", _at(10))]
    assert plan.start == _at(20)
    assert "Replaced" in _reasons(plan)


def test_allow_starts_beside_the_active_run():
    status = plan_schedule(_view(concurrencyPolicy="Allow"), [], _at(10)).status
    plan = plan_schedule(_view(status, concurrencyPolicy="Allow"), [_job(10)], _at(21))
    assert plan.delete == [] and plan.start == _at(20)


def test_a_plan_waiting_for_approval_is_superseded_and_blocks_nothing():
    waiting = _job(10, AWAITING_APPROVAL)
    plan = plan_schedule(_view(SyncScheduleStatus(last_schedule_time=_at(10))), [waiting], _at(21))
    assert plan.start == _at(20)
    assert plan.delete == [waiting.name]
    assert "Superseded" in _reasons(plan)


def test_suspend_skips_ticks_and_shows_no_next_time():
    plan = plan_schedule(_view(suspend=True), [], _at(12))
    assert plan.start is None
    assert plan.status.last_skipped_reason.startswith("Suspended")
    assert plan.status.next_schedule_time is None
    ready = plan.status.condition("Ready")
    assert ready is not None and ready.reason == "Suspended"


def test_resuming_does_not_run_a_tick_that_passed_while_suspended():
    suspended = plan_schedule(_view(suspend=True), [], _at(12)).status
    assert plan_schedule(_view(suspended), [], _at(15)).start is None
    assert plan_schedule(_view(suspended), [], _at(21)).start == _at(20)


def test_a_tick_older_than_the_starting_deadline_is_skipped():
    plan = plan_schedule(_view(startingDeadlineSeconds=3), [], _at(15))
    assert plan.start is None
    assert plan.status.last_skipped_reason.startswith("MissedDeadline")
    assert plan_schedule(_view(startingDeadlineSeconds=6), [], _at(15)).start == _at(10)


def test_history_keeps_the_newest_successes_and_failures():
    jobs = [_job(t, "Succeeded", completion_time=_at(t + 1)) for t in (10, 20, 30, 40)]
    jobs += [_job(t, "Failed") for t in (50, 60)]
    status = SyncScheduleStatus(last_schedule_time=_at(60))
    plan = plan_schedule(_view(status, successfulJobsHistoryLimit=2, failedJobsHistoryLimit=1), jobs, _at(61))
    assert sorted(plan.delete) == sorted(job_name("inv", _at(t)) for t in (10, 20, 50))
    assert plan.status.last_successful_time == _at(41)
    assert plan.status.last_job is not None and plan.status.last_job.name == job_name("inv", _at(60))


def test_drifted_turns_true_with_counts_then_false_when_a_diff_finds_nothing():
    changes = DiffSummary(create=2, update=1, delete=0, no_change=5)
    drifting = [_job(10, "Succeeded", diff=changes, completion_time=_at(11))]
    status = SyncScheduleStatus(last_schedule_time=_at(10))
    first = plan_schedule(_view(status), drifting, _at(12))
    drifted = first.status.condition("Drifted")
    assert drifted is not None and (drifted.status, drifted.reason) == ("True", "ChangesFound")
    assert "create 2, update 1, delete 0" in drifted.message
    assert "DriftDetected" in _reasons(first)
    assert first.status.last_diff == changes
    in_step = [*drifting, _job(20, "Succeeded", diff=DiffSummary(no_change=8), completion_time=_at(21))]
    status = first.status.model_copy(update={"last_schedule_time": _at(20)})
    second = plan_schedule(_view(status), in_step, _at(22))
    cleared = second.status.condition("Drifted")
    assert cleared is not None and (cleared.status, cleared.reason) == ("False", "InStep")
    assert "DriftCleared" in _reasons(second)


def test_a_sync_that_applied_everything_clears_drift_and_one_with_failures_does_not():
    synced = _job(10, "Succeeded", mode="sync", sync=SyncOutcome(succeeded=3), completion_time=_at(11))
    status = SyncScheduleStatus(last_schedule_time=_at(10))
    assert plan_schedule(_view(status), [synced], _at(12)).status.condition("Drifted").status == "False"
    partial = _job(10, "Succeeded", mode="sync", sync=SyncOutcome(succeeded=2, failed=1))
    drifted = plan_schedule(_view(status), [partial], _at(12)).status.condition("Drifted")
    assert (drifted.status, drifted.reason) == ("True", "SyncIncomplete")


def test_a_failed_run_leaves_drift_as_it_was():
    drifting = [_job(10, "Succeeded", diff=DiffSummary(delete=4), completion_time=_at(11))]
    status = plan_schedule(_view(SyncScheduleStatus(last_schedule_time=_at(10))), drifting, _at(12)).status
    status = status.model_copy(update={"last_schedule_time": _at(20)})
    after = plan_schedule(_view(status), [*drifting, _job(20, "Failed")], _at(22))
    assert after.status.condition("Drifted").status == "True"
    assert "DriftCleared" not in _reasons(after)


def test_drift_is_unknown_before_any_result():
    drifted = plan_schedule(_view(), [], _at(4)).status.condition("Drifted")
    assert drifted is not None and drifted.status == "Unknown"


def test_the_scheduled_job_is_the_template_owned_by_the_schedule_and_read_back_by_the_planner():
    schedule = {
        "metadata": {"name": "inv", "namespace": "ns", "uid": "uid-1"},
        "spec": {"schedule": "@every 10s", "jobTemplate": TEMPLATE},
    }
    manifest = scheduled_job(schedule, _at(10))
    meta = manifest["metadata"]
    assert meta["name"] == job_name("inv", _at(10))
    assert meta["labels"] == {
        "team": "net",
        "diffsync.io/schedule-uid": "uid-1",
        "diffsync.io/schedule": "inv",
    }
    assert meta["annotations"][ANNOTATION_TICK] == "2026-11-29T10:00:10Z"
    assert meta["ownerReferences"][0]["uid"] == "uid-1" and meta["ownerReferences"][0]["controller"]
    assert manifest["spec"] == TEMPLATE["spec"] and manifest["spec"] is not TEMPLATE["spec"]
    read = scheduled_job_from_body({**manifest, "status": {"phase": "Running"}}, ANNOTATION_TICK)
    assert (read.name, read.tick, read.phase, read.finished) == (meta["name"], _at(10), "Running", False)


def test_ticks_between_lists_every_tick_in_the_range():
    spec = SyncScheduleSpec.model_validate({"schedule": "*/20 * * * *", "jobTemplate": TEMPLATE})
    ticks = ticks_between(spec, _at(0), _at(3600), CREATED)
    assert ticks == [_at(1200), _at(2400), _at(3600)]


def test_a_sync_run_applying_changes_shows_drift_until_it_succeeds():
    status = SyncScheduleStatus(last_schedule_time=_at(10))
    changes = DiffSummary(create=1, update=0, delete=2)
    applying = _job(10, "Running", mode="sync", diff=changes)
    during = plan_schedule(_view(status), [applying], _at(12))
    drifted = during.status.condition("Drifted")
    assert (drifted.status, drifted.reason) == ("True", "ChangesFound")
    assert "applying them" in drifted.message and "DriftDetected" in _reasons(during)
    done = _job(10, "Succeeded", mode="sync", diff=changes, sync=SyncOutcome(succeeded=3))
    after = plan_schedule(_view(during.status), [done], _at(14))
    assert after.status.condition("Drifted").status == "False"
    assert "DriftCleared" in _reasons(after)


def test_a_running_diff_without_a_result_yet_says_nothing_about_drift():
    assert (
        plan_schedule(_view(), [_job(10, "Running")], _at(12)).status.condition("Drifted").status == "Unknown"
    )


def test_a_long_schedule_name_still_gives_valid_distinct_job_names():
    long = "s" * 250
    first, second = job_name(long, _at(10)), job_name(long, _at(20))
    assert len(first) <= 253 and len(second) <= 253 and first != second
    assert first.endswith(str(int(_at(10).timestamp())))

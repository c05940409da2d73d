"""Stage planning: order, retries, failures, deadline, suspend, restart, no rerun."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import (
    DiffSummary,
    JobPhase,
    Stage,
    StagePhase,
    StageStatus,
    SyncJobStatus,
    SyncOutcome,
)
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.controller.planning import (
    JobView,
    PodRefusal,
    RetryPolicy,
    next_attempt_at,
    plan_next_step,
    ttl_expiry,
)
from diffsync_operator.stages.result import StageResult

NOW = datetime(2026, 11, 27, 21, 0, tzinfo=timezone.utc)
LOADS = {Stage.LOAD_SOURCE, Stage.LOAD_TARGET}


def _job(status: SyncJobStatus | None = None, **spec) -> JobView:
    body = {"source": {"adapter": "a.b:Src"}, "target": {"adapter": "a.b:Dst"}, **spec}
    return JobView(
        "inv", "ns", "uid-12345678", 1, SyncJobSpec.model_validate(body), status or SyncJobStatus()
    )


def _ok(stage: Stage, attempt: int = 1, **result) -> ObservedPod:
    message = StageResult(stage=stage, attempt=attempt, ok=True, **result).to_json()
    return ObservedPod(
        f"inv-{stage.value}-{attempt}", stage, attempt, "Succeeded", exit_code=0, message=message
    )


def _failed(stage: Stage, attempt: int = 1, *, retryable: bool = True, error: str = "boom") -> ObservedPod:
    message = StageResult(stage=stage, attempt=attempt, ok=False, retryable=retryable, error=error).to_json()
    return ObservedPod(f"inv-{stage.value}-{attempt}", stage, attempt, "Failed", exit_code=1, message=message)


def _running(stage: Stage, attempt: int = 1, **kw) -> ObservedPod:
    return ObservedPod(f"inv-{stage.value}-{attempt}", stage, attempt, "Running", **kw)


def _step(job: JobView, pods, now=NOW):
    plan = plan_next_step(job, pods, now)
    return plan, JobView(job.name, job.namespace, job.uid, job.generation, job.spec, plan.status)


def test_new_job_starts_both_load_stages_together():
    plan = plan_next_step(_job(), [], NOW)
    assert set(plan.create) == {(Stage.LOAD_SOURCE, 1), (Stage.LOAD_TARGET, 1)}
    assert plan.status.phase is JobPhase.RUNNING
    assert plan.status.start_time == NOW


def test_default_store_id_is_scoped_to_the_namespace_and_unique_to_the_job():
    assert plan_next_step(_job(), [], NOW).status.store_id == "ns/inv.uid-1234"


def test_explicit_store_id_is_scoped_to_the_namespace():
    assert plan_next_step(_job(storeId="shared"), [], NOW).status.store_id == "ns/shared"


def test_recorded_store_id_outside_the_namespace_is_not_trusted():
    status = SyncJobStatus(store_id="other-ns/shared")
    assert plan_next_step(_job(status, storeId="shared"), [], NOW).status.store_id == "ns/shared"


def test_recorded_store_id_stays_when_the_spec_changes_mid_run():
    status = SyncJobStatus(store_id="ns/first")
    assert plan_next_step(_job(status, storeId="second"), [], NOW).status.store_id == "ns/first"


def test_diff_waits_for_both_loads():
    _, job = _step(_job(), [])
    plan, _ = _step(job, [_ok(Stage.LOAD_SOURCE, objects=3), _running(Stage.LOAD_TARGET)])
    assert plan.create == []
    assert plan.status.stage(Stage.LOAD_SOURCE).phase is StagePhase.SUCCEEDED
    assert plan.status.stage(Stage.LOAD_SOURCE).objects == 3


def test_diff_starts_when_both_loads_succeeded():
    _, job = _step(_job(), [])
    plan, _ = _step(job, [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)])
    assert plan.create == [(Stage.DIFF, 1)]


def test_diff_mode_job_succeeds_after_diff_with_its_summary():
    summary = DiffSummary(create=2, update=1, no_change=5)
    pods = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=summary)]
    _, job = _step(_job(), [])
    plan, _ = _step(job, pods)
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert plan.status.diff == summary
    assert plan.status.completion_time == NOW
    assert Stage.SYNC not in {s.name for s in plan.status.stages}


def test_sync_mode_runs_sync_after_diff():
    _, job = _step(_job(mode="sync"), [])
    plan, _ = _step(
        job, [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=DiffSummary())]
    )
    assert plan.create == [(Stage.SYNC, 1)]
    assert plan.status.phase is JobPhase.RUNNING


def test_sync_outcome_lands_in_status():
    pods = [
        _ok(Stage.LOAD_SOURCE),
        _ok(Stage.LOAD_TARGET),
        _ok(Stage.DIFF, diff=DiffSummary(create=1)),
        _ok(Stage.SYNC, sync=SyncOutcome(succeeded=1)),
    ]
    _, job = _step(_job(mode="sync"), [])
    plan, _ = _step(job, pods)
    assert plan.status.phase is JobPhase.SUCCEEDED
    assert plan.status.sync == SyncOutcome(succeeded=1)


def test_failed_stage_is_retried_with_the_next_attempt_after_10_seconds():
    _, job = _step(_job(), [])
    pods = [_failed(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)]
    plan, job = _step(job, pods)
    assert plan.create == []
    entry = plan.status.stage(Stage.LOAD_SOURCE)
    assert (entry.phase, entry.next_attempt_time) == (StagePhase.PENDING, NOW + timedelta(seconds=10))
    assert [e.reason for e in plan.events if e.message.startswith("load-source")] == ["StageRetrying"]
    assert "attempt 2 starts at 2026-11-27T21:00:10Z" in plan.events[0].message
    running = next(c for c in plan.status.conditions if c.type == "Reconciling")
    assert "load-source attempt 2 at 2026-11-27T21:00:10Z" in running.message
    assert next_attempt_at(plan.status) == NOW + timedelta(seconds=10)

    plan, job = _step(job, pods, NOW + timedelta(seconds=9))
    assert plan.create == [] and plan.events == []
    plan, _ = _step(job, pods, NOW + timedelta(seconds=10))
    assert plan.create == [(Stage.LOAD_SOURCE, 2)]
    assert plan.status.stage(Stage.LOAD_SOURCE).pod == "inv-load-source-2"
    assert plan.status.stage(Stage.LOAD_SOURCE).next_attempt_time is None
    assert [e.reason for e in plan.events] == ["StageStarted"]


def test_the_wait_doubles_with_each_failed_attempt_up_to_a_cap():
    _, job = _step(_job(backoffLimit=20), [])
    pods = [_failed(Stage.LOAD_SOURCE, n) for n in (1, 2, 3)] + [_running(Stage.LOAD_TARGET)]
    plan, _ = _step(job, pods)
    assert plan.status.stage(Stage.LOAD_SOURCE).next_attempt_time == NOW + timedelta(seconds=40)
    policy = RetryPolicy(base_seconds=10, max_seconds=360)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 100)] == [10, 20, 40, 320, 360, 360]


def test_the_operator_settings_set_the_backoff():
    _, job = _step(_job(), [])
    plan = plan_next_step(
        job, [_failed(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)], NOW, retry=RetryPolicy(0, 0)
    )
    assert plan.create == [(Stage.LOAD_SOURCE, 2)]


def test_a_refused_pod_fails_the_job_naming_the_field_and_stops_its_pods():
    _, job = _step(_job(), [])
    refused = PodRefusal(Stage.LOAD_TARGET, "spec.affinity: the API server refused the stage pod (422): ...")
    plan = plan_next_step(job, [_running(Stage.LOAD_SOURCE)], NOW, refused=refused)
    assert plan.create == []
    assert plan.delete == ["inv-load-source-1"]
    assert plan.status.phase is JobPhase.FAILED
    failed = next(c for c in plan.status.conditions if c.type == "Failed")
    assert (failed.status, failed.reason) == ("True", "PodRefused")
    assert failed.message.startswith("load-target: spec.affinity:")
    assert plan.status.stage(Stage.LOAD_TARGET).phase is StagePhase.FAILED


def test_stage_fails_the_job_after_backoff_limit_retries():
    _, job = _step(_job(backoffLimit=1), [])
    pods = [_failed(Stage.LOAD_SOURCE, 1), _failed(Stage.LOAD_SOURCE, 2, error="still broken")]
    plan, _ = _step(job, [*pods, _running(Stage.LOAD_TARGET)])
    assert plan.create == []
    assert plan.status.phase is JobPhase.FAILED
    assert "still broken" in plan.status.stage(Stage.LOAD_SOURCE).message
    failed = next(c for c in plan.status.conditions if c.type == "Failed")
    assert (failed.status, failed.reason) == ("True", "StageFailed")


def test_failing_job_deletes_its_other_running_pods():
    _, job = _step(_job(backoffLimit=0), [])
    plan, _ = _step(job, [_failed(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)])
    assert plan.delete == ["inv-load-target-1"]


def test_non_retryable_failure_is_not_retried():
    _, job = _step(_job(), [])
    pods = [
        _failed(Stage.LOAD_SOURCE, retryable=False, error="No module named 'nope'"),
        _ok(Stage.LOAD_TARGET),
    ]
    plan, _ = _step(job, pods)
    assert plan.create == []
    assert plan.status.phase is JobPhase.FAILED
    assert "No module named 'nope'" in next(c.message for c in plan.status.conditions if c.type == "Failed")


def test_vanished_pod_is_retried_without_using_backoff_limit():
    _, job = _step(_job(backoffLimit=0), [])
    plan, _ = _step(job, [_running(Stage.LOAD_TARGET)])  # load-source pod vanished
    assert (Stage.LOAD_SOURCE, 2) in plan.create
    entry = plan.status.stage(Stage.LOAD_SOURCE)
    assert "deleted" in entry.message
    assert entry.disrupted_attempts == [1]


def test_pod_being_deleted_is_waited_for_before_the_next_attempt():
    _, job = _step(_job(), [])
    stopping = [_running(Stage.LOAD_SOURCE, deleting=True), _running(Stage.LOAD_TARGET)]
    plan, job = _step(job, stopping)
    assert plan.create == []
    assert "waiting for pod inv-load-source-1 to terminate" in plan.status.stage(Stage.LOAD_SOURCE).message
    reconciling = next(c for c in plan.status.conditions if c.type == "Reconciling")
    assert "waiting for pod inv-load-source-1" in reconciling.message
    assert [e.reason for e in plan.events if e.message.startswith("load-source")] == ["WaitingForPod"]
    again, _ = _step(job, stopping)
    assert (again.create, again.events) == ([], [])  # still waiting, said once


def _stopped(stage: Stage, attempt: int = 1, **pod) -> ObservedPod:
    """A pod deleted mid-stage whose worker reported the SIGTERM, now terminated."""
    message = StageResult(
        stage=stage, attempt=attempt, ok=False, retryable=True, interrupted=True, error="interrupted"
    ).to_json()
    return ObservedPod(
        f"inv-{stage.value}-{attempt}",
        stage,
        attempt,
        "Failed",
        deleting=True,
        exit_code=143,
        message=message,
    )


def test_deleted_pod_is_replaced_once_terminated_without_using_backoff_limit():
    _, job = _step(_job(backoffLimit=0), [])
    plan, _ = _step(job, [_stopped(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)])
    assert plan.create == [(Stage.LOAD_SOURCE, 2)]
    assert plan.status.stage(Stage.LOAD_SOURCE).disrupted_attempts == [1]


def test_pod_killed_during_deletion_without_a_result_is_a_disruption():
    _, job = _step(_job(backoffLimit=0), [])
    killed = ObservedPod("inv-load-source-1", Stage.LOAD_SOURCE, 1, "Failed", deleting=True, exit_code=137)
    plan, _ = _step(job, [killed, _running(Stage.LOAD_TARGET)])
    assert plan.create == [(Stage.LOAD_SOURCE, 2)]
    assert "was deleted before it finished (exit code 137)" in plan.status.stage(Stage.LOAD_SOURCE).message


def test_disruptions_beyond_the_free_ones_use_backoff_limit():
    status = SyncJobStatus(
        stages=[StageStatus(name=Stage.LOAD_SOURCE, attempts=6, disrupted_attempts=[1, 2, 3, 4, 5])]
    )
    job = _job(status, backoffLimit=0)
    plan = plan_next_step(job, [_stopped(Stage.LOAD_SOURCE, 6), _running(Stage.LOAD_TARGET)], NOW)
    assert plan.create == []
    assert plan.status.phase is JobPhase.FAILED


def test_ordinary_failure_still_uses_backoff_limit_after_a_disruption():
    _, job = _step(_job(backoffLimit=1), [])
    _, job = _step(job, [_stopped(Stage.LOAD_SOURCE, 1), _running(Stage.LOAD_TARGET)])
    target = _running(Stage.LOAD_TARGET)
    pods = [_stopped(Stage.LOAD_SOURCE, 1), _failed(Stage.LOAD_SOURCE, 2), target]
    plan, job = _step(job, pods)
    # the disruption was replaced at once; the failure waits its backoff: 10 s after 1 failure
    assert plan.status.stage(Stage.LOAD_SOURCE).next_attempt_time == NOW + timedelta(seconds=10)
    plan, job = _step(job, pods, NOW + timedelta(seconds=10))
    assert plan.create == [(Stage.LOAD_SOURCE, 3)]
    plan, _ = _step(job, [_failed(Stage.LOAD_SOURCE, 2), _failed(Stage.LOAD_SOURCE, 3), target])
    assert plan.status.phase is JobPhase.FAILED


def test_deleted_sync_pod_reloads_only_once_its_process_is_gone():
    _, job = _step(_job(mode="sync", backoffLimit=0), [])
    pods = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=DiffSummary(create=1))]
    _, job = _step(job, pods)
    plan, job = _step(job, [*pods, _running(Stage.SYNC, deleting=True)])
    assert plan.create == []
    plan, _ = _step(job, [*pods, _stopped(Stage.SYNC)])
    assert set(plan.create) == {(Stage.LOAD_SOURCE, 2), (Stage.LOAD_TARGET, 2)}


def test_failure_message_names_the_stage_once():
    _, job = _step(_job(), [])
    pods = [
        _failed(Stage.LOAD_SOURCE, retryable=False, error="adapter 'x:Y' does not import"),
        _ok(Stage.LOAD_TARGET),
    ]
    plan, _ = _step(job, pods)
    failed = next(c.message for c in plan.status.conditions if c.type == "Failed")
    assert failed == "load-source: adapter 'x:Y' does not import"
    assert [e.message for e in plan.events if e.message.startswith("load-source failed")] == [
        "load-source failed (not retryable): adapter 'x:Y' does not import"
    ]


def test_load_generation_is_recorded_in_the_stage_status():
    _, job = _step(_job(), [])
    plan, _ = _step(
        job, [_ok(Stage.LOAD_SOURCE, generation="ns.inv.uid-1234/source/1-abcd"), _running(Stage.LOAD_TARGET)]
    )
    assert plan.status.stage(Stage.LOAD_SOURCE).generation == "ns.inv.uid-1234/source/1-abcd"


def test_crash_log_becomes_the_stage_message():
    _, job = _step(_job(backoffLimit=0), [])
    crashed = ObservedPod(
        "inv-diff-1", Stage.DIFF, 1, "Failed", exit_code=137, message="Killed", reason="OOMKilled"
    )
    plan, _ = _step(job, [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), crashed])
    assert plan.status.stage(Stage.DIFF).message == "pod inv-diff-1 failed (exit code 137, OOMKilled): Killed"


def test_restarted_operator_with_empty_status_adopts_existing_pods():
    plan = plan_next_step(_job(), [_running(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)], NOW)
    assert plan.create == []
    assert {s.name: s.attempts for s in plan.status.stages} == {Stage.LOAD_SOURCE: 1, Stage.LOAD_TARGET: 1}


def test_restarted_operator_finds_a_later_attempt_than_its_status():
    _, job = _step(_job(), [])
    plan, _ = _step(
        job, [_failed(Stage.LOAD_SOURCE, 1), _running(Stage.LOAD_SOURCE, 2), _running(Stage.LOAD_TARGET)]
    )
    assert plan.create == []
    assert plan.status.stage(Stage.LOAD_SOURCE).attempts == 2


def test_deadline_fails_the_job_and_deletes_running_pods():
    _, job = _step(_job(activeDeadlineSeconds=30), [])
    plan, _ = _step(job, [_running(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)], NOW + timedelta(seconds=31))
    assert plan.status.phase is JobPhase.FAILED
    assert plan.delete == ["inv-load-source-1"]
    assert next(c.reason for c in plan.status.conditions if c.type == "Failed") == "DeadlineExceeded"


def test_before_the_deadline_nothing_is_stopped():
    _, job = _step(_job(activeDeadlineSeconds=30), [])
    plan, _ = _step(
        job, [_running(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)], NOW + timedelta(seconds=29)
    )
    assert (plan.status.phase, plan.delete) == (JobPhase.RUNNING, [])


def test_suspended_job_creates_no_pods():
    plan = plan_next_step(_job(suspend=True), [], NOW)
    assert plan.create == []
    assert plan.status.phase is JobPhase.SUSPENDED
    assert plan.status.start_time is None


def test_resumed_job_starts_its_pods():
    _, job = _step(_job(suspend=True), [])
    resumed = JobView(job.name, job.namespace, job.uid, 2, _job(suspend=False).spec, job.status)
    assert len(plan_next_step(resumed, [], NOW).create) == 2


def test_finished_job_is_not_rerun_after_a_spec_change():
    pods = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=DiffSummary())]
    _, job = _step(_job(), [])
    _, done = _step(job, pods)
    changed = JobView(done.name, done.namespace, done.uid, 5, _job(mode="sync").spec, done.status)
    plan = plan_next_step(changed, [], NOW)
    assert (plan.create, plan.status.phase, plan.status.observed_generation) == ([], JobPhase.SUCCEEDED, 5)


def test_invalid_spec_fails_the_job_naming_the_field():
    plan = plan_next_step(_job(), [], NOW, problems=["spec.image: no image given"])
    assert plan.status.phase is JobPhase.FAILED
    assert plan.create == []
    assert (
        next(c.message for c in plan.status.conditions if c.type == "Failed") == "spec.image: no image given"
    )


def test_running_job_conditions_say_reconciling_and_not_ready():
    plan = plan_next_step(_job(), [], NOW)
    states = {c.type: c.status for c in plan.status.conditions}
    assert states == {
        "Ready": "False",
        "Complete": "False",
        "Failed": "False",
        "Reconciling": "True",
        "Stalled": "False",
    }


def test_every_stage_transition_has_an_event():
    plan, job = _step(_job(), [])
    assert [e.reason for e in plan.events] == ["StageStarted", "StageStarted"]
    plan, job = _step(job, [_running(Stage.LOAD_SOURCE), _running(Stage.LOAD_TARGET)])
    assert [e.reason for e in plan.events] == ["StageRunning", "StageRunning"]
    plan, _ = _step(job, [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)])
    assert [e.reason for e in plan.events] == ["StageSucceeded", "StageSucceeded", "StageStarted"]


def test_ttl_expiry_counts_from_completion():
    status = SyncJobStatus(phase=JobPhase.SUCCEEDED, completion_time=NOW)
    assert ttl_expiry(status, _job(ttlSecondsAfterFinished=60).spec) == NOW + timedelta(seconds=60)


def test_running_job_has_no_ttl_expiry():
    assert ttl_expiry(SyncJobStatus(phase=JobPhase.RUNNING), _job(ttlSecondsAfterFinished=0).spec) is None


def _lost(stage: Stage, attempt: int = 1) -> ObservedPod:
    message = StageResult(
        stage=stage, attempt=attempt, ok=False, lost_state=True, error=f"{stage.value}: state missing"
    ).to_json()
    return ObservedPod(f"inv-{stage.value}-{attempt}", stage, attempt, "Failed", exit_code=1, message=message)


def test_lost_state_in_diff_runs_the_loads_again():
    _, job = _step(_job(), [])
    loads = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)]
    _, job = _step(job, loads)
    plan, _ = _step(job, [*loads, _lost(Stage.DIFF)])
    assert set(plan.create) == {(Stage.LOAD_SOURCE, 2), (Stage.LOAD_TARGET, 2)}
    assert plan.status.phase is JobPhase.RUNNING
    assert [e.reason for e in plan.events] == ["Reloading"]


def test_after_the_reload_the_diff_starts_a_new_attempt():
    _, job = _step(_job(), [])
    first = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)]
    _, job = _step(job, first)
    _, job = _step(job, [*first, _lost(Stage.DIFF)])
    again = [_ok(Stage.LOAD_SOURCE, 2), _ok(Stage.LOAD_TARGET, 2)]
    plan, _ = _step(job, [*first, *again, _lost(Stage.DIFF)])
    assert plan.create == [(Stage.DIFF, 2)]


def test_lost_state_in_sync_reruns_loads_diff_and_sync():
    _, job = _step(_job(mode="sync"), [])
    pods = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=DiffSummary(create=1))]
    _, job = _step(job, pods)
    _, job = _step(job, [*pods, _lost(Stage.SYNC)])
    pods += [_lost(Stage.SYNC), _ok(Stage.LOAD_SOURCE, 2), _ok(Stage.LOAD_TARGET, 2)]
    plan, job = _step(job, pods)
    assert plan.create == [(Stage.DIFF, 2)]
    pods.append(_ok(Stage.DIFF, 2, diff=DiffSummary(create=1)))
    plan, _ = _step(job, pods)
    assert plan.create == [(Stage.SYNC, 2)]


def test_lost_state_beyond_backoff_limit_fails_the_job():
    _, job = _step(_job(backoffLimit=0), [])
    loads = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)]
    _, job = _step(job, loads)
    plan, _ = _step(job, [*loads, _lost(Stage.DIFF)])
    assert plan.status.phase is JobPhase.FAILED
    assert "state missing" in plan.status.stage(Stage.DIFF).message


def test_failed_sync_is_not_replayed_but_reloaded_and_diffed_again():
    _, job = _step(_job(mode="sync"), [])
    pods = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=DiffSummary(create=1))]
    _, job = _step(job, pods)
    plan, _ = _step(job, [*pods, _failed(Stage.SYNC, error="redis went away")])
    assert set(plan.create) == {(Stage.LOAD_SOURCE, 2), (Stage.LOAD_TARGET, 2)}


def test_refused_sync_is_not_retried():
    _, job = _step(_job(mode="sync"), [])
    pods = [_ok(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET), _ok(Stage.DIFF, diff=DiffSummary(create=1))]
    _, job = _step(job, pods)
    plan, _ = _step(job, [*pods, _failed(Stage.SYNC, retryable=False, error="ObjectNotCreated")])
    assert (plan.create, plan.status.phase) == ([], JobPhase.FAILED)


def _diffed(deletes: int, target_objects: int) -> list[ObservedPod]:
    return [
        _ok(Stage.LOAD_SOURCE),
        _ok(Stage.LOAD_TARGET, objects=target_objects),
        _ok(Stage.DIFF, diff=DiffSummary(delete=deletes)),
    ]


def test_deletion_guard_blocks_a_sync_deleting_more_than_half_by_default():
    _, job = _step(_job(mode="sync"), [])
    plan, _ = _step(job, _diffed(deletes=5, target_objects=5))
    assert plan.create == []
    assert plan.status.phase is JobPhase.BLOCKED
    stalled = next(c for c in plan.status.conditions if c.type == "Stalled")
    assert (stalled.status, stalled.reason) == ("True", "DeletionGuard")
    assert "deletes 5 of the target's 5 objects" in stalled.message
    assert "raise spec.deletionGuard.maxDeleteFraction" in stalled.message
    assert [e.reason for e in plan.events if e.type == "Warning"] == ["DeletionGuard"]


def test_deletion_guard_lets_an_ordinary_sync_through():
    _, job = _step(_job(mode="sync"), [])
    plan, _ = _step(job, _diffed(deletes=2, target_objects=5))
    assert plan.create == [(Stage.SYNC, 1)]


def test_deletion_guard_count_limit_applies_too():
    _, job = _step(_job(mode="sync", deletionGuard={"maxDeletes": 1}), [])
    plan, _ = _step(job, _diffed(deletes=2, target_objects=5))
    assert (plan.create, plan.status.phase) == ([], JobPhase.BLOCKED)
    assert "maxDeletes 1" in plan.status.stage(Stage.SYNC).message


def test_blocked_sync_starts_once_the_spec_raises_the_threshold():
    _, job = _step(_job(mode="sync"), [])
    _, blocked = _step(job, _diffed(deletes=5, target_objects=5))
    raised = _job(mode="sync", deletionGuard={"maxDeleteFraction": 1}).spec
    job = JobView(blocked.name, blocked.namespace, blocked.uid, 2, raised, blocked.status)
    plan, _ = _step(job, _diffed(deletes=5, target_objects=5))
    assert plan.create == [(Stage.SYNC, 1)]
    assert plan.status.phase is JobPhase.RUNNING
    assert "DeletionGuardPassed" in [e.reason for e in plan.events]


def test_a_pod_that_exits_0_without_a_result_is_a_failed_attempt():
    _, job = _step(_job(backoffLimit=0), [])
    silent = ObservedPod("inv-load-source-1", Stage.LOAD_SOURCE, 1, "Succeeded", exit_code=0, message="")
    plan, _ = _step(job, [silent, _running(Stage.LOAD_TARGET)])
    entry = plan.status.stage(Stage.LOAD_SOURCE)
    assert entry.phase is StagePhase.FAILED
    assert "exited without a result" in entry.message
    assert plan.status.phase is JobPhase.FAILED


def _ok_then_unwritten(stage: Stage, attempt: int = 1) -> ObservedPod:
    """A worker that reported success, then exited 75: a store could not write at exit."""
    message = StageResult(stage=stage, attempt=attempt, ok=True, objects=5).to_json()
    return ObservedPod(
        f"inv-{stage.value}-{attempt}", stage, attempt, "Failed", exit_code=75, message=message
    )


def test_an_ok_result_then_exit_75_is_a_failed_retryable_attempt_never_a_success():
    _, job = _step(_job(backoffLimit=1), [])
    pods = [_ok_then_unwritten(Stage.LOAD_SOURCE), _ok(Stage.LOAD_TARGET)]
    plan, job = _step(job, pods)
    entry = plan.status.stage(Stage.LOAD_SOURCE)
    assert entry.phase is StagePhase.PENDING  # not Succeeded: waiting for its next attempt
    assert "exited with status 75 after its stage reported" in entry.message
    assert "could not write what it still buffered" in entry.message
    assert not any(e.reason == "StageSucceeded" and "load-source" in e.message for e in plan.events)
    plan, _ = _step(job, pods, NOW + timedelta(seconds=10))
    assert plan.create == [(Stage.LOAD_SOURCE, 2)]


def test_an_ok_result_then_exit_75_of_a_sync_reloads_before_syncing_again():
    status = SyncJobStatus(
        stages=[
            StageStatus(name=stage, phase=StagePhase.SUCCEEDED, attempts=1)
            for stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET, Stage.DIFF)
        ]
    )
    plan = plan_next_step(_job(status, mode="sync"), [_ok_then_unwritten(Stage.SYNC)], NOW)
    assert set(plan.create) == {(Stage.LOAD_SOURCE, 2), (Stage.LOAD_TARGET, 2)}
    assert [e.reason for e in plan.events] == ["Reloading"]


def test_a_failed_result_then_exit_75_keeps_the_results_own_verdict():
    _, job = _step(_job(), [])
    message = StageResult(
        stage=Stage.LOAD_SOURCE, ok=False, retryable=False, error="No module named 'x'"
    ).to_json()
    pod = ObservedPod("inv-load-source-1", Stage.LOAD_SOURCE, 1, "Failed", exit_code=75, message=message)
    plan, _ = _step(job, [pod, _ok(Stage.LOAD_TARGET)])
    assert plan.status.phase is JobPhase.FAILED
    assert plan.status.stage(Stage.LOAD_SOURCE).message == "No module named 'x'"

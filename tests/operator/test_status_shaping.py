"""Conditions, results and pod observation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from diffsync_operator.api.status import JobPhase, Stage, SyncCount, SyncFailure, SyncOutcome
from diffsync_operator.controller.conditions import shape_conditions
from diffsync_operator.controller.observe import observe_pod
from diffsync_operator.stages.result import TERMINATION_MESSAGE_LIMIT, StageResult

NOW = datetime(2026, 11, 27, 21, 0, tzinfo=timezone.utc)


def test_succeeded_job_is_ready_and_complete():
    states = {c.type: c.status for c in shape_conditions([], JobPhase.SUCCEEDED, "Completed", "ok", 3, NOW)}
    assert states == {
        "Ready": "True",
        "Complete": "True",
        "Failed": "False",
        "Reconciling": "False",
        "Stalled": "False",
    }


def test_failed_job_is_failed_and_stalled():
    states = {c.type: c.status for c in shape_conditions([], JobPhase.FAILED, "StageFailed", "x", 3, NOW)}
    assert [k for k, v in states.items() if v == "True"] == ["Failed", "Stalled"]


def test_transition_time_is_kept_while_a_condition_does_not_change():
    first = shape_conditions([], JobPhase.RUNNING, "StageRunning", "a", 1, NOW)
    later = shape_conditions(first, JobPhase.SUCCEEDED, "Completed", "b", 1, NOW + timedelta(minutes=1))
    times = {c.type: c.last_transition_time for c in later}
    assert times["Failed"] == NOW
    assert times["Ready"] == NOW + timedelta(minutes=1)


def test_conditions_carry_the_observed_generation():
    assert {c.observed_generation for c in shape_conditions([], JobPhase.RUNNING, "r", "", 7, NOW)} == {7}


def test_termination_message_fits_the_kubernetes_limit():
    failures = [SyncFailure(id=f"device__{i}", message="x" * 200) for i in range(100)]
    result = StageResult(
        stage=Stage.SYNC, ok=True, sync=SyncOutcome(succeeded=1, failed=100, failures=failures)
    )
    text = result.to_termination_message()
    assert len(text.encode()) <= TERMINATION_MESSAGE_LIMIT
    assert StageResult.parse(text).sync.failed == 100


def test_termination_message_keeps_counts_per_model_before_more_failures():
    counts = [
        SyncCount(model=f"model{m}", action=a, succeeded=1000, failed=10)
        for m in range(3)
        for a in ("create", "update", "delete")
    ]
    failures = [SyncFailure(id=f"device__{i}", message="x" * 300) for i in range(10)]
    sync = SyncOutcome(succeeded=9000, failed=90, counts=counts, failures=failures)
    parsed = StageResult.parse(StageResult(stage=Stage.SYNC, ok=True, sync=sync).to_termination_message())
    assert parsed.sync.counts == counts  # all nine fit; failures gave way
    assert 1 <= len(parsed.sync.failures) < 10


def test_termination_message_sums_the_counts_of_many_models_per_action():
    counts = [SyncCount(model=f"model-number-{m}", action=a, succeeded=7, failed=1, skipped=2)
              for m in range(60) for a in ("create", "update", "delete")]  # fmt: skip
    sync = SyncOutcome(succeeded=1260, failed=180, skipped=360, counts=counts)
    text = StageResult(stage=Stage.SYNC, ok=True, sync=sync).to_termination_message()
    assert len(text.encode()) <= TERMINATION_MESSAGE_LIMIT
    parsed = StageResult.parse(text).sync
    assert parsed.counts == [
        SyncCount(model="*", action=action, succeeded=420, failed=60, skipped=120)
        for action in ("create", "update", "delete")
    ]
    assert (parsed.succeeded, parsed.failed, parsed.skipped) == (1260, 180, 360)


def test_log_tail_is_not_mistaken_for_a_result():
    assert StageResult.parse("Traceback (most recent call last):") is None


def test_observed_pod_reads_the_termination_message_and_exit_code():
    message = StageResult(stage=Stage.DIFF, ok=False, error="e").to_json()
    pod = {
        "metadata": {
            "name": "inv-diff-2",
            "labels": {"diffsync.io/stage": "diff", "diffsync.io/attempt": "2"},
            "deletionTimestamp": "2026-11-27T21:00:00Z",
        },
        "status": {
            "phase": "Failed",
            "containerStatuses": [
                {
                    "name": "worker",
                    "state": {"terminated": {"exitCode": 1, "message": message, "reason": "Error"}},
                }
            ],
        },
    }
    observed = observe_pod(pod)
    assert (observed.stage, observed.attempt, observed.exit_code, observed.deleting) == (
        Stage.DIFF,
        2,
        1,
        True,
    )
    assert StageResult.parse(observed.message).error == "e"


def test_pod_without_stage_labels_is_ignored():
    assert observe_pod({"metadata": {"name": "other", "labels": {}}}) is None


def _pod_with_status(status: dict) -> dict:
    labels = {"diffsync.io/stage": "load-source", "diffsync.io/attempt": "1"}
    return {"metadata": {"name": "inv-load-source-1", "labels": labels}, "status": status}


def test_observed_pod_with_a_disruption_target_condition_is_disrupted():
    condition = {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}
    assert observe_pod(_pod_with_status({"phase": "Failed", "conditions": [condition]})).disrupted


def test_evicted_pod_is_disrupted_and_a_failed_one_is_not():
    assert observe_pod(_pod_with_status({"phase": "Failed", "reason": "Evicted"})).disrupted
    assert not observe_pod(_pod_with_status({"phase": "Failed"})).disrupted


def test_blocked_job_is_stalled_but_neither_failed_nor_reconciling():
    states = {c.type: c.status for c in shape_conditions([], JobPhase.BLOCKED, "DeletionGuard", "x", 1, NOW)}
    assert [k for k, v in states.items() if v == "True"] == ["Stalled"]

"""Metrics are counted from status transitions: once per finished stage or job, never twice."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from diffsync_operator.api.schedule import ScheduleCondition, SyncScheduleStatus
from diffsync_operator.api.status import (
    DiffSummary,
    JobPhase,
    Stage,
    StagePhase,
    StageStatus,
    SyncJobStatus,
    SyncOutcome,
)
from diffsync_operator.controller import metrics
from prometheus_client import REGISTRY

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _namespace() -> str:  # each test counts in a namespace of its own
    return f"ns-{uuid.uuid4().hex[:8]}"


def _done(stage: Stage, objects: int | None = None, seconds: float = 2.0, attempts: int = 1) -> StageStatus:
    return StageStatus(
        name=stage,
        phase=StagePhase.SUCCEEDED,
        attempts=attempts,
        objects=objects,
        duration_seconds=seconds,
        start_time=T0,
        completion_time=T0 + timedelta(seconds=seconds),
    )


def test_a_finished_load_counts_its_objects_and_duration_once():
    namespace = _namespace()
    running = SyncJobStatus(
        stages=[StageStatus(name=Stage.LOAD_SOURCE, phase=StagePhase.RUNNING, attempts=1)]
    )
    loaded = SyncJobStatus(stages=[_done(Stage.LOAD_SOURCE, objects=40, seconds=3.0)])
    before_count = _value("diffsync_stage_duration_seconds_count", stage="load-source", outcome="succeeded")
    metrics.record_job(namespace, running, loaded)
    metrics.record_job(namespace, loaded, loaded)  # the next pass sees no transition
    assert _value("diffsync_objects_loaded_total", namespace=namespace, side="source") == 40
    after_count = _value("diffsync_stage_duration_seconds_count", stage="load-source", outcome="succeeded")
    assert after_count - before_count == 1


def test_diff_and_sync_results_are_counted_by_action_and_outcome():
    namespace = _namespace()
    diff = DiffSummary(create=3, update=2, delete=1, no_change=9, skip=0)
    diffed = SyncJobStatus(stages=[_done(Stage.DIFF)], diff=diff)
    synced = SyncJobStatus(
        phase=JobPhase.SUCCEEDED,
        stages=[_done(Stage.DIFF), _done(Stage.SYNC)],
        diff=diff,
        sync=SyncOutcome(succeeded=5, failed=1),
    )
    metrics.record_job(namespace, SyncJobStatus(phase=JobPhase.RUNNING), diffed)
    metrics.record_job(namespace, diffed, synced)
    assert _value("diffsync_diff_objects_total", namespace=namespace, action="create") == 3
    assert _value("diffsync_diff_objects_total", namespace=namespace, action="no-change") == 9
    assert _value("diffsync_sync_objects_total", namespace=namespace, outcome="succeeded") == 5
    assert _value("diffsync_sync_objects_total", namespace=namespace, outcome="failed") == 1
    assert _value("diffsync_syncjobs_finished_total", namespace=namespace, phase="Succeeded") == 1


def test_attempts_after_the_first_count_as_retries():
    namespace = _namespace()
    first = SyncJobStatus(stages=[StageStatus(name=Stage.DIFF, phase=StagePhase.RUNNING, attempts=1)])
    third = SyncJobStatus(stages=[StageStatus(name=Stage.DIFF, phase=StagePhase.RUNNING, attempts=3)])
    metrics.record_job(namespace, first, third)
    metrics.record_job(namespace, third, third)
    assert _value("diffsync_stage_retries_total", namespace=namespace, stage="diff") == 2


def test_jobs_by_phase_follow_the_events_and_forget_deleted_jobs():
    namespace = _namespace()
    metrics.JOB_PHASES.seen("a", namespace, "Running")
    metrics.JOB_PHASES.seen("b", namespace, "Running")
    metrics.JOB_PHASES.seen("a", namespace, "Succeeded")
    assert _value("diffsync_syncjobs", namespace=namespace, phase="Running") == 1
    assert _value("diffsync_syncjobs", namespace=namespace, phase="Succeeded") == 1
    metrics.JOB_PHASES.gone("b")
    assert _value("diffsync_syncjobs", namespace=namespace, phase="Running") == 0


def test_schedule_drift_is_one_or_zero_and_unknown_has_no_series():
    namespace = _namespace()

    def status(drift: str) -> SyncScheduleStatus:
        condition = ScheduleCondition(type="Drifted", status=drift, reason="r", last_transition_time=T0)
        return SyncScheduleStatus(conditions=[condition], last_successful_time=T0)

    metrics.record_schedule(namespace, "inv", status("True"))
    assert _value("diffsync_schedule_drifted", namespace=namespace, schedule="inv") == 1
    assert _value(
        "diffsync_schedule_last_success_timestamp_seconds", namespace=namespace, schedule="inv"
    ) == (T0.timestamp())
    metrics.record_schedule(namespace, "inv", status("False"))
    assert _value("diffsync_schedule_drifted", namespace=namespace, schedule="inv") == 0
    metrics.record_schedule(namespace, "inv", status("Unknown"))
    labels = {"namespace": namespace, "schedule": "inv"}
    assert REGISTRY.get_sample_value("diffsync_schedule_drifted", labels) is None
    metrics.forget_schedule(namespace, "inv")
    assert REGISTRY.get_sample_value("diffsync_schedule_last_success_timestamp_seconds", labels) is None

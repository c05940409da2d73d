"""Prometheus metrics of the operator, with prometheus_client (docs/metrics.md lists them).

Counters and histograms are fed from *transitions* of a SyncJob's status, seen by `reconcile`
when it compares the status before and after a pass: a stage that just finished, a job that
just finished, an attempt that just started. Because a transition is written to the status
in the same pass, an operator that restarts never counts a finished stage twice (counters
restart from zero, as Prometheus expects). Jobs by phase is a gauge computed at scrape time
from the SyncJob events the operator receives anyway.

Labels are bounded on purpose: namespace, stage, side, action, outcome, and the schedule's
name for schedule metrics. Job names are not labels: a schedule makes a new job every tick.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from diffsync_operator.api.schedule import SyncScheduleStatus
from diffsync_operator.api.status import JobPhase, Stage, StagePhase, StageStatus, SyncJobStatus

_LOG = logging.getLogger(__name__)
_FINISHED_STAGE = (StagePhase.SUCCEEDED, StagePhase.FAILED)
_FINISHED_JOB = (JobPhase.SUCCEEDED, JobPhase.FAILED)
_SIDES = {Stage.LOAD_SOURCE: "source", Stage.LOAD_TARGET: "target"}

JOBS_FINISHED = Counter(
    "diffsync_syncjobs_finished", "SyncJobs that reached Succeeded or Failed.", ["namespace", "phase"]
)
STAGE_DURATION = Histogram(
    "diffsync_stage_duration_seconds",
    "How long a stage attempt ran, by stage and outcome (succeeded, failed).",
    ["stage", "outcome"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, float("inf")),
)
OBJECTS_LOADED = Counter(
    "diffsync_objects_loaded", "Objects the load stages loaded, by side.", ["namespace", "side"]
)
DIFF_OBJECTS = Counter(
    "diffsync_diff_objects",
    "Objects the diff stages found, by action (create, update, delete, no-change, skip).",
    ["namespace", "action"],
)
SYNC_OBJECTS = Counter(
    "diffsync_sync_objects",
    "Changes the sync stages applied (succeeded) or could not apply (failed).",
    ["namespace", "outcome"],
)
STAGE_RETRIES = Counter(
    "diffsync_stage_retries", "Stage attempts after the first (retries and reloads).", ["namespace", "stage"]
)
RECONCILE_ERRORS = Counter(
    "diffsync_reconcile_errors",
    "Reconcile passes of the operator that raised (API server or Redis trouble), by resource.",
    ["resource"],
)
SCHEDULE_DRIFTED = Gauge(
    "diffsync_schedule_drifted",
    "1 while the schedule's last result found the two systems apart, 0 while in step.",
    ["namespace", "schedule"],
)
SCHEDULE_LAST_SUCCESS = Gauge(
    "diffsync_schedule_last_success_timestamp_seconds",
    "When a run of the schedule last succeeded (Unix time).",
    ["namespace", "schedule"],
)


class JobPhases(Collector):
    """`diffsync_syncjobs{namespace, phase}`: the SyncJobs the operator sees, by phase."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._phases: dict[str, tuple[str, str]] = {}

    def seen(self, uid: str, namespace: str, phase: str | None) -> None:
        with self._lock:
            self._phases[uid] = (namespace, phase or JobPhase.PENDING.value)

    def gone(self, uid: str) -> None:
        with self._lock:
            self._phases.pop(uid, None)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "diffsync_syncjobs",
            "SyncJobs the operator watches, by namespace and phase.",
            labels=["namespace", "phase"],
        )
        counts: dict[tuple[str, str], int] = {}
        with self._lock:
            for key in self._phases.values():
                counts[key] = counts.get(key, 0) + 1
        for (namespace, phase), count in sorted(counts.items()):
            family.add_metric([namespace, phase], count)
        yield family


JOB_PHASES = JobPhases()
REGISTRY.register(JOB_PHASES)


def _stage_seconds(entry: StageStatus) -> float | None:
    if entry.duration_seconds is not None:
        return entry.duration_seconds
    if entry.start_time is not None and entry.completion_time is not None:
        return max((entry.completion_time - entry.start_time).total_seconds(), 0.0)
    return None


def record_job(namespace: str, before: SyncJobStatus, after: SyncJobStatus) -> None:
    """Count what changed between two statuses of one SyncJob (see the module docstring)."""
    for entry in after.stages:
        earlier = before.stage(entry.name)
        previous_attempts = earlier.attempts if earlier is not None else 0
        if entry.attempts > max(previous_attempts, 1):
            STAGE_RETRIES.labels(namespace, entry.name.value).inc(entry.attempts - max(previous_attempts, 1))
        finished_now = entry.phase in _FINISHED_STAGE and (
            earlier is None or earlier.phase != entry.phase or earlier.attempts != entry.attempts
        )
        if finished_now:
            _record_stage(namespace, entry, after)
    if after.phase in _FINISHED_JOB and before.phase != after.phase:
        JOBS_FINISHED.labels(namespace, after.phase.value).inc()


def _record_stage(namespace: str, entry: StageStatus, status: SyncJobStatus) -> None:
    outcome = "succeeded" if entry.phase is StagePhase.SUCCEEDED else "failed"
    seconds = _stage_seconds(entry)
    if seconds is not None and entry.message != "stopped: the job failed":
        STAGE_DURATION.labels(entry.name.value, outcome).observe(seconds)
    if entry.phase is not StagePhase.SUCCEEDED:
        return
    if entry.name in _SIDES and entry.objects is not None:
        OBJECTS_LOADED.labels(namespace, _SIDES[entry.name]).inc(entry.objects)
    if entry.name is Stage.DIFF and status.diff is not None:
        diff = status.diff
        for action, count in (
            ("create", diff.create),
            ("update", diff.update),
            ("delete", diff.delete),
            ("no-change", diff.no_change),
            ("skip", diff.skip),
        ):
            DIFF_OBJECTS.labels(namespace, action).inc(count)
    if entry.name is Stage.SYNC and status.sync is not None:
        SYNC_OBJECTS.labels(namespace, "succeeded").inc(status.sync.succeeded)
        SYNC_OBJECTS.labels(namespace, "failed").inc(status.sync.failed)


def record_schedule(namespace: str, name: str, status: SyncScheduleStatus) -> None:
    """Set the schedule's gauges from its status (drift unknown: no series)."""
    drifted = status.condition("Drifted")
    if drifted is not None and drifted.status in ("True", "False"):
        SCHEDULE_DRIFTED.labels(namespace, name).set(1 if drifted.status == "True" else 0)
    else:
        forget_schedule(namespace, name, keep_success=True)
    if status.last_successful_time is not None:
        SCHEDULE_LAST_SUCCESS.labels(namespace, name).set(status.last_successful_time.timestamp())


def forget_schedule(namespace: str, name: str, *, keep_success: bool = False) -> None:
    """Drop a schedule's series (it was deleted, or its drift is unknown again)."""
    gauges = [SCHEDULE_DRIFTED] if keep_success else [SCHEDULE_DRIFTED, SCHEDULE_LAST_SUCCESS]
    for gauge in gauges:
        with contextlib.suppress(KeyError):  # no series yet
            gauge.remove(namespace, name)


def serve(address: str) -> bool:
    """Serve /metrics on `host:port`; False (with an error logged) if the port cannot be bound.

    A metrics endpoint that cannot start must not stop the operator from running jobs.
    """
    host, _, port = address.rpartition(":")
    try:
        start_http_server(int(port), addr=host or "0.0.0.0")  # noqa: S104 - a pod's own port
    except OSError as error:
        _LOG.error("cannot serve metrics on %s: %s", address, error)
        return False
    _LOG.info("serving Prometheus metrics on http://%s/metrics", address)
    return True


__all__ = [
    "JOB_PHASES",
    "RECONCILE_ERRORS",
    "forget_schedule",
    "record_job",
    "record_schedule",
    "serve",
]

"""The SyncSchedule handlers: a daemon per schedule, and its reconcile pass.

The daemon looks at its schedule at each tick (and at least every 30 s, or at once when one of
its SyncJobs changes: `handlers.syncjob_changed` wakes it by the `diffsync.io/schedule-uid`
label). Each look is `reconcile_schedule`: list the schedule's jobs, `plan_schedule`, delete
and create the jobs of the plan, write the status. The job for a tick is created before the
status records the tick, and its name is derived from the tick, so an operator that dies in
between adopts the job on its next look instead of starting a twin.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import kopf
from pydantic import ValidationError

from diffsync_operator.api.resource import GROUP, VERSION
from diffsync_operator.api.schedule import (
    SCHEDULE_PLURAL,
    ScheduleCondition,
    SyncScheduleSpec,
    SyncScheduleStatus,
)
from diffsync_operator.controller import metrics
from diffsync_operator.controller.api_time import parse_api_time
from diffsync_operator.controller.conditions import set_condition
from diffsync_operator.controller.kube import Kube
from diffsync_operator.controller.planning import JobEvent
from diffsync_operator.controller.reconcile import utcnow, validation_problems
from diffsync_operator.controller.runtime import RUNTIME, kube, pause, post_events
from diffsync_operator.controller.schedule_jobs import ANNOTATION_TICK, schedule_selector, scheduled_job
from diffsync_operator.controller.schedule_planning import (
    MAX_WAIT_SECONDS,
    SchedulePlan,
    ScheduleView,
    plan_schedule,
    scheduled_job_from_body,
)

RETRY_SECONDS = 2.0


def _created(meta: dict[str, Any], now: datetime) -> datetime:
    return parse_api_time(meta.get("creationTimestamp")) or now


def _invalid(
    body: dict[str, Any], status: SyncScheduleStatus, problems: list[str], now: datetime
) -> SchedulePlan:
    """A schedule whose spec the models refuse: Stalled, no runs, one Warning per new problem."""
    generation = body["metadata"].get("generation")
    message = "; ".join(problems)
    seen = status.condition("Stalled")
    status.observed_generation = generation
    status.next_schedule_time = None
    for kind, value in (("Stalled", "True"), ("Ready", "False")):
        status.conditions = set_condition(
            status.conditions, kind, value, "InvalidSpec", message, generation, now, shape=ScheduleCondition
        )
    events = (
        [] if seen is not None and seen.message == message else [JobEvent("Warning", "InvalidSpec", message)]
    )
    return SchedulePlan(status=status, events=events, wait_seconds=MAX_WAIT_SECONDS)


def reconcile_schedule(kube: Kube, body: dict[str, Any], now: datetime | None = None) -> SchedulePlan:
    """Advance the SyncSchedule `body` by one step; returns the plan that was carried out."""
    now = now or utcnow()
    meta = body["metadata"]
    before = body.get("status") or {}
    try:
        status = SyncScheduleStatus.model_validate(before)
    except ValidationError:
        status = SyncScheduleStatus()  # unreadable: rebuilt from the jobs
    try:
        spec = SyncScheduleSpec.model_validate(body.get("spec") or {})
    except ValidationError as error:
        plan = _invalid(body, status, validation_problems(error), now)
    else:
        status.conditions = [c for c in status.conditions if c.type != "Stalled"]
        view = ScheduleView(
            name=meta["name"],
            namespace=meta["namespace"],
            uid=meta["uid"],
            generation=meta.get("generation"),
            created=_created(meta, now),
            spec=spec,
            status=status,
        )
        listed = kube.list_jobs(view.namespace, schedule_selector(view.uid))
        jobs = [scheduled_job_from_body(job, ANNOTATION_TICK) for job in listed]
        plan = plan_schedule(view, jobs, now)
        for name in plan.delete:
            kube.delete_job_named(view.namespace, name)
        if plan.start is not None:
            kube.create_job(scheduled_job(body, plan.start))
    after = plan.status.to_manifest()
    if after != before:
        kube.patch_schedule_status(meta["namespace"], meta["name"], after)
    metrics.record_schedule(meta["namespace"], meta["name"], plan.status)
    return plan


@kopf.daemon(GROUP, VERSION, SCHEDULE_PLURAL, cancellation_timeout=10.0, backoff=2.0)
async def run_syncschedule(
    name: str, namespace: str | None, uid: str, stopped: kopf.DaemonStopped, logger: kopf.Logger, **_: Any
) -> None:
    """Run one SyncSchedule for as long as it exists."""
    assert namespace is not None  # SyncSchedule is a namespaced resource (the CRD says so)
    flag = RUNTIME.wakeup(uid)
    try:
        while not stopped:
            try:
                body = await asyncio.to_thread(kube().get_schedule, namespace, name)
                if (
                    body is None
                    or body["metadata"]["uid"] != uid
                    or body["metadata"].get("deletionTimestamp")
                ):
                    return
                plan = await asyncio.to_thread(reconcile_schedule, kube(), body)
            except Exception:  # e.g. the API server briefly unavailable: look again soon
                metrics.RECONCILE_ERRORS.labels("syncschedule").inc()
                logger.exception("schedule reconcile failed; trying again in %.0f s", RETRY_SECONDS)
                await pause(flag, stopped, RETRY_SECONDS)
                continue
            post_events(body, plan.events)
            await pause(flag, stopped, plan.wait_seconds)
    finally:
        RUNTIME.wakeups.pop(uid, None)


@kopf.on.event(GROUP, VERSION, SCHEDULE_PLURAL)
async def syncschedule_changed(uid: str, **_: Any) -> None:
    """A change of the schedule (spec, suspend): its daemon looks at once."""
    RUNTIME.wake(uid)


__all__ = ["reconcile_schedule", "run_syncschedule", "syncschedule_changed"]

"""One reconciliation of a SyncJob: read its pods, plan, act, record.

`reconcile` is synchronous (the handlers run it in a thread) and does, in this order:
list the job's pods, `planning.plan_next_step`, create and delete the pods of the plan, then
write the status. Pods are created before the status is written, so a crash between the two
leaves a pod the next pass adopts by its deterministic name, never a twin.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import JobPhase, SyncJobStatus
from diffsync_operator.controller.conditions import shape_conditions
from diffsync_operator.controller.kube import Kube
from diffsync_operator.controller.observe import observe_pod
from diffsync_operator.controller.planning import JobEvent, JobView, Plan, plan_next_step
from diffsync_operator.controller.pods import JobRef, build_pod, spec_problems
from diffsync_operator.controller.settings import OperatorSettings


def utcnow() -> datetime:
    """Now, to the second (what Kubernetes timestamps keep)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def validation_problems(error: ValidationError) -> list[str]:
    """One line per problem, naming the spec field."""
    return [
        "spec." + ".".join(str(part) for part in item["loc"]) + f": {item['msg']}" for item in error.errors()
    ]


def _invalid(body: dict[str, Any], status: SyncJobStatus, problems: list[str], now: datetime) -> Plan:
    generation = body["metadata"].get("generation")
    status.observed_generation = generation
    if status.phase not in (JobPhase.SUCCEEDED, JobPhase.FAILED):
        status.phase = JobPhase.FAILED
        status.completion_time = now
        message = "; ".join(problems)
        status.conditions = shape_conditions(
            status.conditions, JobPhase.FAILED, "InvalidSpec", message, generation, now
        )
        return Plan(status=status, events=[JobEvent("Warning", "InvalidSpec", message)])
    return Plan(status=status)


def reconcile(
    kube: Kube, settings: OperatorSettings, body: dict[str, Any], now: datetime | None = None
) -> Plan:
    """Advance the SyncJob `body` by one step; returns the plan that was carried out."""
    now = now or utcnow()
    meta = body["metadata"]
    before = body.get("status") or {}
    try:
        status = SyncJobStatus.model_validate(before)
    except ValidationError:
        status = SyncJobStatus()  # a status we cannot read is rebuilt from the pods
    try:
        spec = SyncJobSpec.model_validate(body.get("spec") or {})
    except ValidationError as error:
        plan = _invalid(body, status, validation_problems(error), now)
    else:
        job = JobView(meta["name"], meta["namespace"], meta["uid"], meta.get("generation"), spec, status)
        pods = [p for p in (observe_pod(raw) for raw in kube.list_stage_pods(job.namespace, job.uid)) if p]
        plan = plan_next_step(job, pods, now, spec_problems(spec, settings))
        ref = JobRef(job.name, job.namespace, job.uid)
        store_id = plan.status.store_id or ""
        for stage, attempt in plan.create:
            kube.create_pod(build_pod(ref, spec, store_id, stage, attempt, settings))
        for name in plan.delete:
            kube.delete_pod(job.namespace, name)
    after = plan.status.to_manifest()
    if after != before:
        kube.patch_job_status(meta["namespace"], meta["name"], after)
    return plan

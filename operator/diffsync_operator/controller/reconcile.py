"""One reconciliation of a SyncJob: read its pods, plan, act, record.

`reconcile` is synchronous (the handlers run it in a thread) and does, in this order:
claim the job's store (on a Redis the operator knows, `store_claims`), take or renew the
target lock when the run needs it (`target_locks`, `planning.lock_wanted`), list the job's
pods, `planning.plan_next_step`, make sure the job's own Redis user exists when pods are to be
created on a Redis the operator administers (`job_user`), create and delete the pods of the
plan (a pod the API server refuses for good fails the job instead: `refusals`), release the
claim if the job just finished and the target lock if the run no longer needs it (finished,
or waiting for approval), then write the status. Pods are created
before the status is written, so a crash between the two leaves a pod the next pass adopts by
its deterministic name, never a twin. When the Redis user cannot be made, no pod is created
and only the `RedisUser` condition is written (the plan's status would name pods that do not
exist); the next pass tries again. Every message goes through `redacted` on its way to the
status and Events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from diffsync_operator.api.spec import SyncJobSpec, target_lock_key
from diffsync_operator.api.status import JobPhase, SyncJobStatus
from diffsync_operator.controller import metrics, stage_progress
from diffsync_operator.controller.conditions import set_condition, shape_conditions
from diffsync_operator.controller.job_user import JobUserError, ensure_job_user
from diffsync_operator.controller.kube import Kube
from diffsync_operator.controller.observe import ObservedPod, observe_pod
from diffsync_operator.controller.planning import (
    FINISHED,
    ClaimCheck,
    JobEvent,
    JobView,
    LockCheck,
    Plan,
    PodRefusal,
    RetryPolicy,
    lock_wanted,
    plan_next_step,
)
from diffsync_operator.controller.pods import JobRef, build_pod, spec_problems
from diffsync_operator.controller.redacted import redact_plan
from diffsync_operator.controller.redis_access import administered, pod_redis_access
from diffsync_operator.controller.redis_servers import OperatorRedis
from diffsync_operator.controller.refusals import refusal
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.controller.store_claims import claim_store, release_store
from diffsync_operator.controller.target_locks import LockHolder, TargetLocks
from diffsync_operator.stages.claims import ClaimOwner
from diffsync_operator.stages.store_ids import job_store_id

REDIS_USER = "RedisUser"


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


def _claim(
    servers: OperatorRedis | None, job: JobView, problems: list[str], settings: OperatorSettings
) -> ClaimCheck | None:
    """Claim the store if this pass may start pods: not for a finished, invalid or idle suspended job."""
    spec, status = job.spec, job.status
    if servers is None or problems or status.phase in FINISHED:
        return None
    if spec.suspend and status.start_time is None:
        return None  # a job that never started and may not start holds nothing
    store_id = job_store_id(job.namespace, job.name, job.uid, spec.store_id, status.store_id)
    owner = ClaimOwner(job.uid, f"{job.namespace}/{job.name}")
    return claim_store(servers, spec, store_id, owner, settings.claim_ttl_seconds)


def _take_lock(
    locks: TargetLocks | None, job: JobView, problems: list[str], claim: ClaimCheck | None, now: datetime
) -> LockCheck | None:
    """Take or renew the target lock if this pass may start work that needs it.

    A sync-mode job always gets a LockCheck (held or not), so the planner never starts locked
    work without the lock; None only when the operator locks no targets or the job cannot sync.
    """
    spec, status = job.spec, job.status
    if locks is None or problems or spec.mode != "sync" or status.phase in FINISHED:
        return None
    key = target_lock_key(spec.target)
    idle = spec.suspend and status.start_time is None  # never started and may not start
    if idle or (claim is not None and claim.blocked) or not lock_wanted(spec, status):
        return LockCheck(key)
    return locks.acquire(key, LockHolder(job.uid, job.namespace, job.name), now)


def _release_lock(
    locks: TargetLocks | None, job: JobView, lock: LockCheck | None, plan: Plan, pods: list[ObservedPod]
) -> None:
    """Release the lock a finished run, or a run now waiting for approval, no longer needs.

    Not while a pod of the job still runs (a job failed by its deadline stops its sync pod,
    which takes its grace period): the Lease then expires, and is free once the pod is gone.
    """
    if locks is None or lock is None or not lock.held:
        return
    if not plan.finished and lock_wanted(job.spec, plan.status):
        return
    if any(not pod.finished for pod in pods):
        return
    problem = locks.release(lock.key, LockHolder(job.uid, job.namespace, job.name))
    if problem is not None:  # the Lease expires: others wait at most its duration longer
        plan.events.append(JobEvent("Warning", "TargetLockNotReleased", problem))
    elif plan.status.target_lock is not None:
        plan.status.target_lock.held = False


def _no_user(job: JobView, error: JobUserError, now: datetime) -> Plan:
    """The plan when the job's Redis user could not be made: the old status, the condition set."""
    status = job.status.model_copy(deep=True)
    previous = next((c for c in status.conditions if c.type == REDIS_USER), None)
    message = str(error)
    status.conditions = set_condition(
        status.conditions, REDIS_USER, "False", "UserNotCreated", message, job.generation, now
    )
    events = []
    if previous is None or previous.message != message:  # one Event per distinct failure
        events.append(JobEvent("Warning", "RedisUserNotCreated", f"{message}; no pod started, retrying"))
    return Plan(status=status, events=events)


def _create_pods(
    kube: Kube,
    servers: OperatorRedis | None,
    settings: OperatorSettings,
    job: JobView,
    plan: Plan,
    now: datetime,
    replan: Callable[[PodRefusal], Plan],
) -> Plan:
    """Create the plan's pods, with the job's own Redis user first when the operator administers its Redis.

    The first pod the API server refuses for good ends the pass with `replan(refusal)`, the
    job failing; pods created before it are deleted again. A temporary error (5xx, timeout)
    raises: the daemon looks again soon and the plan is made anew.
    """
    ref = JobRef(job.name, job.namespace, job.uid)
    store_id = plan.status.store_id or ""
    if administered(job.spec, settings):
        try:
            client = servers.client_for(job.spec) if servers is not None else None
            if client is None:
                raise JobUserError("the operator has no connection to its Redis in this process")
            plan.status.redis_user = ensure_job_user(kube, client, ref, store_id, job.status.redis_user)
        except JobUserError as error:
            return _no_user(job, error, now)
        user = plan.status.redis_user.name
        condition = ("True", "JobUser", f"the pods log in as Redis user {user}, limited to this job's keys")
    else:
        condition = ("False", "JobCredentials", "spec.redis.url is not the operator's Redis: it makes no "
                     "user there, and the pods log in with the credentials in spec.redis")  # fmt: skip
    conditions = plan.status.conditions
    plan.status.conditions = set_condition(conditions, REDIS_USER, *condition, job.generation, now)
    access = pod_redis_access(job.spec, settings, plan.status.redis_user)
    created: list[str] = []
    for stage, attempt in plan.create:
        body = build_pod(ref, job.spec, store_id, stage, attempt, settings, access)
        try:
            kube.create_pod(body)
        except Exception as error:
            why = refusal(error)
            if why is None:
                raise
            for name in created:
                kube.delete_pod(job.namespace, name)
            failed = replan(PodRefusal(stage, why))
            failed.status.redis_user = plan.status.redis_user  # made above: the finalizer removes it
            users = [c for c in plan.status.conditions if c.type == REDIS_USER]
            failed.status.conditions = [c for c in failed.status.conditions if c.type != REDIS_USER] + users
            return failed
        created.append(body["metadata"]["name"])
    return plan


def reconcile(
    kube: Kube,
    settings: OperatorSettings,
    body: dict[str, Any],
    now: datetime | None = None,
    servers: OperatorRedis | None = None,
    locks: TargetLocks | None = None,
) -> Plan:
    """Advance the SyncJob `body` by one step; returns the plan that was carried out.

    `servers`: the operator's clients of the Redis servers it knows, for store claims and job
    users; None claims nothing (pods still claim the store themselves) and can start no pod
    of a job on a Redis the operator administers. `locks`: the target locks; None locks nothing.
    """
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
        problems = spec_problems(spec, settings)
        claim = _claim(servers, job, problems, settings)
        lock = _take_lock(locks, job, problems, claim, now)
        pods = [p for p in (observe_pod(raw) for raw in kube.list_stage_pods(job.namespace, job.uid)) if p]
        retry = RetryPolicy(settings.retry_base_seconds, settings.retry_max_seconds)
        plan = plan_next_step(job, pods, now, problems, claim, retry=retry, lock=lock)
        if plan.create:

            def replan(refused: PodRefusal) -> Plan:
                return plan_next_step(
                    job, pods, now, problems, claim, retry=retry, refused=refused, lock=lock
                )

            plan = _create_pods(kube, servers, settings, job, plan, now, replan)
        for name in plan.delete:
            kube.delete_pod(job.namespace, name)
        if servers is not None and plan.finished and status.phase not in FINISHED:
            owner = ClaimOwner(job.uid, f"{job.namespace}/{job.name}")
            if problem := release_store(servers, spec, plan.status.store_id or "", owner):
                plan.events.append(JobEvent("Warning", "StoreNotReleased", problem))
        stage_progress.copy_running_counts(servers, spec, plan.status)
        _release_lock(locks, job, lock, plan, pods)
    plan = redact_plan(plan)
    after = plan.status.to_manifest()
    if after != before:
        kube.patch_job_status(meta["namespace"], meta["name"], after)
        metrics.record_job(meta["namespace"], _readable(before), plan.status)
    return plan


def _readable(status: dict[str, Any]) -> SyncJobStatus:
    """The status as it was, for counting transitions (an unreadable one counts as empty)."""
    try:
        return SyncJobStatus.model_validate(status)
    except ValidationError:
        return SyncJobStatus()

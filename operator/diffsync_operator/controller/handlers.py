"""The kopf handlers: thin glue between kopf and `controller.reconcile`.

Run with `kopf run -m diffsync_operator.controller.handlers --all-namespaces` (or `-n NS`), or with
`python -m diffsync_operator`, which also reads DIFFSYNC_WATCH_NAMESPACES (see settings).

- one daemon per SyncJob reconciles it until it finishes, waking on any change of the job
  or its pods (pod events are routed to the job by the `diffsync.io/job-uid` label) and at
  least every DIFFSYNC_POLL_SECONDS; after the job finished it waits for
  `ttlSecondsAfterFinished` and deletes the job;
- a change of a finished job's spec is recorded (observedGeneration) but not run again: an
  Event says so; the annotation `diffsync.io/rerun` (set by `diffsync rerun NAME`) makes a
  fresh SyncJob from it instead (see `rerun`);
- the delete handler (kopf's finalizer `diffsync.io/cleanup`) removes the job's own Redis
  user (on a Redis the operator administers; always) and deletes the Redis state unless
  `retainStore`, under the job's own claim: itself on a Redis it knows, else through
  a cleanup pod with the job's own credentials (see `finalizer`); it gives up with a Warning
  Event rather than blocking the deletion for ever. It also releases the job's target lock
  (`target_locks`), so a job waiting for it starts within a poll.
kopf keeps its own bookkeeping in annotations prefixed `diffsync.io`, never in the status.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone
from typing import Any

import kopf

from diffsync_operator.api.names import ANNOTATION_RERUN
from diffsync_operator.api.resource import GROUP, PLURAL, VERSION
from diffsync_operator.api.spec import SyncJobSpec, target_lock_key
from diffsync_operator.api.status import JobPhase, SyncJobStatus
from diffsync_operator.controller import metrics
from diffsync_operator.controller.finalizer import (
    BY_POD,
    NOTHING,
    CleanupTarget,
    cleanup_target,
    delete_state,
)
from diffsync_operator.controller.job_user import remove_job_user
from diffsync_operator.controller.kube import Kube, new_api_client
from diffsync_operator.controller.naming import LABEL_JOB_UID
from diffsync_operator.controller.observe import termination
from diffsync_operator.controller.planning import FINISHED, JobEvent, next_attempt_at, ttl_expiry
from diffsync_operator.controller.pods import JobRef, build_cleanup_pod
from diffsync_operator.controller.reconcile import reconcile, utcnow
from diffsync_operator.controller.redis_access import administered, pod_redis_access
from diffsync_operator.controller.redis_servers import OperatorRedis
from diffsync_operator.controller.rerun import requested_token, rerun_manifest
from diffsync_operator.controller.runtime import RUNTIME, kube, pause, post_events
from diffsync_operator.controller.schedule_jobs import LABEL_SCHEDULE_UID
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.controller.store_claims import free_store
from diffsync_operator.controller.target_locks import LockHolder, TargetLocks
from diffsync_operator.stages.cleanup import EXIT_LEFT_TO_OTHER_JOB
from diffsync_operator.stages.redaction import redact
from diffsync_operator.stages.store_ids import job_store_id

CLEANUP_RETRIES = 6
RETRY_SECONDS = 2.0
THREADS = 32
CLEANUP_POD_RETRIES = 60  # about two minutes of waiting for the cleanup pod


@kopf.on.startup()
async def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    """Read our settings; keep kopf's state out of the status; size the thread pools."""
    # Every running job's daemon makes its API calls in a thread: give them enough threads.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=THREADS))
    RUNTIME.settings = OperatorSettings.from_env()
    RUNTIME.servers = OperatorRedis(RUNTIME.settings)
    RUNTIME.kube = Kube(new_api_client())
    if RUNTIME.settings.lock_namespace:
        RUNTIME.locks = TargetLocks(
            RUNTIME.kube, RUNTIME.settings.lock_namespace, RUNTIME.settings.lock_lease_seconds
        )
    else:
        logging.getLogger(__name__).warning(
            "no DIFFSYNC_LOCK_NAMESPACE and no ServiceAccount namespace: sync jobs run without target locks"
        )
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=GROUP)
    settings.persistence.finalizer = f"{GROUP}/cleanup"
    settings.posting.level = logging.INFO
    settings.execution.max_workers = THREADS
    settings.peering.standalone = RUNTIME.settings.peering is None
    if RUNTIME.settings.peering:
        settings.peering.name = RUNTIME.settings.peering
    settings.watching.server_timeout = 300
    # No watching of CRDs and namespaces: it needs cluster-wide read rights the operator has no
    # other use for (and, without them, kopf retries for about a minute before starting).
    # Consequence: watch exact namespaces or all of them, not glob patterns.
    settings.scanning.disabled = True
    if RUNTIME.settings.metrics_address:
        metrics.serve(RUNTIME.settings.metrics_address)


@kopf.on.cleanup()
async def close_clients(**_: Any) -> None:
    """Close the operator's Redis connections when it stops."""
    RUNTIME.servers.close()


@kopf.daemon(GROUP, VERSION, PLURAL, cancellation_timeout=10.0, backoff=2.0)
async def run_syncjob(
    name: str, namespace: str | None, uid: str, stopped: kopf.DaemonStopped, logger: kopf.Logger, **_: Any
) -> None:
    """Drive one SyncJob to its end, then apply its TTL."""
    assert namespace is not None  # SyncJob is a namespaced resource (the CRD says so)
    flag = RUNTIME.wakeup(uid)
    try:
        while not stopped:
            try:
                body = await asyncio.to_thread(kube().get_job, namespace, name)
                if (
                    body is None
                    or body["metadata"]["uid"] != uid
                    or body["metadata"].get("deletionTimestamp")
                ):
                    return
                plan = await asyncio.to_thread(
                    reconcile, kube(), RUNTIME.settings, body, None, RUNTIME.servers, RUNTIME.locks
                )
            except Exception:  # e.g. the API server briefly unavailable: look again soon
                metrics.RECONCILE_ERRORS.labels("syncjob").inc()
                logger.exception("reconcile failed; trying again in %.0f s", RETRY_SECONDS)
                await pause(flag, stopped, RETRY_SECONDS)
                continue
            post_events(body, plan.events)
            if plan.finished:
                await _expire(body, plan.status, stopped)
                return
            await pause(flag, stopped, _next_look(body, plan.status))
    finally:
        RUNTIME.wakeups.pop(uid, None)


def _next_look(body: dict[str, Any], status: SyncJobStatus) -> float:
    """Seconds until the next unprompted look: the poll interval, or sooner for a deadline
    or a stage's next attempt."""
    wait = RUNTIME.settings.poll_seconds
    spec = body.get("spec") or {}
    deadlines = [(status.start_time, spec.get("activeDeadlineSeconds"))]
    if status.plan is not None and status.phase is JobPhase.AWAITING_APPROVAL:
        deadlines.append((status.plan.created_at, spec.get("approvalDeadlineSeconds")))
    for since, seconds in deadlines:
        if seconds and since is not None:
            left = (since.astimezone(timezone.utc) - utcnow()).total_seconds() + seconds
            wait = min(wait, max(left, 0.0) + 0.5)
    if (retry_at := next_attempt_at(status)) is not None:
        wait = min(wait, max((retry_at - utcnow()).total_seconds(), 0.0) + 0.5)
    return wait


async def _expire(body: dict[str, Any], status: SyncJobStatus, stopped: kopf.DaemonStopped) -> None:
    """Delete a finished job once its ttlSecondsAfterFinished has passed."""
    try:
        spec = SyncJobSpec.model_validate(body.get("spec") or {})
    except ValueError:
        return
    expiry = ttl_expiry(status, spec)
    if expiry is None:
        return
    left = (expiry - utcnow()).total_seconds()
    if left > 0:
        await stopped.wait(left)
        if stopped:
            return
    meta = body["metadata"]
    post_events(body, [JobEvent("Normal", "Expired", "ttlSecondsAfterFinished passed: deleting")])
    await asyncio.to_thread(kube().delete_job, meta["namespace"], meta["name"], meta["uid"])


@kopf.on.event("", "v1", "pods", labels={LABEL_JOB_UID: kopf.PRESENT})
async def stage_pod_changed(labels: Mapping[str, str], **_: Any) -> None:
    """A stage pod changed: wake its job's daemon (async: asyncio events are not thread-safe)."""
    RUNTIME.wake(labels[LABEL_JOB_UID])


@kopf.on.event(GROUP, VERSION, PLURAL)
async def syncjob_changed(
    body: kopf.Body, uid: str, labels: Mapping[str, str], event: Mapping[str, Any], **_: Any
) -> None:
    """Wake the job's daemon (and its schedule's); record a spec change of a finished job."""
    RUNTIME.wake(uid)
    RUNTIME.wake(labels.get(LABEL_SCHEDULE_UID))
    status = body.get("status") or {}
    meta = body.get("metadata") or {}
    if event.get("type") == "DELETED":
        metrics.JOB_PHASES.gone(uid)
    else:
        metrics.JOB_PHASES.seen(uid, meta.get("namespace", ""), status.get("phase"))
    finished = status.get("phase") in {p.value for p in FINISHED}
    if (
        finished
        and meta.get("generation") != status.get("observedGeneration")
        and not meta.get("deletionTimestamp")
    ):
        plan = await asyncio.to_thread(reconcile, kube(), RUNTIME.settings, dict(body), None, RUNTIME.servers)
        kopf.event(
            body,
            type="Normal",
            reason="NotRerun",
            message=f"the job is {status.get('phase')}: a spec change does not run it again; "
            f"to run it again: diffsync rerun {meta.get('name')} (or set the annotation {ANNOTATION_RERUN})",
        )
        post_events(dict(body), plan.events)
    if finished and not meta.get("deletionTimestamp") and (token := requested_token(dict(body))):
        name, created = await asyncio.to_thread(_rerun, dict(body), token)
        if created:
            message = f"started {name}: a fresh run of this job ({ANNOTATION_RERUN}={token})"
            post_events(dict(body), [JobEvent("Normal", "Rerun", message)])


def _rerun(body: dict[str, Any], token: str) -> tuple[str, bool]:
    """Create the rerun the annotation asks for (idempotent: its name derives from the token)."""
    manifest = rerun_manifest(body, token)
    name = manifest["metadata"]["name"]
    created = kube().create_job(manifest)
    meta = body["metadata"]
    kube().patch_job_status(meta["namespace"], meta["name"], {"lastRerun": name, "lastRerunToken": token})
    return name, created


@kopf.on.delete(GROUP, VERSION, PLURAL)
def delete_redis_state(
    body: kopf.Body, name: str, namespace: str | None, uid: str, retry: int, logger: kopf.Logger, **_: Any
) -> None:
    """Finalizer: delete the job's Redis keys unless spec.retainStore."""
    assert namespace is not None  # SyncJob is a namespaced resource (the CRD says so)
    try:
        spec = SyncJobSpec.model_validate(body.get("spec") or {})
    except ValueError:
        return  # an invalid job never ran, so it has no state
    status = body.get("status") or {}
    _release_lock(body, spec, LockHolder(uid, namespace, name))
    store_id = job_store_id(namespace, name, uid, spec.store_id, status.get("storeId"))
    ref = JobRef(name, namespace, uid)
    if administered(spec, RUNTIME.settings):
        _remove_user(body, spec, uid, retry)  # first: it also closes the job's open connections
    if spec.retain_store or not status.get("stages"):
        # Nothing to delete (kept, or nothing written), but a claim the job may hold is freed
        # now rather than when it expires, so a job waiting for the store can start.
        free_store(RUNTIME.servers, spec, store_id, ref.owner)
        if spec.retain_store:
            kopf.info(body, reason="StoreRetained", message="spec.retainStore: the Redis state is kept")
        return
    target = cleanup_target(spec, RUNTIME.settings)
    if target == NOTHING:
        return
    if target == BY_POD:
        _cleanup_by_pod(body, spec, ref, store_id, retry)
        return
    assert isinstance(target, CleanupTarget)
    try:
        outcome = delete_state(target, store_id, ref.owner)
    except Exception as error:  # Redis down: retry a few times, then let the deletion proceed
        reason = redact(f"{type(error).__name__}: {error}")
        if retry < CLEANUP_RETRIES:
            raise kopf.TemporaryError(
                f"cannot delete the Redis state of {store_id}: {reason}", delay=5
            ) from None
        kopf.warn(
            body,
            reason="StoreNotDeleted",
            message=f"gave up deleting the Redis state of {store_id} after {retry} retries: {reason}; "
            f"its keys expire after spec.storeTTLSeconds",
        )
        return
    logger.info(outcome.text())
    if outcome.left_to is not None:
        kopf.warn(body, reason="StoreInUse", message=outcome.text())
        return
    kopf.info(body, reason="StoreDeleted", message=f"deleted the Redis state of {store_id}")


def _release_lock(body: kopf.Body, spec: SyncJobSpec, holder: LockHolder) -> None:
    """Release the deleted job's target lock (a no-op unless it holds it), once none of its pods runs.

    A pod still running (its sync, say) is deleted after the job, by the garbage collector,
    and takes its grace period: the lock is then free once the job is gone and the pod has
    stopped (`target_locks.may_take_over`), not before.
    """
    if RUNTIME.locks is None or spec.mode != "sync":
        return
    pods = kube().list_stage_pods(holder.namespace, holder.uid)
    if any((pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") for pod in pods):
        return
    if problem := RUNTIME.locks.release(target_lock_key(spec.target), holder):
        kopf.warn(body, reason="TargetLockNotReleased", message=problem)


def _remove_user(body: kopf.Body, spec: SyncJobSpec, uid: str, retry: int) -> None:
    """Remove the job's Redis user from the Redis the operator administers; retried while it is down."""
    try:
        client = RUNTIME.servers.client_for(spec)
        if client is not None:
            remove_job_user(client, uid)
    except Exception as error:
        reason = redact(f"{type(error).__name__}: {error}")
        if retry < CLEANUP_RETRIES:
            raise kopf.TemporaryError(f"cannot remove the job's Redis user: {reason}", delay=5) from None
        kopf.warn(
            body, reason="RedisUserNotRemoved", message=f"gave up removing the job's Redis user: {reason}"
        )


def _cleanup_by_pod(body: kopf.Body, spec: SyncJobSpec, ref: JobRef, store_id: str, retry: int) -> None:
    """Run (or check on) the cleanup pod; retried by kopf until it finished or we give up."""
    access = pod_redis_access(spec, RUNTIME.settings, None)  # BY_POD: a Redis the operator does not know
    pod_body = build_cleanup_pod(ref, spec, store_id, RUNTIME.settings, access)
    pod = kube().read_pod(ref.namespace, pod_body["metadata"]["name"])
    if pod is None:
        kube().create_pod(pod_body)
        raise kopf.TemporaryError("started the cleanup pod", delay=1)
    phase = (pod.get("status") or {}).get("phase")
    exit_code, message = termination(pod)
    if phase == "Succeeded":
        kopf.info(body, reason="StoreDeleted", message=f"deleted the Redis state of {store_id} (cleanup pod)")
        return
    if phase == "Failed" and exit_code == EXIT_LEFT_TO_OTHER_JOB:
        kopf.warn(body, reason="StoreInUse", message=redact(message or f"left {store_id} to another job"))
        return
    if phase != "Failed" and retry < CLEANUP_POD_RETRIES:
        raise kopf.TemporaryError("waiting for the cleanup pod", delay=2)
    kopf.warn(
        body,
        reason="StoreNotDeleted",
        message=f"cleanup pod {pod_body['metadata']['name']} did not delete the Redis state of {store_id} "
        f"(phase {phase}): {redact(message or 'no message')}; its keys expire after spec.storeTTLSeconds",
    )


__all__ = [
    "JobPhase",
    "close_clients",
    "configure",
    "delete_redis_state",
    "run_syncjob",
    "stage_pod_changed",
    "syncjob_changed",
]

# The SyncSchedule handlers register on import, so `kopf run -m diffsync_operator.controller.handlers`
# (and `python -m diffsync_operator`) runs both resources.
from diffsync_operator.controller import schedule_handlers  # noqa: E402, F401

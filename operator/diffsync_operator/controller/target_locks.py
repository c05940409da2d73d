"""One writer per target: a Kubernetes Lease per lock key, in the operator's own namespace.

A SyncJob whose run may sync holds the lock of its target (`api.spec.target_lock_key`:
`spec.target.lockKey`, or the adapter path and a hash of its params) from its loads to the
end of its sync (`planning.gates`). The lock is a `coordination.k8s.io/v1` Lease named
`diffsync-lock-<first 20 hex digits of SHA-256(key)>`: the operator takes it before a pass
that needs it and renews it in every pass (`renewTime`), and releases it (deletes the Lease,
only if it is still the holder's) when the job finishes, waits for approval, or is deleted,
provided none of the job's pods still runs (a pod being deleted runs for its grace period;
such a lock is left to expire and is free once the pod is gone, below).
Every change is a create, or a replace naming the `resourceVersion` read, so two passes
racing for one Lease cannot both win: the API server refuses the second (409).

Why Leases: they need nothing but the API server (no Redis), they are one object per key
across all namespaces, and the rights are narrow: get, create, update and delete on Leases in
the operator's namespace only. The holder is the job's uid (`holderIdentity`), with
`<namespace>/<name>` in an annotation for people and for the checks below.

Another job's lock is free when its Lease says no holder, or when the holder is gone (the
SyncJob was deleted: its finalizer should have released it, unless the operator was away) or
its Lease expired (nobody renewed it for `leaseDurationSeconds`: the operator that drove it
died or stopped watching it), *and* no pod of the holder is still unfinished: a sync pod
outlives a dead operator, and a deleted job's pods take their grace period to stop. When the
operator may not read the holder (another operator's namespace), expiry alone decides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kubernetes.client.exceptions import ApiException

from diffsync_operator.controller.api_time import parse_api_time
from diffsync_operator.controller.kube import Kube
from diffsync_operator.controller.planning import LockCheck
from diffsync_operator.stages.redaction import redact

LEASE_PREFIX = "diffsync-lock-"
ANNOTATION_KEY = "diffsync.io/lock-key"
ANNOTATION_HOLDER = "diffsync.io/holder"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # a Kubernetes MicroTime


def _micro_time(moment: datetime) -> str:
    """`moment` as a MicroTime; never with a zero fraction.

    The kubernetes client validates a body into its model and writes times back with
    `datetime.isoformat()`, which leaves out a zero fraction that the API server's MicroTime
    requires (a 400). One microsecond later is the same renewal for a lock.
    """
    return (moment if moment.microsecond else moment.replace(microsecond=1)).strftime(_TIME_FORMAT)


def _refusal(error: ApiException) -> str:
    """`403 Forbidden: <the API server's message>`, cut to a line."""
    try:
        detail = str(json.loads(error.body or "{}").get("message") or "")
    except (ValueError, AttributeError):
        detail = ""
    return f"{error.status} {error.reason}" + (f": {detail[:300]}" if detail else "")


def lease_name(key: str) -> str:
    """The Lease of lock `key` (a DNS name whatever the key holds)."""
    return LEASE_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class LockHolder:
    """A SyncJob as a lock holder."""

    uid: str
    namespace: str
    name: str

    def describe(self) -> str:
        return f"{self.namespace}/{self.name} (uid {self.uid})"


@dataclass(frozen=True)
class LeaseState:
    """What a Lease says: who holds it, since when it was renewed, and its version."""

    holder: LockHolder | None
    acquire_time: datetime | None
    renew_time: datetime | None
    duration_seconds: int
    transitions: int
    resource_version: str | None

    def expired(self, now: datetime) -> bool:
        if self.renew_time is None:
            return True
        return now >= self.renew_time + timedelta(seconds=self.duration_seconds)


def parse_lease(body: dict[str, Any]) -> LeaseState:
    """The LeaseState of a Lease as the API server returned it (a camelCase dict)."""
    meta, spec = body.get("metadata") or {}, body.get("spec") or {}
    uid = spec.get("holderIdentity") or None
    job = ((meta.get("annotations") or {}).get(ANNOTATION_HOLDER) or "/").partition("/")
    holder = LockHolder(uid, job[0], job[2]) if uid else None
    return LeaseState(
        holder=holder,
        acquire_time=parse_api_time(spec.get("acquireTime")),
        renew_time=parse_api_time(spec.get("renewTime")),
        duration_seconds=int(spec.get("leaseDurationSeconds") or 0),
        transitions=int(spec.get("leaseTransitions") or 0),
        resource_version=meta.get("resourceVersion"),
    )


#: Whether the holder's SyncJob is gone (True), there (False) or cannot be read (None).
HolderGone = Callable[[LockHolder], "bool | None"]
#: Whether the holder has an unfinished pod (True), none (False), or cannot be read (None).
HolderRunning = Callable[[LockHolder], "bool | None"]


def may_take_over(state: LeaseState, now: datetime, gone: HolderGone, running: HolderRunning) -> bool:
    """Whether another job's lock is free (see the module docstring)."""
    if state.holder is None:
        return True
    if not (state.expired(now) or gone(state.holder) is True):
        return False
    return running(state.holder) is not True


class TargetLocks:
    """Take, renew and release target locks as Leases in `namespace`."""

    def __init__(self, kube: Kube, namespace: str, lease_seconds: int) -> None:
        self.kube = kube
        self.namespace = namespace
        self.lease_seconds = lease_seconds

    def _body(self, key: str, holder: LockHolder, now: datetime, state: LeaseState | None) -> dict[str, Any]:
        renewing = state is not None and state.holder is not None and state.holder.uid == holder.uid
        metadata: dict[str, Any] = {
            "name": lease_name(key),
            "namespace": self.namespace,
            "labels": {"app.kubernetes.io/managed-by": "diffsync-operator"},
            "annotations": {ANNOTATION_KEY: key, ANNOTATION_HOLDER: f"{holder.namespace}/{holder.name}"},
        }
        if state is not None:
            metadata["resourceVersion"] = state.resource_version
        acquired = state.acquire_time if renewing and state is not None and state.acquire_time else now
        spec = {
            "holderIdentity": holder.uid,
            "leaseDurationSeconds": self.lease_seconds,
            "acquireTime": _micro_time(acquired),
            "renewTime": _micro_time(now),
            "leaseTransitions": (state.transitions if renewing else state.transitions + 1) if state else 0,
        }
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata, "spec": spec}

    def _holder_gone(self, holder: LockHolder) -> bool | None:
        try:
            job = self.kube.get_job(holder.namespace, holder.name)
        except ApiException as error:
            if error.status == 403:
                return None
            raise
        return job is None or (job.get("metadata") or {}).get("uid") != holder.uid

    def _holder_running(self, holder: LockHolder) -> bool | None:
        try:
            pods = self.kube.list_stage_pods(holder.namespace, holder.uid)
        except ApiException as error:
            if error.status == 403:
                return None
            raise
        return any((pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") for pod in pods)

    def acquire(self, key: str, holder: LockHolder, now: datetime) -> LockCheck:
        """Take or renew the lock `key` for `holder`; who holds it otherwise, or why it is unknown."""
        name = lease_name(key)
        try:
            for _ in range(3):  # a lost race (409) is looked at again
                body = self.kube.read_lease(self.namespace, name)
                if body is None:
                    if self.kube.create_lease(self._body(key, holder, now, None)):
                        return LockCheck(key, held=True)
                    continue
                state = parse_lease(body)
                mine = state.holder is not None and state.holder.uid == holder.uid
                if not mine and not may_take_over(state, now, self._holder_gone, self._holder_running):
                    assert state.holder is not None  # a Lease without a holder may be taken
                    return LockCheck(key, held=False, holder=state.holder.describe())
                if self.kube.replace_lease(self._body(key, holder, now, state)):
                    return LockCheck(key, held=True)
        except ApiException as error:
            return LockCheck(key, error=redact(f"the API server answered {_refusal(error)}"))
        return LockCheck(key, error="the Lease changed under every attempt to take it")

    def release(self, key: str, holder: LockHolder) -> str | None:
        """Delete the lock's Lease if `holder` holds it; a problem as text, or None."""
        name = lease_name(key)
        try:
            body = self.kube.read_lease(self.namespace, name)
            if body is None:
                return None
            state = parse_lease(body)
            if state.holder is None or state.holder.uid != holder.uid:
                return None
            self.kube.delete_lease(self.namespace, name, state.resource_version)
        except ApiException as error:
            return redact(f"could not release the target lock {key}: {_refusal(error)}")
        return None

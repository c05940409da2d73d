"""The operator's side of store claims (the protocol itself: `stages.claims`).

On a Redis it knows, the operator claims a job's store before every pass that may start a
pod, and so renews the claim at least every DIFFSYNC_POLL_SECONDS while the job runs; the
claim outlives a pass by DIFFSYNC_CLAIM_TTL_SECONDS, so an operator restart keeps it. When
the job finishes it releases the claim (kept as "finished" for as long as the state lives)
and restarts the state's TTL: `storeTTLSeconds` counts from the finish.

Why the operator, and not only the pods: it is the one party alive for the whole run (pods
come and go between stages), it can tell a second job to wait before any of that job's pods
exists (a `StoreInUse` condition naming the holder, no attempt used), and it is the one that
knows when the job ended, failed or not. Pods still take or confirm the claim themselves
before they clear or write (see `worker`), which is all there is on a Redis the operator does
not know.
"""

from __future__ import annotations

from diffsync.exceptions import ObjectStoreException
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.planning import ClaimCheck
from diffsync_operator.controller.redis_servers import OperatorRedis
from diffsync_operator.stages.claims import ClaimOwner, StoreClaim
from diffsync_operator.stages.redaction import redact
from diffsync_operator.stages.state_keys import refresh_state_ttl


def claim_store(
    servers: OperatorRedis, spec: SyncJobSpec, store_id: str, owner: ClaimOwner, ttl_seconds: int
) -> ClaimCheck | None:
    """Take or renew the job's claim; None when the operator does not know the job's Redis."""
    client = servers.client_for(spec)
    if client is None:
        return None
    try:
        holder = StoreClaim(client, store_id).acquire(owner, ttl_seconds)
    except ObjectStoreException as error:
        return ClaimCheck(error=redact(str(error)))
    return ClaimCheck(holder=holder.describe() if holder is not None else None)


def release_store(servers: OperatorRedis, spec: SyncJobSpec, store_id: str, owner: ClaimOwner) -> str | None:
    """The job finished: release its claim and let its state expire `storeTTLSeconds` from now.

    Returns a problem to report, or None. A failure here is not fatal: every key already has a
    TTL (set by the stage that wrote it) and the claim expires on its own.
    """
    client = servers.client_for(spec)
    if client is None:
        return None
    try:
        StoreClaim(client, store_id).release(owner.uid, spec.store_ttl_seconds)
        refresh_state_ttl(client, store_id, spec.store_ttl_seconds)
    except Exception as error:  # Redis away at the end of the job: see the docstring
        return redact(f"could not release the claim on store {store_id}: {type(error).__name__}: {error}")
    return None


def free_store(servers: OperatorRedis, spec: SyncJobSpec, store_id: str, owner: ClaimOwner) -> None:
    """A job is deleted without its state being deleted: free a running claim it still holds.

    Unlike `release_store` this leaves the state's TTL alone (it counts from the job's finish)
    and does nothing to a claim already released. Errors are ignored: the claim expires.
    """
    client = servers.client_for(spec)
    if client is None:
        return
    claim = StoreClaim(client, store_id)
    try:
        if claim.holds(owner.uid):
            claim.release(owner.uid, spec.store_ttl_seconds)
    except ObjectStoreException:
        return

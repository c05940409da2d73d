"""Delete a job's Redis state, but only under its own claim.

Used by the operator's finalizer (on a Redis it knows), by the finalizer's cleanup pod (on
any other Redis, with the job's own credentials) and by `diffsync run --redis-url`. The
store is first claimed for cleanup (`StoreClaim.take_for_cleanup`): when another job holds
it, or wrote it last, its keys are that job's now and nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from diffsync_operator.stages.claims import ClaimOwner, Holder, StoreClaim
from diffsync_operator.stages.handover import delete_job_data

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient

#: Exit status of `python -m diffsync_operator.worker cleanup` when the store was left to another job.
EXIT_LEFT_TO_OTHER_JOB = 3

#: Seconds the cleanup claim lasts: long enough to delete, short if the deleter dies.
CLEANUP_CLAIM_SECONDS = 120


@dataclass(frozen=True)
class CleanupOutcome:
    """What a cleanup did: the job keys it deleted, or the job it left the store to."""

    store_id: str
    deleted: int = 0
    left_to: Holder | None = None

    def text(self) -> str:
        """One line for an Event or a termination message."""
        if self.left_to is not None:
            return (
                f"left the Redis state of {self.store_id} alone: job {self.left_to.describe()} "
                f"holds it or wrote it last"
            )
        return f"deleted the Redis state of {self.store_id} ({self.deleted} job keys)"


def delete_state_under_claim(
    client: RedisClient, store_id: str, owner: ClaimOwner, *, scan: bool = False
) -> CleanupOutcome:
    """Delete both stores, the handover keys and the claim of `store_id`, if `owner` may.

    `scan` (a login that may SCAN, e.g. the operator's own): also delete keys something else
    wrote under the stores' prefixes, which deleting by name cannot find.
    """
    claim = StoreClaim(client, store_id)
    holder = claim.take_for_cleanup(owner, CLEANUP_CLAIM_SECONDS)
    if holder is not None:
        return CleanupOutcome(store_id, left_to=holder)
    deleted = delete_job_data(client, store_id, scan=scan)
    claim.drop(owner.uid)
    return CleanupOutcome(store_id, deleted=deleted)

"""Store claims: which job may write a store id's state right now.

A claim is one Redis HASH per effective store id (`state_keys.claim_key`), with the fields
`uid` (the holding SyncJob's uid), `job` (`<namespace>/<name>`, for messages) and `state`:

- `running`: a live job holds the store; it expires `claim TTL` seconds after the last
  renewal, so a holder that vanished (operator and pods gone) frees it eventually;
- `finished`: the job that last wrote the store is done; anyone may take the store, but a
  finalizer of another job may not delete it. It lives as long as the state (store TTL);
- `cleanup`: a finalizer is deleting the state; running stages of the job stop renewing.

Every change is one Lua script, so two jobs can never both believe they hold a store.

Who takes the claim (see also the operator README, "Store claims"):
- on a Redis the operator knows (its default and `DIFFSYNC_KNOWN_REDIS_URLS`), the operator
  takes it before it starts the first pod and renews it on every pass: it is the one party
  alive for the whole run, it sees a busy store before any pod starts (the job waits with a
  `StoreInUse` condition naming the holder, without using an attempt), and it releases the
  claim when the job finishes;
- every stage pod takes or confirms the claim before it clears or writes anything, renews it
  while it runs (`ClaimKeeper`) and checks it again before recording its result. On a Redis
  the operator does not know (and may not connect to), the pods are the only claimants, and
  the final stage releases the claim when it succeeds.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from diffsync.exceptions import ObjectStoreException
from diffsync_operator.stages.state_keys import claim_key

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient

#: Default seconds a claim outlives its last renewal (operator setting DIFFSYNC_CLAIM_TTL_SECONDS).
DEFAULT_CLAIM_TTL_SECONDS = 300

RUNNING, FINISHED, CLEANUP = "running", "finished", "cleanup"

# KEYS[1] claim; ARGV uid, job, ttl. Returns nil when taken, else {uid, job, state} of the holder.
_ACQUIRE = """
local holder = redis.call('HMGET', KEYS[1], 'uid', 'job', 'state')
if holder[1] and holder[1] ~= ARGV[1] and holder[3] ~= 'finished' then
  return holder
end
redis.call('HSET', KEYS[1], 'uid', ARGV[1], 'job', ARGV[2], 'state', 'running')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return nil
"""

# The finalizer's variant: only an absent claim or our own; never a store another job wrote last.
_TAKE_FOR_CLEANUP = """
local holder = redis.call('HMGET', KEYS[1], 'uid', 'job', 'state')
if holder[1] and holder[1] ~= ARGV[1] then
  return holder
end
redis.call('HSET', KEYS[1], 'uid', ARGV[1], 'job', ARGV[2], 'state', 'cleanup')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return nil
"""

# ARGV uid, state, ttl: set the expiry if `uid` holds the claim in `state`. Returns 1 or 0.
_RENEW = """
if redis.call('HGET', KEYS[1], 'uid') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == ARGV[2] then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""

# ARGV uid, ttl: `uid` is done with the store; the claim becomes `finished` for `ttl` seconds.
_RELEASE = """
if redis.call('HGET', KEYS[1], 'uid') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', 'finished')
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

# ARGV uid: delete the claim if `uid` holds it.
_DROP = """
if redis.call('HGET', KEYS[1], 'uid') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class ClaimOwner:
    """A job as a claimant: its uid (the identity) and `<namespace>/<name>` (for people)."""

    uid: str
    job: str


@dataclass(frozen=True)
class Holder:
    """Another job that holds (or last held) a store."""

    uid: str
    job: str
    state: str

    def describe(self) -> str:
        """`ns/name (uid 1234abcd...)`: what a condition or Event says."""
        return f"{self.job or '(unknown job)'} (uid {self.uid})"


class StoreClaim:
    """The claim on one effective store id, over a Redis client.

    Redis errors are raised as `ObjectStoreException` naming the claim (the same class a
    RedisStore raises when Redis is unreachable, so a stage treats them alike: retryable).
    """

    def __init__(self, client: RedisClient, store_id: str) -> None:
        self.client = client
        self.store_id = store_id
        self.key = claim_key(store_id)

    def _run(self, script: str, *args: Any) -> Any:
        import redis as redis_module

        try:
            return self.client.eval(script, 1, self.key, *args)
        except redis_module.RedisError as error:
            raise ObjectStoreException(
                f"the claim on store {self.store_id} could not be read or written: "
                f"{type(error).__name__}: {error}"
            ) from error

    @staticmethod
    def _holder(found: Any) -> Holder | None:
        if not found:
            return None
        from diffsync.store.redis import reply_text

        uid, job, state = (reply_text(part) if part is not None else "" for part in found)
        return Holder(uid, job, state)

    def acquire(self, owner: ClaimOwner, ttl_seconds: int) -> Holder | None:
        """Take (or renew) the claim for `owner`; None when it holds it now, else the holder."""
        return self._holder(self._run(_ACQUIRE, owner.uid, owner.job, ttl_seconds))

    def renew(self, uid: str, ttl_seconds: int) -> bool:
        """Extend a running claim `uid` holds; False when it no longer holds it."""
        return bool(self._run(_RENEW, uid, RUNNING, ttl_seconds))

    def holds(self, uid: str) -> bool:
        """Whether `uid` holds a running claim on the store right now."""
        current = self.current()
        return current is not None and current.uid == uid and current.state == RUNNING

    def release(self, uid: str, keep_seconds: int) -> bool:
        """`uid` is done: the claim becomes `finished` and lives `keep_seconds` (the state's TTL)."""
        return bool(self._run(_RELEASE, uid, keep_seconds))

    def take_for_cleanup(self, owner: ClaimOwner, ttl_seconds: int) -> Holder | None:
        """Hold the store to delete it: None when `owner` may, else the job that holds or wrote it."""
        return self._holder(self._run(_TAKE_FOR_CLEANUP, owner.uid, owner.job, ttl_seconds))

    def drop(self, uid: str) -> bool:
        """Delete the claim if `uid` holds it (after its state was deleted)."""
        return bool(self._run(_DROP, uid))

    def current(self) -> Holder | None:
        """Who holds or last held the store (possibly the caller itself), if anyone."""
        import redis as redis_module

        try:
            found = self.client.hmget(self.key, ["uid", "job", "state"])
        except redis_module.RedisError as error:
            raise ObjectStoreException(
                f"the claim on store {self.store_id} could not be read: {type(error).__name__}: {error}"
            ) from error
        return self._holder(found) if found and found[0] is not None else None


class ClaimKeeper:
    """Renews a stage pod's claim in a background thread while the stage runs.

    Every `interval` seconds it renews the claim and calls `on_beat` (the worker refreshes the
    state's TTL there). When the claim is gone or taken, `lost` is set; the stage still checks
    `StoreClaim.holds` before recording anything, so a lost claim never goes unnoticed.
    """

    def __init__(
        self,
        claim: StoreClaim,
        uid: str,
        ttl_seconds: int,
        *,
        interval: float | None = None,
        on_beat: Callable[[], object] | None = None,
    ) -> None:
        self.claim = claim
        self.uid = uid
        self.ttl_seconds = ttl_seconds
        self.interval = interval if interval is not None else max(ttl_seconds / 3, 1.0)
        self.on_beat = on_beat
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="diffsync-claim-keeper", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.claim.renew(self.uid, self.ttl_seconds):
                    self.lost.set()
                if self.on_beat is not None:
                    self.on_beat()
            except Exception as error:  # Redis briefly away: try again at the next beat
                print(f"claim keeper: {type(error).__name__}: {error}", file=sys.stderr)

    def __enter__(self) -> ClaimKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

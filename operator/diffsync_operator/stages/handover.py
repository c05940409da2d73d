"""Where a job keeps what passes between stages: each stage's result, the diff, the generations.

`RedisJobState` keeps them beside the adapters' RedisStores, under keys the finalizer can
name without scanning:

    diffsync-job:{<storeId>}:result:<stage>  the committed StageResult of that stage, JSON
    diffsync-job:{<storeId>}:diff            the diff of the committed diff result (diff_codec)
    diffsync-job:{<storeId>}:generations     SET: every side generation any attempt wrote

A stage *commits* its result (`commit`): the result, and for the diff stage the diff with it,
are written in one transaction, and only if no later attempt of that stage committed first.
So an old attempt that outlived its pod (a force-deleted pod on a lost node) can neither
overwrite a newer result nor leave a diff that belongs to another result.

A load attempt registers its generation (`store_ids.generation_store_id`) before it writes
anything, so `delete_job_data` finds every store the job ever wrote, even one a crashed
attempt left half-written. The `{...}` hash tag keeps all keys of a job in one Redis Cluster
slot. `MemoryJobState` is the same contract in one process (the local CLI over LocalStore).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from diffsync.exceptions import ObjectStoreException
from diffsync_operator.api.status import Stage
from diffsync_operator.stages.progress import progress_keys
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import SIDES, is_generation_of, side_store_id

if TYPE_CHECKING:
    import redis

KEY_PREFIX = "diffsync-job"


class JobState(Protocol):
    """What the stages need to hand over to each other."""

    def commit(self, result: StageResult, diff: str | None = None) -> bool:
        """Record `result` (and `diff` with it); False if a later attempt already committed."""
        ...

    def get_result(self, stage: Stage) -> StageResult | None: ...
    def get_diff(self) -> str | None: ...
    def add_generation(self, store_id: str) -> None: ...
    def generations(self) -> set[str]: ...


def _supersedes(current: StageResult | None, result: StageResult) -> bool:
    """Whether `result` may replace `current`: no result yet, or not from a later attempt."""
    return current is None or current.attempt <= result.attempt


class MemoryJobState:
    """JobState in a dict, for running every stage in one process."""

    def __init__(self) -> None:
        self.diff: str | None = None
        self.results: dict[Stage, StageResult] = {}
        self.stores: set[str] = set()

    def commit(self, result: StageResult, diff: str | None = None) -> bool:
        if not _supersedes(self.results.get(result.stage), result):
            return False
        self.results[result.stage] = result
        if diff is not None:
            self.diff = diff
        return True

    def get_result(self, stage: Stage) -> StageResult | None:
        return self.results.get(stage)

    def get_diff(self) -> str | None:
        return self.diff

    def add_generation(self, store_id: str) -> None:
        self.stores.add(store_id)

    def generations(self) -> set[str]:
        return set(self.stores)


def generations_key(store_id: str) -> str:
    """The SET of every side generation the job's load attempts registered."""
    return f"{KEY_PREFIX}:{{{store_id}}}:generations"


def registered_generations(members: Any, store_id: str) -> set[str]:
    """The members of the generations SET that are generations of this job (the set is data)."""
    names = {_text(member) for member in members}
    return {name for name in names if any(is_generation_of(name, store_id, side) for side in SIDES)}


def job_keys(store_id: str) -> list[str]:
    """Every key `RedisJobState` may write for `store_id`."""
    base = f"{KEY_PREFIX}:{{{store_id}}}"
    return [
        f"{base}:diff",
        *(f"{base}:result:{stage.value}" for stage in Stage),
        f"{base}:generations",
        *progress_keys(store_id),
    ]


def _text(reply: Any) -> str:
    """A Redis reply as text, by the store's one helper (imported here: the local CLI has no redis)."""
    from diffsync.store.redis import reply_text

    return reply_text(reply)


@contextmanager
def _reported(operation: str, key: str) -> Iterator[None]:
    """A Redis failure as the ObjectStoreException a store raises (retryable), naming the key."""
    import redis

    try:
        yield
    except redis.RedisError as error:
        raise ObjectStoreException(
            f"job state: {operation} {key} failed: {type(error).__name__}: {error}"
        ) from error


class RedisJobState:
    """JobState in Redis, shared by the stage pods of one job."""

    def __init__(self, client: redis.Redis, store_id: str, ttl: int | None = None) -> None:
        self.client = client
        self.store_id = store_id
        self.ttl = ttl
        self._base = f"{KEY_PREFIX}:{{{store_id}}}"

    def _result_key(self, stage: Stage) -> str:
        return f"{self._base}:result:{stage.value}"

    def _get(self, key: str) -> str | None:
        with _reported("reading", key):
            value: Any = self.client.get(key)
        return None if value is None else _text(value)

    def commit(self, result: StageResult, diff: str | None = None) -> bool:
        import redis

        key = self._result_key(result.stage)
        with _reported("commit of", key), self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    found: Any = pipe.get(key)
                    current = StageResult.parse(None if found is None else _text(found))
                    if not _supersedes(current, result):
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.set(key, result.to_json(), ex=self.ttl)
                    if diff is not None:
                        pipe.set(f"{self._base}:diff", diff, ex=self.ttl)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue  # another attempt committed meanwhile: look again

    def get_result(self, stage: Stage) -> StageResult | None:
        return StageResult.parse(self._get(self._result_key(stage)))

    def get_diff(self) -> str | None:
        return self._get(f"{self._base}:diff")

    def add_generation(self, store_id: str) -> None:
        key = generations_key(self.store_id)
        with _reported("registering a generation in", key):
            self.client.sadd(key, store_id)
            if self.ttl:
                self.client.expire(key, self.ttl)

    def generations(self) -> set[str]:
        key = generations_key(self.store_id)
        with _reported("reading", key):
            members: Any = self.client.smembers(key)
        return registered_generations(members, self.store_id)


def delete_job_data(client: redis.Redis, store_id: str, *, scan: bool = False) -> int:
    """Delete a job's stage keys and every store it wrote; returns the number of job keys deleted.

    Each store goes by the names its meta records, whatever format wrote it (also stores of an
    older diffsync, which a RedisStore refuses to open). `scan`: also SCAN each store's prefix
    for keys something else wrote there, only for a login that may (not a job's own user).
    """
    from diffsync.store.redis import delete_store

    stores = RedisJobState(client, store_id).generations()  # only this job's own generations
    stores.update(side_store_id(store_id, side) for side in SIDES)  # written before generations existed
    for store in sorted(stores):
        delete_store(client, store, scan=scan)
    return int(client.delete(*job_keys(store_id)))

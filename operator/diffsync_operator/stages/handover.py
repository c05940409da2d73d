"""Where a job keeps what passes between stages: results, the diff, generations and logs.

`RedisJobState` keeps them beside the adapters' RedisStores, under keys the finalizer can
name without scanning:

    diffsync-job:{<storeId>}:result:<stage>  the committed StageResult of that stage, JSON
    diffsync-job:{<storeId>}:generations     SET: every side generation any attempt wrote
    diffsync-job:{<storeId>}:logs            SET: the name of every log any attempt wrote
    diffsync-job:{<storeId>}:log:<name>      LIST: one log, a JSON document per line
    diffsync-job:{<storeId>}:progress:<stage>  a running stage's count so far (`progress`)

A *log* is a list of lines an attempt writes a page at a time and readers page through
without loading it whole: the diff stage's diff (`diff@<attempt>[-<token>]`, `diff_codec`)
and the sync stage's per-object results (`sync-results@<attempt>[-<token>]`, `sync_log`);
names and paging are in `job_logs`. An attempt registers a log before it writes a line, so
`delete_job_data` and `state_keys.refresh_state_ttl` find every log, even one a crashed
attempt left half-written.

A stage *commits* its result (`commit`), only if no later attempt of that stage committed
first. The result names what the attempt wrote and a later stage reads (a load's
generation, the diff's log), so an old attempt that outlived its pod (a force-deleted pod
on a lost node) can neither overwrite a newer result nor change what a committed result
names: it only ever writes into its own generation and its own logs.

A load attempt registers its generation (`store_ids.generation_store_id`) before it writes
anything, for the same reason as logs. The `{...}` hash tag keeps all keys of a job in one
Redis Cluster slot. `MemoryJobState` is the same contract in one process (the local CLI over
LocalStore).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from diffsync.exceptions import ObjectStoreException
from diffsync_operator.api.status import Stage
from diffsync_operator.stages.progress import progress_keys
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import SIDES, is_generation_of, side_store_id

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient

KEY_PREFIX = "diffsync-job"

#: What a log name looks like (`job_logs.log_name`); the logs SET is data, checked before use.
LOG_NAME = re.compile(r"^[a-z][a-z-]*@[0-9]+(-[A-Za-z0-9_]+)?$")

#: The key of a format-1 diff (one JSON string), written before logs existed; deleted with the job.
LEGACY_DIFF_KEY = "diff"


class JobState(Protocol):
    """What the stages need to hand over to each other."""

    def commit(self, result: StageResult) -> bool:
        """Record `result`; False if a later attempt already committed."""
        ...

    def get_result(self, stage: Stage) -> StageResult | None: ...
    def add_generation(self, store_id: str) -> None: ...
    def generations(self) -> set[str]: ...

    def start_log(self, name: str) -> None:
        """Register log `name` (before any line: cleanup finds it) and empty it."""
        ...

    def append_log(self, name: str, lines: Sequence[str]) -> None:
        """Add `lines` at the end of log `name`."""
        ...

    def read_log(self, name: str, start: int, count: int) -> list[str]:
        """Up to `count` lines of log `name` from line `start` (0-based); [] past its end."""
        ...

    def log_length(self, name: str) -> int:
        """How many lines log `name` holds (0 when it does not exist)."""
        ...

    def log_names(self) -> set[str]:
        """Every registered log of the job."""
        ...

    def drop_log(self, name: str) -> None:
        """Delete log `name` and forget it."""
        ...


def _supersedes(current: StageResult | None, result: StageResult) -> bool:
    """Whether `result` may replace `current`: no result yet, or not from a later attempt."""
    return current is None or current.attempt <= result.attempt


class MemoryJobState:
    """JobState in a dict, for running every stage in one process."""

    def __init__(self) -> None:
        self.results: dict[Stage, StageResult] = {}
        self.stores: set[str] = set()
        self.logs: dict[str, list[str]] = {}

    def commit(self, result: StageResult) -> bool:
        if not _supersedes(self.results.get(result.stage), result):
            return False
        self.results[result.stage] = result
        return True

    def get_result(self, stage: Stage) -> StageResult | None:
        return self.results.get(stage)

    def add_generation(self, store_id: str) -> None:
        self.stores.add(store_id)

    def generations(self) -> set[str]:
        return set(self.stores)

    def start_log(self, name: str) -> None:
        self.logs[_checked_log_name(name)] = []

    def append_log(self, name: str, lines: Sequence[str]) -> None:
        self.logs.setdefault(_checked_log_name(name), []).extend(lines)

    def read_log(self, name: str, start: int, count: int) -> list[str]:
        return self.logs.get(name, [])[start : start + count]

    def log_length(self, name: str) -> int:
        return len(self.logs.get(name, ()))

    def log_names(self) -> set[str]:
        return set(self.logs)

    def drop_log(self, name: str) -> None:
        self.logs.pop(name, None)


def _checked_log_name(name: str) -> str:
    if not LOG_NAME.match(name):
        raise ValueError(f"{name!r} is not a log name (e.g. diff@1 or sync-results@2-ab12cd34)")
    return name


def generations_key(store_id: str) -> str:
    """The SET of every side generation the job's load attempts registered."""
    return f"{KEY_PREFIX}:{{{store_id}}}:generations"


def registered_generations(members: Any, store_id: str) -> set[str]:
    """The members of the generations SET that are generations of this job (the set is data)."""
    names = {_text(member) for member in members}
    return {name for name in names if any(is_generation_of(name, store_id, side) for side in SIDES)}


def logs_key(store_id: str) -> str:
    """The SET of every log name the job's attempts registered."""
    return f"{KEY_PREFIX}:{{{store_id}}}:logs"


def log_key(store_id: str, name: str) -> str:
    """The LIST holding log `name` of the job."""
    return f"{KEY_PREFIX}:{{{store_id}}}:log:{name}"


def registered_logs(members: Any) -> set[str]:
    """The members of the logs SET that are log names (the set is data)."""
    return {name for name in (_text(member) for member in members) if LOG_NAME.match(name)}


def job_keys(store_id: str) -> list[str]:
    """The fixed keys `RedisJobState` may write for `store_id` (logs: `registered_logs`)."""
    base = f"{KEY_PREFIX}:{{{store_id}}}"
    return [
        f"{base}:{LEGACY_DIFF_KEY}",
        *(f"{base}:result:{stage.value}" for stage in Stage),
        f"{base}:generations",
        *progress_keys(store_id),
        logs_key(store_id),
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

    def __init__(self, client: RedisClient, store_id: str, ttl: int | None = None) -> None:
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

    def commit(self, result: StageResult) -> bool:
        import redis

        key = self._result_key(result.stage)
        with _reported("commit of", key), self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call,unused-ignore]  # untyped on redis.Redis
                    found: Any = pipe.get(key)
                    current = StageResult.parse(None if found is None else _text(found))
                    if not _supersedes(current, result):
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.set(key, result.to_json(), ex=self.ttl)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue  # another attempt committed meanwhile: look again

    def get_result(self, stage: Stage) -> StageResult | None:
        return StageResult.parse(self._get(self._result_key(stage)))

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

    def start_log(self, name: str) -> None:
        key, registry = log_key(self.store_id, _checked_log_name(name)), logs_key(self.store_id)
        with _reported("starting log", key):
            pipe = self.client.pipeline(transaction=False)
            pipe.sadd(registry, name)
            if self.ttl:
                pipe.expire(registry, self.ttl)
            pipe.delete(key)
            pipe.execute()

    def append_log(self, name: str, lines: Sequence[str]) -> None:
        if not lines:
            return
        key = log_key(self.store_id, _checked_log_name(name))
        with _reported("appending to", key):
            pipe = self.client.pipeline(transaction=False)
            pipe.rpush(key, *lines)
            if self.ttl:
                pipe.expire(key, self.ttl)
            pipe.execute()

    def read_log(self, name: str, start: int, count: int) -> list[str]:
        if count <= 0:
            return []
        key = log_key(self.store_id, _checked_log_name(name))
        with _reported("reading", key):
            lines: Any = self.client.lrange(key, start, start + count - 1)
        return [_text(line) for line in lines]

    def log_length(self, name: str) -> int:
        key = log_key(self.store_id, _checked_log_name(name))
        with _reported("reading", key):
            length: Any = self.client.llen(key)
        return int(length)

    def log_names(self) -> set[str]:
        key = logs_key(self.store_id)
        with _reported("reading", key):
            members: Any = self.client.smembers(key)
        return registered_logs(members)

    def drop_log(self, name: str) -> None:
        key = log_key(self.store_id, _checked_log_name(name))
        with _reported("deleting", key):
            pipe = self.client.pipeline(transaction=False)
            pipe.delete(key)
            pipe.srem(logs_key(self.store_id), name)
            pipe.execute()


def delete_job_data(client: RedisClient, store_id: str, *, scan: bool = False) -> int:
    """Delete a job's stage keys, logs and every store it wrote; returns the number of job keys deleted.

    Each store goes by the names its meta records, whatever format wrote it (also stores of an
    older diffsync, which a RedisStore refuses to open). `scan`: also SCAN each store's prefix
    for keys something else wrote there, only for a login that may (not a job's own user).
    """
    from diffsync.store.redis import delete_store

    state = RedisJobState(client, store_id)
    stores = state.generations()  # only this job's own generations
    stores.update(side_store_id(store_id, side) for side in SIDES)  # written before generations existed
    for store in sorted(stores):
        delete_store(client, store, scan=scan)
    logs = [log_key(store_id, name) for name in sorted(state.log_names())]
    return int(client.delete(*logs, *job_keys(store_id)))

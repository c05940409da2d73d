"""Where a job keeps what passes between stages: the diff and each stage's result.

`RedisJobState` keeps them beside the adapters' RedisStores, under keys the finalizer can
name without scanning:

    diffsync-job:{<storeId>}:diff            the diff as JSON (see diff_codec)
    diffsync-job:{<storeId>}:result:<stage>  the last StageResult of that stage, JSON

The `{...}` hash tag keeps all keys of a job in one Redis Cluster slot. The adapters' own
state lives in the RedisStores `<storeId>/source` and `<storeId>/target`, which
`delete_job_data` clears too. `MemoryJobState` is the same contract in one process (the
local CLI over LocalStore).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from diffsync_operator.api.status import Stage
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import side_store_id

if TYPE_CHECKING:
    import redis

KEY_PREFIX = "diffsync-job"


class JobState(Protocol):
    """What the stages need to hand over to each other."""

    def put_diff(self, text: str) -> None: ...
    def get_diff(self) -> str | None: ...
    def put_result(self, result: StageResult) -> None: ...
    def get_result(self, stage: Stage) -> StageResult | None: ...


class MemoryJobState:
    """JobState in a dict, for running every stage in one process."""

    def __init__(self) -> None:
        self.diff: str | None = None
        self.results: dict[Stage, StageResult] = {}

    def put_diff(self, text: str) -> None:
        self.diff = text

    def get_diff(self) -> str | None:
        return self.diff

    def put_result(self, result: StageResult) -> None:
        self.results[result.stage] = result

    def get_result(self, stage: Stage) -> StageResult | None:
        return self.results.get(stage)


def job_keys(store_id: str) -> list[str]:
    """Every key `RedisJobState` may write for `store_id`."""
    base = f"{KEY_PREFIX}:{{{store_id}}}"
    return [f"{base}:diff", *(f"{base}:result:{stage.value}" for stage in Stage)]


class RedisJobState:
    """JobState in Redis, shared by the stage pods of one job."""

    def __init__(self, client: redis.Redis, store_id: str, ttl: int | None = None) -> None:
        self.client = client
        self.store_id = store_id
        self.ttl = ttl
        self._base = f"{KEY_PREFIX}:{{{store_id}}}"

    def _get(self, key: str) -> str | None:
        value: Any = self.client.get(key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def put_diff(self, text: str) -> None:
        self.client.set(f"{self._base}:diff", text, ex=self.ttl)

    def get_diff(self) -> str | None:
        return self._get(f"{self._base}:diff")

    def put_result(self, result: StageResult) -> None:
        self.client.set(f"{self._base}:result:{result.stage.value}", result.to_json(), ex=self.ttl)

    def get_result(self, stage: Stage) -> StageResult | None:
        return StageResult.parse(self._get(f"{self._base}:result:{stage.value}"))


def delete_job_data(client: redis.Redis, store_id: str) -> int:
    """Delete a job's stage keys and both RedisStores; returns the number of job keys deleted."""
    from diffsync.store.redis import RedisStore

    for side in ("source", "target"):
        RedisStore(client=client, store_id=side_store_id(store_id, side)).clear()
    return int(client.delete(*job_keys(store_id)))

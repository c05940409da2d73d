"""Every Redis key of a job's state, by name and by pattern, and their expiry.

A job with effective store id `S` (see `store_ids`) owns exactly these keys:

| pattern | what |
| --- | --- |
| `diffsync:{<S/source@ escaped>*` | the source side's generations, one RedisStore per load attempt |
| `diffsync:{<S/target@ escaped>*` | the target side's generations |
| `diffsync:{<S/source escaped>}:*` | the source side's base store (layout: docs/redis-store.md) |
| `diffsync:{<S/target escaped>}:*` | the target side's base store |
| `diffsync-job:{S}:*` | the handover keys (results, generations, logs: diff, sync results), the claim |

`escaped` is the library's documented percent-encoding of a store id (`/` becomes `%2F`), so
none of these patterns holds a glob character of its own and the closing `}` ends each one:
the pattern of `ns/a` does not match the keys of `ns/a/b`. The generation patterns end at `@`
(`%40`), which no store id contains, so they too match one job's stores only
(`store_ids.generation_prefix`). `job_key_patterns` is the one list
of them, e.g. for a Redis ACL user that may touch only one job's keys (`~<pattern>` each).

`refresh_state_ttl` sets the expiry of every existing key of a job without scanning the
keyspace (a job's own Redis user may not SCAN): the generations are listed in the job's
`generations` set, a store's keys are named from its meta (`diffsync.store.redis.store_keys`),
the logs are listed in the `logs` set, the other handover keys are fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from diffsync_operator.stages.handover import (
    KEY_PREFIX,
    generations_key,
    job_keys,
    log_key,
    logs_key,
    registered_generations,
    registered_logs,
)
from diffsync_operator.stages.store_ids import generation_prefix, side_store_id

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient

SIDES = ("source", "target")


def _escape(text: str) -> str:
    """The RedisStore's key escaping (docs/redis-store.md, "Key layout"): unreserved chars stay."""
    return quote(text, safe="")


def store_key_prefix(store_id: str) -> str:
    """`diffsync:{<escaped store_id>}`: the prefix of every key of one RedisStore."""
    return f"diffsync:{{{_escape(store_id)}}}"


def job_key_prefix(store_id: str) -> str:
    """`diffsync-job:{<store_id>}`: the prefix of the handover keys and the claim."""
    return f"{KEY_PREFIX}:{{{store_id}}}"


def claim_key(store_id: str) -> str:
    """The HASH that says which job holds the store (see `claims`)."""
    return f"{job_key_prefix(store_id)}:claim"


def job_key_patterns(store_id: str) -> list[str]:
    """Glob patterns that match every key of the job's state and no key of any other store id."""
    generations = [f"diffsync:{{{_escape(generation_prefix(store_id, side))}*" for side in SIDES]
    stores = [f"{store_key_prefix(side_store_id(store_id, side))}:*" for side in SIDES]
    return [*generations, *stores, f"{job_key_prefix(store_id)}:*"]


def existing_job_keys(client: RedisClient, store_id: str) -> list[str]:
    """The names of the job's store, handover and log keys (not the claim); some may not exist."""
    from diffsync.store.redis import store_keys

    generations = registered_generations(client.smembers(generations_key(store_id)), store_id)
    logs = registered_logs(client.smembers(logs_key(store_id)))
    stores = [*(side_store_id(store_id, side) for side in SIDES), *sorted(generations)]
    keys = job_keys(store_id) + [log_key(store_id, name) for name in sorted(logs)]
    for store in stores:
        keys += store_keys(client, store)
    return keys


def refresh_state_ttl(client: RedisClient, store_id: str, ttl_seconds: int) -> int:
    """Make every existing key of the job expire in `ttl_seconds`; returns how many exist."""
    keys = existing_job_keys(client, store_id)
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.expire(key, ttl_seconds)
    return sum(1 for done in pipe.execute() if done)

"""Writing a bucket's pending changes to Redis in batches.

Three kinds of write, each in chunks so no single command or transaction grows unbounded:

- removals: HDEL + ZREM of a chunk of ids, in one MULTI;
- additions: one Lua script call per chunk that refuses the whole chunk if any id is already in
  the hash with a different value (another writer got there first, so nothing is silently
  overwritten), and otherwise sets the fields, appends the ids to the order ZSET with fresh
  sequence numbers (keeping the place of ids already there, so a call resent after a lost reply
  changes nothing), registers the model name and stamps the format;
- changes to existing objects: HSET of a chunk of fields, in one MULTI.

Every write is idempotent or refused as a whole, and the bucket's bookkeeping is updated chunk by
chunk after each succeeds, so a flush interrupted by a lost connection can simply be repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import redis

from diffsync.exceptions import ObjectAlreadyExists
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._keys import FORMAT, StoreKeys

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel

# Objects per command or script call; keeps Lua's unpack() well under its stack limit.
CHUNK = 1000

ADD_SCRIPT = """
local n = tonumber(ARGV[3])
local uids = {}
for i = 1, n do uids[i] = ARGV[2 + 2 * i] end
local current = redis.call('HMGET', KEYS[3], unpack(uids))
local taken = {}
for i = 1, n do
  if current[i] and current[i] ~= ARGV[3 + 2 * i] then taken[#taken + 1] = uids[i] end
end
if #taken > 0 then return taken end
local base = redis.call('HINCRBY', KEYS[1], 'seq', n) - n
redis.call('HSET', KEYS[1], 'format', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, 4, 3 + 2 * n))
local scored = {'NX'}
for i = 1, n do
  scored[2 * i] = base + i
  scored[2 * i + 1] = uids[i]
end
redis.call('ZADD', KEYS[4], unpack(scored))
return taken
"""

Dump = Callable[["DiffSyncModel", str, str], bytes]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class BucketWriter:
    """Writes buckets of one store; `dump(obj, model_name, uid)` serialises one object."""

    def __init__(self, client: redis.Redis, keys: StoreKeys, dump: Dump) -> None:
        self.client = client
        self.keys = keys
        self.dump = dump
        self.add_script = client.register_script(ADD_SCRIPT)

    def write(self, bucket: Bucket) -> bool:
        """Write everything pending or changed in `bucket`; True if anything was sent."""
        wrote = self._write_removals(bucket)
        added = self._write_additions(bucket)
        wrote |= self._write_changes(bucket, added)
        return wrote or bool(added)

    def _write_removals(self, bucket: Bucket) -> bool:
        if not bucket.pending_remove:
            return False
        data_key, order_key = self.keys.data(bucket.name), self.keys.order(bucket.name)
        for chunk in _chunks(sorted(bucket.pending_remove)):
            pipe = self.client.pipeline(transaction=True)
            pipe.hdel(data_key, *chunk)
            pipe.zrem(order_key, *chunk)
            pipe.execute()
            for uid in chunk:
                bucket.written.pop(uid, None)
            bucket.pending_remove.difference_update(chunk)
        return True

    def _write_additions(self, bucket: Bucket) -> set[str]:
        """Write the pending additions; return their ids (just serialised, so not changed)."""
        if not bucket.pending_add:
            return set()
        added = set(bucket.pending_add)
        keys = [self.keys.meta, self.keys.models, self.keys.data(bucket.name), self.keys.order(bucket.name)]
        for chunk in _chunks(list(bucket.pending_add)):
            values: dict[str, bytes] = {}
            args: list[str | bytes | int] = [bucket.name, FORMAT, len(chunk)]
            for uid in chunk:
                obj = bucket.entries[uid]
                assert obj is not None  # added objects are always held
                values[uid] = value = self.dump(obj, bucket.name, uid)
                args += [uid, value]
            taken = self.add_script(keys=keys, args=args)
            if taken:
                uid = taken[0].decode() if isinstance(taken[0], bytes) else str(taken[0])
                raise ObjectAlreadyExists(
                    f"Object {uid} already present in {keys[2]}: another writer added it after "
                    "this store read it; refresh() the store and apply the change again",
                    bucket.entries[uid],
                )
            bucket.written.update(values)
            for uid in chunk:
                del bucket.pending_add[uid]
        return added

    def _write_changes(self, bucket: Bucket, skip: set[str]) -> bool:
        """Write back every held object whose JSON differs from what Redis has."""
        changed: dict[str, bytes] = {}
        written, dump, name = bucket.written, self.dump, bucket.name
        for uid, obj in bucket.entries.items():
            if obj is not None and uid not in skip:
                value = dump(obj, name, uid)
                if written.get(uid) != value:
                    changed[uid] = value
        if not changed:
            return False
        data_key = self.keys.data(bucket.name)
        uids = list(changed)
        for chunk in _chunks(uids):
            pipe = self.client.pipeline(transaction=True)
            pipe.hset(data_key, mapping={uid: changed[uid] for uid in chunk})
            pipe.execute()
            written.update((uid, changed[uid]) for uid in chunk)
        return True

    def refresh_ttl(self, model_names: set[str], ttl: int) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key in self.keys.all_keys(model_names):
            pipe.expire(key, ttl)
        pipe.execute()

"""Writing a bucket's pending changes to Redis in batches.

Each model has a version (field ``ver:<model>`` of the meta hash) that every write to the model
replaces with a value unique to that write. A bucket remembers the version it last saw (or
"" once it may have missed another writer's additions), so a writer can tell cheaply whether
anyone else wrote to the model since it read it. Three kinds of write, each in chunks so no
single command or transaction grows unbounded:

- removals: HDEL of a chunk of ids (their order-list entries are left behind and skipped by
  readers; the list is compacted by a script once it is more than twice as long as the hash);
- additions: one Lua script call per chunk. When the version shows another writer, it first
  refuses the whole chunk if any id is already in the hash with a different value, so nothing
  another writer added is silently overwritten; then it sets the fields, appends the ids to the
  order list, registers the model name and stamps the format;
- changes to existing objects: HSET of a chunk of fields.

Removals and changes run in a MULTI that also reads and replaces the version. Every write is
idempotent or refused as a whole, and the bucket's bookkeeping is updated chunk by chunk after
each succeeds, so a flush interrupted by a lost connection can simply be repeated.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import redis

from diffsync.exceptions import ObjectAlreadyExists
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._keys import FORMAT, StoreKeys
from diffsync.store.redis._replies import text

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel

# Objects per command or script call (keeps Lua's unpack() well under its stack limit), and
# bytes of JSON per call (keeps each request far from Redis's query buffer limits).
CHUNK = 1000
CHUNK_BYTES = 8 * 1024 * 1024

# KEYS: meta, models, data, order.
# ARGV: model name, format, n, version field, version expected, version to set if it matched,
# version to set otherwise, then n ids, then n id/JSON pairs. Returns {version now, ids refused}.
ADD_SCRIPT = """
local n = tonumber(ARGV[3])
local o = 7
local version = redis.call('HGET', KEYS[1], ARGV[4]) or '0'
local next_version = ARGV[6]
if version ~= ARGV[5] then
  next_version = ARGV[7]
  local current = redis.call('HMGET', KEYS[3], unpack(ARGV, o + 1, o + n))
  local taken = {}
  for i = 1, n do
    if current[i] and current[i] ~= ARGV[o + n + 2 * i] then taken[#taken + 1] = ARGV[o + i] end
  end
  if #taken > 0 then return {version, taken} end
end
redis.call('HSET', KEYS[1], 'format', ARGV[2], ARGV[4], next_version)
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, o + n + 1, o + 3 * n))
redis.call('RPUSH', KEYS[4], unpack(ARGV, o + 1, o + n))
return {next_version, {}}
"""

# KEYS: order, data. Rewrites the order list: last occurrence of each id still in the hash.
COMPACT_SCRIPT = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local last = {}
for i, uid in ipairs(items) do last[uid] = i end
local keep = {}
for i, uid in ipairs(items) do
  if last[uid] == i and redis.call('HEXISTS', KEYS[2], uid) == 1 then keep[#keep + 1] = uid end
end
redis.call('DEL', KEYS[1])
for s = 1, #keep, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(keep, s, math.min(s + 999, #keep)))
end
return #keep
"""

Dump = Callable[["DiffSyncModel", str, str], bytes]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _sized_chunks(items: Iterator[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    """Batches of (id, JSON) of at most CHUNK items and (unless one is larger) CHUNK_BYTES."""
    chunk: list[tuple[str, bytes]] = []
    size = 0
    for item in items:
        if chunk and (len(chunk) == CHUNK or size + len(item[1]) > CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += len(item[1])
    if chunk:
        yield chunk


def version_field(model_name: str) -> str:
    return f"ver:{model_name}"


class BucketWriter:
    """Writes buckets of one store; `dump(obj, model_name, uid)` serialises one object."""

    def __init__(self, client: redis.Redis, keys: StoreKeys, dump: Dump) -> None:
        self.client = client
        self.keys = keys
        self.dump = dump
        self.add_script = client.register_script(ADD_SCRIPT)
        self.compact_script = client.register_script(COMPACT_SCRIPT)
        # Send batches from a helper thread while serialising the next; off at interpreter exit,
        # when no new thread may start.
        self.overlap = True
        self._writer_id = uuid.uuid4().hex
        self._writes = 0

    def write(self, bucket: Bucket) -> bool:
        """Write everything pending or changed in `bucket`; True if anything was sent."""
        wrote = self._write_removals(bucket)
        added = self._write_additions(bucket)
        wrote |= self._write_changes(bucket, added)
        return wrote or bool(added)

    def _next_version(self) -> str:
        """A version no other writer (and no earlier write of ours) ever sets."""
        self._writes += 1
        return f"{self._writer_id}-{self._writes}"

    def _versioned(self, bucket: Bucket, queue: Callable[[redis.client.Pipeline], None]) -> list[Any]:
        """Run `queue`'s commands in a MULTI that also sets a new version of the model.

        The version read in the same transaction tells whether another writer came in between;
        if so the bucket's version becomes unknown, and later additions check id by id.
        """
        field = version_field(bucket.name)
        version = self._next_version()
        pipe = self.client.pipeline(transaction=True)
        pipe.hget(self.keys.meta, field)
        queue(pipe)
        pipe.hset(self.keys.meta, field, version)
        results = pipe.execute()
        before = text(results[0]) if results[0] is not None else "0"
        bucket.version = version if bucket.version and before == bucket.version else ""
        return results[1:-1]

    def _write_removals(self, bucket: Bucket) -> bool:
        if not bucket.pending_remove:
            return False
        data_key, order_key = self.keys.data(bucket.name), self.keys.order(bucket.name)
        list_length = 0
        for chunk in _chunks(sorted(bucket.pending_remove)):

            def queue(pipe: redis.client.Pipeline, chunk: list[str] = chunk) -> None:
                pipe.hdel(data_key, *chunk)
                pipe.llen(order_key)

            list_length = self._versioned(bucket, queue)[1]
            for uid in chunk:
                bucket.written.pop(uid, None)
            bucket.pending_remove.difference_update(chunk)
        if list_length > 2 * len(bucket.written) + CHUNK:
            self.compact_script(keys=[order_key, data_key])
        return True

    def _write_additions(self, bucket: Bucket) -> set[str]:
        """Write the pending additions; return their ids (just serialised, so not changed).

        With more than one batch, each script call runs on a helper thread while this thread
        serialises the next batch, so Redis and Python work at the same time. Calls still run
        one at a time and in order, and results are applied in order, stopping at the first
        failure (later batches are then simply sent again by the next flush).
        """
        if not bucket.pending_add:
            return set()
        added = set(bucket.pending_add)
        serialised = ((uid, self._dump_held(bucket, uid)) for uid in list(bucket.pending_add))
        batches = _sized_chunks(serialised)
        first = next(batches)
        second = next(batches, None)
        if second is None or not self.overlap:
            for chunk in [first] if second is None else itertools.chain((first, second), batches):
                version = self._next_version()
                self._settle(bucket, chunk, self._call_add(bucket, chunk, bucket.version, version), version)
            return added
        expected = bucket.version
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="diffsync-redis-flush") as pool:
            in_flight: tuple[Future[Any], list[tuple[str, bytes]], str] | None = None
            for chunk in itertools.chain((first, second), batches):
                version = self._next_version()
                future = pool.submit(self._call_add, bucket, chunk, expected, version)
                # The next batch may skip its id-by-id check only if this one skipped it too.
                expected = version if expected else ""
                if in_flight is not None:
                    self._settle(bucket, in_flight[1], in_flight[0].result(), in_flight[2])
                in_flight = (future, chunk, version)
            if in_flight is not None:
                self._settle(bucket, in_flight[1], in_flight[0].result(), in_flight[2])
        return added

    def _call_add(self, bucket: Bucket, chunk: list[tuple[str, bytes]], expected: str, version: str) -> Any:
        keys = [self.keys.meta, self.keys.models, self.keys.data(bucket.name), self.keys.order(bucket.name)]
        uids = [uid for uid, _ in chunk]
        pairs = [item for pair in chunk for item in pair]
        field = version_field(bucket.name)
        args = [
            bucket.name,
            FORMAT,
            len(chunk),
            field,
            expected,
            version,
            version + "-checked",
            *uids,
            *pairs,
        ]
        return self.add_script(keys=keys, args=args)

    def _settle(self, bucket: Bucket, chunk: list[tuple[str, bytes]], result: Any, version: str) -> None:
        """Record a batch Redis accepted, or raise for the first id another writer added.

        Only a batch that found the version it expected leaves the bucket's version known: after
        an id-by-id check, other writers' additions are in Redis but not in this store.
        """
        now, taken = result
        if taken:
            bucket.version = ""
            uid = text(taken[0])
            raise ObjectAlreadyExists(
                f"Object {uid} already present in {self.keys.data(bucket.name)}: another writer added "
                "it after this store read it; refresh() the store and apply the change again",
                bucket.entries[uid],
            )
        bucket.version = version if text(now) == version else ""
        bucket.written.update(chunk)
        for uid, _ in chunk:
            del bucket.pending_add[uid]

    def _dump_held(self, bucket: Bucket, uid: str) -> bytes:
        obj = bucket.entries[uid]
        assert obj is not None  # added objects are always held
        return self.dump(obj, bucket.name, uid)

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
        for chunk in _sized_chunks(iter(changed.items())):
            mapping = dict(chunk)

            def queue(pipe: redis.client.Pipeline, mapping: dict[str, bytes] = mapping) -> None:
                pipe.hset(data_key, mapping=mapping)  # type: ignore[arg-type]

            self._versioned(bucket, queue)
            written.update(mapping)
        return True

    def refresh_ttl(self, model_names: set[str], ttl: int) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key in self.keys.all_keys(model_names):
            pipe.expire(key, ttl)
        pipe.execute()

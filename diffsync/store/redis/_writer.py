"""Writing a bucket's pending changes to Redis: one script, called once per batch.

Every write of a store, whether removals, additions or changes to stored objects, flushed or
written through, goes through `WRITE_SCRIPT`, one call per batch of at most `CHUNK` ids and
(unless one value is larger) `CHUNK_BYTES` of JSON, so no single call grows unbounded. Each
call is atomic and, before it writes anything:

- checks the store's epoch (`_generation`): if the data this store worked on is gone, nothing
  is written and the call reports the loss; the first write of a store creates the epoch;
- checks the meta's write count against the highest this store has seen there: a lower count
  means a failover or restart took Redis back to before writes this store made or read;
- checks the model's version (``ver:<model>`` in meta, replaced by every write with a value
  unique to that write): when someone else wrote to the model since this store last saw it,
  it compares the additions id by id and refuses the whole batch if one id is already in the
  hash with a different value, so nothing another writer added is silently overwritten.

Then it deletes the removed fields, sets the added and changed ones, appends the added ids to
the order list, records the new version and the hash's size (``n:<model>``), compacts the
order list once it is more than twice as long as the hash, and (with a ttl) sets the expiry of
every key of the store, so all of them live as long as the last write. The bucket's bookkeeping is updated
batch by batch after each call succeeds, and every call can be repeated, so a flush interrupted
by a lost connection is completed by the next one, and one interrupted by lost data raises.

A store spread over several slot groups (`_layout`) routes each id to its group and calls the
script once per group's batch, with the ids' insertion numbers as order scores. On a cluster
whose masters have replicas, each call is followed by ``WAIT`` on the node that ran it
(`_replication`), and the batch is recorded as written only once a replica holds it, so a
failover cannot take away what a flush reported written.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticSerializationError

from diffsync.exceptions import ObjectAlreadyExists, ObjectStoreException
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._client import Client
from diffsync.store.redis._generation import Generation
from diffsync.store.redis._keys import FORMAT, SHARDED_FORMAT
from diffsync.store.redis._layout import Layout
from diffsync.store.redis._replication import Replication
from diffsync.store.redis._replies import text
from diffsync.store.redis._sender import Reply, ScriptSender
from diffsync.store.redis._unchanged import assignment_count, known_count, known_counts
from diffsync.store.redis._values import EXCLUDE

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel

# Ids per script call (keeps Lua's unpack() well under its stack limit), and bytes of JSON per
# call (keeps each request far from Redis's query buffer limits).
CHUNK = 1000
CHUNK_BYTES = 8 * 1024 * 1024
# Held objects compared at a time by their assignment counts, when a flush looks for changes.
SCAN_CHUNK = 4096

# KEYS: meta, data, order, then the store's other keys (for the ttl).
# ARGV: 1 model name, 2 format, 3 epoch expected ('' when this store has seen none), 4 epoch to
# create, 5 version expected, 6 version to set if it matched, 7 version to set otherwise,
# 8 removals r, 9 additions a, 10 changes c, 11 ttl in seconds (0: none), 12 the lowest write
# count meta may hold, 13 '' when the order key is a LIST, 'z' when it is a ZSET scored by
# insertion number, then r ids, a id/JSON pairs, c id/JSON pairs (and, for a ZSET, the a
# additions' insertion numbers).
# Returns {'ok', epoch, version set, write count}, {'lost', epoch found or ''},
# {'rolledback', write count}, {'taken', ids} or {'format', the format meta holds}.
WRITE_SCRIPT = """
local format = redis.call('HGET', KEYS[1], 'format')
if format and format ~= ARGV[2] then return {'format', format} end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if ARGV[3] ~= '' then
  if epoch ~= ARGV[3] then return {'lost', epoch or ''} end
elseif not epoch then
  if redis.call('EXISTS', KEYS[2]) == 1 then return {'lost', ''} end
  epoch = ARGV[4]
end
local writes = tonumber(redis.call('HGET', KEYS[1], 'writes') or '0')
if writes < tonumber(ARGV[12]) then return {'rolledback', tostring(writes)} end
local r, a, c = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local o = 13
local zset = ARGV[13] ~= ''
local added = {}
for i = 1, a do added[i] = ARGV[o + r + 2 * i - 1] end
local field = 'ver:' .. ARGV[1]
local next_version = ARGV[6]
if (redis.call('HGET', KEYS[1], field) or '0') ~= ARGV[5] then
  next_version = ARGV[7]
  if a > 0 then
    local current = redis.call('HMGET', KEYS[2], unpack(added))
    local taken = {}
    for i = 1, a do
      if current[i] and current[i] ~= ARGV[o + r + 2 * i] then taken[#taken + 1] = added[i] end
    end
    if #taken > 0 then return {'taken', taken} end
  end
end
if r > 0 then
  redis.call('HDEL', KEYS[2], unpack(ARGV, o + 1, o + r))
  if zset then redis.call('ZREM', KEYS[3], unpack(ARGV, o + 1, o + r)) end
end
if a + c > 0 then redis.call('HSET', KEYS[2], unpack(ARGV, o + r + 1, o + r + 2 * (a + c))) end
if a > 0 then
  if zset then
    local s = o + r + 2 * (a + c)
    local scored = {}
    for i = 1, a do scored[2 * i - 1] = ARGV[s + i]; scored[2 * i] = added[i] end
    redis.call('ZADD', KEYS[3], unpack(scored))
  else
    redis.call('RPUSH', KEYS[3], unpack(added))
  end
end
local size = redis.call('HLEN', KEYS[2])
redis.call('HSET', KEYS[1], 'format', ARGV[2], 'epoch', epoch, field, next_version, 'n:' .. ARGV[1], size)
writes = redis.call('HINCRBY', KEYS[1], 'writes', 1)
if not zset and redis.call('LLEN', KEYS[3]) > 2 * size + 1000 then
  local items = redis.call('LRANGE', KEYS[3], 0, -1)
  local last = {}
  for i, uid in ipairs(items) do last[uid] = i end
  local keep = {}
  for i, uid in ipairs(items) do
    if last[uid] == i and redis.call('HEXISTS', KEYS[2], uid) == 1 then keep[#keep + 1] = uid end
  end
  redis.call('DEL', KEYS[3])
  for s = 1, #keep, 1000 do
    redis.call('RPUSH', KEYS[3], unpack(keep, s, math.min(s + 999, #keep)))
  end
end
local ttl = tonumber(ARGV[11])
if ttl > 0 then
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
end
return {'ok', epoch, next_version, writes}
"""

Dump = Callable[["DiffSyncModel", str, str], bytes]


@dataclass
class Batch:
    """What one script call writes (to one slot group)."""

    removals: list[str] = field(default_factory=list)
    additions: list[tuple[str, bytes]] = field(default_factory=list)
    changes: list[tuple[str, bytes]] = field(default_factory=list)
    # Insertion numbers of the additions (a store of several slot groups only).
    scores: list[int] = field(default_factory=list)
    # The objects of `additions`, in order, when the batch is a whole chunk of them.
    held: list[DiffSyncModel] | None = None
    count: int = 0
    size: int = 0


class BucketWriter:
    """Writes buckets of one store; `dump(obj, model_name, uid)` serialises one object."""

    def __init__(
        self,
        client: Client,
        layout: Layout,
        generation: Generation,
        dump: Dump,
        ttl: int | None,
        direct_json: bool = True,
        replication: Replication | None = None,
        label: str = "",
    ) -> None:
        self.client = client
        self.layout = layout
        self.keys = layout.groups[0]
        self.generation = generation
        # dump(obj, model_name, uid) serialises one object, or raises saying why it cannot;
        # direct_json: pydantic's plain JSON of the model is what dump returns (no codec).
        self.dump = dump
        self.direct_json = direct_json
        self.ttl = ttl
        self.replication = replication
        self.label = label
        self.script = client.register_script(WRITE_SCRIPT)
        self._writer_id = uuid.uuid4().hex
        self._writes = 0

    def write(
        self, bucket: Bucket, changed: Iterable[str] | None = None, other_models: Iterable[str] = ()
    ) -> bool:
        """Write what is pending in `bucket`; True if anything was sent.

        Changes to stored objects are found by serialising every held object and comparing
        with what Redis holds, unless `changed` names the only ids that may have changed. With
        a ttl, the keys of `other_models` get it too.
        """
        self.layout.settle(self.client)
        if self.layout.sharded:
            return self._write_groups(bucket, changed, other_models)
        keys = [self.keys.meta, self.keys.data(bucket.name), self.keys.order(bucket.name)]
        if self.ttl:
            keys += [key for key in self.keys.all_keys(set(other_models) - {bucket.name}) if key not in keys]
        sender = ScriptSender.for_client(self.client, self.script)
        if sender is None:
            wrote = False
            for batch in self._batches(bucket, changed):
                self._settle(bucket, batch, self._call(bucket, batch, keys, 0), 0)
                wrote = True
            return wrote
        # Each batch is serialised (by the generator) while Redis runs the one sent before it.
        sent: tuple[Batch, str, Reply] | None = None
        with sender:
            for batch in self._batches(bucket, changed):
                if sent is not None:
                    self._settle_reply(bucket, sent, keys)
                version = self._next_version()
                sent = (batch, version, sender.send(keys, self._args(bucket, batch, keys, 0, version)))
            if sent is not None:
                self._settle_reply(bucket, sent, keys)
        return sent is not None

    def _settle_reply(self, bucket: Bucket, sent: tuple[Batch, str, Reply], keys: list[str]) -> None:
        batch, version, reply = sent
        result = reply()
        if self.replication is not None and text(result[0]) == "ok":
            self.replication.confirm(keys[0])
        self._settle(bucket, batch, (result, version), 0)

    def _write_groups(
        self, bucket: Bucket, changed: Iterable[str] | None, other_models: Iterable[str]
    ) -> bool:
        """`write` for a store of several slot groups: each id's batch goes to its group."""
        layout = self.layout
        added = list(bucket.pending_add)
        number = bucket.numbers
        # Root and groups are checked (and on the first write initialised) before the first
        # batch is sent: up front when there are additions to number, else when one is due.
        prepared = False

        def prepare() -> None:
            nonlocal prepared
            layout.initialise(self.client, self.generation, self.ttl, self.label)
            unnumbered = [uid for uid in added if uid not in number]
            first = layout.allocate(self.client, self.generation, len(unnumbered))
            number.update((uid, first + index) for index, uid in enumerate(unnumbered))
            layout.verify(self.client, self.generation)
            prepared = True

        if added:
            prepare()
        group_keys = [
            [group.meta, group.data(bucket.name), group.order(bucket.name)]
            + ([key for key in group.all_keys(set(other_models) - {bucket.name})] if self.ttl else [])
            for group in layout.groups
        ]
        batches = [Batch() for _ in layout.groups]
        wrote = False

        def send(index: int) -> None:
            if not prepared:
                prepare()
            batch = batches[index]
            batches[index] = Batch()
            self._settle(bucket, batch, self._call(bucket, batch, group_keys[index], index), index)

        group_of = layout.group_of
        for uid in sorted(bucket.pending_remove):
            index = group_of(uid)
            batch = batches[index]
            if batch.count == CHUNK:
                send(index)
                batch = batches[index]
                wrote = True
            batch.removals.append(uid)
            batch.count += 1
        for adding, items in (
            (True, chain.from_iterable(chunk for chunk, _ in self._json_chunks(bucket, added))),
            (False, self._changes(bucket, set(added), changed)),
        ):
            for uid, value in items:
                index = group_of(uid)
                batch = batches[index]
                if batch.count and (batch.count == CHUNK or batch.size + len(value) > CHUNK_BYTES):
                    send(index)
                    batch = batches[index]
                    wrote = True
                if adding:
                    batch.additions.append((uid, value))
                    batch.scores.append(number[uid])
                else:
                    batch.changes.append((uid, value))
                batch.count += 1
                batch.size += len(value)
        for index, batch in enumerate(batches):
            if batch.count:
                send(index)
                wrote = True
        if wrote and self.ttl:
            self._expire_everything(other_models)
        return wrote

    def _expire_everything(self, other_models: Iterable[str]) -> None:
        """Give every key of every group, and the root, the ttl (a write set it on its group only)."""
        assert self.ttl
        names = set(other_models)
        pipe = self.client.pipeline(transaction=False)
        pipe.expire(self.layout.root.meta, self.ttl)
        for group in self.layout.groups:
            for key in group.all_keys(names):
                pipe.expire(key, self.ttl)
        pipe.execute()

    def _batches(self, bucket: Bucket, changed: Iterable[str] | None) -> Iterator[Batch]:
        """Removals, then additions, then changes, cut into batches as they are serialised."""
        batch, count, size = Batch(), 0, 0
        for uid in sorted(bucket.pending_remove):
            if count == CHUNK:
                yield batch
                batch, count, size = Batch(), 0, 0
            batch.removals.append(uid)
            count += 1
        added = list(bucket.pending_add)
        sources: list[tuple[bool, Iterable[tuple[list[tuple[str, bytes]], list[DiffSyncModel] | None]]]] = [
            (True, self._json_chunks(bucket, added))
        ]
        # Every added id is held, so when all held objects are additions (a load's first
        # flush) there is nothing else to look at for in-place changes.
        if changed is not None or len(added) != len(bucket.entries):
            changes = self._changes(bucket, set(added), changed)
            sources.append((False, (([item], None) for item in changes)))
        for adding, chunks in sources:
            for chunk, objects in chunks:
                whole = adding and not count and len(chunk) == CHUNK
                if whole and sum(map(len, map(itemgetter(1), chunk))) <= CHUNK_BYTES:
                    # A whole chunk of a load: one batch as it is.
                    yield Batch(additions=chunk, held=objects, count=CHUNK)
                    continue
                for item in chunk:
                    length = len(item[1])
                    if count and (count == CHUNK or size + length > CHUNK_BYTES):
                        yield batch
                        batch, count, size = Batch(), 0, 0
                    (batch.additions if adding else batch.changes).append(item)
                    count += 1
                    size += length
        if count:
            yield batch

    def _json_chunks(
        self, bucket: Bucket, uids: list[str]
    ) -> Iterator[tuple[list[tuple[str, bytes]], list[DiffSyncModel]]]:
        """(uid, JSON) of the held objects `uids` names, and the objects, `CHUNK` at a time.

        A load's flush serialises every object it added, so the common case, objects of one
        model class with pydantic's own JSON, is one list comprehension per chunk; anything else
        (a codec, a value JSON cannot encode, which `dump` then reports) goes through `dump`.
        """
        entries, name = bucket.entries, bucket.name
        for start in range(0, len(uids), CHUNK):
            chunk = uids[start : start + CHUNK]
            objects = [entries[uid] for uid in chunk]
            classes = set(map(type, objects))
            if self.direct_json and len(classes) == 1:
                to_json = objects[0].__pydantic_serializer__.to_json  # type: ignore[union-attr]
                try:
                    values = [to_json(obj, exclude=EXCLUDE) for obj in objects]
                except PydanticSerializationError:
                    pass  # `dump` below names the object and the field
                else:
                    yield list(zip(chunk, values, strict=True)), objects  # type: ignore[misc]
                    continue
            values = [self._json(obj, name, uid) for uid, obj in zip(chunk, objects, strict=True)]  # type: ignore[arg-type]
            yield list(zip(chunk, values, strict=True)), objects  # type: ignore[misc]

    def _changes(
        self, bucket: Bucket, added: set[str], changed: Iterable[str] | None
    ) -> Iterator[tuple[str, bytes]]:
        """Held objects (other than `added`) whose JSON differs from what Redis holds.

        Every flush runs this over every object handed out, and mostly finds nothing: objects
        known by their assignment count (`_unchanged`) are compared a chunk at a time, and
        only the others, and the chunks where a count moved, are looked at one by one.
        """
        written = bucket.written
        entries = bucket.entries
        uncounted: set[type] = set()  # classes seen here whose objects must be compared by JSON
        for uids, objects in self._held_chunks(entries, added, changed):
            olds = list(map(written.get, uids))
            try:
                current: list[int] | None = list(map(assignment_count, objects))
            except AttributeError:  # an unread object (None) in the chunk: look at each
                current = None
            else:
                if current == olds:
                    continue  # the common case: nothing in this chunk was assigned
            for index, uid in enumerate(uids):
                obj = objects[index]
                if obj is None or uid in added:
                    continue
                old = olds[index]
                if type(old) is int:
                    if (current[index] if current is not None else assignment_count(obj)) == old:
                        continue
                    yield uid, self._json(obj, bucket.name, uid)  # assigned since written
                    continue
                value = self._json(obj, bucket.name, uid)
                if value != old:
                    yield uid, value
                elif type(obj) not in uncounted:
                    known = known_count(obj)
                    if known is None:
                        uncounted.add(type(obj))
                    else:
                        written[uid] = known  # checked equal: tell by its count from now on

    @staticmethod
    def _held_chunks(
        entries: dict[str, DiffSyncModel | None], added: set[str], changed: Iterable[str] | None
    ) -> Iterator[tuple[list[str], list[DiffSyncModel | None]]]:
        """The held objects to look at for changes, as (ids, objects) chunks of `SCAN_CHUNK`."""
        if changed is not None:
            uids = [uid for uid in changed if uid not in added and uid in entries]
            for start in range(0, len(uids), SCAN_CHUNK):
                chunk = uids[start : start + SCAN_CHUNK]
                yield chunk, list(map(entries.__getitem__, chunk))
            return
        ids, objects = iter(entries), iter(entries.values())
        while uids := list(islice(ids, SCAN_CHUNK)):
            yield uids, list(islice(objects, SCAN_CHUNK))

    def _json(self, obj: DiffSyncModel, model_name: str, uid: str) -> bytes:
        """The JSON of one object (see `_json_chunks` for a write's additions)."""
        if self.direct_json:
            try:
                value: bytes = type(obj).__pydantic_serializer__.to_json(obj, exclude=EXCLUDE)
                return value
            except PydanticSerializationError:
                pass
        return self.dump(obj, model_name, uid)  # a codec's, or raises naming the field

    def _next_version(self) -> str:
        """A version no other writer (and no earlier write of ours) ever sets."""
        self._writes += 1
        return f"{self._writer_id}-{self._writes}"

    def _call(self, bucket: Bucket, batch: Batch, keys: list[str], group: int) -> tuple[Any, str]:
        version = self._next_version()
        result = self.script(keys=keys, args=self._args(bucket, batch, keys, group, version))
        if self.replication is not None and text(result[0]) == "ok":
            self.replication.confirm(keys[0])
        return result, version

    def _args(self, bucket: Bucket, batch: Batch, keys: list[str], group: int, version: str) -> list[Any]:
        """The script's arguments for `batch` (see `WRITE_SCRIPT`), setting `version` on success."""
        args: list[Any] = [
            bucket.name,
            SHARDED_FORMAT if self.layout.sharded else FORMAT,
            self.generation.epoch or "",
            self.generation.new_epoch(),
            bucket.version_of(group),
            version,
            version + "-checked",
            len(batch.removals),
            len(batch.additions),
            len(batch.changes),
            self.ttl or 0,
            self.generation.floor(keys[0]),
            "z" if self.layout.sharded else "",
            *batch.removals,
        ]
        args.extend(chain.from_iterable(batch.additions))
        args.extend(chain.from_iterable(batch.changes))
        if self.layout.sharded:
            args += batch.scores
        return args

    def _settle(self, bucket: Bucket, batch: Batch, outcome: tuple[Any, str], group: int) -> None:
        """Record a batch Redis accepted, or raise for lost data or another writer's addition.

        Only a batch that found the version it expected leaves the bucket's version known: after
        an id-by-id check, other writers' additions are in Redis but not in this store.
        """
        result, version = outcome
        status = text(result[0])
        meta = self.layout.groups[group].meta
        if status == "lost":
            if self.generation.epoch is None:
                raise self.generation.meta_missing(self.layout.groups[group].data(bucket.name))
            raise self.generation.lost(text(result[1]) or None)
        if status == "format":
            raise ObjectStoreException(
                f"{self.label}: {meta} holds format {text(result[1])!r}, not the one this store writes: "
                "another process created the store with another layout (shards) since this store was "
                "built; build a new RedisStore to work on it"
            )
        if status == "rolledback":
            raise self.generation.rolled_back(meta, int(text(result[1])), self.generation.floor(meta))
        if status == "taken":
            bucket.set_version(group, "")
            uid = text(result[1][0])
            raise ObjectAlreadyExists(
                f"Object {uid} already present in {self.layout.groups[group].data(bucket.name)}: another "
                "writer added it after this store read it; refresh() the store and apply the change again",
                bucket.entries[uid],
            )
        self.generation.epoch = text(result[1])
        self.generation.observe_writes(meta, int(result[3]))
        self.layout.undecided = False  # this store's own data now fixes the layout
        bucket.set_version(group, version if text(result[2]) == version else "")
        written = bucket.written
        for uid in batch.removals:
            written.pop(uid, None)
            bucket.pending_remove.discard(uid)
        if batch.additions:
            added = self._record(bucket, batch.additions, batch.held)
            deque(map(bucket.pending_add.pop, added), maxlen=0)
            if bucket.numbers:
                numbers = bucket.numbers
                for uid in added:
                    numbers.pop(uid, None)
            if not bucket.pending_add:
                # A dict keeps the table of its largest size: after a load's flush, that of every id.
                bucket.pending_add = {}
        if batch.removals and not bucket.pending_remove:
            bucket.pending_remove = set()
        if batch.changes:
            self._record(bucket, batch.changes)

    @staticmethod
    def _record(
        bucket: Bucket, items: list[tuple[str, bytes]], held: list[DiffSyncModel] | None = None
    ) -> list[str]:
        """Record what Redis now holds for `items`: each object's count where it can stand for its JSON.

        Returns the ids of `items`, which the caller needs too."""
        uids = list(map(itemgetter(0), items))
        entries, written = bucket.entries, bucket.written
        if held is None:
            held = [entries[uid] for uid in uids]  # type: ignore[misc]  # held, not None
        known = known_counts(held)
        if None not in known:
            written.update(zip(uids, known, strict=True))  # type: ignore[arg-type]  # no None
            return uids
        written.update(items)
        written.update((uid, count) for uid, count in zip(uids, known, strict=True) if count is not None)
        return uids

"""Where a store's keys live: one slot group, or several spread over a cluster's nodes.

A store of ``shards=1`` (the default) is one slot group: every key under one hash tag, so one
node of a cluster holds it and each script or transaction touches one slot. A store of
``shards=N`` keeps its objects in N slot groups (`_keys.shard_tags`), each an independent
one-slot store of the same layout with its own meta, and a root meta under the store's own
hash tag that records the group count, the store's epoch and an insertion counter. An object
lives in group ``crc32(unique id) % N``, so a model's objects spread over every group.

Guarantees per group are those of a one-slot store (every write is one atomic script that
checks the group's epoch and write count). Across groups, two more rules keep the store whole:

- **One epoch for all groups.** The first write initialises the root (epoch, count), then every
  group's meta with the same epoch, then marks the root ``ready``; data is written only after.
  From then on, a group whose epoch is missing or different has lost its data (its node
  restarted or failed over without it): `StoreDataLost`, as for a one-slot store. The root is
  checked on every flush (and read when a store is built), so losing the root's node is
  seen too. Every flush also checks every group's epoch and write count (one pipelined read),
  so a flush that writes to healthy groups still sees that another group lost its data.
- **One insertion order.** Every flush takes a range of numbers from the root's ``seq``
  counter (HINCRBY) and scores each added id in its group's order ZSET with its number;
  reading merges the groups by score, which is the order of insertion across processes.
"""

from __future__ import annotations

from zlib import crc32

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis._client import Client
from diffsync.store.redis._connect import RootState
from diffsync.store.redis._generation import Generation
from diffsync.store.redis._keys import (
    EPOCH_FIELD,
    FORMAT_FIELD,
    READY_FIELD,
    SEQ_FIELD,
    SHARDED_FORMAT,
    SHARDS_FIELD,
    WRITES_FIELD,
    StoreKeys,
    shard_tags,
)
from diffsync.store.redis._replies import text

# KEYS: root meta. ARGV: format, epoch to create, group count, ttl (0: none).
# Returns {epoch, group count, ready ('' or '1')} as the root holds them after the call.
ROOT_INIT_SCRIPT = """
local f = redis.call('HMGET', KEYS[1], 'epoch', 'shards', 'ready')
if not f[1] then
  if redis.call('EXISTS', KEYS[1]) == 1 then return {'', '', 'meta'} end
  redis.call('HSET', KEYS[1], 'format', ARGV[1], 'epoch', ARGV[2], 'shards', ARGV[3])
  if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
  return {ARGV[2], ARGV[3], ''}
end
return {f[1], f[2] or '', f[3] or ''}
"""

# KEYS: a group's meta. ARGV: format, the store's epoch, ttl. Returns the epoch the group holds.
GROUP_INIT_SCRIPT = """
local e = redis.call('HGET', KEYS[1], 'epoch')
if e then return e end
if redis.call('EXISTS', KEYS[1]) == 1 then return '' end
redis.call('HSET', KEYS[1], 'format', ARGV[1], 'epoch', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return ARGV[2]
"""


class Layout:
    """The slot groups of one store, and the protocol that keeps several of them one store."""

    def __init__(self, store_id: str, shards: int) -> None:
        self.store_id = store_id
        self.root = StoreKeys(store_id)
        self._spread(shards)
        # True once this instance saw (or made) a root marked ready: every group then has an epoch.
        self.ready = False
        # True while the group count is the default of a store that held nothing when this
        # instance was built: another process may still create it spread (`settle`).
        self.undecided = False

    def _spread(self, shards: int) -> None:
        self.sharded = shards > 1
        self.groups = (
            [StoreKeys(self.store_id, tag) for tag in shard_tags(self.store_id, shards)]
            if self.sharded
            else [self.root]
        )
        self.count = len(self.groups)

    def settle(self, client: Client) -> None:
        """For an undecided layout: adopt the group count another process has since recorded.

        One HGET of the root per read or write until the store holds data; nothing after.
        """
        if not self.undecided:
            return
        found = client.hget(self.root.meta, FORMAT_FIELD)
        if found is None:
            return
        self.undecided = False
        if text(found) == SHARDED_FORMAT:
            shards = client.hget(self.root.meta, SHARDS_FIELD)
            if shards is not None and text(shards).isdigit():
                self._spread(int(text(shards)))
                self.ready = client.hget(self.root.meta, READY_FIELD) is not None

    def group_of(self, unique_id: str) -> int:
        """The index of the group an object lives in."""
        return crc32(unique_id.encode()) % self.count if self.sharded else 0

    def metas(self) -> list[str]:
        return [group.meta for group in self.groups]

    # -- the sharded protocol ------------------------------------------------------------------

    def initialise(self, client: Client, generation: Generation, ttl: int | None, label: str) -> None:
        """Make sure root and groups carry the store's epoch (a no-op once ready)."""
        if self.ready and generation.epoch is not None:
            return
        found = client.register_script(ROOT_INIT_SCRIPT)(
            keys=[self.root.meta], args=[SHARDED_FORMAT, generation.new_epoch(), self.count, ttl or 0]
        )
        epoch, shards, ready = (text(part) for part in found)
        if ready == "meta":
            raise ObjectStoreException(
                f"{label}: {self.root.meta} exists without an epoch: the data was not written by this "
                "version of diffsync or is damaged; clear() the store (or delete_store) and load it again"
            )
        if shards != str(self.count):
            raise ObjectStoreException(
                f"{label}: {self.root.meta} says the store is spread over {shards} slot groups, "
                f"this store was built with shards={self.count}: pass shards={shards} (or omit it)"
            )
        if generation.epoch is not None and generation.epoch != epoch:
            raise generation.lost(epoch)
        if not ready:
            script = client.register_script(GROUP_INIT_SCRIPT)
            for group in self.groups:
                held = text(script(keys=[group.meta], args=[SHARDED_FORMAT, epoch, ttl or 0]))
                if held != epoch:
                    generation.epoch = epoch
                    raise generation.lost(held or None)
            client.hset(self.root.meta, READY_FIELD, "1")
        generation.epoch = epoch
        self.ready = True

    def allocate(self, client: Client, generation: Generation, how_many: int) -> int:
        """Check the root still holds the store's epoch; take `how_many` insertion numbers.

        Returns the first number of the range.
        """
        pipe = client.pipeline(transaction=True)
        pipe.hget(self.root.meta, EPOCH_FIELD)
        pipe.hincrby(self.root.meta, SEQ_FIELD, how_many)
        epoch, end = pipe.execute()
        if epoch is None or text(epoch) != generation.epoch:
            raise generation.lost(None if epoch is None else text(epoch))
        return int(end) - how_many

    def verify(self, client: Client, generation: Generation) -> None:
        """Check every group still holds the store's epoch and no fewer writes than seen.

        A flush writes to the groups its objects live in; this makes it see a group that lost
        its data (its node restarted empty) even when it writes nothing there, as a one-slot
        store's flush would. One pipelined HMGET per group.
        """
        pipe = client.pipeline(transaction=False)
        for group in self.groups:
            pipe.hmget(group.meta, [EPOCH_FIELD, WRITES_FIELD])
        for group, (epoch, writes) in zip(self.groups, pipe.execute(), strict=True):
            if epoch is None or text(epoch) != generation.epoch:
                raise generation.lost(None if epoch is None else text(epoch))
            generation.observe_writes(group.meta, int(text(writes)) if writes is not None else 0)

    def adopt(self, root: RootState) -> None:
        self.ready = root.ready


def layout_for(store_id: str, shards: int | None, root: RootState, label: str) -> Layout:
    """The layout of `store_id`: the one its root records, else `shards` (default 1)."""
    if shards is not None and (not isinstance(shards, int) or isinstance(shards, bool) or shards < 1):
        raise ValueError(f"shards must be a positive number of slot groups or None, got {shards!r}")
    if root.format == SHARDED_FORMAT:
        if shards is not None and shards != root.shards:
            raise ObjectStoreException(
                f"{label}: the store is spread over {root.shards} slot groups, not {shards}: pass "
                f"shards={root.shards} (or omit it), or clear() the store to change the count"
            )
        if root.shards is None or root.shards < 2:
            raise ObjectStoreException(
                f"{label}: {StoreKeys(store_id).meta} is the root of a store spread over slot groups but "
                "records no valid group count (field 'shards'): something other than diffsync wrote "
                "there; delete the store (diffsync.store.redis.delete_store) and load it again"
            )
        layout = Layout(store_id, root.shards)
    elif root.format is not None and (shards or 1) > 1:
        raise ObjectStoreException(
            f"{label}: the store holds data in one slot group; it cannot be read as shards={shards}: "
            "omit shards (or pass 1), or clear() the store and load it again with the new count"
        )
    else:
        layout = Layout(store_id, shards or 1)
    layout.undecided = shards is None and root.format is None
    layout.adopt(root)
    return layout

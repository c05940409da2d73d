"""Telling that Redis lost a store's data, instead of carrying on with what is left.

A Redis without persistence forgets everything when it restarts; keys can also expire, be
evicted under memory pressure, or be deleted by hand. Each of these leaves a store that looks
fine but holds less than what was written, and a later diff would read "objects missing" as
"objects to delete". So a store's data carries an epoch: a token its first write stores in the
meta hash (``meta.epoch``), atomically with the data, and that lives as long as the data does.

A store instance remembers the epoch it worked on (read at construction, on its first read,
or set by its first write) and every later read and write checks it, in the same transaction
or script as the read or write itself. An epoch that is gone, or replaced by another one,
means the data this instance read or wrote is no longer what Redis holds: `StoreDataLost`.

An epoch alone does not see a failover that lost the last writes: a replica promoted to master
holds the epoch, and the data as it was some writes ago (replication is asynchronous). So each
meta hash also counts the writes made to it (``writes``, incremented by every write script),
and an instance remembers the highest count it has seen per meta key (per slot group, so per
node of a cluster): a count lower than that means Redis went back in time, `StoreDataLost`.
"""

from __future__ import annotations

import uuid

from diffsync.exceptions import StoreDataLost

__all__ = ["Generation", "StoreDataLost"]

_WHAT_TO_DO = (
    "Load the data again: clear() this store (or use a new store_id), load, and flush. To keep "
    "it from happening, give Redis persistence (appendonly yes) and memory without eviction "
    "(maxmemory-policy noeviction), and a ttl longer than the job."
)


class Generation:
    """The epoch one store instance works on, and the checks of what Redis reports."""

    def __init__(self, store_label: str, meta_key: str, expected: str | None = None) -> None:
        self.store_label = store_label
        self.meta_key = meta_key
        # None: this instance has seen no data yet, so it adopts the first epoch it meets.
        self.epoch = expected
        # Per meta key: the highest write count this instance has seen there.
        self.floors: dict[str, int] = {}

    def floor(self, meta_key: str) -> int:
        return self.floors.get(meta_key, 0)

    def observe_writes(self, meta_key: str, writes: int) -> None:
        """Check a write count read from `meta_key` against the highest seen there, and raise it."""
        seen = self.floors.get(meta_key, 0)
        if writes < seen:
            raise self.rolled_back(meta_key, writes, seen)
        self.floors[meta_key] = writes

    def start_over(self) -> None:
        """Forget the epoch and the write counts (after the store deleted its own data)."""
        self.epoch = None
        self.floors = {}

    def rolled_back(self, meta_key: str, found: int, seen: int) -> StoreDataLost:
        return StoreDataLost(
            f"{self.store_label}: Redis lost writes to this store: {meta_key} counts {found} writes, "
            f"this store had seen {seen} (a replica without the last writes took over from a failed "
            f"master, or the node restarted from an older snapshot). {_WHAT_TO_DO}"
        )

    @staticmethod
    def new_epoch() -> str:
        """A token no other store's first write uses."""
        return uuid.uuid4().hex

    def observe(self, found: str | None, holds_data: bool, where: str) -> None:
        """Check the epoch a read found (None: meta has none) beside data found at `where`."""
        if self.epoch is None:
            if found is not None:
                self.epoch = found
            elif holds_data:
                raise self.meta_missing(where)
            return
        if found != self.epoch:
            raise self.lost(found)

    def lost(self, found: str | None) -> StoreDataLost:
        if found is None:
            return StoreDataLost(
                f"{self.store_label}: Redis lost this store's data: {self.meta_key} no longer holds "
                f"epoch {self.epoch} (the server restarted without persistence, was flushed, or the "
                "keys expired, were evicted or were deleted). What this store read or wrote before "
                f"is gone, so nothing more is written to it. {_WHAT_TO_DO}"
            )
        return StoreDataLost(
            f"{self.store_label}: the data in Redis is not the data this store worked on: "
            f"{self.meta_key} holds epoch {found}, this store worked on epoch {self.epoch} (another "
            "process cleared the store and wrote it again, or Redis lost it and it was written "
            "again). Build a new RedisStore to work on the current data, or load it again."
        )

    def meta_missing(self, where: str) -> StoreDataLost:
        return StoreDataLost(
            f"{self.store_label}: {where} holds objects but {self.meta_key} holds no epoch: the "
            "meta key was deleted, expired or evicted, so what else is missing cannot be told. " + _WHAT_TO_DO
        )

    def miscounted(self, data_key: str, held: int, recorded: int) -> StoreDataLost:
        return StoreDataLost(
            f"{self.store_label}: {data_key} holds {held} objects but {self.meta_key} records "
            f"{recorded}: keys or fields were lost (expired, evicted) or changed outside diffsync. "
            + _WHAT_TO_DO
        )

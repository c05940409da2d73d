"""Reading a store from Redis: a model whole, the model names, object counts.

Each read is one transaction that also reads the store's epoch and the size the meta hash
records for the model, so the data read is a consistent snapshot and is checked, in the same
round trip, against lost data (`_generation`) and against keys changed outside diffsync.
A store of several slot groups (`_layout`) is read group by group, one transaction each, and
every group is checked the same way; a model's objects are put back in insertion order by
their scores in the groups' order ZSETs.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._client import Client
from diffsync.store.redis._failures import CLEAR_HINT, reported
from diffsync.store.redis._generation import Generation
from diffsync.store.redis._keys import (
    COUNT_PREFIX,
    EPOCH_FIELD,
    WRITES_FIELD,
    StoreKeys,
    count_field,
    version_field,
)
from diffsync.store.redis._layout import Layout
from diffsync.store.redis._replies import raw, text


class StoreReader:
    """Reads one store's keys for a `RedisStore` (named `store_label` in errors)."""

    def __init__(self, client: Client, layout: Layout, generation: Generation, store_label: str) -> None:
        self.client = client
        self.layout = layout
        self.keys = layout.groups[0]
        self.generation = generation
        self.store_label = store_label

    def read_bucket(self, bucket: Bucket) -> None:
        """Fill `bucket` with its model's order, values and version, one MULTI per slot group."""
        self._settle()
        name = bucket.name
        sharded = self.layout.sharded
        order: list[str] = []
        scored: list[tuple[str, float]] = []
        values: dict[str, bytes | int] = {}
        versions: list[str] = []
        for keys in self.layout.groups:
            data_key = keys.data(name)
            with reported(self.store_label, self.client, "reading", data_key, self._types(keys, [name])):
                pipe = self.client.pipeline(transaction=True)
                if sharded:
                    pipe.zrange(keys.order(name), 0, -1, withscores=True)
                else:
                    pipe.lrange(keys.order(name), 0, -1)
                pipe.hgetall(data_key)
                for field in (EPOCH_FIELD, version_field(name), count_field(name), WRITES_FIELD):
                    pipe.hget(keys.meta, field)
                listed, held, epoch, version, recorded, writes = pipe.execute()
            self._check(keys.meta, data_key, epoch, held=len(held), recorded=recorded, writes=writes)
            if sharded:
                scored += [(text(uid), score) for uid, score in listed]
            else:
                order = [text(uid) for uid in listed]
            values.update((text(uid), raw(value)) for uid, value in held.items())
            versions.append(text(version) if version is not None else "0")
        if sharded:
            scored.sort(key=itemgetter(1))
            order = [uid for uid, _ in scored]
        bucket.fill(order, values, versions)

    def model_names(self) -> set[str]:
        """The models the store records (``n:<model>`` fields of each group's meta)."""
        self._settle()
        names: set[str] = set()
        for keys in self.layout.groups:
            meta = keys.meta
            with reported(self.store_label, self.client, "reading the model names in", meta, {meta: "hash"}):
                fields = {text(field): value for field, value in self.client.hgetall(meta).items()}
            epoch = fields.get(EPOCH_FIELD)
            self._observe(meta, None if epoch is None else text(epoch), False, meta, fields.get(WRITES_FIELD))
            names.update(field[len(COUNT_PREFIX) :] for field in fields if field.startswith(COUNT_PREFIX))
        return names

    def count(self, model_names: Iterable[str]) -> int:
        """Objects of these models, by ``HLEN`` (checked against what meta records)."""
        self._settle()
        names = list(model_names)
        total = 0
        for keys in self.layout.groups:
            first = keys.data(names[0]) if names else keys.meta
            with reported(self.store_label, self.client, "count of", first, self._types(keys, names)):
                pipe = self.client.pipeline(transaction=True)
                pipe.hget(keys.meta, EPOCH_FIELD)
                pipe.hget(keys.meta, WRITES_FIELD)
                for name in names:
                    pipe.hlen(keys.data(name))
                    pipe.hget(keys.meta, count_field(name))
                epoch, writes, *replies = pipe.execute()
            for index, name in enumerate(names):
                held = replies[2 * index]
                self._check(
                    keys.meta,
                    keys.data(name),
                    epoch,
                    held=held,
                    recorded=replies[2 * index + 1],
                    writes=writes,
                )
                total += held
            if not names:
                self._check(keys.meta, keys.meta, epoch, held=0, recorded=None, writes=writes)
        return total

    def _settle(self) -> None:
        """`Layout.settle`, with a failure reported like any other read of the root."""
        meta = self.layout.root.meta
        with reported(self.store_label, self.client, "reading", meta, {meta: "hash"}):
            self.layout.settle(self.client)

    def _types(self, keys: StoreKeys, names: list[str]) -> dict[str, str]:
        return keys.expected_types(names)

    def _check(self, meta: str, data_key: str, epoch: Any, held: int, recorded: Any, writes: Any) -> None:
        self._observe(meta, None if epoch is None else text(epoch), held > 0, data_key, writes)
        expected = self._recorded_count(recorded)
        if held != expected:
            raise self.generation.miscounted(data_key, held, expected)

    def _observe(self, meta: str, epoch: str | None, holds_data: bool, where: str, writes: Any) -> None:
        """Check a group's epoch and write count (a group of a store not yet ready may have none)."""
        layout = self.layout
        if layout.sharded and epoch is None and not holds_data and not layout.ready:
            return
        self.generation.observe(epoch, holds_data, where)
        self.generation.observe_writes(meta, 0 if writes is None else int(text(writes)))

    def _recorded_count(self, recorded: Any) -> int:
        if recorded is None:
            return 0
        try:
            return int(text(recorded))
        except ValueError:
            raise ObjectStoreException(
                f"{self.store_label}: {self.keys.meta} records {text(recorded)!r} as a model's size, not "
                f"a number: something other than diffsync wrote there; {CLEAR_HINT}"
            ) from None

"""Reading a store from Redis: a model whole, the model names, object counts.

Each read is one transaction that also reads the store's epoch and the size the meta hash
records for the model, so the data read is a consistent snapshot and is checked, in the same
round trip, against lost data (`_generation`) and against keys changed outside diffsync.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import redis

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis._bucket import Bucket
from diffsync.store.redis._failures import CLEAR_HINT, reported
from diffsync.store.redis._generation import Generation
from diffsync.store.redis._keys import COUNT_PREFIX, EPOCH_FIELD, StoreKeys, count_field, version_field
from diffsync.store.redis._replies import raw, text


class StoreReader:
    """Reads one store's keys for a `RedisStore` (named `store_label` in errors)."""

    def __init__(
        self, client: redis.Redis, keys: StoreKeys, generation: Generation, store_label: str
    ) -> None:
        self.client = client
        self.keys = keys
        self.generation = generation
        self.store_label = store_label

    def read_bucket(self, bucket: Bucket) -> None:
        """Fill `bucket` with its model's order, values and version, read in one MULTI."""
        name, keys = bucket.name, self.keys
        data_key = keys.data(name)
        with reported(self.store_label, self.client, "reading", data_key, keys.expected_types([name])):
            pipe = self.client.pipeline(transaction=True)
            pipe.lrange(keys.order(name), 0, -1)
            pipe.hgetall(data_key)
            pipe.hget(keys.meta, EPOCH_FIELD)
            pipe.hget(keys.meta, version_field(name))
            pipe.hget(keys.meta, count_field(name))
            order, values, epoch, version, recorded = pipe.execute()
        self._check(data_key, epoch, held=len(values), recorded=recorded)
        bucket.fill(
            [text(uid) for uid in order],
            {text(uid): raw(value) for uid, value in values.items()},
            text(version) if version is not None else "0",
        )

    def model_names(self) -> set[str]:
        """The models the store records (``n:<model>`` fields of meta), read in one command."""
        meta = self.keys.meta
        with reported(self.store_label, self.client, "reading the model names in", meta, {meta: "hash"}):
            fields = {text(field): value for field, value in self.client.hgetall(meta).items()}
        epoch = fields.get(EPOCH_FIELD)
        self.generation.observe(None if epoch is None else text(epoch), False, meta)
        return {field[len(COUNT_PREFIX) :] for field in fields if field.startswith(COUNT_PREFIX)}

    def count(self, model_names: Iterable[str]) -> int:
        """Objects of these models, by ``HLEN`` (checked against what meta records)."""
        names = list(model_names)
        keys = self.keys
        first = keys.data(names[0]) if names else keys.meta
        with reported(self.store_label, self.client, "count of", first, keys.expected_types(names)):
            pipe = self.client.pipeline(transaction=True)
            pipe.hget(keys.meta, EPOCH_FIELD)
            for name in names:
                pipe.hlen(keys.data(name))
                pipe.hget(keys.meta, count_field(name))
            epoch, *replies = pipe.execute()
        total = 0
        for index, name in enumerate(names):
            held = replies[2 * index]
            self._check(keys.data(name), epoch, held=held, recorded=replies[2 * index + 1])
            total += held
        return total

    def _check(self, data_key: str, epoch: Any, held: int, recorded: Any) -> None:
        self.generation.observe(None if epoch is None else text(epoch), held > 0, data_key)
        expected = self._recorded_count(recorded)
        if held != expected:
            raise self.generation.miscounted(data_key, held, expected)

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

"""The Redis key layout of one store, derived from its `store_id`.

Every key of a store starts with ``diffsync:{<escaped store_id>}:``. The braces are a Redis
Cluster hash tag, so all keys of one store live in one slot and multi-key commands and scripts
stay legal on a cluster. The store_id (and each model name) is percent-encoded, leaving only
``A-Z a-z 0-9 _ . - ~`` and ``%XX``: an id can then never contain a brace (which would move the
hash tag), a colon (which would let ``a:b`` and ``a`` + ``:b`` collide), or a glob character
(which would let a pattern built from it match other stores).

Three kinds of key:

- ``meta`` (HASH): ``format``; ``epoch``, a token written with the store's first data and kept
  for as long as the data lives, so a store can tell its data was lost (`_generation`); and per
  model name ``ver:<model>`` (a value every write to the model replaces) and ``n:<model>`` (how
  many objects the model's data hash holds). The ``n:`` fields are the store's list of models.
- ``data:<model>`` (HASH): unique id -> JSON of the model.
- ``order:<model>`` (LIST): unique ids in insertion order.

Data of the previous format, ``diffsync-redis/1``, listed its models in a SET ``models``
instead of the ``n:`` fields; it is named here only so such a store can still be deleted.

A store spread over several slots (``RedisStore(shards=N)``, format ``diffsync-redis/2+shards``)
keeps only its root meta under ``diffsync:{<id>}:meta`` (format, epoch, ``shards``, ``ready``
and the insertion counter ``seq``), and its objects in N slot groups, each with the keys above
(its own meta, and per model a data hash and an order ZSET scored by insertion number) under
``diffsync:{<id>/<k>.<n>}:``. ``/`` never occurs in an escaped id, so no other store's keys can
look like a group's; ``<n>`` is the first number that puts group k's hash tag in the k-th
N-th of the 16384 slots (`shard_tags`), so on a cluster whose masters own equal slot ranges
(what ``redis-cli --cluster create`` makes) N groups land on N masters, or N/masters each.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot

# Written to the meta hash; a store refuses data written in another format.
FORMAT = "diffsync-redis/2"
# The root meta of a store spread over several slot groups, and the metas of its groups.
SHARDED_FORMAT = "diffsync-redis/2+shards"
SHARDS_FIELD = "shards"
READY_FIELD = "ready"
SEQ_FIELD = "seq"
WRITES_FIELD = "writes"

FORMAT_FIELD = "format"
EPOCH_FIELD = "epoch"
COUNT_PREFIX = "n:"
VERSION_PREFIX = "ver:"


def escape(text: str) -> str:
    """Percent-encode everything but unreserved URL characters (so no ``{}:*?[]`` or spaces)."""
    return quote(text, safe="")


def version_field(model_name: str) -> str:
    return VERSION_PREFIX + model_name


def count_field(model_name: str) -> str:
    return COUNT_PREFIX + model_name


class StoreKeys:
    """Names of the keys that hold one store: meta, and a data hash and order list per model."""

    def __init__(self, store_id: str, tag: str | None = None) -> None:
        """Keys of the store `store_id`, or of its slot group with hash tag `tag`."""
        if not isinstance(store_id, str) or not store_id:
            raise ValueError(f"store_id must be a non-empty string, got {store_id!r}")
        self.prefix = f"diffsync:{{{escape(store_id) if tag is None else tag}}}"
        # A slot group of a spread store orders ids in a ZSET (scored by insertion number).
        self.order_type = "list" if tag is None else "zset"
        self.meta = f"{self.prefix}:meta"
        # Format diffsync-redis/1's SET of model names: read and deleted by `_removal` only.
        self.legacy_models = f"{self.prefix}:models"
        # Escaped ids hold no glob character, so the pattern matches this store's keys only.
        self.pattern = f"{self.prefix}:*"
        # Key names by model name: escaping costs microseconds, and writers ask per object.
        self._data: dict[str, str] = {}
        self._order: dict[str, str] = {}

    def data(self, model_name: str) -> str:
        """HASH of unique id -> JSON of the model."""
        key = self._data.get(model_name)
        if key is None:
            key = self._data[model_name] = f"{self.prefix}:data:{escape(model_name)}"
        return key

    def order(self, model_name: str) -> str:
        """LIST of unique ids in insertion order (an id's last entry counts; removed ids linger)."""
        key = self._order.get(model_name)
        if key is None:
            key = self._order[model_name] = f"{self.prefix}:order:{escape(model_name)}"
        return key

    def all_keys(self, model_names: Iterable[str]) -> list[str]:
        keys = [self.meta]
        for name in sorted(model_names):
            keys += [self.data(name), self.order(name)]
        return keys

    def expected_types(self, model_names: Iterable[str]) -> dict[str, str]:
        """Each key of the layout and the Redis type the store keeps there."""
        types = {self.meta: "hash"}
        for name in sorted(model_names):
            types[self.data(name)] = "hash"
            types[self.order(name)] = self.order_type
        return types


def shard_tags(store_id: str, shards: int) -> list[str]:
    """The hash tags of the `shards` slot groups of a store: group k's falls in the k-th range.

    Deterministic (every process computes the same tags from the id and the count), and cheap:
    about `shards` CRC16s per group.
    """
    base = escape(store_id)
    tags = []
    for index in range(shards):
        low = index * REDIS_CLUSTER_HASH_SLOTS // shards
        high = (index + 1) * REDIS_CLUSTER_HASH_SLOTS // shards
        number = 0
        while not low <= key_slot(f"{base}/{index}.{number}".encode()) < high:
            number += 1
        tags.append(f"{base}/{index}.{number}")
    return tags


def shard_pattern(store_id: str) -> str:
    """A SCAN pattern matching the keys of every slot group of `store_id`, and nothing else."""
    return f"diffsync:{{{escape(store_id)}/*"

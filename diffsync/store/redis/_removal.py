"""Naming and deleting every key of one store, by name, and by SCAN only where allowed.

Each model of a store has exactly two keys (its data hash and its order list), and the meta
hash lists the models (``n:<model>`` fields, written in the same script as the data), so every
key diffsync writes can be named from meta alone. Data of the previous format listed its
models in the ``models`` SET; that is read too, so a store written before an upgrade can still
be deleted.

Deleting by name is all a Redis user confined to its own keys can do, and all it should be
able to do: SCAN is not filtered by ACL key patterns, so a user allowed SCAN can list every key
of the server, other tenants' included. A login that may SCAN can also sweep the store's
prefix for keys diffsync did not write there (another program's, or a data key whose meta was
lost), which naming cannot find.

A store of several slot groups is deleted group by group, then its root: the root's epoch
goes last, so a deletion cut short leaves a root whose groups are gone, which every reader
reports as lost data (and the next clear() finishes), never a store that looks whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import redis

from diffsync.store.redis._client import Client
from diffsync.store.redis._keys import COUNT_PREFIX, SHARDS_FIELD, StoreKeys, shard_pattern, shard_tags
from diffsync.store.redis._replies import text

# Keys per UNLINK: keeps each command small however many models a store has.
_BATCH = 500


def named_keys(client: Client, keys: StoreKeys, known_models: Iterable[str] = ()) -> list[str]:
    """Every key the store's meta (or its older ``models`` SET) names, plus those of `known_models`.

    Some may not exist. A meta or ``models`` key holding another type names only itself.
    """
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.meta)
    pipe.smembers(keys.legacy_models)
    meta, legacy = pipe.execute(raise_on_error=False)
    names = set(known_models)
    names.update(
        field[len(COUNT_PREFIX) :] for field in map(text, _members(meta)) if field.startswith(COUNT_PREFIX)
    )
    names.update(map(text, _members(legacy)))
    return [*keys.all_keys(names), keys.legacy_models]


def _members(reply: Any) -> Iterable[Any]:
    """The fields or members of a reply; nothing for a key of another type (it is deleted anyway)."""
    if isinstance(reply, redis.ResponseError) and "WRONGTYPE" in str(reply):
        return ()
    if isinstance(reply, Exception):
        raise reply
    return reply  # type: ignore[no-any-return]


def group_keys(client: Client, store_id: str) -> list[StoreKeys]:
    """The slot groups the root meta of `store_id` records (none for a one-group store)."""
    try:
        shards = client.hget(StoreKeys(store_id).meta, SHARDS_FIELD)
    except redis.ResponseError as error:
        if "WRONGTYPE" in str(error):  # not a meta diffsync wrote: deleted by name all the same
            return []
        raise
    if shards is None or not text(shards).isdigit() or int(text(shards)) < 2:
        return []
    return [StoreKeys(store_id, tag) for tag in shard_tags(store_id, int(text(shards)))]


def delete_store_keys(
    client: Client,
    store_id: str,
    *,
    scan: bool,
    groups: Iterable[StoreKeys] = (),
    known_models: Iterable[str] = (),
) -> int:
    """Delete every group of `store_id` (those given and those its root records), then its root."""
    root = StoreKeys(store_id)
    known = list(known_models)
    every = {group.prefix: group for group in [*groups, *group_keys(client, store_id)]}
    deleted = sum(delete_keys(client, group, scan=scan, known_models=known) for group in every.values())
    if scan:
        deleted += _sweep(client, shard_pattern(store_id))
    return deleted + delete_keys(client, root, scan=scan, known_models=known)


def delete_keys(client: Client, keys: StoreKeys, *, scan: bool, known_models: Iterable[str] = ()) -> int:
    """Delete the store's keys by name (one transaction), then, with `scan`, whatever else is
    under its prefix; returns how many keys were deleted."""
    named = named_keys(client, keys, known_models)
    pipe = client.pipeline(transaction=True)
    for start in range(0, len(named), _BATCH):
        pipe.unlink(*named[start : start + _BATCH])
    deleted = int(sum(pipe.execute()))
    if scan:
        deleted += _sweep(client, keys.pattern)
    return deleted


def _sweep(client: Client, pattern: str) -> int:
    """Delete whatever SCAN finds under `pattern` (every master of a cluster is scanned)."""
    deleted = 0
    batch: list[Any] = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) == _BATCH:
            deleted += int(client.unlink(*batch))
            batch = []
    if batch:
        deleted += int(client.unlink(*batch))
    return deleted

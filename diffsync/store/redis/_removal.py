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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import redis

from diffsync.store.redis._keys import COUNT_PREFIX, StoreKeys
from diffsync.store.redis._replies import text

# Keys per UNLINK: keeps each command small however many models a store has.
_BATCH = 500


def named_keys(client: redis.Redis, keys: StoreKeys, known_models: Iterable[str] = ()) -> list[str]:
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


def delete_keys(client: redis.Redis, keys: StoreKeys, *, scan: bool, known_models: Iterable[str] = ()) -> int:
    """Delete the store's keys by name (one transaction), then, with `scan`, whatever else is
    under its prefix; returns how many keys were deleted."""
    named = named_keys(client, keys, known_models)
    pipe = client.pipeline(transaction=True)
    for start in range(0, len(named), _BATCH):
        pipe.unlink(*named[start : start + _BATCH])
    deleted = int(sum(pipe.execute()))
    if scan:
        batch: list[Any] = []
        for key in client.scan_iter(match=keys.pattern, count=1000):
            batch.append(key)
            if len(batch) == _BATCH:
                deleted += int(client.unlink(*batch))
                batch = []
        if batch:
            deleted += int(client.unlink(*batch))
    return deleted

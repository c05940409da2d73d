"""Turning Redis errors into `ObjectStoreException`s that name what failed and what to do.

A command that fails because a key of the store holds the wrong type of value (``WRONGTYPE``:
something other than diffsync wrote under the store's prefix) is reported with the key, the
type it holds and the type the store keeps there, found by asking Redis for the types of the
keys the command touched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress

import redis
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis._client import Client
from diffsync.store.redis._replies import text

CLEAR_HINT = "delete that key, or clear() the store to start over"


def wrong_types(client: Client, expected: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(key, type found, type expected) for each key that exists with another type."""
    pipe = client.pipeline(transaction=False)
    for key in expected:
        pipe.type(key)
    found = [text(reply) for reply in pipe.execute()]
    return [
        (key, kind, expected[key])
        for key, kind in zip(expected, found, strict=True)
        if kind not in ("none", expected[key])
    ]


def wrong_type_message(client: Client, expected: Mapping[str, str]) -> str | None:
    """A sentence naming the first key of `expected` that holds another type, if one does."""
    try:
        mismatches = wrong_types(client, expected)
    except redis.RedisError:
        return None
    if not mismatches:
        return None
    key, found, wanted = mismatches[0]
    return (
        f"{key} is a {found}, not the {wanted} a RedisStore keeps there: something other than "
        f"diffsync wrote under this store's prefix; {CLEAR_HINT}"
    )


def refresh_topology(client: RedisCluster) -> None:
    """Re-read the cluster's slot table, so the next command goes to the node serving the slot now.

    redis-py refreshes it after a failed single command, but not after a failed transaction
    (MULTI) pipeline, whose next attempt would go to the dead master again. Best effort: while
    no node answers, the next attempt reports that.
    """
    with suppress(redis.RedisError, RedisClusterException):
        client.nodes_manager.initialize()


@contextmanager
def reported(
    store_label: str, client: Client, operation: str, key: str, touched: Mapping[str, str]
) -> Iterator[None]:
    """Report any Redis failure inside the block as an `ObjectStoreException`.

    `touched` maps the keys the block works on to the type the store keeps in each, so a
    ``WRONGTYPE`` error can name the culprit.
    """
    try:
        yield
    except (redis.RedisError, RedisClusterException) as error:
        if isinstance(client, RedisCluster) and isinstance(
            error, (redis.ConnectionError, redis.TimeoutError)
        ):
            refresh_topology(client)
        detail = f"{type(error).__name__}: {error}"
        if isinstance(error, redis.ResponseError) and "WRONGTYPE" in str(error):
            detail = wrong_type_message(client, touched) or detail
        raise ObjectStoreException(f"{store_label}: {operation} {key} failed: {detail}") from error

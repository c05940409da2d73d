"""Building and checking the Redis client a `RedisStore` talks through."""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from diffsync.exceptions import ObjectStoreException, StoreFormatMismatch
from diffsync.store.redis._failures import CLEAR_HINT, wrong_type_message
from diffsync.store.redis._keys import EPOCH_FIELD, FORMAT_FIELD
from diffsync.store.redis._replies import text

UNAVAILABLE = "Redis store is unavailable."


def retry_policy(retries: int) -> Retry:
    """Reconnect and resend on connection errors and timeouts, backing off from 50 ms to 1 s."""
    return Retry(ExponentialBackoff(cap=1.0, base=0.05), retries)


def build_client(
    *,
    host: str | None,
    port: int,
    url: str | None,
    db: int,
    username: str | None,
    password: str | None,
    socket_timeout: float | None,
    socket_connect_timeout: float | None,
    retries: int,
    connection_kwargs: dict[str, Any] | None,
) -> redis.Redis:
    """A client for `url` (``redis://``, ``rediss://`` or ``unix://``) or `host`:`port`.

    Neither given is reported as the store being unavailable, as upstream does, with the
    reason chained so the traceback says what to pass.
    """
    options: dict[str, Any] = {
        "db": db,
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_connect_timeout,
        "retry": retry_policy(retries),
        "health_check_interval": 30,
        **(connection_kwargs or {}),
    }
    if username is not None:
        options["username"] = username
    if password is not None:
        options["password"] = password
    if url:
        return redis.Redis.from_url(url, **options)
    if host:
        return redis.Redis(host=host, port=port, **options)
    raise ObjectStoreException(UNAVAILABLE) from ValueError(
        "RedisStore needs url= (redis://, rediss:// or unix://), host= (with port=) or client="
    )


def check_reachable(client: redis.Redis, meta_key: str, expected_format: str) -> str | None:
    """PING the server, check that the store's data, if any, is in a format we read.

    Returns the epoch of the store's data (None when the store holds none). A meta key of
    another type is reported by name, not as an unreachable server.
    """
    try:
        pipe = client.pipeline(transaction=False)
        pipe.ping()
        pipe.hget(meta_key, FORMAT_FIELD)
        pipe.hget(meta_key, EPOCH_FIELD)
        _, found, epoch = pipe.execute(raise_on_error=False)
    except redis.RedisError as error:
        raise ObjectStoreException(UNAVAILABLE) from error
    for reply in (found, epoch):
        if isinstance(reply, redis.ResponseError) and "WRONGTYPE" in str(reply):
            raise ObjectStoreException(
                wrong_type_message(client, {meta_key: "hash"})
                or f"{meta_key} is not the hash a RedisStore keeps there; {CLEAR_HINT}"
            ) from reply
        if isinstance(reply, Exception):
            raise ObjectStoreException(UNAVAILABLE) from reply
    if found is not None and text(found) != expected_format:
        raise StoreFormatMismatch(
            f"{meta_key} says the store holds format {text(found)!r}, this diffsync reads "
            f"{expected_format!r}: use another store_id, or delete this one "
            "(diffsync.store.redis.delete_store) and load it again"
        )
    return None if epoch is None else text(epoch)

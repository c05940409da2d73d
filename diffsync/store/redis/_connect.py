"""Building and checking the Redis client a `RedisStore` talks through."""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from diffsync.exceptions import ObjectStoreException
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


def check_reachable(client: redis.Redis, meta_key: str, expected_format: str) -> None:
    """PING the server and check that the store's data, if any, is in a format we read."""
    try:
        pipe = client.pipeline(transaction=False)
        pipe.ping()
        pipe.hget(meta_key, "format")
        _, found = pipe.execute()
    except redis.RedisError as error:
        raise ObjectStoreException(UNAVAILABLE) from error
    if found is not None:
        found_text = text(found)
        if found_text != expected_format:
            raise ObjectStoreException(
                f"{meta_key} says the store holds format {found_text!r}, this diffsync reads "
                f"{expected_format!r}: use another store_id, or clear() this one to start over"
            )

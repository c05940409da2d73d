"""Building and checking the Redis client a `RedisStore` talks through.

One server (``redis://``, ``rediss://``, ``unix://``) gets a `redis.Redis`; a Redis Cluster
(``redis+cluster://`` or ``rediss+cluster://``, or ``cluster=True``) gets a
`redis.cluster.RedisCluster`. redis-py itself has no URL scheme for a cluster (its
``RedisCluster.from_url`` takes a plain ``redis://`` URL of one seed node), so the ``+cluster``
suffix is ours: it lets a single string, the one a stage pod or a CLI is given, say which
client to build. Several seed nodes may be listed, comma separated:
``redis+cluster://user:pass@node-a:6379,node-b:6379/0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException
from redis.retry import Retry

from diffsync.exceptions import ObjectStoreException, StoreFormatMismatch
from diffsync.store.redis._client import Client, is_cluster
from diffsync.store.redis._failures import CLEAR_HINT, wrong_type_message
from diffsync.store.redis._keys import EPOCH_FIELD, FORMAT_FIELD, READY_FIELD, SHARDS_FIELD
from diffsync.store.redis._replies import text

UNAVAILABLE = "Redis store is unavailable."


@dataclass(frozen=True)
class RootState:
    """What a store's root meta holds (None / False where it holds nothing)."""

    format: str | None
    epoch: str | None
    shards: int | None
    ready: bool


CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def cluster_url(url: str) -> tuple[str, list[tuple[str, int]]] | None:
    """For a ``redis+cluster://`` / ``rediss+cluster://`` URL: the plain URL of its first seed
    node and the other seed nodes; None for any other URL."""
    parts = urlsplit(url)
    plain = CLUSTER_SCHEMES.get(parts.scheme.lower())
    if plain is None:
        return None
    auth, _, hosts = parts.netloc.rpartition("@")
    seeds: list[tuple[str, int]] = []
    for entry in hosts.split(","):
        host, _, port = entry.strip().rpartition(":") if ":" in entry else (entry.strip(), "", "6379")
        if not host:
            raise ValueError(f"Redis Cluster URL {_redacted(url)}: seed node {entry!r} names no host")
        try:
            seeds.append((host, int(port)))
        except ValueError:
            raise ValueError(
                f"Redis Cluster URL {_redacted(url)}: port of {entry!r} is not a number"
            ) from None
    if parts.path.strip("/") not in ("", "0"):
        raise ValueError(
            f"Redis Cluster URL {_redacted(url)}: a cluster has only database 0, not "
            f"{parts.path.strip('/')!r}; end the URL with /0 or nothing"
        )
    first_host, first_port = seeds[0]
    netloc = (auth + "@" if auth else "") + f"{first_host}:{first_port}"
    return urlunsplit((plain, netloc, "/0", parts.query, parts.fragment)), seeds[1:]


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, "***@" + parts.netloc.rpartition("@")[2], parts.path, parts.query, ""))


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
    cluster: bool = False,
) -> Client:
    """A client for `url` (``redis://``, ``rediss://``, ``unix://``, or a cluster's
    ``redis+cluster://`` / ``rediss+cluster://``) or `host`:`port` (a cluster with `cluster`).

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
    seeds: list[tuple[str, int]] = []
    if url:
        found = cluster_url(url)
        if found is not None:
            url, seeds = found
            cluster = True
    if cluster:
        if url and url.lower().startswith("unix:"):
            raise ValueError(
                "a Redis Cluster is reached over TCP: use redis+cluster://host:port, not unix://"
            )
        if db != 0:
            raise ValueError(f"a Redis Cluster has only database 0, not db={db}")
        options.pop("db")
        startup = [ClusterNode(host, seed_port) for host, seed_port in seeds]  # type: ignore[no-untyped-call]
        try:  # a cluster client reads the slot table from a seed node when it is built
            if url:
                return RedisCluster.from_url(url, startup_nodes=startup or None, **options)
            if host:
                return RedisCluster(host=host, port=port, **options)
        except (RedisClusterException, redis.RedisError) as error:
            raise ObjectStoreException(UNAVAILABLE) from error
    elif url:
        return redis.Redis.from_url(url, **options)
    elif host:
        return redis.Redis(host=host, port=port, **options)
    raise ObjectStoreException(UNAVAILABLE) from ValueError(
        "RedisStore needs url= (redis://, rediss:// or unix://), host= (with port=) or client="
    )


def check_reachable(client: Client, meta_key: str, formats: tuple[str, ...]) -> RootState:
    """Reach the server (the node serving the store's meta key on a cluster), check that the
    store's data, if any, is in a format we read, and return what its root meta holds.

    A meta key of another type is reported by name, not as an unreachable server.
    """
    try:
        pipe = client.pipeline(transaction=False)
        if not is_cluster(client):  # a cluster pipeline refuses PING; the HMGET reaches the node
            pipe.ping()
        pipe.hmget(meta_key, [FORMAT_FIELD, EPOCH_FIELD, SHARDS_FIELD, READY_FIELD])
        *_, fields = pipe.execute(raise_on_error=False)
    except (redis.RedisError, RedisClusterException) as error:
        raise ObjectStoreException(UNAVAILABLE) from error
    if isinstance(fields, redis.ResponseError) and "WRONGTYPE" in str(fields):
        raise ObjectStoreException(
            wrong_type_message(client, {meta_key: "hash"})
            or f"{meta_key} is not the hash a RedisStore keeps there; {CLEAR_HINT}"
        ) from fields
    if isinstance(fields, Exception):
        raise ObjectStoreException(UNAVAILABLE) from fields
    found, epoch, shards, ready = (None if value is None else text(value) for value in fields)
    if found is not None and found not in formats:
        raise StoreFormatMismatch(
            f"{meta_key} says the store holds format {found!r}, this diffsync reads "
            f"{formats[0]!r}: use another store_id, or delete this one "
            "(diffsync.store.redis.delete_store) and load it again"
        )
    return RootState(
        format=found,
        epoch=epoch,
        shards=int(shards) if shards is not None and shards.isdigit() else None,
        ready=ready is not None,
    )

"""The Redis servers the operator itself may connect to, and its clients for them.

A SyncJob author writes `spec.redis.url`; nothing they write may make the operator connect
somewhere. So the operator connects only to servers its own configuration names: its
default (`DIFFSYNC_REDIS_URL`, when it can log in there) and `DIFFSYNC_KNOWN_REDIS_URLS`.
A job's URL matches a known server when scheme, host, port and database are the same
(credentials in the job's URL are ignored); the operator then uses *its* URL and
credentials, never the job's string. A Redis Cluster (`redis+cluster://`) is known by its
scheme and its set of seed nodes (in any order). For any other URL the operator does not connect at all:
the job's pods claim its store and a cleanup pod with the job's own credentials deletes it.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.redaction import redact_url
from diffsync_operator.stages.redis_login import RedisLogin

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient

#: Shown in `CLIENT LIST` of a Redis, so its operators (and the tests) can tell our connections.
CLIENT_NAME = "diffsync-operator"

ServerIdentity = tuple[str, str, int, int]

CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")


@dataclass(frozen=True)
class KnownRedis:
    """A Redis the operator's configuration names, with the operator's own login.

    The operator administers it: besides claims and cleanup, it gives each job there a Redis
    user of its own (`job_user`). The default Redis's login may carry a user and TLS material
    (`settings.redis_login()`); a listed server's credentials are in its URL.
    """

    url: str = field(repr=False)
    password: str | None = field(default=None, repr=False)
    username: str | None = None
    ca_cert: str | None = field(default=None, repr=False)
    client_cert: str | None = field(default=None, repr=False)
    client_key: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return redact_url(self.url)

    def login(self) -> RedisLogin:
        """The operator's login there."""
        return RedisLogin(
            url=self.url,
            username=self.username,
            password=self.password,
            ca_cert=self.ca_cert,
            client_cert=self.client_cert,
            client_key=self.client_key,
        )


def server_identity(url: str) -> ServerIdentity | None:
    """(scheme, host, port, db) of a Redis URL (unix: path for host, port 0); None if unreadable."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        query = parse_qs(parts.query)
        if scheme == "unix":
            return (scheme, parts.path, 0, int(query.get("db", ["0"])[0]))
        if scheme in CLUSTER_SCHEMES:
            seeds = parts.netloc.rpartition("@")[2].lower().split(",")
            normalized = sorted(seed if ":" in seed else f"{seed}:6379" for seed in seeds if seed)
            return (scheme, ",".join(normalized), 0, 0) if normalized else None
        if scheme not in ("redis", "rediss"):
            return None
        db_text = parts.path.strip("/") or query.get("db", ["0"])[0]
        return (scheme, (parts.hostname or "").lower(), parts.port or 6379, int(db_text))
    except ValueError:
        return None


def known_servers(settings: OperatorSettings) -> list[KnownRedis]:
    """The servers the operator may connect to: its default and the listed ones."""
    servers = []
    if (default := settings.redis_login()) is not None:
        servers.append(KnownRedis(**asdict(default)))  # the same fields, by name
    servers += [KnownRedis(url) for url in settings.known_redis_urls]
    return servers


def job_redis_url(spec: SyncJobSpec, settings: OperatorSettings) -> str | None:
    """The Redis the job's pods use: `spec.redis.url`, else the operator's default."""
    return spec.redis.url or settings.redis_url


def operator_server(spec: SyncJobSpec, settings: OperatorSettings) -> KnownRedis | None:
    """The known server holding the job's state, or None when the operator must not connect."""
    url = job_redis_url(spec, settings)
    wanted = server_identity(url) if url else None
    if wanted is None:
        return None
    return next((s for s in known_servers(settings) if server_identity(s.url) == wanted), None)


class OperatorRedis:
    """One client per known server, made on first use and shared by every job (thread-safe)."""

    def __init__(self, settings: OperatorSettings) -> None:
        self.settings = settings
        self._clients: dict[str, RedisClient] = {}
        self._lock = threading.Lock()

    def client_for(self, spec: SyncJobSpec) -> RedisClient | None:
        """A client for the job's Redis if the operator knows it, else None."""
        server = operator_server(spec, self.settings)
        if server is None:
            return None
        with self._lock:
            if server.url not in self._clients:
                self._clients[server.url] = server.login().connect(client_name=CLIENT_NAME)
            return self._clients[server.url]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

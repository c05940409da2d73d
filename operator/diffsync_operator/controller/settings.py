"""The operator's own configuration, read from its environment.

| variable | meaning |
|---|---|
| `DIFFSYNC_REDIS_URL` | default Redis for jobs without `spec.redis.url` (no password in it) |
| `DIFFSYNC_REDIS_USERNAME` | the operator's ACL user there (default: `default`) |
| `DIFFSYNC_REDIS_PASSWORD` | its password (the Deployment reads it from a Secret) |
| `DIFFSYNC_REDIS_CA_CERT` | PEM of the CA of a `rediss://` default Redis; stage pods get it too |
| `DIFFSYNC_REDIS_CLIENT_CERT`, `..._KEY` | PEM of the operator's TLS client certificate and key |
| `DIFFSYNC_KNOWN_REDIS_URLS` | more Redis servers the operator may connect to itself (comma or |
|   | space separated URLs, with the operator's own credentials in them): it claims |
|   | and cleans jobs' stores there, and gives jobs there Redis users of their own; |
|   | any other `spec.redis.url` is cleaned by a pod |
| `DIFFSYNC_CLAIM_TTL_SECONDS` | how long a store claim outlives its last renewal (default 300) |
| `DIFFSYNC_WATCH_NAMESPACES` | comma-separated namespaces to watch; empty: all namespaces |
| `DIFFSYNC_DEFAULT_IMAGE` | image for jobs without `spec.image` |
| `DIFFSYNC_WORKER_PYTHON` | the interpreter in the stage command (default `python`) |
| `DIFFSYNC_POLL_SECONDS` | longest wait between two looks at a running job (default 5) |
| `DIFFSYNC_RETRY_BASE_SECONDS` | wait before a failed stage's second attempt, doubled for each |
|   | further one (default 10, as a Job's backoff) |
| `DIFFSYNC_RETRY_MAX_SECONDS` | the longest such wait (default 360) |
| `DIFFSYNC_PEERING` | kopf peering name for several replicas; empty: standalone |
| `DIFFSYNC_METRICS_ADDRESS` | `host:port` of the Prometheus endpoint (default `0.0.0.0:8000`); |
|   | `off` disables it |
| `DIFFSYNC_LOCK_NAMESPACE` | where the target locks (Leases) live: the operator's own namespace |
|   | (default: the namespace of its ServiceAccount in a pod; none outside a cluster: no locks) |
| `DIFFSYNC_LOCK_LEASE_SECONDS` | how long a target lock outlives its last renewal (default 60) |

The operator administers its default Redis and the known ones: its login there must be allowed
to manage ACL users (`ACL SETUSER`, `ACL DELUSER`) and to delete any job's keys. Jobs on that Redis never see
this login: each gets a user of its own (`controller.job_user`). The CA certificate is public,
so stage pods get it as a plain value; the client certificate stays with the operator.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from diffsync_operator.stages.claims import DEFAULT_CLAIM_TTL_SECONDS
from diffsync_operator.stages.redaction import redact_url
from diffsync_operator.stages.redis_login import RedisLogin

_URL_SCHEMES = ("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://")


def split_redis_urls(text: str) -> tuple[str, ...]:
    """URLs separated by commas or whitespace; a Redis Cluster URL keeps its comma-separated
    seed nodes (``redis+cluster://a:6379,b:6379/0``): a part that starts with no scheme
    continues the cluster URL before it."""
    urls: list[str] = []
    for part in (p for p in re.split(r"[,\s]+", text) if p):
        if urls and "+cluster://" in urls[-1] and not part.startswith(_URL_SCHEMES):
            urls[-1] += "," + part
        else:
            urls.append(part)
    return tuple(urls)


_SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
DEFAULT_LOCK_LEASE_SECONDS = 60


def _own_namespace(env: Mapping[str, str], path: str = _SERVICE_ACCOUNT_NAMESPACE) -> str | None:
    """DIFFSYNC_LOCK_NAMESPACE, else the namespace of the pod's ServiceAccount, else None."""
    named = env.get("DIFFSYNC_LOCK_NAMESPACE", "").strip()
    if named:
        return named
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


DEFAULT_METRICS_ADDRESS = "0.0.0.0:8000"


@dataclass(frozen=True)
class OperatorSettings:
    """What the operator was configured with; see the module docstring for the variables."""

    # Credentials stay out of repr(): settings may end up in a log line or a traceback.
    redis_url: str | None = field(default=None, repr=False)
    redis_username: str | None = None
    redis_password: str | None = field(default=None, repr=False)
    redis_ca_cert: str | None = field(default=None, repr=False)
    redis_client_cert: str | None = field(default=None, repr=False)
    redis_client_key: str | None = field(default=None, repr=False)
    known_redis_urls: tuple[str, ...] = field(default=(), repr=False)
    claim_ttl_seconds: int = DEFAULT_CLAIM_TTL_SECONDS
    namespaces: tuple[str, ...] = ()
    default_image: str | None = None
    worker_python: str = "python"
    poll_seconds: float = 5.0
    retry_base_seconds: float = 10.0
    retry_max_seconds: float = 360.0
    peering: str | None = None
    metrics_address: str | None = None
    lock_namespace: str | None = None
    lock_lease_seconds: int = DEFAULT_LOCK_LEASE_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OperatorSettings:
        """Read the settings; a malformed value raises ValueError naming the variable."""
        env = os.environ if env is None else env
        if env.get("DIFFSYNC_REDIS_PASSWORD_SECRET", "").strip():
            raise ValueError(
                "DIFFSYNC_REDIS_PASSWORD_SECRET is no longer used: jobs on the operator's Redis get "
                "a Redis user of their own; remove the variable (and the copies of the Secret)"
            )
        try:
            poll = float(env.get("DIFFSYNC_POLL_SECONDS", "5"))
        except ValueError:
            raise ValueError("DIFFSYNC_POLL_SECONDS must be a number of seconds, e.g. 5") from None
        retry_base = _seconds(env, "DIFFSYNC_RETRY_BASE_SECONDS", 10.0)
        retry_max = _seconds(env, "DIFFSYNC_RETRY_MAX_SECONDS", 360.0)
        known = split_redis_urls(env.get("DIFFSYNC_KNOWN_REDIS_URLS", ""))
        for url in known:
            if not url.startswith(_URL_SCHEMES):
                raise ValueError(
                    f"DIFFSYNC_KNOWN_REDIS_URLS: {redact_url(url)!r} is not a URL; "
                    "expected redis://, rediss://, unix:// or redis+cluster:// URLs separated by commas"
                )
        try:
            claim_ttl = int(env.get("DIFFSYNC_CLAIM_TTL_SECONDS", str(DEFAULT_CLAIM_TTL_SECONDS)))
        except ValueError:
            raise ValueError(
                "DIFFSYNC_CLAIM_TTL_SECONDS must be a whole number of seconds, e.g. 300"
            ) from None
        if claim_ttl < 3 * poll:
            raise ValueError(
                f"DIFFSYNC_CLAIM_TTL_SECONDS={claim_ttl} must be at least three poll intervals "
                f"(3 x DIFFSYNC_POLL_SECONDS = {3 * poll:g}): the operator renews claims once per pass"
            )
        try:
            lease = int(env.get("DIFFSYNC_LOCK_LEASE_SECONDS", str(DEFAULT_LOCK_LEASE_SECONDS)))
        except ValueError:
            raise ValueError(
                "DIFFSYNC_LOCK_LEASE_SECONDS must be a whole number of seconds, e.g. 60"
            ) from None
        if lease < 3 * poll:
            raise ValueError(
                f"DIFFSYNC_LOCK_LEASE_SECONDS={lease} must be at least three poll intervals "
                f"(3 x DIFFSYNC_POLL_SECONDS = {3 * poll:g}): the operator renews a lock once per pass"
            )
        listed = env.get("DIFFSYNC_WATCH_NAMESPACES", "").split(",")
        namespaces = tuple(n.strip() for n in listed if n.strip())
        metrics = env.get("DIFFSYNC_METRICS_ADDRESS", DEFAULT_METRICS_ADDRESS).strip()
        if metrics.lower() in ("", "off"):
            metrics_address = None
        else:
            _, sep, port = metrics.rpartition(":")
            if not sep or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(
                    f"DIFFSYNC_METRICS_ADDRESS={metrics!r}: expected host:port (e.g. 0.0.0.0:8000) or off"
                )
            metrics_address = metrics
        settings = cls(
            redis_url=env.get("DIFFSYNC_REDIS_URL") or None,
            redis_username=env.get("DIFFSYNC_REDIS_USERNAME") or None,
            redis_password=env.get("DIFFSYNC_REDIS_PASSWORD") or None,
            redis_ca_cert=env.get("DIFFSYNC_REDIS_CA_CERT") or None,
            redis_client_cert=env.get("DIFFSYNC_REDIS_CLIENT_CERT") or None,
            redis_client_key=env.get("DIFFSYNC_REDIS_CLIENT_KEY") or None,
            known_redis_urls=known,
            claim_ttl_seconds=claim_ttl,
            namespaces=namespaces,
            default_image=env.get("DIFFSYNC_DEFAULT_IMAGE") or None,
            worker_python=env.get("DIFFSYNC_WORKER_PYTHON") or "python",
            poll_seconds=poll,
            retry_base_seconds=retry_base,
            retry_max_seconds=max(retry_max, retry_base),
            peering=env.get("DIFFSYNC_PEERING") or None,
            metrics_address=metrics_address,
            lock_namespace=_own_namespace(env),
            lock_lease_seconds=lease,
        )
        login = settings.redis_login()
        if login is not None and (problems := login.problems("DIFFSYNC_REDIS_URL")):
            raise ValueError("; ".join(problems))
        return settings

    def redis_login(self) -> RedisLogin | None:
        """The operator's own login to its default Redis (None: no default Redis)."""
        if self.redis_url is None:
            return None
        return RedisLogin(
            url=self.redis_url,
            username=self.redis_username,
            password=self.redis_password,
            ca_cert=self.redis_ca_cert,
            client_cert=self.redis_client_cert,
            client_key=self.redis_client_key,
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds from `env`, at least 0; ValueError naming the variable otherwise."""
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, e.g. {default:g}") from None
    if not 0 <= value <= 86400:
        raise ValueError(f"{name}={raw} must be from 0 to 86400 seconds")
    return value

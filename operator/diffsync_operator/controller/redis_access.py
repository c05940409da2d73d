"""How a job's pods reach Redis, and whether the operator administers that Redis (pure).

Two cases, decided by `administered`:

- the job's Redis is one the operator knows (`redis_servers`: its default, or a server in
  `DIFFSYNC_KNOWN_REDIS_URLS`), where it holds an admin login: the job's pods log in as the
  job's own ACL user (`controller.redis_acl`), password from the Secret the operator made for
  the job. On the default Redis the CA of a `rediss://` URL is the operator's, passed as a
  plain value (a CA certificate is public); on a listed server the job names its CA in
  `spec.redis.tls`, as for any Redis of its own;
- the job names another Redis: the operator has no admin login there, creates no user, and
  the pods use what the job supplies (`spec.redis.username`, `passwordSecretRef`, `tls`).

Either way passwords and keys reach pods only by `secretKeyRef`, never as values or in URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from diffsync_operator.api.corev1 import SecretKeySelector
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import RedisUserStatus
from diffsync_operator.controller.redis_servers import operator_server, server_identity
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.config import (
    ENV_REDIS_CA_CERT,
    ENV_REDIS_CLIENT_CERT,
    ENV_REDIS_CLIENT_KEY,
    ENV_REDIS_PASSWORD,
    ENV_REDIS_URL,
    ENV_REDIS_USERNAME,
)
from diffsync_operator.stages.redis_login import url_problem

#: The key of the password in the job's credentials Secret (type kubernetes.io/basic-auth).
PASSWORD_KEY = "password"  # noqa: S105 - a key name, not a password


def administered(spec: SyncJobSpec, settings: OperatorSettings) -> bool:
    """True when the job's Redis is one the operator knows and holds an admin login for."""
    return operator_server(spec, settings) is not None


def on_default_redis(spec: SyncJobSpec, settings: OperatorSettings) -> bool:
    """True when the job's Redis is the operator's default (no spec.redis.url, or the same server)."""
    if settings.redis_url is None:
        return False
    return spec.redis.url is None or server_identity(spec.redis.url) == server_identity(settings.redis_url)


def redis_problems(spec: SyncJobSpec, settings: OperatorSettings) -> list[str]:
    """Problems of spec.redis the schema cannot express, each naming the field and the fix."""
    redis = spec.redis
    problems = []
    if redis.url is None and settings.redis_url is None:
        problems.append(
            "spec.redis.url: no Redis given and the operator has no DIFFSYNC_REDIS_URL; set spec.redis.url"
        )
    if redis.url is not None and (problem := url_problem(redis.url, "spec.redis.url")):
        problems.append(problem)
    if administered(spec, settings):
        given = [name for name, value in (("username", redis.username), ("passwordSecretRef",
                 redis.password_secret_ref)) if value is not None]  # fmt: skip
        if redis.tls is not None and on_default_redis(spec, settings):
            given.append("tls")
        if given:
            problems.append(
                f"spec.redis.{', spec.redis.'.join(given)}: the operator's Redis gives each job a user "
                "of its own (and its default Redis's CA), so these are not used there; remove them, or "
                "name a Redis of your own in spec.redis.url"
            )
    if (
        redis.tls is not None
        and redis.url is not None
        and not redis.url.startswith(("rediss://", "rediss+cluster://"))
    ):
        problems.append("spec.redis.tls: needs a rediss:// (or rediss+cluster://) spec.redis.url")
    return problems


@dataclass(frozen=True)
class PodRedisAccess:
    """What a pod of the job gets to log in to Redis: values that are not secret, and references."""

    url: str
    username: str | None = None
    password: SecretKeySelector | None = None
    ca_cert_value: str | None = None  # a public CA certificate, passed as a value
    ca_cert: SecretKeySelector | None = None
    client_cert: SecretKeySelector | None = None
    client_key: SecretKeySelector | None = None

    def env(self) -> list[dict[str, Any]]:
        """The pod's Redis variables (see `stages.redis_login`)."""
        variables: list[dict[str, Any]] = [{"name": ENV_REDIS_URL, "value": self.url}]
        if self.username:
            variables.append({"name": ENV_REDIS_USERNAME, "value": self.username})
        if self.ca_cert_value:
            variables.append({"name": ENV_REDIS_CA_CERT, "value": self.ca_cert_value})
        for name, ref in (
            (ENV_REDIS_PASSWORD, self.password),
            (ENV_REDIS_CA_CERT, self.ca_cert),
            (ENV_REDIS_CLIENT_CERT, self.client_cert),
            (ENV_REDIS_CLIENT_KEY, self.client_key),
        ):
            if ref is not None:
                variables.append({"name": name, "valueFrom": {"secretKeyRef": ref.to_manifest()}})
        return variables


def _with_tls(spec: SyncJobSpec, access: PodRedisAccess) -> PodRedisAccess:
    """`access` with the job's own TLS references (spec.redis.tls), if any."""
    tls = spec.redis.tls
    if tls is None:
        return access
    name = tls.client_certificate_secret_name
    return replace(
        access,
        ca_cert=tls.ca_secret_ref,
        client_cert=SecretKeySelector(name=name, key="tls.crt") if name else None,
        client_key=SecretKeySelector(name=name, key="tls.key") if name else None,
    )


def pod_redis_access(
    spec: SyncJobSpec, settings: OperatorSettings, user: RedisUserStatus | None
) -> PodRedisAccess:
    """The access of the job's pods: its own user on a Redis the operator administers, else
    what the job names. `user` is required when `administered` (`job_user.ensure_job_user`)."""
    url = spec.redis.url or settings.redis_url or ""
    if not administered(spec, settings):
        own = PodRedisAccess(url=url, username=spec.redis.username, password=spec.redis.password_secret_ref)
        return _with_tls(spec, own)
    if user is None:
        raise ValueError("a job on the operator's Redis needs its Redis user before its pods")
    access = PodRedisAccess(
        url=url, username=user.name, password=SecretKeySelector(name=user.secret_name, key=PASSWORD_KEY)
    )
    if on_default_redis(spec, settings):
        return replace(access, ca_cert_value=settings.redis_ca_cert)
    return _with_tls(spec, access)

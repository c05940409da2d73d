"""The operator's own configuration, read from its environment.

| variable | meaning |
|---|---|
| `DIFFSYNC_REDIS_URL` | default Redis for jobs without `spec.redis.url` (and for cleanup) |
| `DIFFSYNC_REDIS_PASSWORD` | password the operator itself uses for that default Redis |
| `DIFFSYNC_REDIS_PASSWORD_SECRET` | `name/key` of the Secret (in each job's namespace) |
|   | from which stage pods read the default Redis password |
| `DIFFSYNC_WATCH_NAMESPACES` | comma-separated namespaces to watch; empty: all namespaces |
| `DIFFSYNC_DEFAULT_IMAGE` | image for jobs without `spec.image` |
| `DIFFSYNC_WORKER_PYTHON` | the interpreter in the stage command (default `python`) |
| `DIFFSYNC_POLL_SECONDS` | longest wait between two looks at a running job (default 5) |
| `DIFFSYNC_PEERING` | kopf peering name for several replicas; empty: standalone |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from diffsync_operator.api.corev1 import SecretKeySelector


@dataclass(frozen=True)
class OperatorSettings:
    """What the operator was configured with; see the module docstring for the variables."""

    redis_url: str | None = None
    redis_password: str | None = None
    redis_password_secret: SecretKeySelector | None = None
    namespaces: tuple[str, ...] = ()
    default_image: str | None = None
    worker_python: str = "python"
    poll_seconds: float = 5.0
    peering: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OperatorSettings:
        """Read the settings; a malformed value raises ValueError naming the variable."""
        env = os.environ if env is None else env
        secret = None
        if raw := env.get("DIFFSYNC_REDIS_PASSWORD_SECRET", "").strip():
            name, sep, key = raw.partition("/")
            if not sep or not name or not key:
                raise ValueError(
                    f"DIFFSYNC_REDIS_PASSWORD_SECRET={raw!r}: "
                    "expected <secret name>/<key>, e.g. redis/password"
                )
            secret = SecretKeySelector(name=name, key=key)
        try:
            poll = float(env.get("DIFFSYNC_POLL_SECONDS", "5"))
        except ValueError:
            raise ValueError("DIFFSYNC_POLL_SECONDS must be a number of seconds, e.g. 5") from None
        listed = env.get("DIFFSYNC_WATCH_NAMESPACES", "").split(",")
        namespaces = tuple(n.strip() for n in listed if n.strip())
        return cls(
            redis_url=env.get("DIFFSYNC_REDIS_URL") or None,
            redis_password=env.get("DIFFSYNC_REDIS_PASSWORD") or None,
            redis_password_secret=secret,
            namespaces=namespaces,
            default_image=env.get("DIFFSYNC_DEFAULT_IMAGE") or None,
            worker_python=env.get("DIFFSYNC_WORKER_PYTHON") or "python",
            poll_seconds=poll,
            peering=env.get("DIFFSYNC_PEERING") or None,
        )

"""Delete a SyncJob's Redis state (what the finalizer does unless `retainStore`).

The operator connects with its own settings when the job uses the operator's default Redis
(`DIFFSYNC_REDIS_URL`, password `DIFFSYNC_REDIS_PASSWORD`) or a `spec.redis.url` without a
password. A job whose Redis needs a password from a Secret cannot be cleaned by the
operator, which by design may not read Secrets: the finalizer reports that in an Event and
lets the deletion proceed (delete the keys `diffsync*:{<storeId>...}` yourself).
"""

from __future__ import annotations

from dataclasses import dataclass

from diffsync_operator.jobstate import delete_job_data
from diffsync_operator.settings import OperatorSettings
from diffsync_operator.spec import SyncJobSpec


@dataclass(frozen=True)
class CleanupTarget:
    """Where a job's state lives and how the operator may log in there."""

    url: str
    password: str | None


def cleanup_target(spec: SyncJobSpec, settings: OperatorSettings) -> CleanupTarget | str:
    """The Redis to clean, or the reason the operator cannot clean it itself."""
    if spec.redis.url is None:
        if settings.redis_url is None:
            return "no Redis configured (neither spec.redis.url nor DIFFSYNC_REDIS_URL): nothing to delete"
        if spec.redis.password_secret_ref is not None:
            return "spec.redis.passwordSecretRef is set: the operator cannot read Secrets"
        return CleanupTarget(settings.redis_url, settings.redis_password)
    if spec.redis.password_secret_ref is not None:
        return (
            f"spec.redis.passwordSecretRef ({spec.redis.password_secret_ref.name}) is set: "
            "the operator cannot read Secrets"
        )
    return CleanupTarget(spec.redis.url, None)


def delete_state(target: CleanupTarget, store_id: str) -> int:
    """Delete the job's keys and both stores at `target`; returns the job keys deleted."""
    import redis

    client = redis.Redis.from_url(target.url, password=target.password)
    try:
        return delete_job_data(client, store_id)
    finally:
        client.close()

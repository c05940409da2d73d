"""Delete a SyncJob's Redis state (what the finalizer does unless `retainStore`).

The operator connects with its own settings when the job uses the operator's default Redis
(`DIFFSYNC_REDIS_URL`, password `DIFFSYNC_REDIS_PASSWORD`) or a `spec.redis.url` without a
password. A job whose Redis password comes from a Secret is cleaned by a pod instead
(`pods.build_cleanup_pod`, running `python -m diffsync_operator.worker cleanup`), because
the operator by design may not read Secrets while pods read them by `secretKeyRef`.
"""

from __future__ import annotations

from dataclasses import dataclass

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.handover import delete_job_data


@dataclass(frozen=True)
class CleanupTarget:
    """Where a job's state lives and how the operator may log in there."""

    url: str
    password: str | None


#: `cleanup_target` answers: a pod must do it (the password is in a Secret).
BY_POD = "pod"
#: `cleanup_target` answers: no Redis was ever configured, so nothing was written.
NOTHING = "nothing"


def cleanup_target(spec: SyncJobSpec, settings: OperatorSettings) -> CleanupTarget | str:
    """The Redis the operator cleans itself, or BY_POD, or NOTHING."""
    if spec.redis.password_secret_ref is not None:
        return BY_POD
    if spec.redis.url is not None:
        return CleanupTarget(spec.redis.url, None)
    if settings.redis_url is None:
        return NOTHING
    if settings.redis_password is None and settings.redis_password_secret is not None:
        return BY_POD  # pods read the default password from a Secret the operator was not given
    return CleanupTarget(settings.redis_url, settings.redis_password)


def delete_state(target: CleanupTarget, store_id: str) -> int:
    """Delete the job's keys and both stores at `target`; returns the job keys deleted."""
    from diffsync.store.redis import client_from_url

    client = client_from_url(target.url, password=target.password)
    try:
        return delete_job_data(client, store_id)
    finally:
        client.close()

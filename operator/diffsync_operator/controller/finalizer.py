"""Delete a SyncJob's Redis state (what the finalizer does unless `retainStore`).

The operator connects itself only to a Redis it knows (`redis_servers`: its default, when it
has the login, and `DIFFSYNC_KNOWN_REDIS_URLS`), with its own URL and credentials. Any other
`spec.redis.url` is cleaned by a pod in the job's namespace (`pods.build_cleanup_pod`,
running `python -m diffsync_operator.worker cleanup`) with the job's own credentials: a job
author cannot make the operator connect to, or delete keys on, a server of their choosing.

Either way the keys are deleted only under the job's own claim (`stages.cleanup`): a store
another job holds, or wrote after this one, is left to that job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.redis_servers import CLIENT_NAME, job_redis_url, operator_server
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.claims import ClaimOwner
from diffsync_operator.stages.cleanup import CleanupOutcome, delete_state_under_claim


@dataclass(frozen=True)
class CleanupTarget:
    """A known Redis holding the job's state, and the operator's own login there."""

    url: str = field(repr=False)
    password: str | None = field(default=None, repr=False)


#: `cleanup_target` answers: a pod must do it (a Redis the operator does not know or cannot log in to).
BY_POD = "pod"
#: `cleanup_target` answers: no Redis was ever configured, so nothing was written.
NOTHING = "nothing"


def cleanup_target(spec: SyncJobSpec, settings: OperatorSettings) -> CleanupTarget | str:
    """The known Redis the operator cleans itself, or BY_POD, or NOTHING."""
    server = operator_server(spec, settings)
    if server is not None:
        return CleanupTarget(server.url, server.password)
    if job_redis_url(spec, settings) is None:
        return NOTHING
    return BY_POD


def delete_state(target: CleanupTarget, store_id: str, owner: ClaimOwner) -> CleanupOutcome:
    """Delete the job's keys and both stores at `target`, under `owner`'s claim."""
    from diffsync.store.redis import client_from_url

    client = client_from_url(
        target.url, password=target.password, connection_kwargs={"client_name": CLIENT_NAME}
    )
    try:
        return delete_state_under_claim(client, store_id, owner)
    finally:
        client.close()

"""Delete a SyncJob's Redis state (what the finalizer does unless `retainStore`).

The operator connects itself only to a Redis it knows (`redis_servers`: its default and
`DIFFSYNC_KNOWN_REDIS_URLS`), with its own URL and login (user, password, TLS). Any other
`spec.redis.url` is cleaned by a pod in the job's namespace (`pods.build_cleanup_pod`,
running `python -m diffsync_operator.worker cleanup`) with the job's own credentials: a job
author cannot make the operator connect to, or delete keys on, a server of their choosing.

Either way the keys are deleted only under the job's own claim (`stages.cleanup`): a store
another job holds, or wrote after this one, is left to that job. The job's own Redis user
(on a known server) is removed by the handler separately, also when the state is kept.
"""

from __future__ import annotations

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.redis_servers import CLIENT_NAME, KnownRedis, job_redis_url, operator_server
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.claims import ClaimOwner
from diffsync_operator.stages.cleanup import CleanupOutcome, delete_state_under_claim

#: A known Redis holding the job's state, and the operator's own login there.
CleanupTarget = KnownRedis

#: `cleanup_target` answers: a pod must do it (a Redis the operator does not know or cannot log in to).
BY_POD = "pod"
#: `cleanup_target` answers: no Redis was ever configured, so nothing was written.
NOTHING = "nothing"


def cleanup_target(spec: SyncJobSpec, settings: OperatorSettings) -> CleanupTarget | str:
    """The known Redis the operator cleans itself, or BY_POD, or NOTHING."""
    server = operator_server(spec, settings)
    if server is not None:
        return server
    if job_redis_url(spec, settings) is None:
        return NOTHING
    return BY_POD


def delete_state(target: CleanupTarget, store_id: str, owner: ClaimOwner) -> CleanupOutcome:
    """Delete the job's keys and both stores at `target`, under `owner`'s claim.

    The stage pods delete stores by name only (their job user may not SCAN); the operator's
    own login may, so here each store's prefix is also swept for keys the job's pods wrote
    there outside the store's layout, which would otherwise outlive the job.
    """
    client = target.login().connect(client_name=CLIENT_NAME)
    try:
        return delete_state_under_claim(client, store_id, owner, scan=True)
    finally:
        client.close()

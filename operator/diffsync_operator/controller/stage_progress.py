"""Copy a running stage's live count from the job's Redis into its status (see stages.progress).

The operator reads the counts only on the Redis servers it knows (its default and
`DIFFSYNC_KNOWN_REDIS_URLS`), with its own login: a job that names another Redis reports its
counts when each stage ends, not while it runs, because the operator never connects to a
server a job author chose. Reading is best effort: a Redis that does not answer leaves the
counts as they were, and never fails a reconcile.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import StagePhase, SyncJobStatus
from diffsync_operator.stages.progress import progress_key

if TYPE_CHECKING:
    from diffsync_operator.controller.redis_servers import OperatorRedis

_LOG = logging.getLogger(__name__)


def copy_running_counts(servers: OperatorRedis | None, spec: SyncJobSpec, status: SyncJobStatus) -> None:
    """Set `objects` of each running stage from its progress key (when the operator knows the Redis)."""
    running = [entry for entry in status.stages if entry.phase is StagePhase.RUNNING]
    if not running or not status.store_id or servers is None:
        return
    import redis

    keys = [progress_key(status.store_id, entry.name) for entry in running]
    try:
        client = servers.client_for(spec)
        if client is None:
            return
        values: list[Any] = client.mget(keys)
    except redis.RedisError as error:
        _LOG.debug("live progress unavailable: %s", error)
        return
    for entry, value in zip(running, values, strict=True):
        text = value.decode() if isinstance(value, bytes) else value
        if isinstance(text, str) and text.isdigit():
            entry.objects = int(text)

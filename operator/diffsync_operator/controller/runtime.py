"""What the operator's handlers share: settings, the API client, and a wake-up flag per object.

Each SyncJob and each SyncSchedule has a daemon that sleeps between looks; an event on the
object (or on a pod or job it owns) sets its flag so it looks at once instead of at the next
poll. The flags are asyncio events, set and awaited only on the event loop (handlers that set
them are async for that reason).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import kopf

from diffsync_operator.controller.kube import Kube, new_api_client
from diffsync_operator.controller.planning import JobEvent
from diffsync_operator.controller.redis_servers import OperatorRedis
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.controller.target_locks import TargetLocks
from diffsync_operator.stages.redaction import redact


class Runtime:
    """What the handlers share: settings, the API client, and one wake-up flag per job."""

    def __init__(self) -> None:
        self.settings = OperatorSettings()
        self.kube: Kube | None = None
        self.servers = OperatorRedis(self.settings)
        self.locks: TargetLocks | None = None  # None: no lock namespace known (outside a cluster)
        self.wakeups: dict[str, asyncio.Event] = {}

    def wakeup(self, uid: str) -> asyncio.Event:
        return self.wakeups.setdefault(uid, asyncio.Event())

    def wake(self, uid: str | None) -> None:
        if uid is not None and (flag := self.wakeups.get(uid)) is not None:
            flag.set()


RUNTIME = Runtime()


def kube() -> Kube:
    """The API client, made on first use (handlers may run before the startup handler)."""
    if RUNTIME.kube is None:
        RUNTIME.kube = Kube(new_api_client())
    return RUNTIME.kube


async def pause(flag: asyncio.Event, stopped: kopf.DaemonStopped, timeout: float) -> None:
    async def stop() -> None:
        await stopped.wait()

    waiters = {asyncio.ensure_future(flag.wait()), asyncio.ensure_future(stop())}
    _, pending = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    flag.clear()


def post_events(body: dict[str, Any], events: list[JobEvent]) -> None:
    target = kopf.Body(cast(kopf.RawBody, body))  # a SyncJob as the API server returned it
    for item in events:
        kopf.event(target, type=item.type, reason=item.reason, message=redact(item.message))

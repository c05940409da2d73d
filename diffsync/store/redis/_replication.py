"""Waiting for a write to reach a replica before calling it written.

Redis replicates asynchronously: a master acknowledges a write before any replica has it, and
if the master dies then, the replica that takes over never had it. A store that recorded that
write as flushed would have lost it silently. ``WAIT n timeout`` on the connection that wrote
blocks until n replicas hold everything that connection wrote, so a batch is recorded as
written only after its node's replica confirmed it; when none confirms in time the flush
raises and keeps the batch for the next flush.

By default a store waits for one replica wherever the master serving its keys has one attached
(``ROLE``, asked at most once a second per node: the cluster's slot table does not list
replicas that have not replicated anything yet), and not at all on a single server or a
master without replicas. ``RedisStore(wait_replicas=n)`` asks for n and fails writes that
fewer confirm (0: never wait).
"""

from __future__ import annotations

import time

from redis.cluster import ClusterNode, RedisCluster

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis._client import Client

# How long a batch waits for its replica before the flush gives up on it (milliseconds).
WAIT_TIMEOUT_MS = 5000
# How long the number of replicas attached to a master is trusted (seconds).
ROLE_TTL = 1.0


class Replication:
    """Confirms, after each write, that the writing node's replicas hold it."""

    def __init__(
        self, client: Client, wanted: int | None, label: str, timeout_ms: int = WAIT_TIMEOUT_MS
    ) -> None:
        if wanted is not None and (not isinstance(wanted, int) or isinstance(wanted, bool) or wanted < 0):
            raise ValueError(
                f"wait_replicas must be a number of replicas (0: do not wait) or None, got {wanted!r}"
            )
        self.client = client
        self.wanted = wanted
        self.label = label
        self.timeout_ms = timeout_ms
        # node name -> (replicas attached, when asked)
        self._attached: dict[str, tuple[int, float]] = {}

    @classmethod
    def for_client(cls, client: Client, wanted: int | None, label: str) -> Replication | None:
        """None when there is nothing to wait for (one server and no explicit count, or 0)."""
        if wanted == 0 or (wanted is None and not isinstance(client, RedisCluster)):
            return None
        return cls(client, wanted, label)

    def confirm(self, key: str) -> None:
        """Wait until the replicas of the node serving `key` hold what this process wrote there."""
        client = self.client
        if isinstance(client, RedisCluster):
            node = client.get_node_from_key(key)  # type: ignore[no-untyped-call]
            wanted = self.wanted
            if wanted is None:
                wanted = min(1, self._replicas_attached(client, node))
            if wanted == 0:
                return
            acknowledged = client.execute_command(  # type: ignore[no-untyped-call]
                "WAIT", wanted, self.timeout_ms, target_nodes=node
            )
            where = f"{node.host}:{node.port}"
        else:
            wanted = self.wanted or 0
            acknowledged = client.wait(wanted, self.timeout_ms)
            where = "the server"
        if int(acknowledged) < wanted:
            raise ObjectStoreException(
                f"{self.label}: a write to {key} reached {where} but only {acknowledged} of {wanted} "
                f"replicas within {self.timeout_ms} ms, so a failover now could lose it; it is kept "
                "for the next flush: flush again once the replicas are back (or pass wait_replicas=0 "
                "to write without waiting)"
            )

    def _replicas_attached(self, client: RedisCluster, node: ClusterNode) -> int:
        known = self._attached.get(node.name)
        now = time.monotonic()
        if known is not None and now - known[1] < ROLE_TTL:
            return known[0]
        role = client.execute_command("ROLE", target_nodes=node)  # type: ignore[no-untyped-call]
        attached = len(role[2]) if len(role) > 2 and isinstance(role[2], list) else 0
        self._attached[node.name] = (attached, now)
        return attached

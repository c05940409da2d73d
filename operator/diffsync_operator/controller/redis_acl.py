"""The Redis ACL user of one job: its name, the keys and commands it may use, and its upkeep.

On a Redis the operator administers, every job's pods log in as `diffsync-job-<job uid>`,
which may touch only the keys of `stages.state_keys.job_key_patterns(effective store id)`
(the one list of a job's keys: both stores, the handover keys and the store claim) and run
only `JOB_COMMANDS`. That is what keeps one namespace's jobs away from another's state,
whatever their pods run: the NetworkPolicy in front of Redis cannot, since anyone who may
create a pod may give it any label (docs/security.md).

The commands are an allowlist of what the stages, the handover, the store claims and
RedisStore send (measured: `INFO commandstats` and `ACL LOG` over a full load/diff/sync/cleanup
run), plus the close relatives a store may add (TTL commands, `HSCAN`). Left out on purpose:
everything that reaches beyond the user's own keys (`KEYS`, `SCAN`, `RANDOMKEY`, `FLUSHALL`,
`FLUSHDB`, `SWAPDB`, `MOVE`, `SORT`, `MIGRATE`), administration (`CONFIG`, `ACL`, `DEBUG`,
`SHUTDOWN`, `MONITOR`, `CLIENT KILL/LIST`), script and function management (`SCRIPT
FLUSH/KILL`, `FUNCTION`) and pub/sub. `CLIENT SETINFO` is left out too: it only labels a
connection, redis-py ignores its refusal, and naming it would make `ACL SETUSER` fail on Redis
before 7.2. A store that starts sending a new command fails with `NOPERM` naming it: add it
here (the cluster tests run every stage under this user).

On a Redis Cluster ACL users are per node (`ACL SETUSER` changes the node it is sent to and
is not propagated), so the user is created on, and deleted from, every node, replicas
included: a replica that takes over after a failover must let the job's pods log in. A cluster
client also reads the slot table (`CLUSTER SLOTS` / `CLUSTER SHARDS`) and the command table
(`COMMAND`), and a store there waits for its writes to reach a replica (`WAIT`, after asking
`ROLE` how many replicas are attached); a store spread over slot groups (`shards`) also sends
`HINCRBY`, `ZADD`, `ZRANGE` and `ZREM`. Those are on the list too; none of them reads keys.

The stage pods' RedisStores are built with `allow_scan=False`, so even `clear()` deletes by the
names the store's meta records (measured again with the epoch store: a full run sends nothing
outside this list); the operator's own login sweeps a deleted job's store prefixes
(`controller.finalizer`).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from diffsync_operator.stages.state_keys import job_key_patterns

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient

#: Every job user's name starts with this; the rest is the job's uid (unique, never reused).
USER_PREFIX = "diffsync-job-"

JOB_COMMANDS: tuple[str, ...] = (
    # connection set-up (redis-py sends HELLO; AUTH; SELECT for a URL naming a database)
    "hello", "auth", "ping", "select",
    # transactions, the store's and the claim's scripts (a script's own calls are checked
    # against this user, key by key)
    "multi", "exec", "discard", "watch", "unwatch", "eval", "evalsha", "script|load", "script|exists",
    # keys and strings
    "get", "set", "del", "unlink", "exists", "type", "expire", "pexpire", "persist", "ttl", "pttl",
    # hashes, sets and lists
    "hget", "hmget", "hset", "hgetall", "hdel", "hlen", "hexists", "hscan",
    "sadd", "srem", "smembers", "scard", "sismember",
    "rpush", "lrange", "llen", "ltrim",
    # a cluster's slot and command tables, replica acknowledgement; spread stores' order ZSETs
    "cluster|slots", "cluster|shards", "command", "role", "wait", "hincrby", "zadd", "zrange", "zrem",
)  # fmt: skip


def job_username(job_uid: str) -> str:
    """`diffsync-job-<uid>`: one user per SyncJob object, so a re-created job gets a new one."""
    return USER_PREFIX + job_uid


def new_password() -> str:
    """A fresh password: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def password_hash(password: str) -> str:
    """The SHA-256 hex digest Redis ACLs keep (`#<hash>`)."""
    return hashlib.sha256(password.encode()).hexdigest()


def job_user_rules(store_id: str, hashed_password: str) -> list[str]:
    """The `ACL SETUSER` rules of a job user, from nothing (`reset`): keys, commands, password."""
    return [
        "reset",  # no keys, no commands, no channels, no passwords: then add only ours
        "on",
        f"#{hashed_password}",
        *(f"~{pattern}" for pattern in job_key_patterns(store_id)),
        *(f"+{command}" for command in JOB_COMMANDS),
    ]


def _on_every_node(client: RedisClient, *command: Any) -> list[Any]:
    """Send `command` to the server, or to every node of a cluster; the replies.

    The nodes come from ``CLUSTER NODES``, not from the client's slot table, which leaves out
    replicas that have not replicated anything yet. A node the cluster marks as failed is
    skipped (it gets the user when the operator sets it again); any other node that cannot be
    reached fails the call.
    """
    from redis import ConnectionPool, Redis
    from redis.cluster import RedisCluster

    if not isinstance(client, RedisCluster):
        return [client.execute_command(*command)]  # type: ignore[no-untyped-call]
    default = client.get_default_node()  # type: ignore[no-untyped-call]
    template = default.redis_connection.connection_pool
    options = {
        key: value
        for key, value in template.connection_kwargs.items()
        if key not in ("redis_connect_func", "oss_cluster_maint_notifications_handler")
    }
    replies = []
    for address, info in client.cluster_nodes().items():
        flags = str(info["flags"])
        if "fail" in flags or "noaddr" in flags or "handshake" in flags:
            continue
        host, _, port = address.rpartition(":")
        pool = ConnectionPool(
            connection_class=template.connection_class, **{**options, "host": host, "port": int(port)}
        )
        node = Redis(connection_pool=pool)
        try:
            replies.append(node.execute_command(*command))  # type: ignore[no-untyped-call]
        finally:
            node.close()
            pool.disconnect()
    return replies


def set_job_user(client: RedisClient, username: str, store_id: str, hashed_password: str) -> None:
    """Create or reset the job's user (idempotent; also after a Redis restart lost it); on a
    cluster, on every node."""
    _on_every_node(client, "ACL", "SETUSER", username, *job_user_rules(store_id, hashed_password))


def delete_job_user(client: RedisClient, username: str) -> bool:
    """Remove the job's user (its open connections are closed by Redis); False if it was not
    there (on a cluster: on any node)."""
    return any(int(count) for count in _on_every_node(client, "ACL", "DELUSER", username))

"""The client a store talks through: one server, or a cluster.

Every key command a store sends names keys of one hash slot, so a `redis.Redis` and a
`redis.cluster.RedisCluster` run the same commands; the few differences (a cluster pipeline
refuses PING, WAIT must go to the node that took the write) test `is_cluster`.
"""

from __future__ import annotations

from typing import TypeAlias

import redis
from redis.cluster import RedisCluster

Client: TypeAlias = redis.Redis | RedisCluster


def is_cluster(client: Client) -> bool:
    return isinstance(client, RedisCluster)

"""The operator with a Redis Cluster as its default Redis, against a real API server.

`DIFFSYNC_REDIS_URL` is the session's six-node Redis Cluster (`redis+cluster://`, every node a
seed; tests/fixtures/redis_cluster.py). The operator creates each job's Redis user on every
node, the stage pods (run by the test kubelet, a local simulation of a node) log in as that
user through the cluster URL, and deleting the job removes its keys and its user everywhere.
"""

from __future__ import annotations

import pytest
from operator_harness import state_keys


@pytest.fixture
def operator_env(redis_cluster):
    """The operator's environment with the Redis Cluster as its default Redis."""
    return {
        "DIFFSYNC_REDIS_URL": redis_cluster.url,
        "DIFFSYNC_DEFAULT_IMAGE": "diffsync-test:local",
        "DIFFSYNC_RETRY_BASE_SECONDS": "2",
    }


def _users_per_node(redis_cluster) -> list[list[str]]:
    users = []
    for node in redis_cluster.nodes:
        client = node.client(decode_responses=True)
        try:
            users.append(client.acl_users())
        finally:
            client.close()
    return users


def test_a_sync_job_on_a_redis_cluster_runs_as_its_own_user_on_every_node(
    operator, jobs, inventory_sides, redis_cluster
):
    jobs.create(jobs.manifest("inv-rc", *inventory_sides, mode="sync"))
    job = jobs.wait_phase("inv-rc", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["diff"] == {"create": 2, "update": 1, "delete": 2, "noChange": 2, "skip": 0}
    user = job["status"]["redisUser"]["name"]
    assert all(user in users for users in _users_per_node(redis_cluster))
    admin = redis_cluster.client()
    try:
        store_id = job["status"]["storeId"]
        assert state_keys(admin, store_id)
        jobs.delete("inv-rc")
        jobs.wait_gone("inv-rc")
        assert state_keys(admin, store_id) == set()
    finally:
        admin.close()
    assert not any(user in users for users in _users_per_node(redis_cluster))

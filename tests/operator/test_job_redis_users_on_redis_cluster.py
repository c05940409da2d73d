"""Stage pods on a Redis Cluster, logged in as the job's own Redis user.

The session's six-node Redis Cluster (tests/fixtures/redis_cluster.py) stands in for a
cluster the operator administers. ACL users are per node, so the job's user must exist on
every node, replicas included; each stage then runs as its own process
(`python -m diffsync_operator.worker`) with a stage pod's environment: the cluster URL in
`DIFFSYNC_REDIS_URL` and the job user's login.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from diffsync_operator.controller.redis_acl import (
    delete_job_user,
    job_username,
    new_password,
    password_hash,
    set_job_user,
)
from diffsync_operator.controller.redis_servers import server_identity
from sample_adapters import SOURCE, read_inventory
from worker_helpers import finish_worker, job_json, start_worker

STAGES = ("load-source", "load-target", "diff", "sync")


@pytest.fixture
def admin(redis_cluster):
    client = redis_cluster.client(decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def job(admin):
    """A job's store id and its Redis user, set on the cluster the way the operator sets it."""
    uid = uuid.uuid4().hex
    store_id = f"team-c/inventory-{uid[:8]}"
    username, password = job_username(uid), new_password()
    set_job_user(admin, username, store_id, password_hash(password))
    yield store_id, username, password
    delete_job_user(admin, username)


def _stage(stage: str, job: str, url: str, username: str, password: str, tmp_path: Path) -> tuple[int, str]:
    """One stage process logged in as `username`; (exit code, its termination log or stderr)."""
    login = {"DIFFSYNC_REDIS_USERNAME": username, "DIFFSYNC_REDIS_PASSWORD": password}
    process, log = start_worker(stage, job, url, tmp_path, extra_env=login)
    code, _, done = finish_worker(process, log)
    return code, (log.read_text() if log.exists() else done.stderr)


def _acl_users(node) -> list[str]:
    client = node.client(decode_responses=True)
    try:
        return client.acl_users()
    finally:
        client.close()


def _acl_log(node) -> list:
    client = node.client(decode_responses=True)
    try:
        return client.acl_log()
    finally:
        client.close()


def test_the_job_user_exists_on_every_node_and_goes_from_every_node(admin, redis_cluster):
    username = job_username(uuid.uuid4().hex)
    set_job_user(admin, username, "team-c/other", password_hash(new_password()))
    assert all(username in _acl_users(node) for node in redis_cluster.nodes)
    assert delete_job_user(admin, username) is True
    assert not any(username in _acl_users(node) for node in redis_cluster.nodes)
    assert delete_job_user(admin, username) is False


def test_every_stage_and_the_cleanup_run_on_the_cluster_as_the_jobs_user(
    job, redis_cluster, inventory_files, tmp_path
):
    store_id, username, password = job
    config = job_json(*inventory_files, store_id, mode="sync")
    for stage in (*STAGES, "cleanup"):
        code, result = _stage(stage, config, redis_cluster.url, username, password, tmp_path)
        assert code == 0, f"{stage}: {result}"
    assert read_inventory(inventory_files[1]) == SOURCE, "the sync stage applied the diff"
    refused = [
        entry for node in redis_cluster.nodes for entry in _acl_log(node) if entry.get("username") == username
    ]
    assert refused == [], "no command of any stage was refused on any node"


def test_another_jobs_user_is_refused_on_the_cluster_too(
    admin, job, redis_cluster, inventory_files, tmp_path
):
    store_id, _, _ = job
    other = job_username(uuid.uuid4().hex)
    other_password = new_password()
    set_job_user(admin, other, f"team-d/{uuid.uuid4().hex[:8]}", password_hash(other_password))
    try:
        code, result = _stage(
            "load-source",
            job_json(*inventory_files, store_id, mode="sync"),
            redis_cluster.url,
            other,
            other_password,
            tmp_path,
        )
        assert code != 0
        assert "NOPERM" in result or "no permissions" in result.lower(), result
    finally:
        delete_job_user(admin, other)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("redis+cluster://a:7000,b:7001/0", "redis+cluster://b:7001,a:7000", True),
        ("redis+cluster://user@a:7000/0", "redis+cluster://a:7000/0", True),
        ("redis+cluster://a:7000/0", "redis://a:7000/0", False),
        ("redis+cluster://a:7000/0", "redis+cluster://a:7000,b:7001/0", False),
        ("rediss+cluster://a:7000/0", "redis+cluster://a:7000/0", False),
    ],
)
def test_a_cluster_url_matches_a_known_one_by_scheme_and_seed_nodes(first, second, same):
    assert server_identity(first) is not None
    assert (server_identity(first) == server_identity(second)) is same


def test_known_urls_keep_a_cluster_urls_seed_nodes_together():
    from diffsync_operator.controller.settings import OperatorSettings

    settings = OperatorSettings.from_env(
        {
            "DIFFSYNC_KNOWN_REDIS_URLS": "redis://one:6379/0, redis+cluster://a:7000,b:7001/0,rediss://two:6380/0"
        }
    )
    assert settings.known_redis_urls == (
        "redis://one:6379/0",
        "redis+cluster://a:7000,b:7001/0",
        "rediss://two:6380/0",
    )


def test_a_syncjob_spec_accepts_a_cluster_url_and_tls_for_rediss_cluster():
    from diffsync_operator.api.spec import RedisSpec
    from diffsync_operator.stages.redis_login import RedisLogin

    assert RedisSpec(url="redis+cluster://a:7000,b:7001/0").url == "redis+cluster://a:7000,b:7001/0"
    assert RedisLogin(url="rediss+cluster://a:7000/0").uses_tls

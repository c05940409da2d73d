"""Job Redis users on a real redis-server with ACLs: a job's pods reach only that job's keys.

Each stage runs as its own process (`python -m diffsync_operator.worker`), logged in exactly as
a stage pod is: `DIFFSYNC_REDIS_USERNAME` and `DIFFSYNC_REDIS_PASSWORD` of the job's user.
The server requires a password, so nobody gets in as `default` without the admin's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from diffsync_operator.controller.finalizer import delete_state
from diffsync_operator.controller.redis_acl import (
    JOB_COMMANDS,
    delete_job_user,
    job_user_rules,
    job_username,
    new_password,
    password_hash,
    set_job_user,
)
from diffsync_operator.controller.redis_servers import KnownRedis
from diffsync_operator.stages.claims import ClaimOwner
from diffsync_operator.stages.handover import job_keys
from diffsync_operator.stages.state_keys import claim_key, job_key_patterns
from sample_adapters import SOURCE, read_inventory

from diffsync.store.redis._keys import StoreKeys

HERE = Path(__file__).resolve().parent
ADMIN_PASSWORD = "admin-only-pw"
STAGES = ("load-source", "load-target", "diff", "sync")


@pytest.fixture(scope="module")
def server(redis_server_factory):
    """A redis-server that requires a password: the test holds the admin login."""
    return redis_server_factory(password=ADMIN_PASSWORD)


@pytest.fixture
def admin(server):
    client = server.client(decode_responses=True)
    yield client
    client.close()


class Job:
    """A job's store id and its Redis user, set the way the operator sets it."""

    def __init__(self, admin: redis.Redis, uid: str, store_id: str) -> None:
        self.store_id = store_id
        self.username = job_username(uid)
        self.password = new_password()
        set_job_user(admin, self.username, store_id, password_hash(self.password))

    def login(self) -> dict[str, str]:
        return {"DIFFSYNC_REDIS_USERNAME": self.username, "DIFFSYNC_REDIS_PASSWORD": self.password}

    def client(self, server) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=server.port, username=self.username, password=self.password)


def _config(store_id: str, source: Path, target: Path) -> str:
    return json.dumps(
        {
            "storeId": store_id,
            "jobUid": f"uid-of-{store_id}",
            "mode": "sync",
            "source": {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
            "target": {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
        }
    )


def _stage(stage: str, config: str, server, login: dict[str, str], tmp_path: Path):
    """One stage process with a stage pod's environment; (exit code, its result JSON)."""
    log = tmp_path / f"{stage}.termination-log"
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(HERE),
        "DIFFSYNC_REDIS_URL": f"redis://127.0.0.1:{server.port}/0",
        "DIFFSYNC_TERMINATION_LOG": str(log),
        **login,
    }
    env["DIFFSYNC_JOB"] = config
    argv = [sys.executable, "-m", "diffsync_operator.worker", stage]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, (log.read_text() if log.exists() else done.stderr)


def _keys_of(admin: redis.Redis, store_id: str) -> list[str]:
    """Every key holding the store id (the admin may SCAN; job users may not)."""
    return sorted(
        k for k in admin.scan_iter(count=1000) if f"{{{store_id}" in k or f"{{{_enc(store_id)}" in k
    )


def _enc(store_id: str) -> str:
    return StoreKeys(store_id).prefix.removeprefix("diffsync:{").removesuffix("}")


def _allowed(admin: redis.Redis, user: str, *command: str) -> bool:
    """ACL DRYRUN: would the server run `command` for `user`?"""
    return admin.execute_command("ACL", "DRYRUN", user, *command) == "OK"


@pytest.fixture
def job_a_ran(admin, server, inventory_files, tmp_path):
    """Job A ran every stage as its own user; returns (job A, its keys)."""
    job = Job(admin, "aaaa-1111", "team-a/inventory")
    config = _config(job.store_id, *inventory_files)
    for stage in STAGES:
        code, result = _stage(stage, config, server, job.login(), tmp_path)
        assert code == 0, result
    keys = _keys_of(admin, job.store_id)
    assert len(keys) >= 10, keys
    return job, keys


def test_the_jobs_own_user_runs_every_stage_and_the_cleanup(
    admin, server, job_a_ran, inventory_files, tmp_path
):
    job, _ = job_a_ran
    assert read_inventory(inventory_files[1]) == SOURCE, "the sync stage applied the diff"
    code, result = _stage("cleanup", _config(job.store_id, *inventory_files), server, job.login(), tmp_path)
    assert code == 0, result
    assert _keys_of(admin, job.store_id) == []
    assert admin.acl_log() == [], "no command of any stage was refused"


def test_another_jobs_user_gets_noperm_reading_and_writing_every_key_of_the_job(admin, server, job_a_ran):
    _, keys = job_a_ran
    intruder = Job(admin, "bbbb-2222", "team-b/inventory").client(server)
    reads = {"string": "GET", "hash": "HGETALL", "set": "SMEMBERS", "list": "LLEN"}
    for key in keys:
        read = reads[admin.type(key)]
        for command in ((read, key), ("EXISTS", key), ("TYPE", key), ("SET", key, "x"), ("DEL", key)):
            with pytest.raises(redis.exceptions.NoPermissionError):  # the NOPERM reply
                intruder.execute_command(*command)
    assert _keys_of(admin, "team-a/inventory") == keys


def test_another_jobs_user_cannot_flush_list_or_administer_the_server(admin, server, job_a_ran):
    _, keys = job_a_ran
    intruder = Job(admin, "bbbb-3333", "team-b/other")
    client = intruder.client(server)
    for command in (("FLUSHALL",), ("FLUSHDB",), ("KEYS", "*"), ("SCAN", "0"), ("RANDOMKEY",)):
        with pytest.raises(redis.exceptions.NoPermissionError):
            client.execute_command(*command)
    refused = [
        ("CONFIG", "SET", "requirepass", ""), ("ACL", "SETUSER", intruder.username, "+@all", "~*"),
        ("ACL", "LIST"), ("SCRIPT", "FLUSH"), ("FUNCTION", "FLUSH"), ("SHUTDOWN",), ("DEBUG", "SLEEP", "0"),
        ("MONITOR",), ("CLIENT", "KILL", "ID", "1"), ("SWAPDB", "0", "1"), ("PUBLISH", "c", "m"),
        ("SORT", keys[0]), ("MIGRATE", "h", "1", keys[0], "0", "1"), ("SCRIPT", "KILL"),
    ]  # fmt: skip
    for command in refused:  # asked of the server without running them
        assert not _allowed(admin, intruder.username, *command), command
    assert _keys_of(admin, "team-a/inventory") == keys


def test_a_stage_of_another_job_pointed_at_the_jobs_store_fails_with_noperm(
    admin, server, job_a_ran, inventory_files, tmp_path
):
    job_a, keys = job_a_ran
    before = {key: admin.dump(key) for key in keys}
    intruder = Job(admin, "bbbb-4444", "team-b/inventory")
    config = _config(job_a.store_id, *inventory_files)  # B's pod, A's store id
    for stage in ("load-source", "diff", "cleanup"):
        code, result = _stage(stage, config, server, intruder.login(), tmp_path)
        assert code == 1
        assert "NOPERM" in result or "NoPermission" in result, result
    assert {key: admin.dump(key) for key in keys} == before


def test_key_patterns_cover_both_stores_the_handover_and_the_claim_of_the_job_only(admin):
    job = Job(admin, "cccc-5555", "team-c/inv")
    mine = [
        *StoreKeys("team-c/inv/source").all_keys(["site", "device"]),
        *StoreKeys("team-c/inv/target").all_keys(["site"]),
        *job_keys("team-c/inv"),
        claim_key("team-c/inv"),
    ]
    theirs = [
        *StoreKeys("team-d/inv/source").all_keys(["site"]),
        *StoreKeys("team-c/inventory/source").all_keys(["site"]),  # an id that merely extends it
        *StoreKeys("team-c/inv/b/source").all_keys(["site"]),
        *job_keys("team-c/inv2"),
        claim_key("team-d/inv"),
        "unrelated",
    ]
    for command in ("GET", "DEL"):
        assert [key for key in mine if not _allowed(admin, job.username, command, key)] == []
        assert [key for key in theirs if _allowed(admin, job.username, command, key)] == []


def test_the_acl_key_rules_are_exactly_the_jobs_key_patterns():
    rules = job_user_rules("team-c/inv", password_hash("pw"))
    assert [rule[1:] for rule in rules if rule.startswith("~")] == job_key_patterns("team-c/inv")


def test_rules_start_from_nothing_and_grant_no_category_or_all_keys():
    rules = job_user_rules("ns/inv", password_hash("pw"))
    assert rules[:2] == ["reset", "on"]
    assert rules[2] == "#" + password_hash("pw")
    assert not [r for r in rules if r.startswith("+@") or r in ("allkeys", "~*", "allcommands", "nopass")]
    assert {r[1:] for r in rules if r.startswith("+")} == set(JOB_COMMANDS)


def test_setting_the_user_again_after_a_restart_restores_the_same_login(
    redis_server_factory, inventory_files, tmp_path
):
    restarted = redis_server_factory(password=ADMIN_PASSWORD)  # not durable: a restart forgets users
    admin = restarted.client()
    job = Job(admin, "dddd-6666", "team-d/inv")
    restarted.restart()
    with pytest.raises(redis.exceptions.AuthenticationError):
        job.client(restarted).ping()
    admin = restarted.client()
    set_job_user(admin, job.username, job.store_id, password_hash(job.password))  # what the operator does
    set_job_user(admin, job.username, job.store_id, password_hash(job.password))  # and again: idempotent
    code, result = _stage(
        "load-source", _config(job.store_id, *inventory_files), restarted, job.login(), tmp_path
    )
    assert code == 0, result


def test_deleting_the_user_closes_its_connections_and_refuses_new_ones(admin, server):
    job = Job(admin, "eeee-7777", "team-e/inv")
    client = job.client(server)
    assert client.ping()
    connection = client.connection_pool.get_connection()
    assert delete_job_user(admin, job.username) is True
    with pytest.raises(redis.exceptions.ConnectionError):
        connection.send_command("PING")
        connection.read_response()
    client.connection_pool.release(connection)
    with pytest.raises(redis.exceptions.AuthenticationError):
        job.client(server).ping()
    assert delete_job_user(admin, job.username) is False


def test_a_refused_login_fails_the_stage_saying_so_and_may_be_retried(
    admin, server, inventory_files, tmp_path
):
    """Retryable: a restarted Redis forgets job users, and the operator sets them again first."""
    job = Job(admin, "ffff-8888", "team-f/inv")
    login = {**job.login(), "DIFFSYNC_REDIS_PASSWORD": "not-the-password"}
    code, text = _stage("load-source", _config(job.store_id, *inventory_files), server, login, tmp_path)
    result = json.loads(text)
    assert (code, result["retryable"]) == (1, True)
    assert "AuthenticationError: invalid username-password pair" in result["error"]
    assert "not-the-password" not in result["error"]


def test_a_refused_key_fails_the_stage_at_once(admin, server, job_a_ran, inventory_files, tmp_path):
    job_a, _ = job_a_ran
    intruder = Job(admin, "ffff-9999", "team-f/other")
    config = _config(job_a.store_id, *inventory_files)
    code, text = _stage("load-target", config, server, intruder.login(), tmp_path)
    result = json.loads(text)
    assert (code, result["retryable"]) == (1, False)
    assert "NoPermissionError: this user has no permissions" in result["error"]


def test_the_operator_login_documented_for_your_own_redis_manages_users_and_cleans(
    admin, server, inventory_files, tmp_path
):
    """docs/security.md's ACL rule for the operator's login on your own Redis is enough."""
    documented = "~* resetchannels +@all -@dangerous +acl|setuser +acl|deluser"
    admin.execute_command("ACL", "SETUSER", "diffsync-operator", "reset", "on", ">op-pw", *documented.split())
    operator = redis.Redis(host="127.0.0.1", port=server.port, username="diffsync-operator", password="op-pw")
    job = Job(operator, "abab-1212", "team-g/inv")  # set by the operator's login
    code, result = _stage(
        "load-source", _config(job.store_id, *inventory_files), server, job.login(), tmp_path
    )
    assert code == 0, result
    assert _keys_of(admin, job.store_id)
    # The job's own code may write beside its stores: stages delete stores by name and cannot
    # find such keys (their user may not SCAN); the finalizer, with the operator's login, sweeps.
    generation = json.loads(result)["generation"]
    strays = [f"{StoreKeys(store).prefix}:stray" for store in (generation, f"{job.store_id}/source")]
    for stray in strays:
        job.client(server).set(stray, "written by the adapter, not by a RedisStore")
    target = KnownRedis(
        url=f"redis://127.0.0.1:{server.port}/0", username="diffsync-operator", password="op-pw"
    )
    outcome = delete_state(target, job.store_id, ClaimOwner(f"uid-of-{job.store_id}", "job"))
    assert outcome.left_to is None  # the finalizer's cleanup, under the job's claim
    assert _keys_of(admin, job.store_id) == []
    assert delete_job_user(operator, job.username) is True
    with pytest.raises(redis.exceptions.NoPermissionError):
        operator.flushall()

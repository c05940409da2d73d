"""The worker entry point: each stage a separate process sharing a real Redis."""

from __future__ import annotations

import subprocess
import sys

import pytest
from diffsync_operator.stages.claims import ClaimOwner, StoreClaim
from diffsync_operator.stages.cleanup import EXIT_LEFT_TO_OTHER_JOB, delete_state_under_claim
from diffsync_operator.stages.handover import job_keys
from sample_adapters import SOURCE, read_inventory
from worker_helpers import job_json, run_worker


def test_stages_in_separate_processes_sync_the_target(inventory_files, redis_url, redis_store_id, tmp_path):
    source, target = inventory_files
    job = job_json(source, target, redis_store_id, mode="sync")
    codes = [
        run_worker(stage, job, redis_url, tmp_path)[0]
        for stage in ("load-source", "load-target", "diff", "sync")
    ]
    assert codes == [0, 0, 0, 0]
    assert read_inventory(target) == SOURCE


def test_diff_process_reports_the_summary_in_its_termination_message(
    inventory_files, redis_url, redis_store_id, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target"):
        run_worker(stage, job, redis_url, tmp_path)
    code, result, _ = run_worker("diff", job, redis_url, tmp_path)
    assert code == 0
    assert result.diff.model_dump() == {"create": 2, "update": 1, "delete": 2, "no_change": 2, "skip": 0}
    assert result.peak_memory_bytes > 0


def test_stage_results_and_diff_are_kept_in_redis_under_the_job_prefix(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        run_worker(stage, job, redis_url, tmp_path)
    client = redis_server.client()
    present = [key for key in job_keys(redis_store_id) if client.exists(key)]
    assert present == [
        f"diffsync-job:{{{redis_store_id}}}:result:load-source",
        f"diffsync-job:{{{redis_store_id}}}:result:load-target",
        f"diffsync-job:{{{redis_store_id}}}:result:diff",
        f"diffsync-job:{{{redis_store_id}}}:generations",
        f"diffsync-job:{{{redis_store_id}}}:logs",
    ]
    [log] = [name.decode() for name in client.smembers(f"diffsync-job:{{{redis_store_id}}}:logs")]
    assert log.startswith("diff@1-") and client.llen(f"diffsync-job:{{{redis_store_id}}}:log:{log}") == 1 + 7


def test_deleting_job_data_under_its_claim_leaves_no_key_of_the_job(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = job_json(*inventory_files, redis_store_id, mode="sync")
    for stage in ("load-source", "load-target", "diff", "sync"):
        run_worker(stage, job, redis_url, tmp_path)
    client = redis_server.client()
    logs = client.keys(f"diffsync-job:{{{redis_store_id}}}:log:*")
    assert sorted(key.decode().rsplit(":", 1)[1].split("@")[0] for key in logs) == ["diff", "sync-results"]
    outcome = delete_state_under_claim(
        client, redis_store_id, ClaimOwner(f"uid-of-{redis_store_id}", "ns/job")
    )
    assert outcome.left_to is None
    assert client.keys(f"*{redis_store_id}*") == []


def test_unreachable_redis_fails_the_stage_as_retryable(inventory_files, tmp_path):
    code, result, _ = run_worker(
        "load-source", job_json(*inventory_files, "x"), "redis://127.0.0.1:1/0", tmp_path
    )
    assert code == 1
    assert (result.ok, result.retryable) == (False, True)
    assert result.error.startswith("ObjectStoreException")


def test_load_retried_after_redis_restart_succeeds(inventory_files, restartable_redis, tmp_path):
    job = job_json(*inventory_files, "restart")
    restartable_redis.stop()
    first = run_worker("load-source", job, restartable_redis.url, tmp_path, attempt=1)
    restartable_redis.start()
    second = run_worker("load-source", job, restartable_redis.url, tmp_path, attempt=2)
    assert (first[0], first[1].retryable) == (1, True)
    assert (second[0], second[1].objects) == (0, 5)


def test_diff_after_redis_lost_its_data_stops_without_retry(inventory_files, redis_server_factory, tmp_path):
    server = redis_server_factory()  # not durable: a restart empties it
    job = job_json(*inventory_files, "lost")
    for stage in ("load-source", "load-target"):
        run_worker(stage, job, server.url, tmp_path)
    server.restart()
    code, result, _ = run_worker("diff", job, server.url, tmp_path)
    assert (code, result.retryable) == (1, False)
    assert "state of load-source is missing" in result.error


def test_bad_job_environment_is_a_non_retryable_failure(redis_url, tmp_path):
    code, result, _ = run_worker("diff", '{"storeId": "x"}', redis_url, tmp_path)
    assert (code, result.retryable) == (1, False)
    assert "bad worker environment" in result.error


@pytest.mark.parametrize("argv", [[], ["unload"], ["diff", "sync"]])
def test_bad_command_line_exits_2_with_usage(argv):
    done = subprocess.run(
        [sys.executable, "-m", "diffsync_operator.worker", *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "usage: python -m diffsync_operator.worker <stage>" in done.stderr


def test_cleanup_command_deletes_every_key_of_the_job(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        run_worker(stage, job, redis_url, tmp_path)
    code, _, done = run_worker("cleanup", job, redis_url, tmp_path)
    assert code == 0, done.stderr
    assert redis_server.client().keys(f"*{redis_store_id}*") == []


def test_stage_pod_clients_have_the_store_timeouts_and_retries(redis_url):
    from diffsync_operator.stages.redis_login import RedisLogin
    from diffsync_operator.worker import redis_stores

    client, factory = redis_stores(RedisLogin(redis_url))
    try:
        options = client.connection_pool.connection_kwargs
        assert options["socket_timeout"] == 10.0
        assert options["socket_connect_timeout"] == 5.0
        assert options["retry"].get_retries() == 3
        store = factory("worker-client/source")
        assert store._client is client  # every store of the stage shares the one client
    finally:
        client.close()


def test_a_stage_of_another_job_on_a_claimed_store_fails_naming_the_holder(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    StoreClaim(redis_server.client(), redis_store_id).acquire(ClaimOwner("uid-first", "team-a/first"), 60)
    code, result, _ = run_worker(
        "load-source", job_json(*inventory_files, redis_store_id), redis_url, tmp_path
    )
    assert (code, result.retryable) == (1, True)
    assert f"store {redis_store_id} is in use by job team-a/first (uid uid-first)" in result.error
    assert redis_server.client().keys(f"diffsync:*{redis_store_id}*") == []  # nothing cleared or written


def test_the_final_stage_releases_the_claim_and_the_next_job_may_run(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        assert run_worker(stage, job, redis_url, tmp_path)[0] == 0
    holder = StoreClaim(redis_server.client(), redis_store_id).current()
    assert (holder.uid, holder.state) == (f"uid-of-{redis_store_id}", "finished")
    other = job_json(*inventory_files, redis_store_id, jobUid="uid-next")
    assert run_worker("load-source", other, redis_url, tmp_path, attempt=2)[0] == 0


def test_cleanup_leaves_a_store_another_job_wrote_after_this_one(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        run_worker(stage, job, redis_url, tmp_path)
    StoreClaim(redis_server.client(), redis_store_id).acquire(ClaimOwner("uid-next", "team-a/next"), 60)
    before = sorted(redis_server.client().keys(f"*{redis_store_id}*"))
    code, _, done = run_worker("cleanup", job, redis_url, tmp_path)
    assert code == EXIT_LEFT_TO_OTHER_JOB, done.stderr
    assert (
        "job team-a/next (uid uid-next) holds it or wrote it last"
        in (tmp_path / "cleanup-1.termination-log").read_text()
    )
    assert sorted(redis_server.client().keys(f"*{redis_store_id}*")) == before

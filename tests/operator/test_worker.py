"""The worker entry point: each stage a separate process sharing a real Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from diffsync_operator.stages.handover import delete_job_data, job_keys
from diffsync_operator.stages.result import StageResult
from sample_adapters import SOURCE, read_inventory

HERE = Path(__file__).resolve().parent


def _job(source, target, store_id, **extra) -> str:
    return json.dumps(
        {
            "storeId": store_id,
            "source": {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
            "target": {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
            **extra,
        }
    )


def _worker(stage: str, job: str, redis_url: str, tmp_path: Path, attempt: int = 1):
    """Run one stage as its own process; returns (exit code, result from the termination log)."""
    log = tmp_path / f"{stage}-{attempt}.termination-log"
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(HERE),
        "DIFFSYNC_JOB": job,
        "DIFFSYNC_ATTEMPT": str(attempt),
        "DIFFSYNC_REDIS_URL": redis_url,
        "DIFFSYNC_TERMINATION_LOG": str(log),
    }
    done = subprocess.run(
        [sys.executable, "-m", "diffsync_operator.worker", stage],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = log.read_text() if log.exists() else ""
    return done.returncode, StageResult.parse(text), done


def test_stages_in_separate_processes_sync_the_target(inventory_files, redis_url, redis_store_id, tmp_path):
    source, target = inventory_files
    job = _job(source, target, redis_store_id, mode="sync")
    codes = [
        _worker(stage, job, redis_url, tmp_path)[0]
        for stage in ("load-source", "load-target", "diff", "sync")
    ]
    assert codes == [0, 0, 0, 0]
    assert read_inventory(target) == SOURCE


def test_diff_process_reports_the_summary_in_its_termination_message(
    inventory_files, redis_url, redis_store_id, tmp_path
):
    job = _job(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target"):
        _worker(stage, job, redis_url, tmp_path)
    code, result, _ = _worker("diff", job, redis_url, tmp_path)
    assert code == 0
    assert result.diff.model_dump() == {"create": 2, "update": 1, "delete": 2, "no_change": 2, "skip": 0}
    assert result.peak_memory_bytes > 0


def test_stage_results_and_diff_are_kept_in_redis_under_the_job_prefix(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = _job(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        _worker(stage, job, redis_url, tmp_path)
    client = redis_server.client()
    present = [key for key in job_keys(redis_store_id) if client.exists(key)]
    assert present == [
        f"diffsync-job:{{{redis_store_id}}}:diff",
        f"diffsync-job:{{{redis_store_id}}}:result:load-source",
        f"diffsync-job:{{{redis_store_id}}}:result:load-target",
        f"diffsync-job:{{{redis_store_id}}}:result:diff",
    ]


def test_deleting_job_data_leaves_no_key_of_the_job(
    inventory_files, redis_url, redis_store_id, redis_server, tmp_path
):
    job = _job(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        _worker(stage, job, redis_url, tmp_path)
    client = redis_server.client()
    assert client.keys(f"*{redis_store_id}*")
    delete_job_data(client, redis_store_id)
    assert client.keys(f"*{redis_store_id}*") == []


def test_unreachable_redis_fails_the_stage_as_retryable(inventory_files, tmp_path):
    code, result, _ = _worker("load-source", _job(*inventory_files, "x"), "redis://127.0.0.1:1/0", tmp_path)
    assert code == 1
    assert (result.ok, result.retryable) == (False, True)
    assert result.error.startswith("load-source: ObjectStoreException")


def test_load_retried_after_redis_restart_succeeds(inventory_files, restartable_redis, tmp_path):
    job = _job(*inventory_files, "restart")
    restartable_redis.stop()
    first = _worker("load-source", job, restartable_redis.url, tmp_path, attempt=1)
    restartable_redis.start()
    second = _worker("load-source", job, restartable_redis.url, tmp_path, attempt=2)
    assert (first[0], first[1].retryable) == (1, True)
    assert (second[0], second[1].objects) == (0, 5)


def test_diff_after_redis_lost_its_data_stops_without_retry(inventory_files, redis_server_factory, tmp_path):
    server = redis_server_factory()  # not durable: a restart empties it
    job = _job(*inventory_files, "lost")
    for stage in ("load-source", "load-target"):
        _worker(stage, job, server.url, tmp_path)
    server.restart()
    code, result, _ = _worker("diff", job, server.url, tmp_path)
    assert (code, result.retryable) == (1, False)
    assert "state of load-source is missing" in result.error


def test_bad_job_environment_is_a_non_retryable_failure(redis_url, tmp_path):
    code, result, _ = _worker("diff", '{"storeId": "x"}', redis_url, tmp_path)
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
    job = _job(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target", "diff"):
        _worker(stage, job, redis_url, tmp_path)
    code, _, done = _worker("cleanup", job, redis_url, tmp_path)
    assert code == 0, done.stderr
    assert redis_server.client().keys(f"*{redis_store_id}*") == []


def test_stage_pod_clients_have_the_store_timeouts_and_retries(redis_url):
    from diffsync_operator.worker import redis_stores

    client, factory = redis_stores(redis_url, None)
    try:
        options = client.connection_pool.connection_kwargs
        assert options["socket_timeout"] == 10.0
        assert options["socket_connect_timeout"] == 5.0
        assert options["retry"].get_retries() == 3
        store = factory("worker-client/source")
        assert store._client is client  # every store of the stage shares the one client
    finally:
        client.close()

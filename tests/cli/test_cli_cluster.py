"""`diffsync status`, `show-diff` and `show-results` against a real API server and a real Redis.

The test plays the operator's part: it creates a SyncJob, writes its status through the
status subresource (validated by the generated CRD schema) and stores the job's diff (and
its sync results) in Redis with `diffsync run --redis-url --keep-state` under the job's
storeId, which is where the diff and sync stages keep them.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import redis
from cli_helpers import REPO, Maker, add_person, load_json, run_cli
from diffsync_operator.api.resource import GROUP, PLURAL, VERSION
from diffsync_operator.api.status import (
    Condition,
    DiffSummary,
    JobPhase,
    Stage,
    StagePhase,
    StageStatus,
    SyncJobStatus,
)
from diffsync_operator.stages.store_ids import local_store_id
from kubernetes import client

CRD_FILE = REPO / "deploy" / "crd" / "syncjobs.diffsync.io.yaml"


@pytest.fixture
def namespace(cluster: Any) -> str:
    """A fresh namespace on a cluster with the SyncJob CRD established."""
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRD_FILE))
    cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/syncjobs.diffsync.io")
    name: str = cluster.create_namespace(prefix="cli-")
    return name


def _status(phase: JobPhase, store_id: str, message: str = "") -> dict[str, Any]:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    stages = [
        StageStatus(
            name=stage, phase=StagePhase.SUCCEEDED, pod=f"directory-{stage.value}-1", attempts=1, objects=21
        )
        for stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET)
    ]
    failed = phase is JobPhase.FAILED
    stages.append(
        StageStatus(name=Stage.DIFF, phase=StagePhase.FAILED if failed else StagePhase.SUCCEEDED, attempts=1,
                    pod="directory-diff-1", message=message or None)
    )  # fmt: skip
    status = SyncJobStatus(
        phase=phase,
        store_id=store_id,
        start_time=now,
        completion_time=now,
        stages=stages,
        diff=None if failed else DiffSummary(create=5, update=3, delete=3, no_change=13),
        conditions=[
            Condition(
                type="Ready",
                status="False" if failed else "True",
                reason="StageFailed" if failed else "Completed",
                message=message,
                last_transition_time=now,
            )
        ],
    )
    return status.to_manifest()


def _create_job(cluster: Any, namespace: str, name: str, manifest: Path, status: dict[str, Any]) -> None:
    import yaml

    body = yaml.safe_load(manifest.read_text())
    body["metadata"] = {"name": name, "namespace": namespace}
    with cluster.api_client() as api:
        custom = client.CustomObjectsApi(api)
        custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)
        custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, namespace, PLURAL, name, {"status": status}
        )


def _kube_env(cluster: Any) -> dict[str, str]:
    return {"KUBECONFIG": str(cluster.kubeconfig)}


def test_status_shows_phase_stages_and_summary(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_store_id: str
) -> None:
    _create_job(
        cluster, namespace, "directory", directory_manifest(), _status(JobPhase.SUCCEEDED, redis_store_id)
    )
    process = run_cli("status", "directory", "-n", namespace, env_vars=_kube_env(cluster))
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith(f"SyncJob {namespace}/directory: Succeeded (diff mode")
    assert "summary: create 5, update 3, delete 3, no-change 13, skip 0" in process.stdout
    assert any(line.split()[:3] == ["load-source", "Succeeded", "1"] for line in process.stdout.splitlines())


def test_status_of_a_failed_job_exits_1_with_the_stage_message(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_store_id: str
) -> None:
    message = "diff: the state of load-source is missing (was Redis restarted or flushed?)"
    _create_job(
        cluster, namespace, "broken", directory_manifest(), _status(JobPhase.FAILED, redis_store_id, message)
    )
    process = run_cli("status", "broken", "-n", namespace, env_vars=_kube_env(cluster))
    assert process.returncode == 1
    assert message in process.stdout


def test_status_json_is_the_status_document(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_store_id: str
) -> None:
    _create_job(
        cluster, namespace, "directory", directory_manifest(), _status(JobPhase.SUCCEEDED, redis_store_id)
    )
    process = run_cli("status", "directory", "-n", namespace, "-o", "json", env_vars=_kube_env(cluster))
    document = json.loads(process.stdout)
    assert document["phase"] == "Succeeded" and document["storeId"] == redis_store_id


def test_status_of_an_unknown_job_exits_2(cluster: Any, namespace: str) -> None:
    process = run_cli("status", "nope", "-n", namespace, env_vars=_kube_env(cluster))
    assert process.returncode == 2
    assert "error: not found" in process.stderr and "nope" in process.stderr


def test_show_diff_renders_the_stored_diff_like_a_local_run(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_url: str, redis_store_id: str
) -> None:
    manifest = directory_manifest(storeId=redis_store_id)
    local = run_cli("run", str(manifest), "--redis-url", redis_url, "--keep-state", "-q")
    assert local.returncode == 0, local.stderr
    kept_under = local_store_id(None, "directory", redis_store_id, "")  # where the local run kept it
    _create_job(cluster, namespace, "directory", manifest, _status(JobPhase.SUCCEEDED, kept_under))
    try:
        process = run_cli("show-diff", "directory", "-n", namespace, "--redis-url", redis_url,
                          env_vars=_kube_env(cluster))  # fmt: skip
    finally:
        connection = redis.Redis.from_url(redis_url)
        connection.delete(*connection.keys(f"*{redis_store_id}*"))
        connection.close()
    assert process.returncode == 0, process.stderr
    tree = local.stdout.split("\n\n")[1]
    assert tree.startswith("team\n") and tree in process.stdout
    assert "summary: create 5, update 3, delete 3, no-change 13, skip 0" in process.stdout


def test_show_diff_without_a_stored_diff_exits_1(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_url: str, redis_store_id: str
) -> None:
    _create_job(
        cluster, namespace, "directory", directory_manifest(), _status(JobPhase.RUNNING, redis_store_id)
    )
    process = run_cli("show-diff", "directory", "-n", namespace, "--redis-url", redis_url,
                      env_vars=_kube_env(cluster))  # fmt: skip
    assert process.returncode == 1
    assert f"error: no diff stored for store {redis_store_id}" in process.stderr


def test_show_diff_of_a_job_on_the_operators_redis_logs_in_as_the_jobs_own_user(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_server_factory: Any, redis_store_id: str
) -> None:
    """The job's Redis user (status.redisUser) and its Secret are what `show-diff` logs in with
    when the URL carries no password: the admin password is never needed."""
    from diffsync_operator.controller.redis_acl import password_hash, set_job_user

    server = redis_server_factory(password="admin-pw")
    manifest = directory_manifest(storeId=redis_store_id)
    local = run_cli("run", str(manifest), "--redis-url", server.url, "--keep-state", "-q")
    assert local.returncode == 0, local.stderr
    kept_under = local_store_id(None, "directory", redis_store_id, "")  # where the local run kept it
    set_job_user(server.client(), "diffsync-job-cli", kept_under, password_hash("job-pw"))
    status = _status(JobPhase.SUCCEEDED, kept_under)
    status["redisUser"] = {"name": "diffsync-job-cli", "secretName": "dir-redis-x1", "passwordHash": "0" * 64}
    with cluster.api_client() as api:
        client.CoreV1Api(api).create_namespaced_secret(
            namespace,
            {
                "metadata": {"name": "dir-redis-x1"},
                "stringData": {"username": "diffsync-job-cli", "password": "job-pw"},
            },
        )
    _create_job(cluster, namespace, "directory", manifest, status)
    url = f"redis://127.0.0.1:{server.port}/0"  # no password: the job's user is used
    process = run_cli(
        "show-diff", "directory", "-n", namespace, "--redis-url", url, env_vars=_kube_env(cluster)
    )
    assert process.returncode == 0, process.stderr
    assert "summary: create 5, update 3, delete 3, no-change 13, skip 0" in process.stdout
    assert "job-pw" not in process.stdout + process.stderr


def test_show_diff_json_lists_every_changed_element_and_the_summary(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_url: str, redis_store_id: str
) -> None:
    manifest = directory_manifest(storeId=redis_store_id)
    local = load_json(
        run_cli("run", str(manifest), "--redis-url", redis_url, "--keep-state", "-q", "-o", "json")
    )
    _create_job(cluster, namespace, "directory", manifest, _status(JobPhase.SUCCEEDED, local["storeId"]))
    try:
        process = run_cli("show-diff", "directory", "-n", namespace, "--redis-url", redis_url, "-o", "json",
                          env_vars=_kube_env(cluster))  # fmt: skip
    finally:
        _forget(redis_url, redis_store_id)
    document = load_json(process)
    assert document["summary"] == local["summary"]
    actions = [element["action"] for element in document["elements"] if element["action"]]
    assert sorted(actions) == sorted(["create"] * 5 + ["update"] * 3 + ["delete"] * 3)
    [pdubois] = [element for element in document["elements"] if element["name"] == "pdubois"]
    assert (pdubois["type"], pdubois["depth"], pdubois["dest_attrs"]) == ("person", 0, None)


def _synced_with_a_failure(
    cluster: Any,
    namespace: str,
    directory_manifest: Maker,
    directory_data: Path,
    redis_url: str,
    store_id: str,
) -> dict[str, Any]:
    """A sync run kept in Redis (one person refused) and a SyncJob whose status names its store."""
    add_person(directory_data, "zzbad,Zed,Bad,not-an-email,Intern,support")
    manifest = directory_manifest(mode="sync", flags=["CONTINUE_ON_FAILURE"], storeId=store_id)
    local = load_json(
        run_cli("run", str(manifest), "--redis-url", redis_url, "--keep-state", "-q", "-o", "json")
    )
    assert local["sync"]["failed"] == 1, local
    _create_job(cluster, namespace, "directory", manifest, _status(JobPhase.SUCCEEDED, local["storeId"]))
    return local


def _forget(redis_url: str, store_id: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    connection.delete(*connection.keys(f"*{store_id}*"))
    connection.close()


def test_show_results_lists_every_object_and_failed_only_the_refused_one(
    cluster: Any,
    namespace: str,
    directory_manifest: Maker,
    directory_data: Path,
    redis_url: str,
    redis_store_id: str,
) -> None:
    local = _synced_with_a_failure(
        cluster, namespace, directory_manifest, directory_data, redis_url, redis_store_id
    )
    show = ("show-results", "directory", "-n", namespace, "--redis-url", redis_url)
    try:
        every = run_cli(*show, env_vars=_kube_env(cluster))
        failed = run_cli(*show, "--failed", env_vars=_kube_env(cluster))
        as_json = run_cli(*show, "-o", "json", env_vars=_kube_env(cluster))
    finally:
        _forget(redis_url, redis_store_id)
    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    assert lines[0] == f"SyncJob {namespace}/directory (store {local['storeId']}), sync attempt 1: 12 results"
    assert lines[-1] == "12 results" and len(lines) == 14
    refused = "person zzbad: email 'not-an-email' is not an address; the directory refuses it"
    assert failed.stdout.splitlines()[1:] == [
        f"failure  create person zzbad: {refused}",
        "1 failed of 12 results",
    ]
    document = load_json(as_json)
    assert (document["total"], document["attempt"], document["failedOnly"]) == (12, 1, False)
    assert document["results"] == local["results"]  # what the local run reported, read back from Redis


def test_show_results_of_a_job_that_synced_nothing_exits_1_saying_why(
    cluster: Any, namespace: str, directory_manifest: Maker, redis_url: str, redis_store_id: str
) -> None:
    manifest = directory_manifest(storeId=redis_store_id)  # diff mode: no sync stage
    local = load_json(
        run_cli("run", str(manifest), "--redis-url", redis_url, "--keep-state", "-q", "-o", "json")
    )
    _create_job(cluster, namespace, "directory", manifest, _status(JobPhase.SUCCEEDED, local["storeId"]))
    try:
        process = run_cli("show-results", "directory", "-n", namespace, "--redis-url", redis_url,
                          env_vars=_kube_env(cluster))  # fmt: skip
        attempt = run_cli("show-results", "directory", "-n", namespace, "--redis-url", redis_url,
                          "--attempt", "2", env_vars=_kube_env(cluster))  # fmt: skip
    finally:
        _forget(redis_url, redis_store_id)
    assert process.returncode == 1
    assert process.stderr.startswith(
        f"error: no sync results stored for store {local['storeId']}: the sync stage"
    )
    assert attempt.returncode == 2
    assert "--attempt 2: no sync results stored for it (attempts with results: none)" in attempt.stderr

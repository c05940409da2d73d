"""`diffsync run --redis-url`: each stage its own worker process, sharing state in a real Redis."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from cli_helpers import (
    Maker,
    add_person,
    copy_directory_data,
    load_json,
    manifest_maker,
    network_spec,
    run_cli,
    write_manifest,
)


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A report without timings, memory and how it ran."""
    stages = [
        {key: stage.get(key) for key in ("stage", "ok", "objects", "models", "diff", "sync", "error")}
        for stage in document["stages"]
    ]
    same = ("ok", "exitCode", "summary", "sync", "diff", "results")
    return {**{key: document[key] for key in same}, "stages": stages}


def test_a_redis_run_reports_what_the_local_run_reports(directory_manifest: Maker, redis_url: str) -> None:
    manifest = str(directory_manifest())
    local = load_json(run_cli("run", manifest, "-o", "json"))
    remote = load_json(run_cli("run", manifest, "-o", "json", "--redis-url", redis_url))
    assert remote["summary"] == {"create": 5, "update": 3, "delete": 3, "no-change": 13, "skip": 0}
    assert _comparable(remote) == _comparable(local)


def test_a_redis_sync_writes_the_same_target_as_a_local_sync(tmp_path: Path, redis_url: str) -> None:
    written = []
    for name, extra in (("local", []), ("redis", ["--redis-url", redis_url])):
        data = copy_directory_data(tmp_path / name)
        process = run_cli("run", str(manifest_maker(tmp_path / name, data)(mode="sync")), *extra)
        assert process.returncode == 0, process.stdout + process.stderr
        written.append((data / "directory.json").read_text())
    assert written[0] == written[1]
    assert "pdubois" in {person["username"] for person in json.loads(written[1])["people"]}


def test_each_stage_runs_in_its_own_process(tmp_path: Path, directory_data: Path, redis_url: str) -> None:
    (tmp_path / "pid_adapters.py").write_text(
        textwrap.dedent(
            f"""
            import os
            from examples.directory.hr_source import HrSource
            from examples.directory.json_directory import JsonDirectory

            def note(stage):
                with open({str(tmp_path / "pids.txt")!r}, "a") as handle:
                    handle.write(f"{{stage}} {{os.getpid()}}\\n")

            class PidSource(HrSource):
                def load(self):
                    note("load-source")
                    super().load()

            class PidDirectory(JsonDirectory):
                def load(self):
                    note("load-target")
                    super().load()

                def sync_complete(self, *args, **kwargs):
                    note("sync")
                    super().sync_complete(*args, **kwargs)
            """
        )
    )
    manifest = manifest_maker(tmp_path, directory_data)(mode="sync")
    text = manifest.read_text()
    text = text.replace("examples.directory.hr_source:HrSource", "pid_adapters:PidSource")
    manifest.write_text(
        text.replace("examples.directory.json_directory:JsonDirectory", "pid_adapters:PidDirectory")
    )
    process = run_cli("run", str(manifest), "--redis-url", redis_url, extra_path=tmp_path)
    assert process.returncode == 0, process.stdout + process.stderr
    pids = dict(line.split() for line in (tmp_path / "pids.txt").read_text().splitlines())
    assert set(pids) == {"load-source", "load-target", "sync"}
    assert len(set(pids.values())) == 3


def test_a_redis_run_leaves_no_keys_behind(
    directory_manifest: Maker, redis_url: str, redis_store_id: str
) -> None:
    manifest = directory_manifest(storeId=redis_store_id, mode="sync")  # a diff log and a results log
    process = run_cli("run", str(manifest), "--redis-url", redis_url)
    assert process.returncode == 0, process.stderr
    client = redis.Redis.from_url(redis_url)
    try:
        assert [key for key in client.scan_iter(match="*") if redis_store_id.encode() in key] == []
    finally:
        client.close()


def test_keep_state_leaves_the_stored_diff_in_redis(
    directory_manifest: Maker, redis_url: str, redis_store_id: str
) -> None:
    manifest = directory_manifest(storeId=redis_store_id)
    process = run_cli("run", str(manifest), "--redis-url", redis_url, "--keep-state")
    assert process.returncode == 0, process.stderr
    client = redis.Redis.from_url(redis_url)
    try:
        # A local run's store id is `_local/<namespace>/<storeId>`: never a cluster job's.
        [key] = client.keys(f"diffsync-job:{{_local/*/{redis_store_id}}}:log:diff@*")
        stored = client.lrange(key, 0, -1)
        assert any(b"pdubois" in line for line in stored)
        assert 0 < client.ttl(key) <= 86400  # kept, but it expires (storeTTLSeconds)
    finally:
        client.delete(*client.keys(f"*{redis_store_id}*"))
        client.close()


def test_a_refused_object_fails_the_sync_worker_and_leaves_the_target_untouched(
    directory_manifest: Maker, directory_data: Path, redis_url: str
) -> None:
    add_person(directory_data, "zzbad,Zed,Bad,not-an-email,Intern,support")
    before = (directory_data / "directory.json").read_bytes()
    process = run_cli("run", str(directory_manifest(mode="sync")), "--redis-url", redis_url)
    assert process.returncode == 1
    assert "FAILED in stage sync: ObjectNotCreated: person zzbad" in process.stdout
    assert (directory_data / "directory.json").read_bytes() == before


def test_an_unreachable_redis_exits_1_naming_the_url(directory_manifest: Maker, tmp_path: Path) -> None:
    url = f"unix://{tmp_path / 'no-redis.sock'}"
    process = run_cli("run", str(directory_manifest()), "--redis-url", url)
    assert process.returncode == 1
    assert f"error: --redis-url {url}: Redis is not reachable" in process.stderr


def test_a_redis_sync_of_the_network_example_leaves_nothing_to_change(tmp_path: Path, redis_url: str) -> None:
    spec = network_spec(tmp_path / "inventory.db")
    manifest = str(write_manifest(tmp_path / "network.yaml", spec))
    synced = run_cli("run", manifest, "--mode", "sync", "--redis-url", redis_url)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "sync: applied 16, failed 0" in synced.stdout
    again = run_cli("run", manifest)
    assert "summary: create 0, update 0, delete 0, no-change 17, skip 0" in again.stdout


def test_a_password_in_the_redis_url_works_and_is_never_printed(
    directory_manifest: Maker, redis_server_factory: Callable[..., Any]
) -> None:
    server = redis_server_factory(password="cli-s3cret")
    process = run_cli("run", str(directory_manifest()), "--redis-url", server.url, "-v")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "summary: create 5, update 3, delete 3, no-change 13, skip 0" in process.stdout
    assert "cli-s3cret" not in process.stdout + process.stderr
    assert f"redis://:***@127.0.0.1:{server.port}/0" in process.stdout


def test_a_worker_that_reported_success_then_exited_75_is_a_failed_stage() -> None:
    import subprocess

    from diffsync_operator.api.status import Stage
    from diffsync_operator.cli.runner import _worker_result
    from diffsync_operator.stages.result import StageResult

    printed = StageResult(stage=Stage.LOAD_SOURCE, ok=True, objects=5).to_json()
    stderr = "diffsync: could not write RedisStore (dc1) at exit: ObjectStoreException: ...\n"
    done = subprocess.CompletedProcess(["worker"], 75, f"{printed}\n", stderr)
    result = _worker_result(Stage.LOAD_SOURCE, done)
    assert (result.ok, result.retryable, result.objects) == (False, True, 5)
    assert result.error.startswith("reported success, then exited with status 75: diffsync: could not write")
    clean = subprocess.CompletedProcess(["worker"], 0, f"{printed}\n", "")
    assert _worker_result(Stage.LOAD_SOURCE, clean).ok


def test_a_run_on_a_redis_cluster_reports_what_the_local_run_reports_and_leaves_no_keys(
    directory_manifest: Maker, redis_cluster: Any, redis_store_id: str
) -> None:
    manifest = str(directory_manifest(storeId=redis_store_id))
    local = load_json(run_cli("run", manifest, "-o", "json"))
    remote = load_json(run_cli("run", manifest, "-o", "json", "--redis-url", redis_cluster.url))
    assert _comparable(remote) == _comparable(local)
    assert sum(redis_cluster.keys_per_master(f"*{redis_store_id}*").values()) == 0

"""Stage processes stopped by SIGTERM or losing their Redis state mid-stage (real Redis, real processes)."""

from __future__ import annotations

import signal
import time

from diffsync_operator.api.status import Stage
from diffsync_operator.stages.claims import ClaimOwner
from diffsync_operator.stages.cleanup import delete_state_under_claim
from diffsync_operator.stages.handover import RedisJobState
from envtest.waiting import wait_for
from sample_adapters import SOURCE, FileInventory, read_changes, read_inventory, write_inventory
from worker_helpers import finish_worker, job_json, run_worker, start_worker

from diffsync.store.redis import FLUSH_FAILED_EXIT_STATUS, RedisStore, delete_store, store_keys

#: What the sample target holds and the source does not: the only deletes a sync may make.
TARGET_ONLY = {"delete shelf c3", "delete item a1__washer"}


def _wait_at_hold(release) -> None:
    marker = release.parent / (release.name + ".waiting")
    wait_for(marker.exists, timeout=60, what=f"the stage process at its hold {release.name}")


def test_sigterm_mid_load_reports_an_interrupted_attempt_and_leaves_no_data(
    inventory_files, redis_server, redis_store_id, tmp_path
):
    release = tmp_path / "release"
    job = job_json(
        *inventory_files, redis_store_id, source_params={"hold_until": str(release), "stop_seconds": 1}
    )
    process, log = start_worker("load-source", job, redis_server.url, tmp_path)
    _wait_at_hold(release)  # shelf a1 and its items are added: a half-done load
    stopped_at = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, result, done = finish_worker(process, log)
    assert time.monotonic() - stopped_at >= 1  # the adapter's own slow stop ran
    assert code == 128 + signal.SIGTERM, done.stderr
    assert (result.ok, result.retryable, result.interrupted) == (False, True, True)
    assert result.error.startswith("interrupted: stopped by SIGTERM")
    client = redis_server.client()
    (generation,) = RedisJobState(client, redis_store_id).generations()  # registered before writing
    assert RedisStore(client=client, store_id=generation).count() == 0  # no exit-time flush of the half load
    assert RedisJobState(client, redis_store_id).get_result(Stage.LOAD_SOURCE).interrupted


def test_redis_restart_during_the_diff_fails_it_as_lost_state(
    inventory_files, redis_server_factory, tmp_path
):
    server = redis_server_factory()  # not durable: a restart empties it
    release = tmp_path / "release"
    job = job_json(*inventory_files, "lost-mid-diff", target_params={"hold_diff_read_until": str(release)})
    for stage in ("load-source", "load-target"):
        assert run_worker(stage, job, server.url, tmp_path)[0] == 0
    process, log = start_worker("diff", job, server.url, tmp_path)
    _wait_at_hold(release)  # the source's shelves are read, the target's not yet
    server.restart()
    release.touch()
    code, result, done = finish_worker(process, log)
    assert code == 1, done.stderr
    assert (result.ok, result.retryable, result.lost_state) == (False, False, True)
    assert "the load stages must run again" in result.error
    assert result.diff is None  # no summary of a diff made from half a state


def test_redis_restart_during_the_sync_is_lost_state_and_a_rerun_completes_it(
    inventory_files, redis_server_factory, tmp_path
):
    server = redis_server_factory()
    source, target = inventory_files
    release = tmp_path / "release"
    held = job_json(
        source, target, "lost-mid-sync", mode="sync", target_params={"hold_sync_step_until": str(release)}
    )
    for stage in ("load-source", "load-target", "diff"):
        assert run_worker(stage, held, server.url, tmp_path)[0] == 0
    process, log = start_worker("sync", held, server.url, tmp_path)
    _wait_at_hold(release)  # one change applied to the target
    server.restart()
    release.touch()
    code, result, done = finish_worker(process, log)
    assert code == 1, (
        done.stderr
    )  # not 75: what the failed sync still buffered is dropped, not flushed at exit
    assert (result.ok, result.lost_state) == (False, True)  # not "the target refused an object"
    # What the operator does next: load both sides again, diff, sync what is still different.
    plain = job_json(source, target, "lost-mid-sync", mode="sync")
    for stage in ("load-source", "load-target", "diff", "sync"):
        assert run_worker(stage, plain, server.url, tmp_path, attempt=2)[0] == 0
    assert read_inventory(target) == SOURCE
    deletes = {change for change in read_changes(target) if change.startswith("delete")}
    assert deletes <= TARGET_ONLY


def test_deleting_the_job_deletes_a_generation_a_late_flush_rewrote(
    inventory_files, redis_server, redis_store_id, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    client = redis_server.client()
    assert run_worker("load-source", job, redis_server.url, tmp_path, attempt=1)[0] == 0
    first = RedisJobState(client, redis_store_id).get_result(Stage.LOAD_SOURCE).generation
    assert run_worker("load-source", job, redis_server.url, tmp_path, attempt=2)[0] == 0
    assert RedisStore(client=client, store_id=first).count() == 0  # superseded, so deleted
    late = RedisStore(client=client, store_id=first)  # an attempt that outlived its pod flushes late
    late.add(obj=_item())
    late.flush()
    delete_state_under_claim(client, redis_store_id, ClaimOwner(f"uid-of-{redis_store_id}", "test"))
    assert client.keys(f"*{redis_store_id}*") == []


def _item():
    from sample_adapters import Item

    return Item(shelf="a1", sku="late", qty=1)


def test_data_lost_while_the_diff_reads_is_lost_state_by_the_stores_epoch(
    inventory_files, redis_server, redis_store_id, tmp_path
):
    release = tmp_path / "release"
    job = job_json(*inventory_files, redis_store_id, target_params={"hold_diff_read_until": str(release)})
    job = job.replace("FileInventory", "FlatInventory").replace("FileTarget", "FlatInventory")
    for stage in ("load-source", "load-target"):
        assert run_worker(stage, job, redis_server.url, tmp_path)[0] == 0
    client = redis_server.client()
    source = RedisJobState(client, redis_store_id).get_result(Stage.LOAD_SOURCE).generation
    process, log = start_worker("diff", job, redis_server.url, tmp_path)
    _wait_at_hold(release)  # the source's shelves are read; its items, and the target, not yet
    RedisStore(client=client, store_id=source).clear()  # evicted or expired: the results stay
    release.touch()
    code, result, done = finish_worker(process, log)
    assert code == 1, done.stderr
    assert (result.ok, result.lost_state) == (False, True)
    # The store's next read finds the epoch gone (before verify's count of what was read would).
    assert result.error.startswith("StoreDataLost: source@1-")
    assert "Redis lost this store's data" in result.error
    assert result.error.endswith("the load stages must run again")


def test_a_load_records_its_epoch_and_the_diff_refuses_a_store_written_again_since(
    inventory_files, redis_server, redis_store_id, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target"):
        assert run_worker(stage, job, redis_server.url, tmp_path)[0] == 0
    client = redis_server.client()
    loaded = RedisJobState(client, redis_store_id).get_result(Stage.LOAD_SOURCE)
    assert loaded.epoch and loaded.epoch == RedisStore(client=client, store_id=loaded.generation).epoch
    # Redis lost the generation and something wrote it again: same counts, other data.
    other = tmp_path / "other-source.json"
    write_inventory(
        other, {"shelves": {n: {"zone": "moved", "items": s["items"]} for n, s in SOURCE["shelves"].items()}}
    )
    store = RedisStore(client=client, store_id=loaded.generation)
    store.clear()
    FileInventory(path=str(other), internal_storage_engine=store).load()
    store.flush()
    assert store.count() == loaded.objects  # the counts alone would not tell
    code, result, done = run_worker("diff", job, redis_server.url, tmp_path)
    assert code == 1, done.stderr
    assert (result.ok, result.retryable, result.lost_state) == (False, False, True)
    assert result.error.startswith("StoreDataLost: ")
    assert "is not the data this store worked on" in result.error
    assert result.diff is None


def _as_an_older_diffsync_left_it(client, store_id: str, stage: Stage) -> str:
    """Rewrite a committed load as a worker before the epoch left it: format 1, no epoch."""
    state = RedisJobState(client, store_id)
    loaded = state.get_result(stage)
    delete_store(client, loaded.generation)
    prefix = RedisStore(client=client, store_id=loaded.generation)._keys.prefix
    client.hset(f"{prefix}:meta", mapping={"format": "diffsync-redis/1", "ver:shelf": "1"})
    client.sadd(f"{prefix}:models", "shelf")
    client.hset(f"{prefix}:data:shelf", "a1", '{"name": "a1", "zone": "north", "items": []}')
    client.rpush(f"{prefix}:order:shelf", "a1")
    assert state.commit(loaded.model_copy(update={"epoch": None}))  # the same attempt, recorded again
    return loaded.generation


def test_loads_an_older_diffsync_committed_are_reloaded_and_cleaned_up(
    inventory_files, redis_server, redis_store_id, tmp_path
):
    job = job_json(*inventory_files, redis_store_id)
    for stage in ("load-source", "load-target"):
        assert run_worker(stage, job, redis_server.url, tmp_path)[0] == 0
    client = redis_server.client()
    old = _as_an_older_diffsync_left_it(client, redis_store_id, Stage.LOAD_SOURCE)
    code, result, done = run_worker("diff", job, redis_server.url, tmp_path)
    assert code == 1, done.stderr
    assert (result.ok, result.lost_state) == (False, True)  # reload, do not retry the diff as is
    assert result.error.startswith("StoreFormatMismatch: ")
    # What the operator does next: load again (the old generation cannot be opened to clear it
    # then, and must not fail the load), diff again, delete the job.
    code, result, done = run_worker("load-source", job, redis_server.url, tmp_path, attempt=2)
    assert (code, result.ok) == (0, True), done.stderr
    assert "could not empty an abandoned store" in done.stderr
    assert run_worker("diff", job, redis_server.url, tmp_path, attempt=2)[0] == 0
    assert client.exists(*store_keys(client, old)) == 4
    delete_state_under_claim(client, redis_store_id, ClaimOwner(f"uid-of-{redis_store_id}", "test"))
    assert client.keys(f"*{redis_store_id}*") == []


def test_a_store_that_cannot_write_at_exit_makes_an_ok_stage_exit_75(
    inventory_files, redis_server, redis_store_id, tmp_path
):
    job = job_json(*inventory_files, redis_store_id).replace("FileInventory", "UnflushedInventory")
    code, result, done = run_worker("load-source", job, redis_server.url, tmp_path)
    assert code == FLUSH_FAILED_EXIT_STATUS == 75, done.stderr
    assert result.ok  # the termination message was written before: only the status tells
    assert "could not write RedisStore" in done.stderr and "at exit" in done.stderr
    assert "field 'handle' holds a value of type object" in done.stderr

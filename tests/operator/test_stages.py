"""The stage functions in one process over LocalStore (the seam the local CLI uses)."""

from __future__ import annotations

import json

import pytest
from diffsync_operator.api.status import DiffSummary, Stage
from diffsync_operator.stages.config import JobConfig
from diffsync_operator.stages.handover import MemoryJobState
from diffsync_operator.stages.run import local_store_factory, run_stage
from sample_adapters import SOURCE, read_inventory


def _job(source, target, **extra) -> JobConfig:
    return JobConfig.model_validate(
        {
            "storeId": "test",
            "jobUid": "uid-test",
            "source": {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
            "target": {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
            **extra,
        }
    )


def _run(job, stages, factory=None, state=None):
    factory = factory or local_store_factory()
    state = state or MemoryJobState()
    return [run_stage(stage, job, factory, state) for stage in stages], factory, state


ALL_DIFF = [Stage.LOAD_SOURCE, Stage.LOAD_TARGET, Stage.DIFF]


def test_load_stage_counts_objects_per_model(inventory_files):
    (result,), _, _ = _run(_job(*inventory_files), [Stage.LOAD_SOURCE])
    assert result.ok
    assert (result.objects, result.models) == (5, {"item": 3, "shelf": 2})


def test_diff_stage_reports_the_summary(inventory_files):
    results, _, state = _run(_job(*inventory_files), ALL_DIFF)
    # create b2 + gear; update bolt; delete washer and c3; no-change a1 and nut
    assert results[-1].diff == DiffSummary(create=2, update=1, delete=2, no_change=2, skip=0)
    assert state.log_length(results[-1].log) == 1 + 7  # the header, then every element


def test_sync_stage_changes_the_target_system(inventory_files):
    source, target = inventory_files
    results, _, _ = _run(_job(source, target, mode="sync"), [*ALL_DIFF, Stage.SYNC])
    assert [r.ok for r in results] == [True] * 4
    assert read_inventory(target) == SOURCE
    assert (results[-1].sync.succeeded, results[-1].sync.failed) == (5, 0)


def test_second_diff_after_sync_reports_no_changes(inventory_files):
    source, target = inventory_files
    _run(_job(source, target, mode="sync"), [*ALL_DIFF, Stage.SYNC])
    results, _, _ = _run(_job(source, target), ALL_DIFF)
    assert results[-1].diff == DiffSummary(no_change=5)


def test_refused_object_with_continue_on_failure_is_recorded(inventory_files, tmp_path):
    source, target = inventory_files
    data = read_inventory(source)
    data["shelves"]["a1"]["items"]["bad-sku"] = 1
    source.write_text(json.dumps(data))
    results, _, _ = _run(
        _job(source, target, mode="sync", flags=["CONTINUE_ON_FAILURE"]), [*ALL_DIFF, Stage.SYNC]
    )
    outcome = results[-1].sync
    assert results[-1].ok
    assert outcome.failed == 1
    assert (outcome.failures[0].id, outcome.failures[0].action) == ("a1__bad-sku", "create")
    assert "refuses sku bad-sku" in outcome.failures[0].message


def test_refused_object_without_continue_fails_the_stage_not_retryable(inventory_files):
    source, target = inventory_files
    data = read_inventory(source)
    data["shelves"]["a1"]["items"]["bad-sku"] = 1
    source.write_text(json.dumps(data))
    results, _, _ = _run(_job(source, target, mode="sync"), [*ALL_DIFF, Stage.SYNC])
    assert (results[-1].ok, results[-1].retryable) == (False, False)
    assert "ObjectNotCreated" in results[-1].error


@pytest.mark.parametrize(
    ("adapter", "fragment"),
    [
        ("no_such_module:Adapter", "No module named 'no_such_module'"),
        ("sample_adapters:Missing", "has no attribute 'Missing'"),
        ("sample_adapters:NotAnAdapter", "not a diffsync.Adapter subclass"),
    ],
)
def test_adapter_that_does_not_import_fails_without_retry(inventory_files, adapter, fragment):
    job = _job(*inventory_files)
    job.source.adapter = adapter
    (result,), _, _ = _run(job, [Stage.LOAD_SOURCE])
    assert (result.ok, result.retryable) == (False, False)
    assert fragment in result.error
    assert result.error.startswith("adapter")


def test_params_the_adapter_rejects_fail_without_retry(inventory_files):
    job = _job(*inventory_files)
    job.source.params = {"path": "x", "colour": "blue"}
    (result,), _, _ = _run(job, [Stage.LOAD_SOURCE])
    assert (result.ok, result.retryable) == (False, False)
    assert "rejected params ['colour', 'path']" in result.error


def test_error_inside_load_is_retryable(inventory_files, tmp_path):
    marker = tmp_path / "fail-once"
    marker.touch()
    job = _job(*inventory_files)
    job.source.params["fail_marker"] = str(marker)
    (first,), factory, state = _run(job, [Stage.LOAD_SOURCE])
    (second,), _, _ = _run(job, [Stage.LOAD_SOURCE], factory, state)
    assert (first.ok, first.retryable) == (False, True)
    assert "injected load failure" in first.error
    assert second.ok and second.objects == 5


def test_diff_refuses_stores_that_lost_their_loaded_objects(inventory_files):
    job = _job(*inventory_files)
    _, _, state = _run(job, [Stage.LOAD_SOURCE, Stage.LOAD_TARGET])
    fresh = local_store_factory()  # same state, empty stores: like a Redis that restarted empty
    (result,), _, _ = _run(job, [Stage.DIFF], fresh, state)
    assert (result.ok, result.retryable) == (False, False)
    assert "holds 0 objects but 5 were loaded" in result.error


def test_sync_without_a_stored_diff_fails_naming_it(inventory_files):
    (result,), _, _ = _run(_job(*inventory_files, mode="sync"), [Stage.SYNC])
    assert not result.ok
    assert "stored diff is missing" in result.error


def test_results_are_kept_in_the_job_state(inventory_files):
    _, _, state = _run(_job(*inventory_files), [Stage.LOAD_TARGET])
    assert state.get_result(Stage.LOAD_TARGET).objects == 5


def test_each_load_attempt_writes_its_own_store_generation(inventory_files):
    job = _job(*inventory_files)
    factory, state = local_store_factory(), MemoryJobState()
    first = run_stage(Stage.LOAD_SOURCE, job, factory, state, attempt=1, token="aaaa")
    second = run_stage(Stage.LOAD_SOURCE, job, factory, state, attempt=2, token="bbbb")
    assert (first.generation, second.generation) == ("test/source@1-aaaa", "test/source@2-bbbb")
    assert state.get_result(Stage.LOAD_SOURCE).generation == "test/source@2-bbbb"
    assert factory("test/source@2-bbbb").count() == 5
    assert factory("test/source@1-aaaa").count() == 0  # superseded: deleted once attempt 2 committed


def test_late_commit_of_an_older_attempt_is_refused_and_leaves_nothing(inventory_files):
    job = _job(*inventory_files)
    factory, state = local_store_factory(), MemoryJobState()
    newer = run_stage(Stage.LOAD_SOURCE, job, factory, state, attempt=2, token="new")
    older = run_stage(Stage.LOAD_SOURCE, job, factory, state, attempt=1, token="old")
    assert newer.ok
    assert (older.ok, older.retryable) == (False, False)
    assert "attempt 1 was superseded" in older.error
    assert state.get_result(Stage.LOAD_SOURCE).attempt == 2
    assert factory("test/source@1-old").count() == 0
    assert factory("test/source@2-new").count() == 5


def test_failed_load_leaves_no_store_a_later_stage_can_read(inventory_files, tmp_path):
    marker = tmp_path / "fail-once"
    marker.touch()
    job = _job(*inventory_files)
    job.source.params["fail_marker"] = str(marker)
    (failed, _, diffed), factory, _ = _run(job, ALL_DIFF)
    assert not failed.ok and failed.generation is None
    assert factory("test/source@1").count() == 0
    assert (diffed.ok, diffed.lost_state) == (False, True)
    assert "state of load-source is missing" in diffed.error


def test_diff_records_the_generations_it_read(inventory_files):
    results, _, _ = _run(_job(*inventory_files), ALL_DIFF)
    assert results[-1].inputs == {"load-source": "test/source@1", "load-target": "test/target@1"}


def test_sync_refuses_a_diff_made_from_other_loads(inventory_files):
    source, target = inventory_files
    job = _job(source, target, mode="sync")
    _, factory, state = _run(job, ALL_DIFF)
    run_stage(Stage.LOAD_SOURCE, job, factory, state, attempt=2)  # a reload the diff never saw
    result = run_stage(Stage.SYNC, job, factory, state)
    assert (result.ok, result.lost_state) == (False, True)
    assert "computed from" in result.error
    assert read_inventory(target) != SOURCE  # nothing applied


def test_sync_deleting_most_of_the_target_is_stopped_by_the_default_guard(inventory_files):
    source, target = inventory_files
    source.write_text(json.dumps({"shelves": {}}))  # the source came back empty
    before = read_inventory(target)
    results, _, _ = _run(_job(source, target, mode="sync"), [*ALL_DIFF, Stage.SYNC])
    blocked = results[-1]
    assert (blocked.ok, blocked.retryable, blocked.deletion_blocked) == (False, False, True)
    assert "deletes 5 of the target's 5 objects (100%)" in blocked.error
    assert "maxDeleteFraction 0.5" in blocked.error
    assert read_inventory(target) == before


def test_sync_runs_once_the_guard_allows_the_deletes(inventory_files):
    source, target = inventory_files
    source.write_text(json.dumps({"shelves": {}}))
    job = _job(source, target, mode="sync", deletionGuard={"maxDeleteFraction": 1})
    results, _, _ = _run(job, [*ALL_DIFF, Stage.SYNC])
    assert results[-1].ok
    assert read_inventory(target) == {"shelves": {}}


def test_guard_count_limit_stops_a_sync_the_fraction_allows(inventory_files):
    source, target = inventory_files
    job = _job(source, target, mode="sync", deletionGuard={"maxDeletes": 1})
    results, _, _ = _run(job, [*ALL_DIFF, Stage.SYNC])
    assert results[-1].deletion_blocked
    assert "maxDeletes 1" in results[-1].error


@pytest.mark.parametrize("quit_in", ["init", "load"])
def test_an_adapter_calling_sys_exit_0_fails_the_stage_without_a_result(inventory_files, quit_in):
    source, target = inventory_files
    job = _job(source, target)
    job.source.adapter = "sample_adapters:QuitterInventory"
    job.source.params = {"path": str(source), "quit_in": quit_in}
    (result,), _, state = _run(job, [Stage.LOAD_SOURCE])
    assert not result.ok
    assert result.error.startswith("exited without a result")
    assert state.get_result(Stage.LOAD_SOURCE) == result


def test_a_store_losing_its_data_is_lost_state_in_a_diff_or_sync_and_retryable_in_a_load():
    from diffsync_operator.stages.run import classify, state_gone

    from diffsync.exceptions import StoreDataLost, StoreFormatMismatch

    for error in (StoreDataLost("gone"), StoreFormatMismatch("format 1")):
        for stage in (Stage.DIFF, Stage.SYNC):
            reported = state_gone(stage, error)
            assert (reported.lost_state, reported.retryable, reported.__cause__) == (True, False, error)
            assert str(reported).startswith(f"{type(error).__name__}: ")
        assert state_gone(Stage.LOAD_SOURCE, error) is error
    assert classify(StoreDataLost("lost mid-flush")) is True  # a load: the next attempt writes anew
    assert classify(StoreFormatMismatch("format 1")) is False

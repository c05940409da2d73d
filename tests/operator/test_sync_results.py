"""Every per-object result of a sync, in the job's log; counts and the first failures in its result."""

from __future__ import annotations

import json

import pytest
from diffsync_operator.api.status import Stage, SyncCount
from diffsync_operator.stages import job_logs
from diffsync_operator.stages.config import JobConfig
from diffsync_operator.stages.handover import MemoryJobState
from diffsync_operator.stages.run import local_store_factory, run_stage
from diffsync_operator.stages.sync_log import SyncRecord, recording_sync
from sample_adapters import part_sku, read_inventory, write_inventory

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags

ALL = [Stage.LOAD_SOURCE, Stage.LOAD_TARGET, Stage.DIFF, Stage.SYNC]


def _parts_job(parts: int, flags=("CONTINUE_ON_FAILURE",), **target) -> JobConfig:
    return JobConfig.model_validate(
        {
            "storeId": "results",
            "jobUid": "uid-results",
            "mode": "sync",
            "flags": list(flags),
            "source": {"adapter": "sample_adapters:GeneratedParts", "params": {"parts": parts}},
            "target": {"adapter": "sample_adapters:RefusingTarget", "params": target},
        }
    )


def _file_job(source, target, flags=("CONTINUE_ON_FAILURE",)) -> JobConfig:
    return JobConfig.model_validate(
        {
            "storeId": "results",
            "jobUid": "uid-results",
            "mode": "sync",
            "flags": list(flags),
            "source": {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
            "target": {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
        }
    )


def _run(job: JobConfig):
    state = MemoryJobState()
    factory = local_store_factory()
    results = [run_stage(stage, job, factory, state) for stage in ALL]
    return results, state


def _records(state, result) -> list[SyncRecord]:
    lines = job_logs.read_lines(state, result.log, page_lines=7)
    return [SyncRecord.model_validate_json(line) for line in lines]


def test_every_change_is_one_line_with_its_outcome_and_the_counts_match():
    job = _parts_job(300, updates=50, deletes=20, first_delete=300, refuse_every=10)
    results, state = _run(job)
    synced = results[-1]
    records = _records(state, synced)
    assert synced.ok and synced.log == "sync-results@1"
    assert len(records) == 320  # 250 creates, 50 updates, 20 deletes
    failed = {r.id for r in records if r.outcome == "failure"}
    assert failed == {part_sku(i) for i in [*range(0, 300, 10), 300, 310]}
    assert synced.sync.counts == [
        SyncCount(model="part", action="create", succeeded=225, failed=25),
        SyncCount(model="part", action="update", succeeded=45, failed=5),
        SyncCount(model="part", action="delete", succeeded=18, failed=2),
    ]
    assert (synced.sync.succeeded, synced.sync.failed, synced.sync.skipped) == (288, 32, 0)
    assert [f.id for f in synced.sync.failures] == [part_sku(i) for i in range(0, 100, 10)]  # the first ten


def test_a_failure_line_says_what_the_target_said():
    results, state = _run(_parts_job(30, refuse_every=7))
    [line] = [r for r in _records(state, results[-1]) if r.id == "p000007"]
    message = "the target refuses to create part p000007"
    assert line == SyncRecord(model="part", id="p000007", action="create", outcome="failure", message=message)


def test_failure_messages_are_redacted_in_the_log_and_in_the_result():
    refusal = "login to redis://sync:hunter2@db failed (password=hunter2) for {sku}"
    results, state = _run(_parts_job(20, refuse_every=5, refusal=refusal))
    messages = [r.message for r in _records(state, results[-1]) if r.outcome == "failure"]
    assert len(messages) == 4
    assert all("hunter2" not in m and "password=***" in m for m in messages)
    assert all("hunter2" not in f.message for f in results[-1].sync.failures)


def test_children_of_a_refused_parent_are_recorded_as_skipped_naming_the_parent(inventory_files):
    source, target = inventory_files
    data = read_inventory(source)
    data["shelves"]["bad-shelf"] = {"zone": "west", "items": {"anvil": 1, "hammer": 2}}
    write_inventory(source, data)
    results, state = _run(_file_job(source, target))
    records = {(r.model, r.id): r for r in _records(state, results[-1])}
    assert records[("shelf", "bad-shelf")].outcome == "failure"
    for sku in ("anvil", "hammer"):
        skipped = records[("item", f"bad-shelf__{sku}")]
        assert (skipped.outcome, skipped.action) == ("skipped", "create")
        assert skipped.message == "not attempted: its parent shelf bad-shelf was not created"
    assert results[-1].sync.skipped == 2
    assert results[-1].sync.text().endswith(", skipped 2")


def test_without_continue_on_failure_the_changes_after_the_failure_are_skipped():
    results, state = _run(_parts_job(50, flags=(), refuse_every=20))  # p000000, the first, is refused
    synced = results[-1]
    records = _records(state, synced)
    assert (synced.ok, synced.retryable) == (False, False)  # the target refused: not retried
    assert [(r.id, r.outcome) for r in records] == [
        ("p000000", "failure"),
        *((part_sku(i), "skipped") for i in range(1, 50)),
    ]
    assert records[-1].message == "not attempted: the sync stopped at an error (ObjectNotCreated)"
    assert (synced.sync.succeeded, synced.sync.failed, synced.sync.skipped) == (0, 1, 49)


def test_a_sync_with_nothing_to_change_records_an_empty_log():
    job = _parts_job(10, updates=0)
    state, factory = MemoryJobState(), local_store_factory()
    for stage in ALL:
        run_stage(stage, job, factory, state)
    again = _parts_job(0)  # an empty source against an empty target: nothing to change
    state, factory = MemoryJobState(), local_store_factory()
    results = [run_stage(stage, again, factory, state) for stage in ALL]
    assert results[-1].ok and results[-1].log == "sync-results@1"
    assert state.log_length(results[-1].log) == 0 and results[-1].sync.succeeded == 0


def test_each_sync_attempt_writes_its_own_log():
    job = _parts_job(20, flags=(), refuse_every=20)  # stops at p000000: nothing applied, may run again
    state, factory = MemoryJobState(), local_store_factory()
    for stage in ALL[:3]:
        run_stage(stage, job, factory, state)
    first = run_stage(Stage.SYNC, job, factory, state, attempt=1, token="aa")
    second = run_stage(Stage.SYNC, job, factory, state, attempt=2, token="bb")
    assert (first.log, second.log) == ("sync-results@1-aa", "sync-results@2-bb")
    assert len(_records(state, first)) == len(_records(state, second)) == 20
    assert state.log_names() >= {"sync-results@1-aa", "sync-results@2-bb"}
    assert state.get_result(Stage.SYNC).log == "sync-results@2-bb"


def test_a_committed_diff_keeps_only_its_own_log():
    job = _parts_job(20)
    state, factory = MemoryJobState(), local_store_factory()
    for stage in ALL[:2]:
        run_stage(stage, job, factory, state)
    first = run_stage(Stage.DIFF, job, factory, state, attempt=1, token="aa")
    second = run_stage(Stage.DIFF, job, factory, state, attempt=2, token="bb")
    late = run_stage(Stage.DIFF, job, factory, state, attempt=1, token="cc")  # an older attempt, late
    assert (first.log, second.log, late.log) == ("diff@1-aa", "diff@2-bb", None)
    assert "superseded" in late.error
    assert state.log_names() == {"diff@2-bb"}
    assert state.log_length("diff@2-bb") == 21


class Unit(DiffSyncModel):
    _modelname = "unit"
    _identifiers = ("rack", "slot")
    rack: str
    slot: int


class Rack(DiffSyncModel):
    _modelname = "rack"
    _identifiers = ("name",)
    _children = {"unit": "units"}
    name: str
    units: list[str] = []


class RemovingRack(Rack):
    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE


class Racks(Adapter):
    rack = Rack
    unit = Unit
    top_level = ["rack"]


class RemovingRacks(Racks):
    rack = RemovingRack


def test_children_a_delete_removes_with_their_parent_are_recorded_as_skipped():
    source, target = Racks(), RemovingRacks()
    rack = target.rack(name="r1")
    target.add(rack)
    for slot in (1, 2):
        unit = target.unit(rack="r1", slot=slot)
        target.add(unit)
        rack.add_child(unit)
    diff = target.diff_from(source)
    state = MemoryJobState()
    with recording_sync(job_logs.LogWriter(state, "sync-results@1"), target) as recorder:
        target.sync_from(source, diff=diff)
        recorder.finish(diff)
    lines = [json.loads(line) for line in state.read_log("sync-results@1", 0, 10)]
    assert [(r["model"], r["id"], r["outcome"]) for r in lines] == [
        ("rack", "r1", "success"),
        ("unit", "r1__1", "skipped"),
        ("unit", "r1__2", "skipped"),
    ]
    assert lines[1]["message"] == "removed with its parent rack r1"
    assert recorder.attempted == 1  # the live progress counts what the syncer tried, not the skipped


@pytest.mark.parametrize("page_lines", [1, 3, 1000])
def test_a_log_reads_back_whole_whatever_the_page_size(page_lines):
    state = MemoryJobState()
    writer = job_logs.LogWriter(state, "sync-results@3", page_lines=page_lines)
    writer.extend(f"line {n}" for n in range(10))
    assert writer.close() == 10
    assert list(job_logs.read_lines(state, "sync-results@3", page_lines=page_lines)) == [
        f"line {n}" for n in range(10)
    ]

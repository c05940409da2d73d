"""Stage safety on a real API server and a real Redis: deleted pods, lost state, mass deletes.

Pods are run by the test kubelet (a simulation that runs each pod as a local process; it
stops a deleted pod as a kubelet does: SIGTERM, the grace period, SIGKILL, and removes the pod
only after the process exited). The stage processes are watched from /proc (`process_watch`).
"""

from __future__ import annotations

import copy

import pytest
from envtest.waiting import wait_for
from operator_harness import condition
from process_watch import StageProcesses
from sample_adapters import EMPTY_SYNC, FULL_SYNC, SOURCE, read_changes, read_inventory, write_inventory

FULL_DIFF = {"create": 2, "update": 1, "delete": 2, "noChange": 2, "skip": 0}
#: What the sample target holds and the source does not: the only deletes a sync may make.
TARGET_ONLY = {"delete shelf c3", "delete item a1__washer"}


def _stages(job):
    return {s["name"]: s for s in job["status"]["stages"]}


def _delete_at_hold(jobs, pod, release):
    """Wait for `pod`'s process at its hold, delete the pod, and release the hold once it stops.

    Released as soon as the process got SIGTERM (`<release>.stopping`), while it still takes
    `stop_seconds` to stop: a replacement started before the old process is gone would pass
    the hold and run beside it, and the process watch would see it.
    """
    wait_for(release.with_name(release.name + ".waiting").exists, timeout=120, what=f"{pod} at its hold")
    jobs.core.delete_namespaced_pod(pod, jobs.namespace)
    wait_for(release.with_name(release.name + ".stopping").exists, timeout=60, what=f"{pod} to get SIGTERM")
    release.touch()


def test_pods_deleted_mid_stage_never_overlap_and_the_job_succeeds_exactly(
    operator, jobs, inventory_sides, tmp_path
):
    source, target = inventory_sides
    holds = {name: tmp_path / f"release-{name}" for name in ("load", "diff", "sync")}
    source["params"].update(hold_until=str(holds["load"]), stop_seconds=3)
    target["params"].update(
        hold_diff_until=str(holds["diff"]), hold_sync_until=str(holds["sync"]), stop_seconds=3
    )
    with StageProcesses(str(tmp_path)) as processes:
        jobs.create(jobs.manifest("del-mid", source, target, mode="sync"))
        _delete_at_hold(jobs, "del-mid-load-source-1", holds["load"])
        _delete_at_hold(jobs, "del-mid-diff-1", holds["diff"])
        _delete_at_hold(jobs, "del-mid-sync-1", holds["sync"])
        job = jobs.wait_phase("del-mid", "Succeeded", "Failed", timeout=300)
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["diff"] == FULL_DIFF
    assert job["status"]["sync"] == FULL_SYNC
    assert read_inventory(target["params"]["path"]) == SOURCE
    assert processes.overlaps == []  # never two processes of one stage at the same time
    for stage in ("load-source", "diff", "sync"):
        first, second, *_ = processes.processes(stage)
        assert first.last_seen < second.first_seen
        assert first.last_seen - first.first_seen >= 3  # it did take its time to stop
    stages = _stages(job)
    assert {name: s["disruptedAttempts"] for name, s in stages.items() if s.get("disruptedAttempts")} == {
        "load-source": [1],
        "diff": [1],
        "sync": [1],
    }
    assert "WaitingForPod" in {e.reason for e in jobs.events("del-mid")}


# Where Redis restarts (without persistence), as (param of the target adapter, the hold's pod).
RESTART_POINTS = {
    "before the diff reads": ("hold_diff_until", "diff"),
    "during the diff": ("hold_diff_read_until", "diff"),
    "after the diff": ("hold_sync_until", "sync"),
    "during the sync": ("hold_sync_step_until", "sync"),
}


@pytest.mark.parametrize("point", list(RESTART_POINTS))
def test_redis_restart_between_loads_and_sync_end_never_succeeds_wrongly(
    operator, jobs, inventory_sides, redis_server_factory, tmp_path, point
):
    server = redis_server_factory()  # not durable: a restart empties it
    source, target = inventory_sides
    hold, _ = RESTART_POINTS[point]
    release = tmp_path / "release"
    target["params"][hold] = str(release)
    name = "lost-" + point.replace(" ", "-").replace("the-", "")
    jobs.create(jobs.manifest(name, source, target, mode="sync", redis={"url": server.url}))
    wait_for((tmp_path / "release.waiting").exists, timeout=120, what=f"the stage at its hold ({point})")
    server.restart()
    release.touch()
    job = jobs.wait_phase(name, "Succeeded", "Failed", timeout=240)
    deletes = {change for change in read_changes(target["params"]["path"]) if change.startswith("delete")}
    assert deletes <= TARGET_ONLY  # the target never lost an object the source has
    if job["status"]["phase"] == "Failed":  # allowed, if it says why
        assert "load stages must run again" in condition(job, "Failed")["message"], job["status"]
        return
    assert read_inventory(target["params"]["path"]) == SOURCE
    assert "Reloading" in {e.reason for e in jobs.events(name)}
    if point == "during the sync":  # the interrupted sync applied everything; the rerun finds nothing
        assert job["status"]["diff"] == {"create": 0, "update": 0, "delete": 0, "noChange": 5, "skip": 0}
        assert job["status"]["sync"] == EMPTY_SYNC
    else:
        assert job["status"]["diff"] == FULL_DIFF
        assert job["status"]["sync"] == FULL_SYNC


def test_sync_of_an_empty_source_is_blocked_until_the_guard_allows_it(operator, jobs, inventory_sides):
    source, target = inventory_sides
    write_inventory(source["params"]["path"], {"shelves": {}})  # the source came back empty
    before = read_inventory(target["params"]["path"])
    jobs.create(jobs.manifest("guarded", copy.deepcopy(source), target, mode="sync"))
    job = jobs.wait_phase("guarded", "Blocked", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Blocked", job["status"]
    stalled = condition(job, "Stalled")
    assert (stalled["status"], stalled["reason"]) == ("True", "DeletionGuard")
    assert "deletes 5 of the target's 5 objects" in stalled["message"]
    assert "spec.deletionGuard.maxDeleteFraction" in stalled["message"]
    assert not [p for p in jobs.pods("guarded") if "-sync-" in p.metadata.name]
    assert read_inventory(target["params"]["path"]) == before
    jobs.patch_spec("guarded", {"deletionGuard": {"maxDeleteFraction": 1}})
    job = jobs.wait_phase("guarded", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["sync"]["succeeded"] == 5
    assert read_inventory(target["params"]["path"]) == {"shelves": {}}

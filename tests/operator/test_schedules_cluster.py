"""SyncSchedules on the test cluster: real API server and garbage collector, the operator as a
process under its RBAC, stage pods run by the test kubelet (a simulation: local processes).

`@every` keeps these tests to seconds: each tick is a few seconds apart.
"""

from __future__ import annotations

import time
from typing import Any

from envtest.waiting import wait_for
from sample_adapters import SOURCE, read_inventory, write_inventory

FINISHED = ("Succeeded", "Failed")


def _phase(job: dict[str, Any]) -> str | None:
    return (job.get("status") or {}).get("phase")


def _active(runs: list[dict[str, Any]]) -> list[str]:
    return [run["metadata"]["name"] for run in runs if _phase(run) not in FINISHED]


class Watcher:
    """Samples a schedule's runs: the most that were active at once, and every run's name."""

    def __init__(self, schedules: Any, uid: str) -> None:
        self.schedules, self.uid = schedules, uid
        self.most_active = 0
        self.names: set[str] = set()

    def sample(self) -> list[dict[str, Any]]:
        runs = self.schedules.runs(self.uid)
        self.most_active = max(self.most_active, len(_active(runs)))
        self.names |= {run["metadata"]["name"] for run in runs}
        return runs

    def until(self, probe: Any, timeout: float, what: str) -> Any:
        def sampled() -> Any:
            return probe(self.sample())

        return wait_for(sampled, timeout=timeout, interval=0.25, what=what)

    def for_seconds(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.sample()
            time.sleep(0.25)


def _create(schedules, jobs, name, schedule, source, target, job=None, **spec) -> tuple[str, Watcher]:
    job_spec = jobs.manifest(name, source, target, **(job or {}))["spec"]
    created = schedules.create(schedules.manifest(name, schedule, job_spec, **spec))
    uid = created["metadata"]["uid"]
    return uid, Watcher(schedules, uid)


def test_forbid_never_has_two_active_runs_and_skips_ticks_while_one_runs(
    operator, jobs, schedules, inventory_sides, tmp_path
):
    source, target = inventory_sides
    release = tmp_path / "release"
    source["params"]["hold_until"] = str(release)
    _, watcher = _create(schedules, jobs, "forbid", "@every 5s", source, target)
    watcher.until(lambda runs: runs or None, timeout=30, what="the first run")
    watcher.for_seconds(11)  # two more ticks while the first run is held
    assert (watcher.most_active, len(watcher.names)) == (1, 1)
    status = schedules.get("forbid")["status"]
    assert status["lastSkippedReason"].startswith("Forbid")
    assert "Skipped" in schedules.events("forbid")
    release.touch()
    second = watcher.until(lambda runs: (len(runs) >= 2 and not _active(runs[:1])) or None, 60, "a 2nd run")
    assert second
    assert watcher.most_active == 1


def test_replace_stops_the_active_run_and_starts_the_next(
    operator, jobs, schedules, inventory_sides, tmp_path
):
    source, target = inventory_sides
    source["params"]["hold_until"] = str(tmp_path / "never")
    _, watcher = _create(schedules, jobs, "replace", "@every 5s", source, target, concurrencyPolicy="Replace")
    first = watcher.until(lambda runs: runs[0]["metadata"]["name"] if runs else None, 30, "the first run")
    watcher.until(
        lambda runs: (runs and all(run["metadata"]["name"] != first for run in runs)) or None,
        timeout=30,
        what="the first run to be replaced",
    )
    assert jobs.get(first) is None or jobs.get(first)["metadata"].get("deletionTimestamp")
    assert "Replaced" in schedules.events("replace")


def test_history_limits_prune_finished_runs(operator, jobs, schedules, inventory_sides):
    source, target = inventory_sides
    good_uid, good = _create(
        schedules, jobs, "keep-one", "@every 3s", dict(source), dict(target), successfulJobsHistoryLimit=1
    )
    broken = {"adapter": "sample_adapters:NotAnAdapter"}
    bad_uid, bad = _create(
        schedules, jobs, "keep-fail", "@every 3s", broken, dict(target), failedJobsHistoryLimit=1
    )
    good.until(lambda runs: len(good.names) >= 3 or None, timeout=90, what="three successful runs")
    bad.until(lambda runs: len(bad.names) >= 3 or None, timeout=90, what="three failed runs")

    def kept(uid: str, phase: str) -> int:
        return sum(1 for run in schedules.runs(uid) if _phase(run) == phase)

    wait_for(lambda: kept(good_uid, "Succeeded") <= 1, timeout=15, what="old successes pruned")
    wait_for(lambda: kept(bad_uid, "Failed") <= 1, timeout=15, what="old failures pruned")
    assert kept(good_uid, "Succeeded") == 1 and kept(bad_uid, "Failed") == 1


def test_suspend_starts_no_runs_until_resumed(operator, jobs, schedules, inventory_sides):
    source, target = inventory_sides
    _, watcher = _create(schedules, jobs, "paused", "@every 3s", source, target, suspend=True)
    watcher.for_seconds(7)
    assert watcher.names == set()
    status = schedules.get("paused")["status"]
    assert status["lastSkippedReason"].startswith("Suspended")
    assert schedules.condition("paused", "Ready")["reason"] == "Suspended"
    schedules.patch_spec("paused", {"suspend": False})
    watcher.until(lambda runs: runs or None, timeout=30, what="a run after resuming")


def test_deleting_the_schedule_deletes_its_runs(operator, jobs, schedules, inventory_sides, tmp_path):
    source, target = inventory_sides
    source["params"]["hold_until"] = str(tmp_path / "never")
    uid, watcher = _create(schedules, jobs, "gone", "@every 3s", source, target)
    watcher.until(lambda runs: runs or None, timeout=30, what="a run")
    schedules.delete("gone")
    wait_for(lambda: schedules.runs(uid) == [], timeout=90, what="the runs to be garbage-collected")
    wait_for(lambda: jobs.pods() == [], timeout=90, what="their pods to be gone")


def test_drift_turns_true_when_the_source_changes_and_false_after_a_sync(
    operator, jobs, schedules, inventory_files, inventory_sides
):
    source_file, target_file = inventory_files
    write_inventory(target_file, SOURCE)  # in step to begin with
    source, target = inventory_sides
    _create(schedules, jobs, "drift", "@every 4s", dict(source), dict(target))

    def drifted(status: str) -> Any:
        condition = schedules.condition("drift", "Drifted")
        return condition if condition and condition["status"] == status else None

    in_step = wait_for(lambda: drifted("False"), timeout=60, what="Drifted=False while in step")
    assert in_step["reason"] == "InStep"
    changed = read_inventory(source_file)
    changed["shelves"]["d4"] = {"zone": "west", "items": {"pin": 1}}
    write_inventory(source_file, changed)
    found = wait_for(lambda: drifted("True"), timeout=60, what="Drifted=True after the source changed")
    assert "create 2, update 0, delete 0" in found["message"]
    gauge = ("diffsync_schedule_drifted", (("namespace", jobs.namespace), ("schedule", "drift")))
    assert wait_for(lambda: operator.scrape().get(gauge) == 1, timeout=15, what="the drift gauge at 1")
    assert schedules.get("drift")["status"]["lastDiff"]["create"] == 2
    sync = jobs.manifest("one-sync", dict(source), dict(target), mode="sync")
    jobs.create(sync)
    jobs.wait_phase("one-sync", "Succeeded")
    cleared = wait_for(lambda: drifted("False"), timeout=60, what="Drifted=False after the sync")
    assert cleared["reason"] == "InStep"
    assert (
        wait_for(lambda: operator.scrape().get(gauge) == 0, timeout=15, what="the drift gauge at 0") is True
    )
    reasons = [r for r in schedules.events("drift") if r in ("DriftDetected", "DriftCleared")]
    assert reasons == ["DriftDetected", "DriftCleared"]


def test_a_sync_schedule_shows_drift_while_it_applies_the_changes(
    operator, jobs, schedules, inventory_files, inventory_sides, tmp_path
):
    source_file, target_file = inventory_files
    source, target = inventory_sides
    release = tmp_path / "release-sync"
    target["params"]["hold_sync_until"] = str(release)
    _create(schedules, jobs, "syncer", "@every 4s", source, target, job={"mode": "sync"})
    condition = wait_for(
        lambda: (c := schedules.condition("syncer", "Drifted")) and c["status"] == "True" and c,
        timeout=60,
        what="Drifted=True while the sync is held",
    )
    assert condition["reason"] == "ChangesFound" and "applying them" in condition["message"]
    release.touch()
    synced = wait_for(
        lambda: (c := schedules.condition("syncer", "Drifted")) and c["status"] == "False" and c,
        timeout=60,
        what="Drifted=False after the sync",
    )
    assert synced["reason"] == "Synced"
    assert read_inventory(target_file) == read_inventory(source_file)

"""The operator's /metrics endpoint, scraped during and after a real job on the test cluster
(stage pods run by the test kubelet, a simulation) and parsed with prometheus_client's parser."""

from __future__ import annotations

from envtest.waiting import wait_for
from sample_adapters import read_inventory, write_inventory


def _sample(operator, name: str, **labels: str) -> float | None:
    return operator.scrape().get((name, tuple(sorted(labels.items()))))


def test_jobs_by_phase_while_running_then_results_once_finished(operator, jobs, inventory_sides, tmp_path):
    namespace = jobs.namespace
    source, target = inventory_sides
    release = tmp_path / "release"
    source["params"]["hold_until"] = str(release)
    data = read_inventory(source["params"]["path"])
    data["shelves"]["a1"]["items"]["bad-1"] = 1  # the target refuses to create it: one failed change
    write_inventory(source["params"]["path"], data)
    jobs.create(jobs.manifest("metered", source, target, mode="sync", flags=["CONTINUE_ON_FAILURE"]))

    running = wait_for(
        lambda: _sample(operator, "diffsync_syncjobs", namespace=namespace, phase="Running"),
        timeout=60,
        what="the job counted as Running",
    )
    assert running == 1
    release.touch()
    job = jobs.wait_phase("metered", "Succeeded", "Failed")
    status = job["status"]
    assert status["phase"] == "Succeeded", status
    wait_for(
        lambda: _sample(operator, "diffsync_syncjobs", namespace=namespace, phase="Succeeded") == 1,
        timeout=30,
        what="the job counted as Succeeded",
    )
    samples = operator.scrape()

    def value(name: str, **labels: str) -> float | None:
        return samples.get((name, tuple(sorted({"namespace": namespace, **labels}.items()))))

    loaded = {
        entry["name"]: entry["objects"] for entry in status["stages"] if entry["name"].startswith("load")
    }
    assert value("diffsync_objects_loaded_total", side="source") == loaded["load-source"]
    assert value("diffsync_objects_loaded_total", side="target") == loaded["load-target"]
    for action, key in (
        ("create", "create"),
        ("update", "update"),
        ("delete", "delete"),
        ("no-change", "noChange"),
    ):
        assert value("diffsync_diff_objects_total", action=action) == status["diff"][key]
    assert value("diffsync_sync_objects_total", outcome="succeeded") == status["sync"]["succeeded"]
    assert value("diffsync_sync_objects_total", outcome="failed") == status["sync"]["failed"] == 1
    assert value("diffsync_syncjobs_finished_total", phase="Succeeded") == 1
    assert value("diffsync_syncjobs", phase="Running") in (None, 0)
    for stage in ("load-source", "load-target", "diff", "sync"):
        key = ("diffsync_stage_duration_seconds_count", (("outcome", "succeeded"), ("stage", stage)))
        assert samples.get(key, 0) >= 1, stage
    held = samples[
        ("diffsync_stage_duration_seconds_sum", (("outcome", "succeeded"), ("stage", "load-source")))
    ]
    assert held > 0

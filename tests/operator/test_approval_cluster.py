"""Plans people approve and one writer per target, on a real API server with the operator running.

- A Manual job creates no sync pod until its plan is approved; then it applies exactly the
  plan's counts and the target matches the source.
- Approving after the target changed writes nothing, shows PlanStale and a new plan id.
- Two jobs with one lock key in two namespaces never have sync pods running at the same time
  (from the pods' start and finish times); the second completes after the first.
"""

from __future__ import annotations

import collections
import copy
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from envtest.waiting import wait_for
from operator_harness import Jobs, OperatorProcess, condition
from sample_adapters import SOURCE, TARGET, read_changes, read_inventory, write_inventory


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`diffsync ARGS...` as a user runs it, with the test cluster's kubeconfig."""
    diffsync = Path(sys.executable).parent / "diffsync"
    return subprocess.run(
        [str(diffsync), *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def _stage_pods(jobs: Jobs, name: str, stage: str) -> list:
    return [p for p in jobs.pods(name) if p.metadata.labels["diffsync.io/stage"] == stage]


def _await_plan(jobs: Jobs, name: str) -> dict:
    return jobs.wait_phase(name, "AwaitingApproval")["status"]["plan"]


def test_a_manual_job_syncs_nothing_until_approved_then_exactly_its_plan(operator, jobs, inventory_sides):
    source, target = inventory_sides
    jobs.create(jobs.manifest("inv-manual", source, target, mode="sync", approval="Manual"))
    plan = _await_plan(jobs, "inv-manual")
    time.sleep(6)  # three of the operator's polls: still no sync pod
    job = jobs.get("inv-manual")
    assert job["status"]["phase"] == "AwaitingApproval"
    assert _stage_pods(jobs, "inv-manual", "sync") == []
    assert read_changes(target["params"]["path"]) == [] and read_inventory(target["params"]["path"]) == TARGET
    assert (plan["approval"], plan["changes"], len(plan["id"])) == ("Waiting", 5, 64)
    assert {c["action"] for c in plan["sample"]} == {"create", "update", "delete"}
    assert condition(job, "Stalled")["status"] == condition(job, "Reconciling")["status"] == "False"

    approved_at = datetime.now().astimezone()
    jobs.patch_spec("inv-manual", {"approvedPlan": plan["id"]})
    done = jobs.wait_phase("inv-manual", "Succeeded", "Failed")
    assert done["status"]["phase"] == "Succeeded", done["status"]
    (sync_pod,) = _stage_pods(jobs, "inv-manual", "sync")
    assert sync_pod.metadata.creation_timestamp >= approved_at.replace(microsecond=0)
    assert done["status"]["sync"]["succeeded"] == plan["changes"] and done["status"]["sync"]["failed"] == 0
    applied = collections.Counter(tuple(line.split()[:2]) for line in read_changes(target["params"]["path"]))
    planned = collections.Counter(
        {
            (action, row["model"]): row[action]
            for row in plan["models"]
            for action in ("create", "update", "delete")
        }
    )
    assert applied == +planned  # per model and action, exactly what was approved
    assert read_inventory(target["params"]["path"]) == SOURCE
    assert done["status"]["plan"]["id"] == plan["id"] and done["status"]["plan"]["approval"] == "Approved"


def test_approving_after_the_target_changed_writes_nothing_and_shows_a_new_plan(
    operator, jobs, inventory_sides
):
    source, target = inventory_sides
    jobs.create(jobs.manifest("inv-stale", source, target, mode="sync", approval="Manual"))
    first = _await_plan(jobs, "inv-stale")
    changed = copy.deepcopy(TARGET)
    changed["shelves"]["a1"]["items"]["nut"] = 99  # someone changes the target after the review
    write_inventory(target["params"]["path"], changed)
    jobs.patch_spec("inv-stale", {"approvedPlan": first["id"]})

    def stale():
        job = jobs.get("inv-stale")
        plan = (job.get("status") or {}).get("plan") or {}
        found = [c for c in job["status"].get("conditions", []) if c["type"] == "PlanStale"]
        fresh = plan.get("id") not in (None, first["id"]) and job["status"]["phase"] == "AwaitingApproval"
        return job if found and found[0]["status"] == "True" and fresh else None

    job = wait_for(stale, timeout=120, what="PlanStale and a new plan")
    assert _stage_pods(jobs, "inv-stale", "sync") == []
    assert (
        read_changes(target["params"]["path"]) == [] and read_inventory(target["params"]["path"]) == changed
    )
    assert job["status"]["plan"]["changes"] == first["changes"] + 1  # the nut now differs too
    assert first["id"][:12] in condition(job, "PlanStale")["message"]
    assert condition(job, "Reconciling")["reason"] == "PlanStale"
    assert any(e.reason == "PlanStale" for e in jobs.events("inv-stale"))


def test_diffsync_approve_approves_the_published_plan(cluster, operator, jobs, inventory_sides):
    source, target = inventory_sides
    jobs.create(jobs.manifest("inv-cli", source, target, mode="sync", approval="Manual"))
    plan = _await_plan(jobs, "inv-cli")
    env = {"KUBECONFIG": str(cluster.kubeconfig)}
    wrong = run_cli("approve", "inv-cli", "-n", jobs.namespace, "--plan", "abcdef", env=env)
    assert wrong.returncode == 2 and "not the start of the published plan" in wrong.stderr
    done = run_cli("approve", "inv-cli", "-n", jobs.namespace, "--plan", plan["id"][:8], env=env)
    assert done.returncode == 0, done.stderr
    assert plan["id"][:12] in done.stdout
    assert jobs.get("inv-cli")["spec"]["approvedPlan"] == plan["id"]
    assert jobs.wait_phase("inv-cli", "Succeeded", "Failed")["status"]["phase"] == "Succeeded"


def test_kubectl_get_shows_the_short_plan_id_and_that_it_waits(cluster, operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-column", *inventory_sides, mode="sync", approval="Manual"))
    plan = _await_plan(jobs, "inv-column")
    out = cluster.kubectl("get", "sj", "inv-column", "-n", jobs.namespace).stdout.splitlines()
    assert out[0].split()[:5] == ["NAME", "PHASE", "MODE", "PLAN", "APPROVAL"]
    assert out[1].split()[:5] == ["inv-column", "AwaitingApproval", "sync", plan["id"][:12], "Waiting"]


# --- one writer per target -------------------------------------------------------------


@pytest.fixture
def other_namespace(cluster, syncjob_crd):
    return cluster.create_namespace(prefix="sj-", labels={"pod-security.kubernetes.io/enforce": "restricted"})


@pytest.fixture
def operator_of_two_namespaces(cluster, operator_namespace, other_namespace, operator_env, tmp_path, request):
    namespace, account = operator_namespace
    kubeconfig = cluster.token_kubeconfig(namespace, account)
    process = OperatorProcess(kubeconfig, namespace, operator_env, tmp_path, also_watch=(other_namespace,))
    process.start()
    yield process
    process.stop()
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(process.log()[-30000:])


@pytest.fixture
def other_jobs(cluster, other_namespace, local_kubelet):
    with cluster.api_client() as api:
        yield Jobs(api, other_namespace, local_kubelet.labels)


def _times(pod) -> tuple[datetime, datetime]:
    state = pod.status.container_statuses[0].state.terminated
    return state.started_at, state.finished_at


def test_two_jobs_with_one_lock_key_in_two_namespaces_never_sync_at_once(
    operator_of_two_namespaces, jobs, other_jobs, inventory_files, tmp_path
):
    source_path, target_path = inventory_files
    second_source = copy.deepcopy(SOURCE)
    second_source["shelves"]["b2"]["items"]["gear"] = 7
    second_source["shelves"]["d4"] = {"zone": "west", "items": {"pin": 1}}
    write_inventory(tmp_path / "second.json", second_source)
    release = tmp_path / "release-first-sync"
    lock = {"lockKey": "inventory-target"}

    def sides(source: str, **hold) -> tuple[dict, dict]:
        return (
            {"adapter": "sample_adapters:FileInventory", "params": {"path": source, **hold}},
            {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target_path)}, **lock},
        )

    jobs.create(jobs.manifest("first", *sides(str(source_path), hold_sync_until=str(release)), mode="sync"))
    wait_for(
        lambda: (tmp_path / "release-first-sync.waiting").exists(), timeout=120, what="first sync running"
    )
    other_jobs.create(other_jobs.manifest("second", *sides(str(tmp_path / "second.json")), mode="sync"))

    def waiting():
        job = other_jobs.get("second")
        reconciling = [
            c for c in (job.get("status") or {}).get("conditions", []) if c["type"] == "Reconciling"
        ]
        return job if reconciling and reconciling[0]["reason"] == "TargetLocked" else None

    second = wait_for(waiting, timeout=60, what="the second job to wait for the lock")
    assert f"{jobs.namespace}/first" in condition(second, "Reconciling")["message"]
    assert other_jobs.pods("second") == []  # not even its loads: the lock covers the target's load
    release.touch()

    first_done = jobs.wait_phase("first", "Succeeded", "Failed")
    second_done = other_jobs.wait_phase("second", "Succeeded", "Failed")
    assert first_done["status"]["phase"] == second_done["status"]["phase"] == "Succeeded"
    (first_sync,) = _stage_pods(jobs, "first", "sync")
    (second_sync,) = _stage_pods(other_jobs, "second", "sync")
    first_start, first_end = _times(first_sync)
    second_start, _ = _times(second_sync)
    assert first_end <= second_start, (first_start, first_end, second_start)
    assert min(_times(p)[0] for p in other_jobs.pods("second")) >= first_end  # its loads came after too
    assert second_done["status"]["completionTime"] > first_done["status"]["completionTime"]
    # The second diff saw the first sync's result: it applied only what differs from it.
    assert second_done["status"]["sync"]["succeeded"] == 3  # update gear, create d4 and d4__pin
    assert read_inventory(target_path) == second_source


def test_the_lock_of_a_deleted_job_passes_on_once_its_pods_have_stopped(
    operator, jobs, inventory_sides, tmp_path
):
    source, target = inventory_sides
    lock = {"lockKey": "deleted-holder"}
    held = copy.deepcopy(source)
    held["params"]["hold_until"] = str(tmp_path / "never-released")
    jobs.create(jobs.manifest("holder", held, {**copy.deepcopy(target), **lock}, mode="sync"))
    jobs.wait_phase("holder", "Running")
    jobs.create(
        jobs.manifest("waiter", copy.deepcopy(source), {**copy.deepcopy(target), **lock}, mode="sync")
    )

    def waiting():
        job = jobs.get("waiter")
        conditions = (job.get("status") or {}).get("conditions", [])
        return any(c["type"] == "Reconciling" and c["reason"] == "TargetLocked" for c in conditions)

    wait_for(waiting, timeout=60, what="the waiter to wait for the lock")
    deleted_at = datetime.now().astimezone().replace(microsecond=0)
    jobs.delete("holder")
    jobs.wait_gone("holder")
    done = jobs.wait_phase("waiter", "Succeeded", "Failed", timeout=60)  # well within the 60 s lease
    assert done["status"]["phase"] == "Succeeded", done["status"]
    starts = [_times(pod)[0] for pod in jobs.pods("waiter")]
    assert len(starts) == 4 and min(starts) >= deleted_at  # it started nothing while the holder lived
    assert read_inventory(target["params"]["path"]) == SOURCE

"""The operator against a real API server and a real Redis, running as `kopf run`.

Each test has its own namespace (Pod Security `restricted` enforced), its own operator
process authenticated as the ServiceAccount of deploy/rbac, and the test kubelet for pods.
"""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from envtest.waiting import wait_for
from operator_harness import OperatorProcess, condition, state_keys
from sample_adapters import FULL_SYNC, SOURCE, read_inventory, write_inventory


def _phase_of_stage(job, stage):
    return next((s for s in job["status"].get("stages", []) if s["name"] == stage), {})


def _pod_names(jobs, name):
    return sorted(p.metadata.name for p in jobs.pods(name))


def test_diff_job_succeeds_with_the_expected_summary(operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-diff", *inventory_sides))
    job = jobs.wait_phase("inv-diff", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["diff"] == {"create": 2, "update": 1, "delete": 2, "noChange": 2, "skip": 0}
    assert condition(job, "Ready")["status"] == "True"
    assert condition(job, "Complete")["status"] == "True"
    assert [s["name"] for s in job["status"]["stages"]] == ["load-source", "load-target", "diff"]


def test_kubectl_get_shows_the_printer_columns(cluster, operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-cols", *inventory_sides))
    jobs.wait_phase("inv-cols", "Succeeded")
    out = cluster.kubectl("get", "sj", "inv-cols", "-n", jobs.namespace).stdout.split("\n")
    assert out[0].split() == [
        "NAME",
        "PHASE",
        "MODE",
        "PLAN",
        "APPROVAL",
        "STAGE",
        "OBJECTS",
        "CREATE",
        "UPDATE",
        "DELETE",
        "AGE",
    ]
    plan = jobs.get("inv-cols")["status"]["plan"]["shortId"]
    assert out[1].split()[:8] == ["inv-cols", "Succeeded", "diff", plan, "DryRun", "2", "1", "2"]


def test_every_stage_transition_is_an_event(operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-events", *inventory_sides))
    jobs.wait_phase("inv-events", "Succeeded")
    wanted = {"StageStarted", "StageSucceeded", "Completed"}
    reasons = wait_for(
        lambda: r if wanted <= (r := {e.reason for e in jobs.events("inv-events")}) else None,
        timeout=30,
        what="stage events",
    )
    messages = [e.message for e in jobs.events("inv-events") if e.reason == "StageSucceeded"]
    assert wanted <= reasons
    assert sorted(m.split(":")[0] for m in messages) == ["diff", "load-source", "load-target"]


def test_sync_job_changes_the_target_and_a_second_diff_reports_no_changes(operator, jobs, inventory_sides):
    source, target = inventory_sides
    jobs.create(jobs.manifest("inv-sync", copy.deepcopy(source), copy.deepcopy(target), mode="sync"))
    job = jobs.wait_phase("inv-sync", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["sync"] == FULL_SYNC
    assert read_inventory(target["params"]["path"]) == SOURCE
    jobs.create(jobs.manifest("inv-check", source, target))
    again = jobs.wait_phase("inv-check", "Succeeded", "Failed")
    assert again["status"]["diff"] == {"create": 0, "update": 0, "delete": 0, "noChange": 5, "skip": 0}


def test_sync_failures_are_listed_with_continue_on_failure(operator, jobs, inventory_sides):
    source, target = inventory_sides
    data = read_inventory(source["params"]["path"])
    data["shelves"]["a1"]["items"]["bad-1"] = 1
    write_inventory(source["params"]["path"], data)
    jobs.create(jobs.manifest("inv-partial", source, target, mode="sync", flags=["CONTINUE_ON_FAILURE"]))
    job = jobs.wait_phase("inv-partial", "Succeeded", "Failed")
    assert job["status"]["sync"]["failed"] == 1
    assert job["status"]["sync"]["failures"][0]["id"] == "a1__bad-1"
    assert condition(job, "Complete")["reason"] == "CompletedWithFailures"


def test_both_load_pods_run_at_the_same_time(operator, jobs, inventory_sides, tmp_path):
    release = tmp_path / "release"
    source, target = inventory_sides
    source["params"]["hold_until"] = target["params"]["hold_until"] = str(release)
    jobs.create(jobs.manifest("inv-par", source, target))

    def both_running():
        phases = {p.metadata.labels["diffsync.io/stage"]: p.status.phase for p in jobs.pods("inv-par")}
        return phases == {"load-source": "Running", "load-target": "Running"}

    wait_for(both_running, timeout=120, what="both load pods running together")
    release.touch()
    assert jobs.wait_phase("inv-par", "Succeeded", "Failed")["status"]["phase"] == "Succeeded"


def test_adapter_that_does_not_import_fails_the_job_without_retry(operator, jobs, inventory_sides):
    source, target = inventory_sides
    source["adapter"] = "no_such_package.adapters:Inventory"
    jobs.create(jobs.manifest("inv-noimport", source, target))
    job = jobs.wait_phase("inv-noimport", "Failed")
    stage = _phase_of_stage(job, "load-source")
    assert stage["attempts"] == 1
    assert "No module named 'no_such_package'" in stage["message"]
    assert "No module named 'no_such_package'" in condition(job, "Failed")["message"]
    assert "inv-noimport-load-source-2" not in _pod_names(jobs, "inv-noimport")


def test_params_the_adapter_rejects_fail_the_job_naming_them(operator, jobs, inventory_sides):
    source, target = inventory_sides
    source["params"]["colour"] = "blue"
    jobs.create(jobs.manifest("inv-params", source, target))
    job = jobs.wait_phase("inv-params", "Failed")
    assert "rejected params ['colour', 'path']" in condition(job, "Failed")["message"]
    assert _phase_of_stage(job, "load-source")["attempts"] == 1


def test_failed_stage_pod_is_retried_with_a_new_pod(operator, jobs, inventory_sides, tmp_path):
    marker = tmp_path / "fail-once"
    marker.touch()
    source, target = inventory_sides
    source["params"]["fail_marker"] = str(marker)
    jobs.create(jobs.manifest("inv-retry", source, target))
    job = jobs.wait_phase("inv-retry", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert _phase_of_stage(job, "load-source")["attempts"] == 2
    assert {"inv-retry-load-source-1", "inv-retry-load-source-2"} <= set(_pod_names(jobs, "inv-retry"))


def test_stage_fails_the_job_after_backoff_limit(operator, jobs, inventory_sides):
    source, target = inventory_sides
    source["params"]["path"] = "/nonexistent/inventory.json"
    jobs.create(jobs.manifest("inv-backoff", source, target, backoffLimit=1))
    job = jobs.wait_phase("inv-backoff", "Failed")
    stage = _phase_of_stage(job, "load-source")
    assert stage["attempts"] == 2
    assert "FileNotFoundError" in stage["message"]
    assert condition(job, "Stalled")["status"] == "True"


def test_deleted_stage_pod_is_replaced(operator, jobs, inventory_sides, tmp_path):
    release = tmp_path / "release"
    source, target = inventory_sides
    source["params"]["hold_until"] = str(release)
    jobs.create(jobs.manifest("inv-del", source, target))
    wait_for(lambda: "inv-del-load-source-1" in _pod_names(jobs, "inv-del"), timeout=120, what="first pod")
    jobs.core.delete_namespaced_pod("inv-del-load-source-1", jobs.namespace)
    wait_for(
        lambda: "inv-del-load-source-2" in _pod_names(jobs, "inv-del"), timeout=120, what="replacement pod"
    )
    release.touch()
    job = jobs.wait_phase("inv-del", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert _phase_of_stage(job, "load-source")["attempts"] == 2


def test_job_succeeds_once_redis_is_back(operator, jobs, inventory_sides, restartable_redis):
    restartable_redis.stop()
    jobs.create(
        jobs.manifest("inv-redis", *inventory_sides, backoffLimit=20, redis={"url": restartable_redis.url})
    )

    def failed_once():
        job = jobs.get("inv-redis")
        message = _phase_of_stage(job, "load-source").get("message", "") if job.get("status") else ""
        return "attempt" in message and "failed" in message

    wait_for(failed_once, timeout=120, what="a load attempt failing on the stopped Redis")
    message = _phase_of_stage(jobs.get("inv-redis"), "load-source")["message"]
    restartable_redis.start()
    job = jobs.wait_phase("inv-redis", "Succeeded", "Failed", timeout=120)
    assert "ObjectStoreException" in message
    assert job["status"]["phase"] == "Succeeded", job["status"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"flags": ["SKIP_EVERYTHING"]}, "spec.flags[0]"),
        ({"source": {"adapter": "examples.network.YamlSource"}}, "spec.source.adapter"),
        ({"backoffLimit": -1}, "spec.backoffLimit"),
        ({"ttlSecondsAfterFinished": -5}, "spec.ttlSecondsAfterFinished"),
        ({"mode": "apply"}, "spec.mode"),
    ],
)
def test_invalid_spec_is_refused_by_the_api_server(cluster, syncjob_crd, operator_namespace, change, field):
    namespace, _ = operator_namespace
    spec = {"source": {"adapter": "a.b:C"}, "target": {"adapter": "a.b:D"}, **change}
    body = {
        "apiVersion": "diffsync.io/v1alpha1",
        "kind": "SyncJob",
        "metadata": {"name": "bad"},
        "spec": spec,
    }
    done = cluster.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps(body), check=False)
    assert done.returncode != 0
    assert "is invalid" in done.stderr
    assert field in done.stderr


def test_missing_image_fails_the_job_naming_the_field(
    cluster, operator_namespace, jobs, inventory_sides, tmp_path
):
    namespace, account = operator_namespace
    kubeconfig = cluster.token_kubeconfig(namespace, account)
    env = {"DIFFSYNC_REDIS_URL": "redis://127.0.0.1:1/0"}  # and no DIFFSYNC_DEFAULT_IMAGE
    process = OperatorProcess(kubeconfig, namespace, env, tmp_path).start()
    try:
        jobs.create(jobs.manifest("inv-noimage", *inventory_sides))
        job = jobs.wait_phase("inv-noimage", "Failed")
    finally:
        process.stop()
    assert condition(job, "Failed")["reason"] == "InvalidSpec"
    assert condition(job, "Failed")["message"].startswith("spec.image:")
    assert jobs.pods("inv-noimage") == []


def test_operator_killed_mid_job_resumes_without_duplicate_pods(operator, jobs, inventory_sides, tmp_path):
    release = tmp_path / "release"
    source, target = inventory_sides
    source["params"]["hold_until"] = target["params"]["hold_until"] = str(release)
    jobs.create(jobs.manifest("inv-restart", source, target))
    wait_for(lambda: len(jobs.pods("inv-restart")) == 2, timeout=120, what="both load pods")
    operator.kill()
    release.touch()
    operator.start()
    job = jobs.wait_phase("inv-restart", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert _pod_names(jobs, "inv-restart") == [
        "inv-restart-diff-1",
        "inv-restart-load-source-1",
        "inv-restart-load-target-1",
    ]
    assert job["status"]["diff"]["create"] == 2


def test_deleting_the_job_leaves_no_redis_keys(operator, jobs, inventory_sides, redis_server):
    jobs.create(jobs.manifest("inv-clean", *inventory_sides, mode="sync"))
    store_id = jobs.wait_phase("inv-clean", "Succeeded")["status"]["storeId"]
    client = redis_server.client()
    assert state_keys(client, store_id)
    jobs.delete("inv-clean")
    jobs.wait_gone("inv-clean")
    assert state_keys(client, store_id) == set()


def test_retain_store_keeps_the_redis_keys_after_delete(operator, jobs, inventory_sides, redis_server):
    jobs.create(jobs.manifest("inv-keep", *inventory_sides, retainStore=True))
    store_id = jobs.wait_phase("inv-keep", "Succeeded")["status"]["storeId"]
    jobs.delete("inv-keep")
    jobs.wait_gone("inv-keep")
    assert redis_server.client().keys(f"diffsync-job:{{{store_id}}}:*")


def test_deadline_fails_the_job_and_deletes_its_running_pods(operator, jobs, inventory_sides, tmp_path):
    source, target = inventory_sides
    source["params"]["hold_until"] = str(tmp_path / "never")
    jobs.create(jobs.manifest("inv-late", source, target, activeDeadlineSeconds=3))
    job = jobs.wait_phase("inv-late", "Failed", timeout=120)
    assert condition(job, "Failed")["reason"] == "DeadlineExceeded", job["status"]
    wait_for(
        lambda: "inv-late-load-source-1" not in _pod_names(jobs, "inv-late"),
        timeout=120,
        what="the running pod to be deleted",
    )


def test_ttl_deletes_the_finished_job(operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-ttl", *inventory_sides, ttlSecondsAfterFinished=2))
    job = jobs.wait_phase("inv-ttl", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    jobs.wait_gone("inv-ttl", timeout=120)


def test_spec_change_after_finish_does_not_rerun(operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-done", *inventory_sides))
    jobs.wait_phase("inv-done", "Succeeded")
    jobs.patch_spec("inv-done", {"mode": "sync"})
    job = wait_for(
        lambda: j if (j := jobs.get("inv-done"))["status"].get("observedGeneration") == 2 else None,
        timeout=120,
        what="observedGeneration 2",
    )
    assert job["status"]["phase"] == "Succeeded"
    assert "sync" not in {s["name"] for s in job["status"]["stages"]}
    assert not [n for n in _pod_names(jobs, "inv-done") if "-sync-" in n]
    wait_for(
        lambda: "NotRerun" in {e.reason for e in jobs.events("inv-done")}, timeout=30, what="NotRerun event"
    )


def test_suspended_job_starts_no_pods_until_resumed(operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-susp", *inventory_sides, suspend=True))
    jobs.wait_phase("inv-susp", "Suspended")
    assert jobs.pods("inv-susp") == []
    jobs.patch_spec("inv-susp", {"suspend": False})
    assert jobs.wait_phase("inv-susp", "Succeeded", "Failed")["status"]["phase"] == "Succeeded"


def test_operator_token_cannot_read_secrets(cluster, operator_namespace):
    namespace, account = operator_namespace
    kubeconfig = cluster.token_kubeconfig(namespace, account)
    done = cluster.kubectl("get", "secrets", "-n", namespace, kubeconfig=kubeconfig, check=False)
    assert done.returncode != 0
    assert "forbidden" in done.stderr


def _sample(name: str, tmp_path) -> dict:
    """A deploy/samples manifest with its repository-relative paths made absolute for the test kubelet."""
    from operator_harness import ROOT

    body = yaml.safe_load((ROOT / "deploy/samples" / name).read_text())
    body["spec"]["source"]["params"]["path"] = str(ROOT / body["spec"]["source"]["params"]["path"])
    target = body["spec"]["target"]["params"]
    target["path"] = str(tmp_path / "inventory.db")
    target["seed_sql"] = str(ROOT / target["seed_sql"])
    return body


def _expected_network_summary(tmp_path) -> dict:
    """The summary the library computes in-process for the same data (no operator code)."""
    from operator_harness import ROOT

    from examples.network.jobs import SeededSqliteTarget, YamlFileSource

    source = YamlFileSource(path=ROOT / "examples/network/data/source.yaml")
    target = SeededSqliteTarget(
        path=tmp_path / "expected.db", seed_sql=ROOT / "examples/network/data/target.sql"
    )
    source.load()
    target.load()
    summary = target.diff_from(source).summary()
    target.close()
    return {
        "create": summary["create"],
        "update": summary["update"],
        "delete": summary["delete"],
        "noChange": summary["no-change"],
        "skip": summary["skip"],
    }


def test_network_sample_in_diff_mode_reports_the_expected_summary(operator, jobs, tmp_path):
    body = _sample("network-inventory-diff.yaml", tmp_path)
    body = jobs.manifest(
        body["metadata"]["name"], body["spec"].pop("source"), body["spec"].pop("target"), **body["spec"]
    )
    jobs.create(body)
    job = jobs.wait_phase("network-inventory-diff", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    expected = _expected_network_summary(tmp_path)
    assert expected["create"] and expected["update"] and expected["delete"]
    assert job["status"]["diff"] == expected


def test_network_sample_in_sync_mode_leaves_nothing_to_diff(operator, jobs, tmp_path):
    body = _sample("network-inventory-sync.yaml", tmp_path)
    spec = body["spec"]
    jobs.create(jobs.manifest("net-sync", spec.pop("source"), spec.pop("target"), **spec))
    job = jobs.wait_phase("net-sync", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["sync"]["failed"] == 0
    again = _sample("network-inventory-diff.yaml", tmp_path)
    spec = again["spec"]
    jobs.create(jobs.manifest("net-after", spec.pop("source"), spec.pop("target"), **spec))
    after = jobs.wait_phase("net-after", "Succeeded", "Failed")
    diff = after["status"]["diff"]
    assert (diff["create"], diff["update"], diff["delete"]) == (0, 0, 0)
    assert diff["noChange"] > 0


def test_redis_password_from_a_secret_runs_and_is_cleaned_by_a_pod(
    operator, jobs, inventory_sides, redis_server_factory
):
    server = redis_server_factory(password="s3cret-pw")
    jobs.core.create_namespaced_secret(
        jobs.namespace, {"metadata": {"name": "redis-auth"}, "stringData": {"password": "s3cret-pw"}}
    )
    redis = {
        "url": f"redis://127.0.0.1:{server.port}/0",
        "passwordSecretRef": {"name": "redis-auth", "key": "password"},
    }
    jobs.create(jobs.manifest("inv-auth", *inventory_sides, redis=redis))
    job = jobs.wait_phase("inv-auth", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    store_id = job["status"]["storeId"]
    client = server.client()
    assert state_keys(client, store_id)
    jobs.delete("inv-auth")
    jobs.wait_gone("inv-auth", timeout=90)
    assert state_keys(client, store_id) == set()


def test_python_dash_m_entry_point_runs_a_job(
    cluster, operator_namespace, operator_env, jobs, inventory_sides, tmp_path
):
    namespace, account = operator_namespace
    kubeconfig = cluster.token_kubeconfig(namespace, account)
    process = OperatorProcess(kubeconfig, namespace, operator_env, tmp_path, module_main=True).start()
    try:
        jobs.create(jobs.manifest("inv-main", *inventory_sides))
        job = jobs.wait_phase("inv-main", "Succeeded", "Failed")
    finally:
        process.stop()
    assert job["status"]["phase"] == "Succeeded", job["status"]


def test_redis_losing_its_data_between_stages_reloads_and_succeeds(
    operator, jobs, inventory_sides, redis_server_factory, tmp_path
):
    server = redis_server_factory()  # not durable: a restart empties it
    release = tmp_path / "release"
    source, target = inventory_sides
    target["params"]["hold_diff_until"] = str(release)
    jobs.create(jobs.manifest("inv-lost", source, target, redis={"url": server.url}))

    wait_for(
        lambda: (tmp_path / "release.waiting").exists(),
        timeout=120,
        what="the diff pod at its hold (source store connected, nothing read yet)",
    )
    server.restart()  # the loaded state is gone
    release.touch()
    job = jobs.wait_phase("inv-lost", "Succeeded", "Failed", timeout=120)
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert {s["name"]: s["attempts"] for s in job["status"]["stages"]} == {
        "load-source": 2,
        "load-target": 2,
        "diff": 2,
    }
    assert job["status"]["diff"]["create"] == 2
    assert "Reloading" in {e.reason for e in jobs.events("inv-lost")}


def test_interrupted_sync_is_retried_after_a_fresh_load_and_diff(operator, jobs, inventory_sides, tmp_path):
    release = tmp_path / "release"
    source, target = inventory_sides
    target["params"]["hold_sync_until"] = str(release)
    jobs.create(jobs.manifest("inv-resync", source, target, mode="sync"))
    wait_for(lambda: (tmp_path / "release.waiting").exists(), timeout=120, what="the sync pod at its hold")
    jobs.core.delete_namespaced_pod("inv-resync-sync-1", jobs.namespace)
    # Release only once the pod is gone: a pod released earlier might finish its sync first.
    wait_for(
        lambda: "inv-resync-sync-1" not in _pod_names(jobs, "inv-resync"), timeout=120, what="sync pod gone"
    )
    release.touch()
    job = jobs.wait_phase("inv-resync", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert {s["name"]: s["attempts"] for s in job["status"]["stages"]} == {
        "load-source": 2,
        "load-target": 2,
        "diff": 2,
        "sync": 2,
    }
    assert read_inventory(target["params"]["path"]) == SOURCE


@pytest.mark.parametrize("hard", [False, True], ids=["sys-exit-0", "os-exit-0"])
def test_a_stage_exiting_0_without_a_result_fails_the_job(operator, jobs, inventory_sides, hard):
    source, target = inventory_sides
    source = {**source, "adapter": "sample_adapters:QuitterInventory"}
    source["params"] = {**source["params"], "quit_in": "load", "hard": hard}
    name = "inv-quit-hard" if hard else "inv-quit"
    jobs.create(jobs.manifest(name, source, target, backoffLimit=0))
    job = jobs.wait_phase(name, "Succeeded", "Failed")
    assert job["status"]["phase"] == "Failed", job["status"]
    assert "exited without a result" in condition(job, "Failed")["message"]


def _created(pod) -> float:
    return pod.metadata.creation_timestamp.timestamp()


def _finished(pod) -> float:
    (state,) = [c.state.terminated for c in pod.status.container_statuses]
    return state.finished_at.timestamp()


def test_retries_back_off_and_status_shows_the_next_attempt(operator, jobs, inventory_sides):
    source, target = inventory_sides
    source["params"]["path"] = "/nonexistent/inventory.json"
    jobs.create(jobs.manifest("inv-backoff-time", source, target, backoffLimit=2))

    def next_attempt():
        stages = ((jobs.get("inv-backoff-time") or {}).get("status") or {}).get("stages", [])
        return next((s.get("nextAttemptTime") for s in stages if s["name"] == "load-source"), None)

    shown = wait_for(next_attempt, timeout=60, interval=0.1, what="status.stages[].nextAttemptTime")
    job = jobs.wait_phase("inv-backoff-time", "Failed")
    assert _phase_of_stage(job, "load-source")["attempts"] == 3
    pods = {p.metadata.name: p for p in jobs.pods("inv-backoff-time")}
    first, second, third = (pods[f"inv-backoff-time-load-source-{n}"] for n in (1, 2, 3))
    # base 2 s (operator_env), doubling; timestamps have whole seconds
    assert _created(second) - _finished(first) >= 2 - 1
    assert _created(third) - _finished(second) >= 4 - 1
    retrying = [e.message for e in jobs.events("inv-backoff-time") if e.reason == "StageRetrying"]
    assert any(f"attempt 2 starts at {shown}" in message for message in retrying), (shown, retrying)


def test_a_pod_the_api_server_refuses_fails_the_job_naming_the_field(operator, jobs, inventory_sides):
    # The schema keeps affinity free-form; the API server checks it when the pod is created.
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}
    jobs.create(jobs.manifest("inv-refused", *inventory_sides, affinity=affinity))
    job = jobs.wait_phase("inv-refused", "Succeeded", "Failed", timeout=60)
    assert job["status"]["phase"] == "Failed", job["status"]
    failed = condition(job, "Failed")
    assert failed["reason"] == "PodRefused"
    assert "spec.affinity" in failed["message"] and "422" in failed["message"], failed["message"]
    assert jobs.pods("inv-refused") == []

"""Tenant isolation against a real API server and real redis-servers: a job reaches only its state.

Store ids are scoped to the namespace, a live job holds a claim on its store, the operator
connects only to Redis servers its configuration names, every key expires, and no secret from
an adapter reaches a status, an Event or the operator's log. Pods run on the test kubelet (a
local simulation of a node), as in the other operator tests.
"""

from __future__ import annotations

import copy
import json

import pytest
from diffsync_operator.api.status import DiffSummary
from envtest.waiting import wait_for
from operator_harness import Jobs, OperatorProcess, condition, state_keys
from redis_monitor import RedisMonitor
from sample_adapters import SOURCE, TARGET, FileInventory, FileTarget, write_inventory

# Source data of a second tenant: one shelf more than SOURCE, so its counts differ.
OTHER_SOURCE = copy.deepcopy(SOURCE)
OTHER_SOURCE["shelves"]["d4"] = {"zone": "west", "items": {"cog": 1}}


def _sides(tmp_path, name: str, source_data: dict, hold: str | None = None) -> tuple[dict, dict]:
    source, target = tmp_path / f"{name}-source.json", tmp_path / f"{name}-target.json"
    write_inventory(source, source_data)
    write_inventory(target, TARGET)
    params = {"path": str(source), **({"hold_until": hold} if hold else {})}
    return (
        {"adapter": "sample_adapters:FileInventory", "params": params},
        {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
    )


def _expected(source_data: dict, tmp_path) -> dict:
    """The diff summary the library computes in this process for the same data."""
    paths = tmp_path / "expected-source.json", tmp_path / "expected-target.json"
    write_inventory(paths[0], source_data)
    write_inventory(paths[1], TARGET)
    source, target = FileInventory(path=str(paths[0])), FileTarget(path=str(paths[1]))
    source.load()
    target.load()
    return DiffSummary.from_counts(target.diff_from(source).summary()).to_manifest()


def _running(jobs: Jobs, name: str, stage: str) -> bool:
    return any(
        p.status.phase == "Running" and p.metadata.labels["diffsync.io/stage"] == stage
        for p in jobs.pods(name)
    )


@pytest.fixture
def other_namespace(cluster, syncjob_crd):
    """A second tenant's namespace (Pod Security `restricted`, like the first)."""
    return cluster.create_namespace(prefix="sj-", labels={"pod-security.kubernetes.io/enforce": "restricted"})


@pytest.fixture
def operator_of_two_namespaces(cluster, operator_namespace, other_namespace, operator_env, tmp_path, request):
    """One operator (the deploy/rbac ServiceAccount) watching both namespaces."""
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


def test_jobs_in_two_namespaces_with_one_store_id_run_together_and_keep_apart(
    operator_of_two_namespaces, jobs, other_jobs, redis_server, tmp_path
):
    release = tmp_path / "release"
    jobs.create(jobs.manifest("inv", *_sides(tmp_path, "a", SOURCE, str(release)), storeId="shared"))
    other_jobs.create(
        other_jobs.manifest("inv", *_sides(tmp_path, "b", OTHER_SOURCE, str(release)), storeId="shared")
    )
    wait_for(
        lambda: _running(jobs, "inv", "load-source") and _running(other_jobs, "inv", "load-source"),
        timeout=120,
        what="both tenants' load pods running at the same time",
    )
    release.touch()
    mine = jobs.wait_phase("inv", "Succeeded", "Failed")
    theirs = other_jobs.wait_phase("inv", "Succeeded", "Failed")

    assert (mine["status"]["phase"], theirs["status"]["phase"]) == ("Succeeded", "Succeeded")
    assert mine["status"]["storeId"] == f"{jobs.namespace}/shared"
    assert theirs["status"]["storeId"] == f"{other_jobs.namespace}/shared"
    expected_mine, expected_theirs = _expected(SOURCE, tmp_path), _expected(OTHER_SOURCE, tmp_path)
    assert expected_mine != expected_theirs
    assert mine["status"]["diff"] == expected_mine
    assert theirs["status"]["diff"] == expected_theirs

    client = redis_server.client()
    their_keys = state_keys(client, theirs["status"]["storeId"])
    assert their_keys and state_keys(client, mine["status"]["storeId"])
    jobs.delete("inv")
    jobs.wait_gone("inv")
    assert state_keys(client, mine["status"]["storeId"]) == set()
    assert state_keys(client, theirs["status"]["storeId"]) == their_keys


def test_a_second_job_on_a_held_store_waits_naming_the_holder_then_runs(operator, jobs, tmp_path):
    release = tmp_path / "release"
    jobs.create(jobs.manifest("first", *_sides(tmp_path, "a", SOURCE, str(release)), storeId="shared"))
    wait_for(lambda: _running(jobs, "first", "load-source"), timeout=120, what="the first job's load pod")
    first_uid = jobs.get("first")["metadata"]["uid"]
    jobs.create(jobs.manifest("second", *_sides(tmp_path, "b", OTHER_SOURCE), storeId="shared"))

    def waiting():
        job = jobs.get("second")
        conditions = (job.get("status") or {}).get("conditions") or []
        return job if any(c["reason"] == "StoreInUse" for c in conditions) else None

    second = wait_for(waiting, timeout=60, what="the second job waiting for the store")
    message = condition(second, "Reconciling")["message"]
    assert (
        f"store {jobs.namespace}/shared is in use by job {jobs.namespace}/first (uid {first_uid})" in message
    )
    assert second["status"]["phase"] == "Pending"
    assert jobs.pods("second") == []
    wait_for(lambda: "StoreInUse" in {e.reason for e in jobs.events("second")}, timeout=30, what="Event")

    release.touch()
    first = jobs.wait_phase("first", "Succeeded", "Failed")
    second = jobs.wait_phase("second", "Succeeded", "Failed")
    assert (first["status"]["phase"], second["status"]["phase"]) == ("Succeeded", "Succeeded")
    assert second["status"]["startTime"] >= first["status"]["completionTime"]
    assert second["status"]["diff"] == _expected(OTHER_SOURCE, tmp_path)
    assert jobs.get("first")["status"]["diff"] == _expected(SOURCE, tmp_path)  # unaffected


def test_a_waiting_job_runs_once_the_holder_is_deleted(operator, jobs, tmp_path):
    never = tmp_path / "never"  # the holder would wait for ever
    jobs.create(jobs.manifest("holder", *_sides(tmp_path, "a", SOURCE, str(never)), storeId="shared"))
    wait_for(lambda: _running(jobs, "holder", "load-source"), timeout=120, what="the holder's load pod")
    jobs.create(jobs.manifest("waiter", *_sides(tmp_path, "b", OTHER_SOURCE), storeId="shared"))
    wait_for(lambda: jobs.events("waiter"), timeout=60, what="the waiter's StoreInUse Event")
    assert jobs.pods("waiter") == []
    jobs.delete("holder")
    waiter = jobs.wait_phase("waiter", "Succeeded", "Failed", timeout=120)  # well within the claim TTL
    assert waiter["status"]["phase"] == "Succeeded", waiter["status"]
    assert waiter["status"]["diff"] == _expected(OTHER_SOURCE, tmp_path)


def test_a_job_on_a_foreign_redis_is_never_touched_by_the_operators_connection(
    operator, jobs, inventory_sides, redis_server_factory
):
    foreign = redis_server_factory()  # not in the operator's configuration
    with RedisMonitor(foreign) as seen:
        jobs.create(jobs.manifest("inv-foreign", *inventory_sides, redis={"url": foreign.url}))
        store_id = jobs.wait_phase("inv-foreign", "Succeeded")["status"]["storeId"]
        client = foreign.client()
        assert state_keys(client, store_id)
        jobs.delete("inv-foreign")
        jobs.wait_gone("inv-foreign", timeout=120)
    assert state_keys(client, store_id) == set()  # deleted by the cleanup pod, with the job's login
    assert seen.operator_connections() == set()
    assert any(c.text.startswith("UNLINK") for c in seen.commands)  # the monitor saw the cleanup
    reasons = {(e.reason, e.message) for e in jobs.events("inv-foreign")}
    assert ("StoreDeleted", f"deleted the Redis state of {store_id} (cleanup pod)") in reasons


def test_the_operator_cleans_its_own_redis_over_its_own_named_connection(
    operator, jobs, inventory_sides, redis_server
):
    """The control for the test above: the monitor does see the operator where it does connect."""
    jobs.create(jobs.manifest("inv-known", *inventory_sides))
    store_id = jobs.wait_phase("inv-known", "Succeeded")["status"]["storeId"]
    with RedisMonitor(redis_server) as seen:
        jobs.delete("inv-known")
        jobs.wait_gone("inv-known")
    operator_commands = seen.commands_of(seen.operator_connections())
    assert any(text.startswith("UNLINK") for text in operator_commands), operator_commands
    assert state_keys(redis_server.client(), store_id) == set()


def test_every_key_of_a_finished_job_expires_counted_from_its_finish(
    operator, jobs, inventory_sides, redis_server
):
    jobs.create(jobs.manifest("inv-expiry", *inventory_sides, mode="sync", storeTTLSeconds=3600))
    job = jobs.wait_phase("inv-expiry", "Succeeded")
    client = redis_server.client()
    keys = state_keys(client, job["status"]["storeId"])
    everything = {
        k.decode() for k in client.scan_iter(count=1000) if job["metadata"]["uid"][:8].encode() in k
    }
    assert keys and everything <= keys  # scanning the whole keyspace finds no key outside the patterns
    ttls = {key: client.ttl(key) for key in keys}
    assert all(3000 < ttl <= 3600 for ttl in ttls.values()), ttls
    claim = client.hgetall(f"diffsync-job:{{{job['status']['storeId']}}}:claim")
    assert claim[b"state"] == b"finished" and claim[b"uid"] == job["metadata"]["uid"].encode()


def test_secrets_in_an_adapter_error_reach_no_status_event_or_log(operator, jobs, inventory_sides):
    source, target = inventory_sides
    source["adapter"] = "sample_adapters:LeakyInventory"
    source["params"]["leak"] = "TopSecret-4242"
    jobs.create(jobs.manifest("inv-leak", source, target, backoffLimit=0))
    job = jobs.wait_phase("inv-leak", "Failed")
    wait_for(lambda: "StageFailed" in {e.reason for e in jobs.events("inv-leak")}, timeout=30, what="Event")

    status = json.dumps(job["status"])
    events = " ".join(e.message or "" for e in jobs.events("inv-leak"))
    pods = " ".join(
        json.dumps(jobs.core.api_client.sanitize_for_serialization(p.status)) for p in jobs.pods("inv-leak")
    )
    message = condition(job, "Failed")["message"]
    assert "cannot log in to redis://admin:***@inventory.internal:6379/0" in message  # the cause stays
    assert "input_value=***" in message
    for text in (status, events, pods, operator.log()):
        assert "TopSecret-4242" not in text

"""Target locks as Leases: taken, renewed, refused, released, and freed from deleted or dead holders.

The rules (`may_take_over`) are tested as plain functions; the Leases themselves against the
real API server, with SyncJobs and pods made directly (no operator, no kubelet: a pod nobody
runs stays Pending, which is "unfinished").
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from diffsync_operator.controller.kube import Kube
from diffsync_operator.controller.naming import LABEL_JOB_UID
from diffsync_operator.controller.target_locks import (
    LeaseState,
    LockHolder,
    TargetLocks,
    lease_name,
    may_take_over,
)
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from operator_harness import GROUP, PLURAL, VERSION, install_rbac

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
A = LockHolder("uid-a", "team-a", "nightly")


def _state(holder=A, renewed=NOW, seconds=60) -> LeaseState:
    return LeaseState(holder, renewed, renewed, seconds, 0, "1")


@pytest.mark.parametrize(
    ("state", "gone", "running", "free"),
    [
        (_state(holder=None), False, False, True),  # released
        (_state(), False, False, False),  # a live holder within its lease
        (_state(), True, False, True),  # the holder's SyncJob was deleted, its pods are gone
        (_state(), True, True, False),  # deleted, but a pod of it still runs
        (_state(renewed=NOW - timedelta(seconds=61)), False, False, True),  # expired, nothing runs
        (_state(renewed=NOW - timedelta(seconds=61)), False, True, False),  # expired, its sync pod runs
        (_state(renewed=NOW - timedelta(seconds=61)), None, None, True),  # unreadable holder: expiry
        (_state(), None, None, False),
    ],
)
def test_when_another_jobs_lock_is_free(state, gone, running, free):
    assert may_take_over(state, NOW, lambda _: gone, lambda _: running) is free


def test_lease_names_are_dns_names_whatever_the_key():
    name = lease_name("nautobot:https://nb.example.com/api Production@eu")
    assert name.startswith("diffsync-lock-") and len(name) == 34 and name == name.lower()
    assert lease_name("a") != lease_name("b")


# --- against the API server ------------------------------------------------------------


@pytest.fixture
def kube(cluster):
    with cluster.api_client() as api:
        yield Kube(api)


@pytest.fixture
def locks(syncjob_crd, kube):
    return TargetLocks(kube, syncjob_crd.create_namespace(prefix="locks-"), lease_seconds=30)


def _job(kube: Kube, namespace: str, name: str) -> LockHolder:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "SyncJob",
        "metadata": {"name": name},
        "spec": {"source": {"adapter": "a.b:S"}, "target": {"adapter": "a.b:T"}, "mode": "sync"},
    }
    created = kube.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)
    return LockHolder(created["metadata"]["uid"], namespace, name)


def _pod(kube: Kube, holder: LockHolder) -> None:
    kube.core.create_namespaced_pod(
        holder.namespace,
        {
            "metadata": {"name": f"{holder.name}-sync-1", "labels": {LABEL_JOB_UID: holder.uid}},
            "spec": {"containers": [{"name": "c", "image": "never-pulled"}]},
        },
    )


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)  # as the operator's passes see it


def test_one_holder_at_a_time_renewed_by_it_and_free_once_released(locks, kube, cluster):
    team = cluster.create_namespace(prefix="team-")
    first, second = _job(kube, team, "first"), _job(kube, team, "second")
    assert locks.acquire("target-x", first, _now()).held
    refused = locks.acquire("target-x", second, _now())
    assert (refused.held, refused.holder) == (False, first.describe())
    before = kube.read_lease(locks.namespace, lease_name("target-x"))
    assert locks.acquire("target-x", first, _now() + timedelta(seconds=5)).held  # renewed
    after = kube.read_lease(locks.namespace, lease_name("target-x"))
    assert after["spec"]["renewTime"] > before["spec"]["renewTime"]
    assert after["spec"]["acquireTime"] == before["spec"]["acquireTime"]
    assert after["metadata"]["annotations"]["diffsync.io/lock-key"] == "target-x"
    assert locks.release("target-x", second) is None  # not the holder: nothing happens
    assert not locks.acquire("target-x", second, _now()).held
    assert locks.release("target-x", first) is None
    assert kube.read_lease(locks.namespace, lease_name("target-x")) is None
    assert locks.acquire("target-x", second, _now()).held
    assert locks.acquire("target-y", first, _now()).held  # another key is another lock


def test_the_lock_of_a_deleted_job_is_free_once_its_pods_are_gone(locks, kube, cluster):
    team = cluster.create_namespace(prefix="team-")
    gone, waiting = _job(kube, team, "gone"), _job(kube, team, "waiting")
    assert locks.acquire("target-x", gone, _now()).held
    _pod(kube, gone)
    kube.custom.delete_namespaced_custom_object(GROUP, VERSION, team, PLURAL, "gone")
    assert not locks.acquire("target-x", waiting, _now()).held  # its pod is still there
    kube.core.delete_namespaced_pod("gone-sync-1", team, grace_period_seconds=0)
    assert locks.acquire("target-x", waiting, _now()).held


def test_a_lease_nobody_renewed_is_free_unless_its_holder_still_runs_a_pod(locks, kube, cluster):
    team = cluster.create_namespace(prefix="team-")
    stuck, waiting = _job(kube, team, "stuck"), _job(kube, team, "waiting")
    assert locks.acquire("target-x", stuck, _now()).held  # then its operator dies: no renewals
    later = _now() + timedelta(seconds=31)
    assert not locks.acquire("target-x", waiting, _now()).held
    _pod(kube, stuck)
    assert not locks.acquire("target-x", waiting, later).held  # expired, but its sync pod runs
    kube.core.delete_namespaced_pod("stuck-sync-1", team, grace_period_seconds=0)
    taken = locks.acquire("target-x", waiting, later)
    assert taken.held
    lease = kube.read_lease(locks.namespace, lease_name("target-x"))
    assert lease["spec"]["holderIdentity"] == waiting.uid and lease["spec"]["leaseTransitions"] == 1


def test_two_jobs_racing_for_a_free_lock_never_both_get_it(locks, kube, cluster):
    team = cluster.create_namespace(prefix="team-")
    holders = [_job(kube, team, f"racer-{i}") for i in range(6)]
    for round_ in range(3):
        key = f"race-{round_}"
        results = {}
        start = threading.Barrier(len(holders))

        def take(holder: LockHolder, key: str = key, results: dict = results, start=start) -> None:
            start.wait()
            results[holder.uid] = locks.acquire(key, holder, _now()).held

        threads = [threading.Thread(target=take, args=(h,)) for h in holders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(results.values()) == 1, results


def test_the_operators_account_may_manage_leases_in_its_namespace_only(syncjob_crd, cluster):
    home = cluster.create_namespace(prefix="op-")
    elsewhere = cluster.create_namespace(prefix="other-")
    account = install_rbac(syncjob_crd, home)
    api = config.new_client_from_config(config_file=str(cluster.token_kubeconfig(home, account)))
    try:
        as_operator = Kube(api)
        holder = LockHolder("uid-z", home, "z")
        assert TargetLocks(as_operator, home, 30).acquire("k", holder, _now()).held
        assert TargetLocks(as_operator, home, 30).release("k", holder) is None
        refused = TargetLocks(as_operator, elsewhere, 30).acquire("k", holder, _now())
        assert not refused.held and refused.error is not None and "403" in refused.error
        with pytest.raises(ApiException) as denied:
            client.CoordinationV1Api(api).list_namespaced_lease(home)
        assert denied.value.status == 403  # no list, no watch: names come from the keys
    finally:
        api.close()

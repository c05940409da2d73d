"""The Argo CD health script on live SyncJobs in every phase the operator writes.

Each job is driven into one phase on the real API server (pods on the test kubelet); the
script must map the status the operator wrote as documented. With
DIFFSYNC_RECORD_HEALTH_TESTDATA=1 the documents are recorded into deploy/argocd/.../testdata
(and health_test.yaml), which test_health_script.py checks without a cluster.
"""

from __future__ import annotations

import copy
import os

from diffsync_operator.api.status import JobPhase
from envtest.waiting import wait_for
from health_script import argocd_health, record, recorded_document
from operator_harness import condition

EXPECTED = {
    "Pending": "Progressing",
    "Running": "Progressing",
    "Succeeded": "Healthy",
    "Failed": "Degraded",
    "Suspended": "Suspended",
    "Blocked": "Degraded",
    "AwaitingApproval": "Suspended",
}


def test_every_phase_the_operator_writes_maps_to_its_argocd_health(operator, jobs, inventory_sides, tmp_path):
    assert set(EXPECTED) == {phase.value for phase in JobPhase}
    source, target = inventory_sides
    release = tmp_path / "release"

    def sides(**source_params):
        pair = copy.deepcopy(source), copy.deepcopy(target)
        pair[0]["params"].update(source_params)
        return pair

    locked = {"lockKey": "health-check-target"}
    held_source, held_target = sides(hold_until=str(release))
    jobs.create(jobs.manifest("hs-running", held_source, {**held_target, **locked}, mode="sync"))
    jobs.wait_phase("hs-running", "Running")
    pending_source, pending_target = sides()
    jobs.create(jobs.manifest("hs-pending", pending_source, {**pending_target, **locked}, mode="sync"))
    jobs.create(jobs.manifest("hs-succeeded", *sides()))
    bad_source, bad_target = sides()
    bad_source["adapter"] = "no_such_package.adapters:Inventory"
    jobs.create(jobs.manifest("hs-failed", bad_source, bad_target))
    jobs.create(jobs.manifest("hs-suspended", *sides(), suspend=True))
    jobs.create(jobs.manifest("hs-blocked", *sides(), mode="sync", deletionGuard={"maxDeletes": 0}))
    jobs.create(jobs.manifest("hs-awaiting", *sides(), mode="sync", approval="Manual"))

    documents = {}
    for name, phase in [
        ("hs-pending", "Pending"),
        ("hs-succeeded", "Succeeded"),
        ("hs-failed", "Failed"),
        ("hs-suspended", "Suspended"),
        ("hs-blocked", "Blocked"),
        ("hs-awaiting", "AwaitingApproval"),
        ("hs-running", "Running"),
    ]:
        job = jobs.wait_phase(name, phase)
        if phase == "Pending":  # waiting for the lock hs-running holds, named in its condition
            job = wait_for(
                lambda: (
                    j
                    if condition(j := jobs.get("hs-pending"), "Reconciling")["reason"] == "TargetLocked"
                    else None
                ),
                timeout=60,
                what="hs-pending to wait for the target lock",
            )
            assert "hs-running" in condition(job, "Reconciling")["message"]
        document = recorded_document(job)
        health = argocd_health(document)
        assert health["status"] == EXPECTED[phase], (phase, health, job["status"])
        assert health["message"] == condition(job, "Ready")["message"]
        documents[phase] = document
    assert set(documents) == set(EXPECTED)
    release.touch()
    if os.environ.get("DIFFSYNC_RECORD_HEALTH_TESTDATA"):
        record(documents)

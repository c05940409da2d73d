"""The Argo CD health script of SyncJob on the status documents the operator wrote (no cluster).

testdata/ holds one SyncJob per phase, recorded from the operator by test_health_cluster.py;
health_test.yaml (Argo CD's own test layout) says what Argo CD must show for each.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from diffsync_operator.api.status import JobPhase
from health_script import CHECK_DIR, CONFIGMAP_KEY, CONFIGMAP_PATCH, SCRIPT, TESTDATA, TESTS, argocd_health

CASES = yaml.safe_load(TESTS.read_text())["tests"]


def _document(path: str) -> dict:
    return yaml.safe_load((CHECK_DIR / path).read_text())


def test_every_phase_the_operator_writes_has_a_recorded_document():
    recorded = {yaml.safe_load(path.read_text())["status"]["phase"] for path in TESTDATA.glob("*.yaml")}
    assert recorded == {phase.value for phase in JobPhase}
    assert {case["inputPath"] for case in CASES} == {f"testdata/{p.name}" for p in TESTDATA.glob("*.yaml")}


@pytest.mark.parametrize("case", CASES, ids=[case["inputPath"] for case in CASES])
def test_the_script_gives_the_recorded_health(case):
    assert argocd_health(_document(case["inputPath"])) == case["healthStatus"]


def test_waiting_for_approval_is_suspended_naming_the_plan_and_how_to_approve():
    document = _document("testdata/AwaitingApproval.yaml")
    health = argocd_health(document)
    assert health["status"] == "Suspended"
    assert document["status"]["plan"]["shortId"] in health["message"]
    assert "diffsync approve" in health["message"]


def test_a_job_without_status_or_with_an_unseen_spec_is_progressing():
    document = _document("testdata/Succeeded.yaml")
    bare = {key: value for key, value in document.items() if key != "status"}
    assert argocd_health(bare)["status"] == "Progressing"
    ahead = copy.deepcopy(document)
    ahead["metadata"]["generation"] = document["status"]["observedGeneration"] + 1
    assert argocd_health(ahead) == {
        "status": "Progressing",
        "message": "Waiting for the diffsync operator to see the latest spec",
    }


def test_a_phase_this_script_does_not_know_is_unknown():
    document = _document("testdata/Running.yaml")
    document["status"]["phase"] = "Exploded"
    assert argocd_health(document) == {"status": "Unknown", "message": "Unknown SyncJob phase Exploded"}


def test_the_argocd_configmap_patch_carries_exactly_the_script():
    patch = yaml.safe_load(CONFIGMAP_PATCH.read_text())
    assert patch["data"][CONFIGMAP_KEY] == SCRIPT.read_text()

"""The SyncJob a rerun request makes: the same spec, the user's metadata, owned by the original."""

from __future__ import annotations

from diffsync_operator.api.names import MAX_NAME, rerun_name
from diffsync_operator.controller.rerun import requested_token, rerun_manifest

ORIGINAL = {
    "metadata": {
        "name": "inventory",
        "namespace": "net",
        "uid": "uid-1",
        "labels": {"team": "net", "diffsync.io/schedule-uid": "s-1", "diffsync.io/schedule": "nightly"},
        "annotations": {
            "owner": "ops",
            "diffsync.io/rerun": "2026-11-29",
            "diffsync.io/last-handled-configuration": "{}",
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
        },
    },
    "spec": {"mode": "sync", "source": {"adapter": "a.b:C"}, "target": {"adapter": "a.b:D"}},
    "status": {"phase": "Succeeded"},
}


def test_a_rerun_copies_the_spec_and_user_metadata_and_is_owned_by_the_original():
    manifest = rerun_manifest(ORIGINAL, "2026-11-29")
    meta = manifest["metadata"]
    assert meta["name"] == rerun_name("inventory", "2026-11-29") and meta["name"].startswith(
        "inventory-rerun-"
    )
    assert meta["labels"] == {"team": "net", "diffsync.io/rerun-of": "inventory"}
    assert meta["annotations"] == {"owner": "ops", "diffsync.io/rerun-of": "inventory"}
    assert meta["ownerReferences"] == [
        {"apiVersion": "diffsync.io/v1alpha1", "kind": "SyncJob", "name": "inventory", "uid": "uid-1"}
    ]
    assert manifest["spec"] == ORIGINAL["spec"] and manifest["spec"] is not ORIGINAL["spec"]


def test_a_rerun_of_a_manual_job_asks_for_a_fresh_approval():
    approved = {**ORIGINAL, "spec": {**ORIGINAL["spec"], "approval": "Manual", "approvedPlan": "a" * 64}}
    spec = rerun_manifest(approved, "2026-11-30")["spec"]
    assert spec["approval"] == "Manual" and "approvedPlan" not in spec
    assert approved["spec"]["approvedPlan"] == "a" * 64  # the original is left as it was


def test_one_token_one_name_and_a_new_token_a_new_name():
    assert rerun_name("inventory", "a") == rerun_name("inventory", "a") != rerun_name("inventory", "b")
    long = rerun_name("x" * 250, "a")
    assert len(long) <= MAX_NAME and long != rerun_name("x" * 249 + "y", "a")


def test_a_handled_token_is_not_requested_again():
    assert requested_token(ORIGINAL) == "2026-11-29"
    handled = {**ORIGINAL, "status": {"phase": "Succeeded", "lastRerunToken": "2026-11-29"}}
    assert requested_token(handled) is None
    assert requested_token({"metadata": {"name": "x"}, "status": {}}) is None

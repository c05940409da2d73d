"""The SyncJob a rerun request makes from a finished one (pure: no API calls).

A finished SyncJob never runs again (a spec change only moves observedGeneration). To run it
again, set the annotation `diffsync.io/rerun` to a new value (`diffsync rerun NAME` does, and so
can a commit in Git); the operator then creates `<name>-rerun-<hash of the value>`: the same
spec, the job's own labels and annotations, owned by the original (deleting the original
deletes its reruns). The original keeps its status, so its result stays readable. The name
depends only on the value, so one value makes one run however often it is seen.

Not copied: labels a SyncSchedule uses to find its runs (a rerun is not a tick of the
schedule, which would prune it), and annotations in the operator's own `diffsync.io/` space
(kopf's bookkeeping, the rerun request itself) or kubectl's; nor `spec.approvedPlan`: a
rerun diffs afresh, and with `approval: Manual` its plan waits for an approval of its own.
"""

from __future__ import annotations

import copy
from typing import Any

from diffsync_operator.api.names import ANNOTATION_RERUN, RERUN_OF, rerun_name
from diffsync_operator.api.resource import API_VERSION, KIND
from diffsync_operator.controller.naming import fits_label_value
from diffsync_operator.controller.schedule_jobs import LABEL_SCHEDULE, LABEL_SCHEDULE_UID

_DROPPED_LABELS = {LABEL_SCHEDULE, LABEL_SCHEDULE_UID, RERUN_OF}
_DROPPED_ANNOTATION_PREFIXES = ("diffsync.io/", "kubectl.kubernetes.io/")


def requested_token(body: dict[str, Any]) -> str | None:
    """The rerun token of the job's annotation, if one is set and not yet handled."""
    meta = body.get("metadata") or {}
    token = (meta.get("annotations") or {}).get(ANNOTATION_RERUN)
    if not token or (body.get("status") or {}).get("lastRerunToken") == token:
        return None
    return str(token)


def rerun_manifest(body: dict[str, Any], token: str) -> dict[str, Any]:
    """The fresh SyncJob for rerun `token` of the finished job `body`."""
    meta = body["metadata"]
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in _DROPPED_LABELS}
    if fits_label_value(meta["name"]):
        labels[RERUN_OF] = meta["name"]
    annotations = {
        key: value
        for key, value in (meta.get("annotations") or {}).items()
        if not key.startswith(_DROPPED_ANNOTATION_PREFIXES)
    }
    annotations[RERUN_OF] = meta["name"]
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": rerun_name(meta["name"], token),
            "namespace": meta["namespace"],
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [
                {"apiVersion": API_VERSION, "kind": KIND, "name": meta["name"], "uid": meta["uid"]}
            ],
        },
        "spec": _fresh_spec(body.get("spec") or {}),
    }


def _fresh_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The original's spec, without its approval: a rerun diffs afresh, and its plan needs its own."""
    fresh = copy.deepcopy(spec)
    fresh.pop("approvedPlan", None)
    return fresh

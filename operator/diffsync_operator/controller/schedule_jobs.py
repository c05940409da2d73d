"""The SyncJob a SyncSchedule starts for one tick (pure: no API calls).

The job is the template's spec as written (not re-serialised, so fields the user set keep their
exact form), the template's labels and annotations, and the operator's own: the schedule's uid
(how the schedule finds its runs; names may be longer than a label value), its name when it
fits a label, and the tick the run belongs to. The schedule owns the job (controller owner
reference), so deleting the schedule deletes its runs, and their pods with them.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

from diffsync_operator.api.resource import API_VERSION, KIND
from diffsync_operator.api.schedule import SCHEDULE_KIND
from diffsync_operator.controller.naming import fits_label_value
from diffsync_operator.controller.schedule_planning import job_name

LABEL_SCHEDULE = "diffsync.io/schedule"
LABEL_SCHEDULE_UID = "diffsync.io/schedule-uid"
ANNOTATION_TICK = "diffsync.io/scheduled-at"


def schedule_selector(schedule_uid: str) -> str:
    """The label selector of every SyncJob one schedule made."""
    return f"{LABEL_SCHEDULE_UID}={schedule_uid}"


def tick_text(tick: datetime) -> str:
    """A tick as Kubernetes writes times: UTC, seconds, `Z`."""
    return tick.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def scheduled_job(schedule: dict[str, Any], tick: datetime) -> dict[str, Any]:
    """The SyncJob manifest of `schedule`'s run for `tick`."""
    meta = schedule["metadata"]
    template = schedule["spec"]["jobTemplate"]
    template_meta = template.get("metadata") or {}
    labels = {**(template_meta.get("labels") or {}), LABEL_SCHEDULE_UID: meta["uid"]}
    if fits_label_value(meta["name"]):
        labels[LABEL_SCHEDULE] = meta["name"]
    annotations = {**(template_meta.get("annotations") or {}), ANNOTATION_TICK: tick_text(tick)}
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": job_name(meta["name"], tick),
            "namespace": meta["namespace"],
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": SCHEDULE_KIND,
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": copy.deepcopy(template["spec"]),
    }

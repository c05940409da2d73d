"""Names derived from a SyncJob: pod names, labels, and its credentials Secret.

Everything here is deterministic on purpose. The operator may be killed between creating a
pod and recording it; because attempt N of a stage always has the same pod name, a restarted
operator finds the pod instead of creating a twin (the API server answers 409 to a second
create).
"""

from __future__ import annotations

import re

from diffsync_operator.api.names import MAX_NAME, bounded
from diffsync_operator.api.status import Stage

LABEL_JOB = "diffsync.io/job"
LABEL_JOB_UID = "diffsync.io/job-uid"
LABEL_STAGE = "diffsync.io/stage"
LABEL_ATTEMPT = "diffsync.io/attempt"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_COMPONENT = "app.kubernetes.io/component"
MANAGED_BY = "diffsync-operator"

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def pod_name(job_name: str, stage: Stage, attempt: int) -> str:
    """`<job>-<stage>-<attempt>`; a job name too long for that is cut and given a hash."""
    return bounded(job_name, f"-{stage.value}-{attempt}")


def cleanup_pod_name(job_name: str) -> str:
    """`<job>-cleanup`: the pod that deletes the Redis state of a job being deleted."""
    return bounded(job_name, "-cleanup")


def credentials_secret_prefix(job_name: str) -> str:
    """`<job>-redis-`: the generateName of the Secret holding the job's Redis password.

    The API server appends five random characters, so a Secret left behind by an interrupted
    attempt never blocks the next one (the operator may create Secrets, never read them).
    """
    return bounded(job_name, "-redis-", limit=MAX_NAME - 5)


def pod_labels(job_name: str, job_uid: str, stage: Stage | str, attempt: int) -> dict[str, str]:
    """Labels of a stage pod; selection is by job uid, the name label is for people."""
    labels = {
        LABEL_JOB_UID: job_uid,
        LABEL_STAGE: stage.value if isinstance(stage, Stage) else stage,
        LABEL_ATTEMPT: str(attempt),
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_COMPONENT: "worker",
    }
    if fits_label_value(job_name):
        labels[LABEL_JOB] = job_name
    return labels


def fits_label_value(value: str) -> bool:
    """Whether `value` may be a label value (63 characters, alphanumeric at both ends)."""
    return len(value) <= 63 and bool(_LABEL_VALUE.match(value))


def job_selector(job_uid: str) -> str:
    """The label selector of all pods of one job."""
    return f"{LABEL_JOB_UID}={job_uid}"

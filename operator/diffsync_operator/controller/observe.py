"""Read what matters about a stage pod from its API object (a camelCase dict).

Kept apart from planning so the planner only sees plain values and can be tested with
hand-made `ObservedPod`s, while this module is tested with real pod dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diffsync.store.redis import FLUSH_FAILED_EXIT_STATUS
from diffsync_operator.api.status import Stage
from diffsync_operator.controller.api_time import parse_api_time
from diffsync_operator.controller.naming import LABEL_ATTEMPT, LABEL_STAGE
from diffsync_operator.controller.pods import CONTAINER_NAME

#: Pod `status.reason`s of a pod stopped from outside: evicted, preempted, its node shut down.
DISRUPTION_REASONS = frozenset({"Evicted", "Preempting", "Terminated", "Shutdown"})


@dataclass(frozen=True)
class ObservedPod:
    """A stage pod as the planner needs it."""

    name: str
    stage: Stage
    attempt: int
    phase: str  # Pending, Running, Succeeded, Failed or Unknown
    deleting: bool = False
    exit_code: int | None = None
    message: str | None = None  # termination message (our JSON, or a log tail on a crash)
    reason: str | None = None  # e.g. OOMKilled, Error, DeadlineExceeded
    started_at: datetime | None = None
    finished_at: datetime | None = None
    disrupted: bool = False  # Kubernetes says it stopped the pod (DisruptionTarget, eviction, ...)

    @property
    def finished(self) -> bool:
        """The pod will not run again."""
        return self.phase in ("Succeeded", "Failed")

    @property
    def unwritten_at_exit(self) -> bool:
        """The worker ended with the store's at-exit failure status (`FLUSH_FAILED_EXIT_STATUS`).

        A RedisStore still alive when the process ended could not write what it buffered. The
        stage's result was written before that and may say it succeeded: it did not.
        """
        return self.exit_code == FLUSH_FAILED_EXIT_STATUS


def _terminated(status: dict[str, Any]) -> dict[str, Any]:
    for container in status.get("containerStatuses") or []:
        if container.get("name") == CONTAINER_NAME:
            state = container.get("state") or {}
            found: dict[str, Any] = (
                state.get("terminated") or (container.get("lastState") or {}).get("terminated") or {}
            )
            return found
    return {}


def termination(pod: dict[str, Any]) -> tuple[int | None, str | None]:
    """(exit code, termination message) of the pod's worker container, once it ended."""
    terminated = _terminated(pod.get("status") or {})
    return terminated.get("exitCode"), terminated.get("message")


def observe_pod(pod: dict[str, Any]) -> ObservedPod | None:
    """The planner's view of a pod dict, or None if it is not one of our stage pods."""
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    try:
        stage = Stage(labels.get(LABEL_STAGE))
        attempt = int(labels.get(LABEL_ATTEMPT, ""))
    except ValueError:
        return None
    status = pod.get("status") or {}
    terminated = _terminated(status)
    disruption = any(
        c.get("type") == "DisruptionTarget" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    return ObservedPod(
        name=meta.get("name", ""),
        stage=stage,
        attempt=attempt,
        phase=status.get("phase") or "Pending",
        deleting=bool(meta.get("deletionTimestamp")),
        exit_code=terminated.get("exitCode"),
        message=terminated.get("message"),
        reason=terminated.get("reason") or status.get("reason"),
        started_at=parse_api_time(terminated.get("startedAt") or status.get("startTime")),
        finished_at=parse_api_time(terminated.get("finishedAt")),
        disrupted=disruption or status.get("reason") in DISRUPTION_REASONS,
    )

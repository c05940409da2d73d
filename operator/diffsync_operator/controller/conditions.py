"""Shape the kstatus conditions from the job's phase, and keep the others beside them.

One table (`_WANTED`) says which condition is True in which phase; `shape_conditions`
keeps a condition's `lastTransitionTime` while its status does not change, as the
Kubernetes API conventions ask. Conditions of other types (`RedisUser`, `PlanStale`) are set on their own
with `set_condition` and kept as they are by `shape_conditions`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from diffsync_operator.api.schedule import ScheduleCondition
from diffsync_operator.api.status import Condition, JobPhase

AnyCondition = TypeVar("AnyCondition", Condition, ScheduleCondition)

_TYPES = ("Ready", "Complete", "Failed", "Reconciling", "Stalled")

# For each phase, the condition types that are True; the others are False.
_WANTED: dict[JobPhase, set[str]] = {
    JobPhase.PENDING: {"Reconciling"},
    JobPhase.RUNNING: {"Reconciling"},
    JobPhase.SUSPENDED: set(),
    JobPhase.BLOCKED: {"Stalled"},  # waits for a person (raise the deletion guard), not for time
    # Waits for a person to approve the plan: neither in progress nor failed (kstatus: Current).
    JobPhase.AWAITING_APPROVAL: set(),
    JobPhase.SUCCEEDED: {"Ready", "Complete"},
    JobPhase.FAILED: {"Failed", "Stalled"},
}


def shape_conditions(
    existing: list[Condition],
    phase: JobPhase,
    reason: str,
    message: str,
    generation: int | None,
    now: datetime,
) -> list[Condition]:
    """The five conditions for `phase`, all with `reason` and `message`, then the other types."""
    previous: dict[str, Condition] = {c.type: c for c in existing}
    shaped = []
    for kind in _TYPES:
        status = "True" if kind in _WANTED[phase] else "False"
        before = previous.get(kind)
        since = before.last_transition_time if before is not None and before.status == status else now
        shaped.append(
            Condition(
                type=kind,
                status=status,
                reason=reason,
                message=message,
                last_transition_time=since,
                observed_generation=generation,
            )
        )
    return shaped + [c for c in existing if c.type not in _TYPES]


def set_condition(
    existing: list[AnyCondition],
    kind: str,
    status: str,
    reason: str,
    message: str,
    generation: int | None,
    now: datetime,
    shape: type[AnyCondition] = Condition,  # type: ignore[assignment]  # ScheduleCondition too
) -> list[AnyCondition]:
    """`existing` with the condition `kind` set (its transition time kept while `status` holds).

    One rule for every resource's conditions: a SyncJob's (`Condition`, the default `shape`)
    and a SyncSchedule's (`shape=ScheduleCondition`).
    """
    before = next((c for c in existing if c.type == kind), None)
    since = before.last_transition_time if before is not None and before.status == status else now
    condition = shape.model_validate(
        {
            "type": kind,
            "status": status,
            "reason": reason,
            "message": message,
            "lastTransitionTime": since,
            "observedGeneration": generation,
        }
    )
    return [c for c in existing if c.type != kind] + [condition]

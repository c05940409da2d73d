"""The deletion guard: stop a sync whose diff would delete more of the target than allowed.

One function, `deletion_refusal(guard, deletes, target_objects)`, used in two places with the
same numbers: the operator asks it before it starts a sync pod (so a blocked sync never
starts), and the sync stage asks it again before it applies anything (so the local CLI and
any other caller of `run_stage` are guarded too). `deletes` is the diff's delete count,
`target_objects` what the load-target stage loaded, both counting child objects.
"""

from __future__ import annotations

from diffsync_operator.api.spec import DeletionGuard

#: What the message tells people to change; the CLI adds its own flags to it.
HOW_TO_ALLOW = (
    "if these deletes are intended, raise spec.deletionGuard.maxDeleteFraction (1 allows deleting "
    "everything) or spec.deletionGuard.maxDeletes"
)


def deletion_refusal(guard: DeletionGuard, deletes: int, target_objects: int) -> str | None:
    """Why a sync deleting `deletes` of `target_objects` objects must not run, or None if it may."""
    limits = []
    if guard.max_deletes is not None and deletes > guard.max_deletes:
        limits.append(f"maxDeletes {guard.max_deletes}")
    allowed_by_fraction = guard.max_delete_fraction * target_objects
    if deletes > allowed_by_fraction:
        limits.append(
            f"maxDeleteFraction {guard.max_delete_fraction:g} ({int(allowed_by_fraction)} of "
            f"{target_objects} objects)"
        )
    if not limits:
        return None
    share = f"{deletes / target_objects:.0%}" if target_objects else "all"
    return (
        f"deletion guard: the diff deletes {deletes} of the target's {target_objects} objects ({share}), "
        f"more than spec.deletionGuard allows ({', '.join(limits)}); nothing was changed; {HOW_TO_ALLOW}"
    )

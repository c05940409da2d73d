"""Flags and statuses that steer a diff or a sync.

Two flag families exist because they are read in different places: `DiffSyncFlags` applies to a
whole `diff_*`/`sync_*` call, `DiffSyncModelFlags` to one model class or instance.
"""

from __future__ import annotations

import enum


class DiffSyncModelFlags(enum.Flag):
    """Per-model behaviour, set on a model class or on one instance as ``model_flags``."""

    NONE = 0
    # The pair this object belongs to yields no diff element and none of its children are visited.
    IGNORE = 0b1
    # When a sync deletes this object, its children leave the store without their delete() being called.
    SKIP_CHILDREN_ON_DELETE = 0b10
    # Read on the source object: without a destination counterpart, it is not created.
    SKIP_UNMATCHED_SRC = 0b100
    # Read on the destination object: without a source counterpart, it is not deleted.
    SKIP_UNMATCHED_DST = 0b1000
    # Read on the destination object: its children are deleted before it is.
    NATURAL_DELETION_ORDER = 0b10000
    SKIP_UNMATCHED_BOTH = SKIP_UNMATCHED_SRC | SKIP_UNMATCHED_DST


class DiffSyncFlags(enum.Flag):
    """Behaviour of one whole diff or sync call, passed as ``flags=``."""

    NONE = 0
    # A failed create/update/delete is logged and the sync goes on with the next element.
    CONTINUE_ON_FAILURE = 0b1
    SKIP_UNMATCHED_SRC = 0b10
    SKIP_UNMATCHED_DST = 0b100
    SKIP_UNMATCHED_BOTH = SKIP_UNMATCHED_SRC | SKIP_UNMATCHED_DST
    # Also log a debug event for every element the sync leaves unchanged.
    LOG_UNCHANGED_RECORDS = 0b1000


class DiffSyncStatus(enum.Enum):
    """Outcome of the last create/update/delete of one model."""

    UNKNOWN = "unknown"
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


class DiffSyncActions:
    """The action names a diff element can carry (plain strings, also the summary's keys)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SKIP = "skip"
    NO_CHANGE = None

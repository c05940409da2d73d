"""diffsync: keep two systems of record in step.

A drop-in replacement for upstream diffsync 2.x. Describe your data as `DiffSyncModel`
classes, write an `Adapter` per system that loads them into a store, then diff and sync::

    diff = target.diff_from(source)
    print(diff.str())
    target.sync_from(source)
"""

from diffsync.adapter import Adapter, DiffSync
from diffsync.diff import Diff, DiffElement
from diffsync.enum import DiffSyncActions, DiffSyncFlags, DiffSyncModelFlags, DiffSyncStatus
from diffsync.exceptions import (
    DiffClassMismatch,
    ObjectAlreadyExists,
    ObjectNotFound,
    ObjectStoreWrongType,
)
from diffsync.helpers import DiffSyncDiffer, DiffSyncSyncer
from diffsync.model import DiffSyncModel
from diffsync.store import BaseStore
from diffsync.store.local import LocalStore
from diffsync.utils import get_path, set_key, tree_string

__all__ = [
    "Adapter",
    "BaseStore",
    "Diff",
    "DiffClassMismatch",
    "DiffElement",
    "DiffSync",
    "DiffSyncActions",
    "DiffSyncDiffer",
    "DiffSyncFlags",
    "DiffSyncModel",
    "DiffSyncModelFlags",
    "DiffSyncStatus",
    "DiffSyncSyncer",
    "LocalStore",
    "ObjectAlreadyExists",
    "ObjectNotFound",
    "ObjectStoreWrongType",
    "get_path",
    "set_key",
    "tree_string",
]

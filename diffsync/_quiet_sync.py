"""Syncing only the changed part of a diff, with the same outcome as visiting all of it.

Upstream's syncer visits every element of a diff. For an element with nothing to do (no
action, and none under it), a visit looks the destination model up, resets its status to
``(UNKNOWN, "")`` and counts the element; nothing else. So a sync of a million objects with a
thousand changes cost as much as a diff. Here the syncer skips such "quiet" subtrees, which
the differ marked (`DiffElement._quiet`), when it can reproduce what the visits would have
done:

- the statuses: the differ marked every destination model it paired (`diffsync._status`);
  the syncer takes the mark off the models it visits (they get their status as upstream's do)
  and off models a failure keeps it from reaching, then applies the mark's reset to all the
  others at once. If the sync raises, the models of the subtrees skipped so far get their
  reset one by one, and the others keep their status, as upstream's would;
- the count: `elements_processed` adds the sizes of the skipped subtrees;
- the lookups: every skipped destination model is still in the store, because the store has
  not lost or replaced a model since the diff (`LocalStore` and `RedisStore` count removals,
  replacements, clears and, for RedisStore, refreshes; stores that cannot tell never skip)
  other than by the sync's own deletes. If a hook removes or replaces stored models, the sync
  stops skipping from there on.

The syncer skips only when the diff is the one the differ built (nothing in it was handed out
or changed since: `diffsync._handed_out`), was not synced before, is the last diff computed
for this destination store, and nobody observes the visits one by one: no progress callback,
no `LOG_UNCHANGED_RECORDS`, no subclass replacing a step of the syncer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from diffsync import _handed_out, _status
from diffsync._element_values import view
from diffsync.diff import DiffElement
from diffsync.enum import DiffSyncFlags, DiffSyncStatus

if TYPE_CHECKING:
    from diffsync.adapter import Adapter
    from diffsync.diff import Diff
    from diffsync.helpers import DiffSyncSyncer
    from diffsync.store import BaseStore

_LAST_MARKS = "_diffsync_last_marks"  # on a store: the marks of the last diff into it


class Built:
    """What the differ knows about a diff it built, kept on the diff (`Diff._built`)."""

    __slots__ = ("handed_out", "marks", "size", "store", "store_version", "synced")

    def __init__(self, marks: _status.SyncMarks, size: int, store: BaseStore, handed_out: int) -> None:
        self.marks = marks
        self.size = size  # elements in the whole diff, for len()
        self.store = store
        self.store_version = store._membership_version()
        self.handed_out = handed_out
        self.synced = False

    def untouched(self) -> bool:
        return _handed_out.count() == self.handed_out

    # A copy or an unpickled diff is not the one whose marks the models carry.
    def __deepcopy__(self, memo: dict[int, Any]) -> None:
        return None

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return _nothing, ()


def _nothing() -> None:
    return None


def record_built(diff: Diff, marks: _status.SyncMarks, size: int, dst: Adapter, handed_out: int) -> None:
    """Attach what a sync needs to skip quiet subtrees, if nothing was handed out meanwhile."""
    if _handed_out.count() != handed_out:
        return  # code that ran during the diff (a hook, a callback) reached into a diff
    store = dst.store
    diff._built = Built(marks, size, store, handed_out)
    setattr(store, _LAST_MARKS, marks)


# The syncer's overridable steps: a subclass replacing any of them visits every element.
_SYNCER_HOOKS = (
    "perform_sync",
    "sync_diff_element",
    "sync_model",
    "log_sync_status",
    "incr_elements_processed",
)


def skipping_plan(syncer: DiffSyncSyncer, stock_syncer: type) -> QuietSkips | None:
    """A `QuietSkips` when this sync may skip quiet subtrees, else None; marks the diff synced."""
    built: Built | None = getattr(syncer.diff, "_built", None)
    if built is None:
        return None
    first_sync = not built.synced
    built.synced = True
    store = syncer.dst_diffsync.store
    if (
        first_sync
        and built.untouched()
        and syncer.callback is None
        and not syncer.flags & DiffSyncFlags.LOG_UNCHANGED_RECORDS
        and all(getattr(type(syncer), hook) is getattr(stock_syncer, hook) for hook in _SYNCER_HOOKS)
        and store is built.store
        and getattr(store, _LAST_MARKS, None) is built.marks
        and not built.marks.overwritten
        and built.store_version is not None
        and store._membership_version() == built.store_version
    ):
        return QuietSkips(
            syncer.dst_diffsync, built.marks, built.store_version, _stock_lookups(syncer.dst_diffsync)
        )
    return None


def _stock_lookups(dst: Adapter) -> bool:
    """True when a lookup goes from the adapter to an identity-map store through stock methods.

    Then, while the store keeps the models the differ paired, the model an element of the
    diff refers to (`DiffElement._dst_model`) is the one a lookup by its keys would return.
    """
    from diffsync.adapter import Adapter

    return (
        type(dst).get_or_none is Adapter.get_or_none
        and type(dst).get is Adapter.get
        and dst.store._lookups_return_stored_models()
    )


class QuietSkips:
    """The quiet subtrees one sync skipped, and what it owes the models under them."""

    __slots__ = ("dst", "lookups_known", "marks", "skipped", "store", "store_version")

    def __init__(
        self, dst: Adapter, marks: _status.SyncMarks, store_version: int, lookups_known: bool
    ) -> None:
        self.dst = dst
        self.store = dst.store
        self.marks = marks
        self.store_version = store_version  # as it should be: the diff's, plus our own removals
        self.lookups_known = lookups_known
        self.skipped: list[DiffElement] = []

    def known_model(self, element: DiffElement) -> Any:
        """The destination model a lookup of ``element`` would find, or None to look it up."""
        if self.lookups_known and element._dst_model is not None and self.may_skip():
            return element._dst_model
        return None

    def may_skip(self) -> bool:
        """True while only the sync's own deletes have removed stored models."""
        return self.store._membership_version() == self.store_version

    def removing(self) -> int | None:
        """Call before the sync removes a model itself; pass the result to `removed`."""
        return self.store._membership_version()

    def removed(self, before: int | None) -> None:
        after = self.store._membership_version()
        if before is not None and after is not None and before == self.store_version:
            self.store_version = after

    def skipped_size(self) -> int:
        return sum(len(element) for element in self.skipped)

    def visiting(self, dst_model: Any) -> None:
        """The syncer visits this destination model: it gets its status as upstream's do."""
        _status.unmark(dst_model.__dict__, self.marks)

    def not_reaching(self, elements: Iterable[DiffElement]) -> None:
        """A failure keeps the sync from these subtrees: their models keep their status."""
        for dst_model in self._dst_models(elements):
            _status.unmark(dst_model.__dict__, self.marks)

    def finished(self) -> None:
        """The sync went through: every model still marked had its status reset."""
        self.marks.applied = True

    def failed(self) -> None:
        """The sync raised: only the subtrees skipped so far had their statuses reset."""
        for dst_model in self._dst_models(self.skipped):
            _status.unmark(dst_model.__dict__, self.marks)
            dst_model.set_status(DiffSyncStatus.UNKNOWN, "")

    def _dst_models(self, elements: Iterable[DiffElement]) -> Iterable[Any]:
        """The destination models of these elements and of everything under them."""
        pending = list(elements)
        while pending:
            element = pending.pop()
            model_class = getattr(self.dst, element._type, None)
            if model_class is not None:
                keys = view(element._keys, element._layout.key_names)
                dst_model = self.dst.get_or_none(model_class, keys)
                if dst_model is not None:
                    yield dst_model
            child_diff = element._child_diff
            if child_diff is not None:
                pending.extend(child_diff.get_children())

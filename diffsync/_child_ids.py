"""Adding to and removing from a model's children list without scanning a long list every time.

`add_child` must refuse an id that the children field already holds. Checking with `in` scans
the list, so a parent that receives n children costs n²/2 comparisons: a site with 2,000
devices 2 million, one with 50,000 prefixes over a billion. A parent whose list has reached
`LONG_LIST` ids therefore keeps a set of them beside the list, in its `__dict__` under
`INDEX_KEY`. That key is not a pydantic field, so dumps, JSON, stores and `==` never see it.

The list stays the only source of truth, because users may change it themselves. The set is
used only while the list is the same object with the same length and the same last item as
when the set last saw it; reassigning the field, append, extend, insert, pop, del or clear
all make it rebuild from the list. A "found" from the set is confirmed on the list before
`add_child` refuses. What no cheap check can notice is a rewrite that keeps the length and
the last item (`parent.children[0] = uid`) between two `add_child` calls: a duplicate made
that way is not refused. docs/compatibility.md lists this.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

LONG_LIST = 32
"""Below this many ids a scan is cheaper than keeping a set."""

INDEX_KEY = "_diffsync_child_id_sets"


class _IdSet:
    """The ids of one children list, and what that list looked like when they were taken.

    ``members`` counts each id: a list its owner built by hand may hold an id twice, and a
    removal must not forget an id the list still holds (nor scan the list to find out).
    """

    __slots__ = ("ids", "last", "length", "members")

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.members: Counter[str] = Counter(ids)
        self._note_shape()

    def _note_shape(self) -> None:
        self.length = len(self.ids)
        self.last = self.ids[-1] if self.ids else None

    def describes(self, ids: list[str]) -> bool:
        return self.ids is ids and self.length == len(ids) and (not ids or ids[-1] is self.last)

    def appended(self, unique_id: str) -> None:
        self.members[unique_id] += 1
        self.length += 1
        self.last = unique_id

    def removed(self, unique_id: str) -> None:
        left = self.members[unique_id] - 1
        if left > 0:
            self.members[unique_id] = left
        else:
            self.members.pop(unique_id, None)  # absent only after an unnoticed rewrite
        self._note_shape()


def append_if_absent(owner: Any, field_name: str, ids: list[str], unique_id: str) -> bool:
    """Append `unique_id` to `ids` (the `field_name` list of `owner`) unless it is there already."""
    if len(ids) < LONG_LIST:
        if unique_id in ids:
            return False
        ids.append(unique_id)
        return True
    id_set = _current_id_set(owner, field_name, ids)
    if unique_id in id_set.members:
        if unique_id in ids:
            return False
        id_set = _rebuild(owner, field_name, ids)  # the list was rewritten in place: start over
        if unique_id in id_set.members:
            return False
    ids.append(unique_id)
    id_set.appended(unique_id)
    return True


def remove_if_present(owner: Any, field_name: str, ids: list[str], unique_id: str) -> bool:
    """Remove the first `unique_id` from `ids`; False when it is not there."""
    id_sets = _id_sets(owner)
    id_set = id_sets.get(field_name)
    was_current = id_set is not None and id_set.describes(ids)
    if unique_id not in ids:
        return False
    ids.remove(unique_id)
    if id_set is None:
        return True
    if not was_current:
        del id_sets[field_name]  # stale since before this call: rebuilt when next needed
        return True
    id_set.removed(unique_id)
    return True


def _current_id_set(owner: Any, field_name: str, ids: list[str]) -> _IdSet:
    id_set = _id_sets(owner).get(field_name)
    if id_set is not None and id_set.describes(ids):
        return id_set
    return _rebuild(owner, field_name, ids)


def _id_sets(owner: Any) -> dict[str, _IdSet]:
    """The owner's id sets by field name; an empty, unattached dict when it has none."""
    id_sets: dict[str, _IdSet] = owner.__dict__.get(INDEX_KEY) or {}
    return id_sets


def _rebuild(owner: Any, field_name: str, ids: list[str]) -> _IdSet:
    id_set = _IdSet(ids)
    owner.__dict__.setdefault(INDEX_KEY, {})[field_name] = id_set
    return id_set

"""What one store instance knows about one model name: its slice of the identity map.

A bucket is read from Redis whole, once, on first use (one round trip: the order list, the
data HASH, and the store's epoch, the model's version and recorded size, in one MULTI). From
then on reads are served from memory, and changes are recorded here until
`RedisStore.flush()` writes them:

- `entries`: unique id -> the model object handed out, or None while it has not been parsed
  yet (its JSON is in `written`); insertion order is the store's order.
- `written`: unique id -> the JSON that Redis holds for it (as read or last written), or, once
  a held object's JSON is written or checked, its assignment count where that can stand for the
  JSON (`_unchanged`). An object that no longer matches has been changed in place (``update()``,
  ``add_child``, ...) and is written back on flush.
- `pending_add`: ids added since the last flush, in order (new fields and order entries).
- `pending_remove`: ids removed since the last flush that Redis still holds.
- `numbers`: insertion numbers of pending additions (a store of several slot groups only).
- `versions`: per slot group, the model's version as of our last read or write ("" when
  another writer may have written since, so additions must be checked id by id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diffsync.store.redis._unchanged import REPLACED

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel


class Bucket:
    __slots__ = (
        "entries",
        "loaded",
        "name",
        "numbers",
        "pending_add",
        "pending_remove",
        "versions",
        "written",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.loaded = False
        self.entries: dict[str, DiffSyncModel | None] = {}
        self.written: dict[str, bytes | int] = {}
        self.pending_add: dict[str, None] = {}
        self.pending_remove: set[str] = set()
        self.versions: list[str] = []
        # Insertion numbers given to pending additions of a store spread over slot groups; kept
        # until written, so a flush retried after a failure keeps the order of the first try.
        self.numbers: dict[str, int] = {}

    def version_of(self, group: int) -> str:
        versions = self.versions
        return versions[group] if group < len(versions) else ""

    def set_version(self, group: int, version: str) -> None:
        versions = self.versions
        while len(versions) <= group:
            versions.append("")
        versions[group] = version

    def fill(self, order: list[str], values: dict[str, bytes | int], versions: list[str]) -> None:
        """Take what Redis holds, in order-list order.

        The list may name an id more than once (re-added after a removal: the last place
        counts) or name removed ids (skipped); ids it lacks go last, sorted.
        """
        entries: dict[str, DiffSyncModel | None] = {}
        for uid in order:
            if uid in values:
                entries.pop(uid, None)
                entries[uid] = None
        for uid in sorted(values.keys() - entries.keys()):
            entries[uid] = None
        self.entries = entries
        self.written = values
        self.versions = versions
        self.loaded = True

    def add(self, unique_id: str, obj: DiffSyncModel) -> None:
        self.entries[unique_id] = obj
        self.pending_add[unique_id] = None
        if self.pending_remove:
            self.pending_remove.discard(unique_id)

    def replace(self, unique_id: str, obj: DiffSyncModel) -> None:
        """Hold `obj` under its id (in place of another object, or again) and write it on the next flush."""
        self.entries[unique_id] = obj
        if unique_id in self.written:
            self.written[unique_id] = REPLACED

    def remove(self, unique_id: str) -> None:
        del self.entries[unique_id]
        self.pending_add.pop(unique_id, None)
        if self.numbers:
            self.numbers.pop(unique_id, None)
        if unique_id in self.written:
            self.pending_remove.add(unique_id)

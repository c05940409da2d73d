"""Small adapters over JSON files, used by the operator tests (in process and in stage pods).

A file holds `{"shelves": {"<name>": {"zone": "...", "items": {"<sku>": <qty>}}}}`. The
target's models really rewrite the file on create/update/delete, and append each change to
`<file>.changes`, so a sync is observable from outside the processes that ran it. A sku or
a shelf starting with "bad" cannot be created (the target refuses it with ObjectNotCreated),
which gives tests a real per-object failure (and, for a shelf, children never attempted).

`GeneratedParts` and `RefusingTarget` generate flat parts in memory, fast enough for 100k
objects, and refuse a known subset of the changes.

Holds stop a stage at a point until the test creates the release file (the process first
creates `<release>.waiting`): `hold_until` (in load, after the first shelf), `hold_diff_until`
and `hold_sync_until` (building the adapter in the diff / sync process, before any store read),
`hold_diff_read_until` (the diff, after it read the source's shelves and before the target's),
`hold_sync_step_until` (the sync, after its first change to the target). A stage interrupted
at a hold (SIGTERM in a pod) touches `<release>.stopping` and takes `stop_seconds` to stop.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from diffsync import Adapter, DiffSyncModel
from diffsync.exceptions import ObjectNotCreated, ObjectNotDeleted, ObjectNotUpdated


class Shelf(DiffSyncModel):
    _modelname = "shelf"
    _identifiers = ("name",)
    _attributes = ("zone",)
    _children = {"item": "items"}

    name: str
    zone: str
    items: list[str] = []


class Item(DiffSyncModel):
    _modelname = "item"
    _identifiers = ("shelf", "sku")
    _attributes = ("qty",)

    shelf: str
    sku: str
    qty: int


def _wait_for(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _hold(release: str, stop_seconds: float = 0) -> None:
    """Wait until `release` exists, after telling the test (`<release>.waiting`) this pod got here.

    "The pod is Running" is not enough for a test to act on: the process may still be importing,
    before it touched Redis at all. Interrupted here (SIGTERM in a pod), it says so
    (`<release>.stopping`) and takes `stop_seconds` before letting go, as an adapter closing
    its connections does.
    """
    if Path(release).exists():
        return
    Path(release + ".waiting").touch()
    try:
        _wait_for(Path(release))
    except BaseException as stop:
        if not isinstance(stop, Exception):  # StageInterrupted, KeyboardInterrupt: asked to stop
            Path(release + ".stopping").touch()
            time.sleep(stop_seconds)
        raise


def record_change(adapter: Any, action: str, model: str, uid: str) -> None:
    """Append `<action> <model> <uid>` to `<target file>.changes`."""
    with open(f"{adapter.path}.changes", "a") as changes:
        changes.write(f"{action} {model} {uid}\n")


def read_changes(path: str | Path) -> list[str]:
    """The changes a sync made to the target file at `path`, in order."""
    changes = Path(f"{path}.changes")
    return changes.read_text().splitlines() if changes.exists() else []


def read_inventory(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


# The inventories the operator tests sync: SOURCE is the truth, TARGET drifted from it.
SOURCE = {
    "shelves": {
        "a1": {"zone": "north", "items": {"bolt": 10, "nut": 20}},
        "b2": {"zone": "south", "items": {"gear": 3}},
    }
}
TARGET = {
    "shelves": {
        "a1": {"zone": "north", "items": {"bolt": 7, "nut": 20, "washer": 5}},
        "c3": {"zone": "east", "items": {}},
    }
}


#: `status.sync` of a job syncing SOURCE into TARGET: every change applied, counted per model and action.
FULL_SYNC = {
    "succeeded": 5,
    "failed": 0,
    "skipped": 0,
    "counts": [
        {"model": model, "action": action, "succeeded": 1, "failed": 0, "skipped": 0}
        for model, action in (
            ("item", "create"), ("item", "update"), ("item", "delete"),
            ("shelf", "create"), ("shelf", "delete"),
        )
    ],
    "failures": [],
}  # fmt: skip

#: `status.sync` of a sync that found nothing to change.
EMPTY_SYNC = {"succeeded": 0, "failed": 0, "skipped": 0, "counts": [], "failures": []}


def write_inventory(path: str | Path, data: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True))


class FileInventory(Adapter):
    """Loads shelves and items from a JSON file."""

    shelf = Shelf
    item = Item
    top_level = ["shelf"]

    def __init__(
        self,
        *,
        path: str,
        fail_marker: str | None = None,
        hold_until: str | None = None,
        hold_diff_until: str | None = None,
        hold_sync_until: str | None = None,
        hold_diff_read_until: str | None = None,
        hold_sync_step_until: str | None = None,
        stop_seconds: float = 0,
        load_delay: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.load_delay = load_delay  # seconds per item: a slow source, for live progress
        self.fail_marker = fail_marker
        self.hold_until = hold_until
        self.hold_diff_read_until = hold_diff_read_until
        self.hold_sync_step_until = hold_sync_step_until
        self.stop_seconds = stop_seconds
        if hold_diff_until and sys.argv[-1:] == ["diff"]:  # the diff builds the source side first
            _hold(hold_diff_until, stop_seconds)
        if hold_sync_until and sys.argv[-1:] == ["sync"]:
            _hold(hold_sync_until, stop_seconds)

    def load(self) -> None:
        for name, shelf_data in sorted(read_inventory(self.path)["shelves"].items()):
            shelf = self.shelf(name=name, zone=shelf_data["zone"])
            for sku, qty in sorted(shelf_data["items"].items()):
                item = self.item(shelf=name, sku=sku, qty=qty)
                time.sleep(self.load_delay)
                self.add(item)
                shelf.add_child(item)
            self.add(shelf)
            if self.hold_until:  # half-loaded: the test sees the stage running, as long as it wants
                _hold(self.hold_until, self.stop_seconds)
        if self.hold_until:  # an empty inventory still stops here
            _hold(self.hold_until, self.stop_seconds)
        if self.fail_marker and Path(self.fail_marker).exists():  # after adding: a half-done load
            Path(self.fail_marker).unlink()
            raise RuntimeError(f"injected load failure ({self.fail_marker} was present)")

    def get_all(self, obj: Any) -> Any:
        if self.hold_diff_read_until and sys.argv[-1:] == ["diff"]:
            _hold(self.hold_diff_read_until, self.stop_seconds)  # the first read of this side in the diff
            self.hold_diff_read_until = None
        return super().get_all(obj)

    def step_done(self) -> None:
        """Called by the target's models after each change: the sync hold, once."""
        if self.hold_sync_step_until:
            _hold(self.hold_sync_step_until, self.stop_seconds)
            self.hold_sync_step_until = None


class TargetShelf(Shelf):
    @classmethod
    def create(cls, adapter: Any, ids: dict, attrs: dict) -> Any:
        if ids["name"].startswith("bad"):
            raise ObjectNotCreated(f"the target refuses shelf {ids['name']}")
        data = read_inventory(adapter.path)
        data["shelves"][ids["name"]] = {"zone": attrs["zone"], "items": {}}
        write_inventory(adapter.path, data)
        record_change(adapter, "create", "shelf", ids["name"])
        adapter.step_done()
        return super().create(adapter=adapter, ids=ids, attrs=attrs)

    def update(self, attrs: dict) -> Any:
        data = read_inventory(self.adapter.path)
        data["shelves"][self.name].update(attrs)
        write_inventory(self.adapter.path, data)
        record_change(self.adapter, "update", "shelf", self.name)
        self.adapter.step_done()
        return super().update(attrs)

    def delete(self) -> Any:
        data = read_inventory(self.adapter.path)
        data["shelves"].pop(self.name, None)
        write_inventory(self.adapter.path, data)
        record_change(self.adapter, "delete", "shelf", self.name)
        self.adapter.step_done()
        return super().delete()


class TargetItem(Item):
    @classmethod
    def create(cls, adapter: Any, ids: dict, attrs: dict) -> Any:
        if ids["sku"].startswith("bad"):
            raise ObjectNotCreated(f"the target refuses sku {ids['sku']}")
        data = read_inventory(adapter.path)
        data["shelves"][ids["shelf"]]["items"][ids["sku"]] = attrs["qty"]
        write_inventory(adapter.path, data)
        record_change(adapter, "create", "item", f"{ids['shelf']}__{ids['sku']}")
        adapter.step_done()
        return super().create(adapter=adapter, ids=ids, attrs=attrs)

    def update(self, attrs: dict) -> Any:
        data = read_inventory(self.adapter.path)
        data["shelves"][self.shelf]["items"][self.sku] = attrs["qty"]
        write_inventory(self.adapter.path, data)
        record_change(self.adapter, "update", "item", self.get_unique_id())
        self.adapter.step_done()
        return super().update(attrs)

    def delete(self) -> Any:
        data = read_inventory(self.adapter.path)
        data["shelves"].get(self.shelf, {}).get("items", {}).pop(self.sku, None)
        write_inventory(self.adapter.path, data)
        record_change(self.adapter, "delete", "item", self.get_unique_id())
        self.adapter.step_done()
        return super().delete()


class LeakyInventory(FileInventory):
    """Fails its load the careless way: an error quoting a secret value and a URL with a password.

    `leak` is the "secret": it lands in pydantic's `input_value=...` and in a URL's password.
    """

    def __init__(self, *, leak: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.leak = leak

    def load(self) -> None:
        try:
            Item(shelf="a1", sku="bolt", qty=self.leak)
        except ValidationError as error:
            raise RuntimeError(
                f"cannot log in to redis://admin:{self.leak}@inventory.internal:6379/0: {error}"
            ) from error


class FileTarget(FileInventory):
    """The same file format, but a sync really rewrites the file."""

    shelf = TargetShelf
    item = TargetItem


class NotAnAdapter:
    """Importable, but not a diffsync Adapter."""


class FlatShelf(Shelf):
    _children = {}


class FlatInventory(FileInventory):
    """The same file, but items are top-level models beside the shelves (no child lists).

    A diff then reads `shelf` and `item` as two independent models, so a model read after its
    data was lost reads as empty without any error: only counting what was read can tell.
    """

    shelf = FlatShelf
    top_level = ["shelf", "item"]

    def load(self) -> None:
        for name, shelf_data in sorted(read_inventory(self.path)["shelves"].items()):
            self.add(self.shelf(name=name, zone=shelf_data["zone"]))
            for sku, qty in sorted(shelf_data["items"].items()):
                self.add(self.item(shelf=name, sku=sku, qty=qty))


class Opaque(DiffSyncModel):
    """A model whose `handle` may hold a value JSON cannot encode (an SDK object, say)."""

    _modelname = "opaque"
    _identifiers = ("name",)

    name: str
    handle: Any = None


class OpaqueBox(Adapter):
    opaque = Opaque
    top_level = ["opaque"]


#: Stores kept alive until the interpreter exits (where their flush is tried, and fails).
_LEFT_AT_EXIT: list[Any] = []


class UnflushedInventory(FileInventory):
    """Loads as FileInventory; on the attempts in `unflushed_on` it also leaves a RedisStore of
    its own holding a value JSON cannot encode. The stage reports success, then the store's
    at-exit flush fails and the process exits with status 75 (docs/redis-store.md, "At exit").

    The store is the job's base source store (`<storeId>/source`), which the job's Redis user
    may write and no stage reads; the refused flush writes nothing there.
    """

    def __init__(self, *, unflushed_on: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unflushed_on = [1] if unflushed_on is None else unflushed_on

    def load(self) -> None:
        super().load()
        if int(os.environ.get("DIFFSYNC_ATTEMPT", "1")) in self.unflushed_on:
            from diffsync_operator.stages.config import ENV_JOB, JobConfig
            from diffsync_operator.stages.redis_login import RedisLogin
            from diffsync_operator.stages.store_ids import side_store_id

            from diffsync.store.redis import RedisStore

            job = JobConfig.model_validate_json(os.environ[ENV_JOB])
            client = RedisLogin.from_env(os.environ).connect()
            store = RedisStore(
                client=client, store_id=side_store_id(job.store_id, "source"), allow_scan=False
            )
            box = OpaqueBox(internal_storage_engine=store)
            box.add(Opaque(name="sdk-handle", handle=object()))
            _LEFT_AT_EXIT.append(box)


class QuitterInventory(FileInventory):
    """Ends its process "successfully" without loading: `sys.exit(0)` in construction or in
    load (`quit_in`), or `os._exit(0)` (`hard: true`), which no handler can see."""

    def __init__(self, *, quit_in: str = "load", hard: bool = False, **kwargs: Any) -> None:
        self.quit_in, self.hard = quit_in, hard
        if quit_in == "init":
            self._quit()
        super().__init__(**kwargs)

    def _quit(self) -> None:
        if self.hard:
            os._exit(0)
        sys.exit(0)

    def load(self) -> None:
        self._quit()


class Part(DiffSyncModel):
    """A flat, top-level model: one object per generated part."""

    _modelname = "part"
    _identifiers = ("sku",)
    _attributes = ("qty",)

    sku: str
    qty: int


def part_sku(index: int) -> str:
    """The sku of the `index`-th generated part: `p000042`."""
    return f"p{index:06d}"


def refused(sku: str, refuse_every: int) -> bool:
    """Whether a `RefusingTarget` refuses the part `sku`: every `refuse_every`-th index (0: none)."""
    return refuse_every > 0 and int(sku[1:]) % refuse_every == 0


class GeneratedParts(Adapter):
    """`parts` parts generated in memory (no file to read: fast enough for 100k objects).

    The source side: parts 0..parts-1, qty `index % 7`.
    """

    part = Part
    top_level = ["part"]

    def __init__(self, *, parts: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parts = parts  # not `count`: that is Adapter.count()

    def load(self) -> None:
        for index in range(self.parts):
            self.add(self.part(sku=part_sku(index), qty=index % 7))


class RefusablePart(Part):
    """A target part: every change applies in memory only, unless the sku is refused."""

    @classmethod
    def create(cls, adapter: Any, ids: dict, attrs: dict) -> Any:
        if refused(ids["sku"], adapter.refuse_every):
            raise ObjectNotCreated(adapter.refusal.format(action="create", sku=ids["sku"]))
        return super().create(adapter=adapter, ids=ids, attrs=attrs)

    def update(self, attrs: dict) -> Any:
        if refused(self.sku, self.adapter.refuse_every):
            raise ObjectNotUpdated(self.adapter.refusal.format(action="update", sku=self.sku))
        return super().update(attrs)

    def delete(self) -> Any:
        if refused(self.sku, self.adapter.refuse_every):
            raise ObjectNotDeleted(self.adapter.refusal.format(action="delete", sku=self.sku))
        return super().delete()


class RefusingTarget(Adapter):
    """The target side: the first `updates` parts with another qty, `deletes` parts past the source's.

    Against `GeneratedParts(parts=N)` the diff creates N - updates parts, updates `updates` and
    deletes `deletes`; the target refuses every change to a part whose index is a multiple of
    `refuse_every`, so a test knows exactly which objects fail, with the message `refusal`
    (`{action}` and `{sku}` filled in).
    """

    part = RefusablePart
    top_level = ["part"]

    def __init__(
        self,
        *,
        updates: int = 0,
        deletes: int = 0,
        first_delete: int = 0,
        refuse_every: int = 0,
        refusal: str = "the target refuses to {action} part {sku}",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.updates = updates
        self.deletes = deletes
        self.first_delete = first_delete
        self.refuse_every = refuse_every
        self.refusal = refusal

    def load(self) -> None:
        for index in range(self.updates):
            self.add(self.part(sku=part_sku(index), qty=index % 7 + 1))
        for index in range(self.first_delete, self.first_delete + self.deletes):
            self.add(self.part(sku=part_sku(index), qty=0))

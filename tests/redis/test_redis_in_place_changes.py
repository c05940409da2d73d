"""A model changed in place, without update(), is written by the next flush all the same.

RedisStore buffers writes, so a flush must find by itself every object changed since Redis got
its JSON: an attribute assigned, a container field (or one nested in it) changed in place, a
nested model replaced or changed, a children list changed by add_child or remove_child. Each
test changes one object among a few hundred that a flush has already written and scanned
(`settled`), flushes once more, and checks that a second store instance reads exactly the
changed object, types included (1, 1.0, True and -0.0 are told apart). Anything that makes
the scan cheaper by looking at less than the JSON of every object must keep these passing.

Objects whose values are all immutable (`Reading` here; the interfaces of a network inventory)
are not serialised by the scan: the store tells by their assignment count
(`diffsync/store/redis/_unchanged.py`). The `Reading` tests check that every assignment is
found that way, that an equal value of another type or sign still counts, and that the objects
that must be compared by JSON (a mutable value in an `Any` field, a computed field, a custom
serializer, extra fields) are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, PrivateAttr, computed_field, field_serializer
from redis_models import Device, Interface, Site

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags
from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore


class Owner(BaseModel):
    name: str
    emails: list[str] = []


class Gadget(DiffSyncModel):
    _modelname = "gadget"
    _identifiers = ("name",)
    _attributes = ("size", "ratio", "tags", "labels", "flavours", "matrix", "records", "owner", "anything")

    name: str
    size: int = 0
    ratio: float = 0.0
    tags: list[str] = []
    labels: dict[str, str] = {}
    flavours: set[str] = set()
    matrix: list[list[int]] = []
    records: dict[str, list[dict[str, int]]] = {}
    owner: Owner | None = None
    anything: Any = None


class Workshop(Adapter):
    gadget = Gadget
    site = Site
    device = Device
    interface = Interface
    top_level = ["gadget", "site"]


GADGETS = 300
OWNERS_FROM = 250  # the last gadgets have an owner (a nested model), the others none
MIDDLE = "g00137"
OWNED = "g00260"


def _gadget(index: int) -> Gadget:
    return Gadget(
        name=f"g{index:05d}",
        size=index,
        ratio=0.0,
        tags=["a"],
        labels={"k": "v"},
        flavours={"sweet"},
        matrix=[[1, 2], [3]],
        records={"r": [{"x": 1}]},
        owner=Owner(name="ann", emails=["ann@example.org"]) if index >= OWNERS_FROM else None,
        anything=1,
    )


def settled(store: RedisStore) -> Workshop:
    """A workshop of gadgets and one site with two devices, written, then scanned once."""
    adapter = Workshop(internal_storage_engine=store)
    for index in range(GADGETS):
        adapter.add(_gadget(index))
    site = Site(name="ams", region="eu")
    adapter.add(site)
    for name in ("r1", "r2"):
        device = Device(name=name)
        adapter.add(device)
        site.add_child(device)
    store.flush()  # writes every object
    store.flush()  # scans them all and finds nothing to write
    return adapter


def reread(make_store, model: type[DiffSyncModel], uid: str) -> DiffSyncModel:
    """The object as a store instance that reads Redis afresh sees it."""
    return Workshop(internal_storage_engine=make_store()).get(model, uid)


def exactly(value: Any) -> Any:
    """`value` compared with its types: 1, 1.0, True and -0.0 differ; sets in any order."""
    if isinstance(value, dict):
        return {key: exactly(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [exactly(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    if isinstance(value, datetime):  # the zone's class differs once read back; its offset counts
        return ("datetime", value.isoformat())
    return (type(value).__name__, repr(value))


def assert_seen_by_another_store(
    make_store, obj: DiffSyncModel, adapter_class: type[Adapter] = Workshop
) -> None:
    seen = adapter_class(internal_storage_engine=make_store()).get(type(obj), obj.get_unique_id())
    assert exactly(seen.dict()) == exactly(obj.dict())


def _set(name: str, value: Any) -> Callable[[Gadget], None]:
    return lambda gadget: setattr(gadget, name, value)


# change -> (the gadget it changes, how)
GADGET_CHANGES: dict[str, tuple[str, Callable[[Gadget], None]]] = {
    "attribute assigned": (MIDDLE, _set("size", 99_999)),
    "list appended to": (MIDDLE, lambda gadget: gadget.tags.append("b")),
    "list item replaced": (MIDDLE, lambda gadget: gadget.tags.__setitem__(0, "z")),
    "dict item set": (MIDDLE, lambda gadget: gadget.labels.__setitem__("k", "w")),
    "dict item added": (MIDDLE, lambda gadget: gadget.labels.__setitem__("new", "v")),
    "set added to": (MIDDLE, lambda gadget: gadget.flavours.add("sour")),
    "nested list appended to": (MIDDLE, lambda gadget: gadget.matrix[1].append(4)),
    "dict in a list in a dict changed": (MIDDLE, lambda gadget: gadget.records["r"][0].__setitem__("x", 2)),
    "nested model assigned": (MIDDLE, _set("owner", Owner(name="bob"))),
    "nested model replaced": (OWNED, _set("owner", Owner(name="bob"))),
    "nested model changed in place": (OWNED, lambda gadget: setattr(gadget.owner, "name", "bob")),
    "list in a nested model appended to": (OWNED, lambda gadget: gadget.owner.emails.append("b@example.org")),
    "int replaced by an equal bool": (MIDDLE, _set("anything", True)),
    "int replaced by an equal float": (MIDDLE, _set("anything", 1.0)),
    "float zero replaced by minus zero": (MIDDLE, _set("ratio", -0.0)),
    "enum field changed": (MIDDLE, _set("model_flags", DiffSyncModelFlags.SKIP_UNMATCHED_DST)),
}


# -- objects told by their assignment count -------------------------------------------------


class Reading(DiffSyncModel):
    """Only immutable values: a flush tells a change by the assignment count, not the JSON."""

    _modelname = "reading"
    _identifiers = ("name",)
    _attributes = ("value", "amount", "taken", "unit", "anything")

    name: str
    value: float = 0.0
    amount: Decimal = Decimal("1.0")
    taken: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc)
    unit: DiffSyncModelFlags = DiffSyncModelFlags.NONE
    anything: Any = 1


class Meter(Adapter):
    reading = Reading
    top_level = ["reading"]


READINGS = 300
READING = "r00137"


def settled_readings(store: RedisStore, anything: Any = 1) -> Meter:
    adapter = Meter(internal_storage_engine=store)
    for index in range(READINGS):
        adapter.add(Reading(name=f"r{index:05d}", anything=anything))
    store.flush()
    store.flush()
    return adapter


def _assign(name: str, value: Any) -> Callable[[Reading], None]:
    return lambda reading: setattr(reading, name, value)


def _in_dict(name: str, value: Any) -> Callable[[Reading], None]:
    return lambda reading: reading.__dict__.__setitem__(name, value)


READING_CHANGES: dict[str, Callable[[Reading], None]] = {
    "float assigned": _assign("value", 2.5),
    "float zero replaced by minus zero": _assign("value", -0.0),
    "decimal replaced by an equal one of another scale": _assign("amount", Decimal("1.00")),
    "datetime replaced by the same instant in another zone": _assign(
        "taken", datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    ),
    "enum field assigned": _assign("unit", DiffSyncModelFlags.SKIP_UNMATCHED_DST),
    "int replaced by an equal bool": _assign("anything", True),
    "int replaced by an equal float": _assign("anything", 1.0),
    "mutable value assigned": _assign("anything", ["a"]),
}


# kind -> (adapter class, model class, how the store is settled, change -> (uid, change))
KINDS: dict[str, tuple[type[Adapter], type[DiffSyncModel], Callable[..., Adapter], Callable[[str], Any]]] = {
    "gadget": (Workshop, Gadget, settled, GADGET_CHANGES.__getitem__),
    "reading": (Meter, Reading, settled_readings, lambda change: (READING, READING_CHANGES[change])),
}
CASES = [("gadget", change) for change in sorted(GADGET_CHANGES)] + [
    ("reading", change) for change in sorted(READING_CHANGES)
]


@pytest.mark.parametrize(("kind", "change"), CASES)
def test_an_in_place_change_is_written_by_the_next_flush(make_store, kind, change):
    adapter_class, model, settle, changes = KINDS[kind]
    store = make_store()
    adapter = settle(store)
    uid, apply = changes(change)
    obj = adapter.get(model, uid)
    before = exactly(obj.dict())
    apply(obj)
    assert exactly(obj.dict()) != before, "the change must change the object"
    store.flush()
    assert_seen_by_another_store(make_store, obj, adapter_class)


@pytest.mark.parametrize(("kind", "change"), CASES)
def test_an_in_place_change_of_an_object_read_from_redis_is_written(make_store, kind, change):
    """The same through a second instance, whose objects come from Redis, not from a load."""
    adapter_class, model, settle, changes = KINDS[kind]
    settle(make_store())
    store = make_store()
    adapter = adapter_class(internal_storage_engine=store)
    adapter.get_all(model)
    store.flush()  # checks the freshly read objects by JSON (and then knows readings by count)
    store.flush()
    uid, apply = changes(change)
    apply(adapter.get(model, uid))
    store.flush()
    assert_seen_by_another_store(make_store, adapter.get(model, uid), adapter_class)


def test_add_child_is_written_by_the_next_flush(make_store):
    store = make_store()
    adapter = settled(store)
    site = adapter.get(Site, "ams")
    device = Device(name="r3")
    adapter.add(device)
    site.add_child(device)
    store.flush()
    assert reread(make_store, Site, "ams").devices == ["r1", "r2", "r3"]


def test_remove_child_is_written_by_the_next_flush(make_store):
    store = make_store()
    adapter = settled(store)
    site = adapter.get(Site, "ams")
    site.remove_child(adapter.get(Device, "r1"))
    store.flush()
    assert reread(make_store, Site, "ams").devices == ["r2"]


def test_a_children_list_appended_to_by_hand_is_written(make_store):
    store = make_store()
    adapter = settled(store)
    adapter.get(Site, "ams").devices.append("r9")
    store.flush()
    assert reread(make_store, Site, "ams").devices == ["r1", "r2", "r9"]


AMS = {"name": "ams", "region": "eu", "devices": ["r1", "r2"]}


@pytest.mark.parametrize("kind", ["compared by JSON", "told by its count"])
def test_an_object_replaced_by_one_of_a_subclass_with_the_same_values_is_written(make_store, kind):
    """update() with an object whose shared fields are equal but whose JSON has one more."""
    base, adapter_class, settle, values = {
        "compared by JSON": (Site, Workshop, settled, AMS),
        "told by its count": (Reading, Meter, settled_readings, {"name": READING}),
    }[kind]
    loud = type("Loud", (base,), {"__module__": __name__, "__annotations__": {"shout": bool}, "shout": False})
    loud_adapter = type("LoudAdapter", (adapter_class,), {base.get_type(): loud})
    store = make_store()
    adapter = settle(store)
    adapter.update(loud(shout=True, **values))
    store.flush()
    seen = loud_adapter(internal_storage_engine=make_store()).get(loud, values["name"])
    assert seen.shout is True


def test_a_change_after_a_write_through_update_is_written(make_store):
    """The scan compares with what the write-through update wrote, not with an older state."""
    store = make_store(write_through=True)
    adapter = Workshop(internal_storage_engine=store)
    for index in range(GADGETS):
        adapter.add(_gadget(index))
    store.flush()
    store.flush()
    gadget = adapter.get(Gadget, MIDDLE)
    original = gadget.size
    gadget.size = original + 1
    adapter.update(gadget)
    assert reread(make_store, Gadget, MIDDLE).size == original + 1  # written through
    gadget.size = original  # back to the value of the last full flush
    store.flush()
    assert_seen_by_another_store(make_store, gadget)


def test_a_change_a_failed_flush_found_is_written_by_the_next(make_store):
    """A change found but not written must be found again by the next flush."""
    store = make_store()
    adapter = settled(store)
    gadget = adapter.get(Gadget, MIDDLE)
    gadget.size = -1
    gadget.anything = object()  # JSON cannot encode it: the flush raises
    with pytest.raises(ObjectStoreException, match="anything"):
        store.flush()
    gadget.anything = 1
    store.flush()
    assert_seen_by_another_store(make_store, gadget)


def _append_b(reading: Reading) -> None:
    reading.anything.append("b")


# change -> (the value of `anything` the readings start with, the steps: a change, "flush" or
# "update" (adapter.update of the reading))
STEPPED_CHANGES: dict[str, tuple[Any, list[Any]]] = {
    # A mutable value makes the object one compared by its JSON.
    "list held in an Any field appended to": (["a"], [_append_b]),
    # The assignment is written, and from then on the object is compared by its JSON.
    "list assigned, written, then appended to": (1, [_assign("anything", ["a"]), "flush", _append_b]),
    # Bypassing pydantic is not seen by the count (docs/redis-store.md); update() says so.
    "value written into the instance dict, then update()": (1, [_in_dict("value", 7.5), "update"]),
}


@pytest.mark.parametrize("change", sorted(STEPPED_CHANGES))
def test_a_change_in_steps_is_written(make_store, change):
    anything, steps = STEPPED_CHANGES[change]
    store = make_store()
    adapter = settled_readings(store, anything=anything)
    reading = adapter.get(Reading, READING)
    for step in steps:
        if step == "flush":
            store.flush()
        elif step == "update":
            adapter.update(reading)
        else:
            step(reading)
    store.flush()
    assert_seen_by_another_store(make_store, reading, Meter)


class Computed(DiffSyncModel):
    """JSON with more than the fields' values: a computed field over private state."""

    _modelname = "reading"
    _identifiers = ("name",)

    name: str
    _scale: int = PrivateAttr(default=1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def scaled(self) -> int:
        return 10 * self._scale


class Serialized(DiffSyncModel):
    """JSON with more than the fields' values: a serializer reading private state."""

    _modelname = "reading"
    _identifiers = ("name",)

    name: str
    label: str = "x"
    _suffix: str = PrivateAttr(default="")

    @field_serializer("label")
    def _label(self, label: str) -> str:
        return label + self._suffix


class Extra(DiffSyncModel):
    """JSON with more than the declared fields: extra fields."""

    model_config = ConfigDict(extra="allow")
    _modelname = "reading"
    _identifiers = ("name",)

    name: str


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (Computed, lambda obj: setattr(obj, "_scale", 2)),
        (Serialized, lambda obj: setattr(obj, "_suffix", "!")),
        (Extra, lambda obj: obj.__pydantic_extra__.__setitem__("more", 1)),
    ],
    ids=["computed field", "field serializer", "extra field"],
)
def test_objects_whose_json_is_more_than_their_fields_are_compared_by_json(make_store, model, change):
    meter = type("Meter", (Adapter,), {"reading": model, "top_level": ["reading"]})
    store = make_store()
    adapter = meter(internal_storage_engine=store)
    for index in range(20):
        adapter.add(model(name=f"r{index:05d}", **({"more": 0} if model is Extra else {})))
    store.flush()
    store.flush()
    obj = adapter.get(model, "r00007")
    before = obj.model_dump_json(exclude={"adapter"})
    change(obj)
    assert obj.model_dump_json(exclude={"adapter"}) != before, "the change must change the JSON"
    store.flush()
    held = store._client.hget(store._keys.data("reading"), "r00007")  # a reader would recompute
    assert held == obj.model_dump_json(exclude={"adapter"}).encode()


def test_only_objects_of_immutable_values_are_told_by_their_count(make_store):
    """What makes the scan cheap (a white-box check: the store keeps counts in place of JSON)."""
    store = make_store()
    settled_readings(store)
    adapter = settled(store)
    written = store._buckets
    assert all(type(value) is int for value in written["reading"].written.values())
    assert all(type(value) is bytes for value in written["gadget"].written.values())
    assert all(type(value) is bytes for value in written["site"].written.values())  # children list
    assert adapter.get(Gadget, MIDDLE) is not None

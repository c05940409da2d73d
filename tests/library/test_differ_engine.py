"""The differ's fast engine (diffsync/_differ.py) builds the same diff as the plain algorithm.

`DiffSyncDiffer` runs `DiffEngine` unless a subclass replaces one of its steps; such a subclass
gets the plain, step-by-step algorithm. These tests build every diff both ways and require
the same elements, renderings, counts and progress calls, over the library inventory and
over models whose values or methods the engine must not read itself.
"""

from __future__ import annotations

import copy
import enum
import pickle
from typing import Annotated, Any

import pytest
from library_inventory import (
    BACKEND_A,
    BackendA,
    BackendB,
    backend_b_data,
    extra_data,
    load_adapter,
    load_minus,
)
from pydantic import PlainSerializer

from diffsync import Adapter, Diff, DiffSyncModel
from diffsync.diff import DiffElement
from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags
from diffsync.helpers import DiffSyncDiffer


class PlainDiffer(DiffSyncDiffer):
    """Replaces a step (with the same behaviour), which makes the differ use the plain algorithm."""

    def diff_object_pair(self, src_obj: Any, dst_obj: Any) -> DiffElement | None:
        return super().diff_object_pair(src_obj, dst_obj)


def both_ways(src: Adapter, dst: Adapter, flags: DiffSyncFlags = DiffSyncFlags.NONE) -> tuple[Diff, Diff]:
    fast_calls: list[tuple[str, int, int]] = []
    plain_calls: list[tuple[str, int, int]] = []
    fast = DiffSyncDiffer(src, dst, flags, callback=lambda *call: fast_calls.append(call)).calculate_diffs()
    plain = PlainDiffer(src, dst, flags, callback=lambda *call: plain_calls.append(call)).calculate_diffs()
    assert fast_calls == plain_calls
    assert fast_calls, "the callback must have been called"
    return fast, plain


def tree(diff: Diff) -> list[Any]:
    """Every element in visiting order with what it exposes, children nested."""
    return [
        (
            element.type,
            element.name,
            element.keys,
            element.source_attrs,
            element.dest_attrs,
            element.action,
            element.source_name,
            element.dest_name,
            tree(element.child_diff),
        )
        for element in diff.get_children()
    ]


def assert_same_diff(fast: Diff, plain: Diff) -> None:
    assert fast.summary() == plain.summary()
    assert fast.str() == plain.str()
    assert fast.dict() == plain.dict()
    assert len(fast) == len(plain)
    assert fast.models_processed == plain.models_processed
    assert tree(fast) == tree(plain)
    for fast_element, plain_element in zip(fast.get_children(), plain.get_children(), strict=True):
        assert fast_element == plain_element
        assert str(fast_element) == str(plain_element)


@pytest.mark.parametrize(
    "flags",
    [
        DiffSyncFlags.NONE,
        DiffSyncFlags.SKIP_UNMATCHED_SRC,
        DiffSyncFlags.SKIP_UNMATCHED_DST,
        DiffSyncFlags.SKIP_UNMATCHED_BOTH,
    ],
)
@pytest.mark.parametrize(
    "pair",
    ["a-from-b", "b-from-a", "a-from-extra", "a-from-minus", "minus-from-a", "a-from-a"],
)
def test_engine_and_plain_algorithm_build_the_same_diff(pair, flags):
    backends = {
        "a": lambda: load_adapter(BackendA, BACKEND_A),
        "b": lambda: load_adapter(BackendB, backend_b_data()),
        "extra": lambda: load_adapter(BackendA, extra_data()),
        "minus": load_minus,
    }
    dst_name, src_name = pair.split("-from-")
    src, dst = backends[src_name](), backends[dst_name]()
    assert_same_diff(*both_ways(src, dst, flags))


def test_engine_and_plain_algorithm_agree_on_model_flags():
    src, dst = load_adapter(BackendB, backend_b_data()), load_adapter(BackendA, BACKEND_A)
    src.get("site", "den").model_flags = DiffSyncModelFlags.SKIP_UNMATCHED_SRC
    src.get("device", "nyc-edge1").model_flags = DiffSyncModelFlags.IGNORE
    dst.get("person", "bob").model_flags = DiffSyncModelFlags.SKIP_UNMATCHED_DST
    assert_same_diff(*both_ways(src, dst))


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Gadget(DiffSyncModel):
    """Values the engine must leave to pydantic: an enum, a list, a serialized field, an int id."""

    _modelname = "gadget"
    _identifiers = ("number",)
    _attributes = ("color", "tags", "price", "label")
    number: int
    color: Color = Color.RED
    tags: list[str] = []
    price: Annotated[float, PlainSerializer(lambda value: f"{value:.2f}")] = 0.0
    label: str | None = None


class Widget(DiffSyncModel):
    """Overrides the identity and attribute methods, which the engine must then call."""

    _modelname = "widget"
    _identifiers = ("code",)
    _attributes = ("size",)
    code: str
    size: int = 0

    def get_attrs(self) -> dict[str, Any]:
        return {"size": self.size * 10}

    def get_unique_id(self) -> str:
        return self.code.lower()

    def get_shortname(self) -> str:
        return f"w-{self.code.lower()}"


class Shop(Adapter):
    gadget = Gadget
    widget = Widget
    top_level = ["gadget", "widget"]


def shop(*objects: DiffSyncModel) -> Shop:
    adapter = Shop()
    for obj in objects:
        adapter.add(obj)
    return adapter


def test_engine_and_plain_algorithm_agree_on_values_pydantic_dumps():
    src = shop(
        Gadget(number=1, color=Color.BLUE, tags=["a"], price=1.5),
        Gadget(number=2, tags=["b"], price=2.0, label="same"),
        Gadget(number=3),
        Widget(code="X", size=1),
        Widget(code="Y", size=2),
    )
    dst = shop(
        Gadget(number=1, color=Color.RED, tags=["a"], price=1.5),
        Gadget(number=2, tags=["b"], price=2.0, label="same"),
        Gadget(number=4),
        Widget(code="X", size=1),
        Widget(code="Z", size=3),
    )
    fast, plain = both_ways(src, dst)
    assert_same_diff(fast, plain)
    gadget = fast.children["gadget"]["1"]
    assert gadget.source_attrs == {"color": Color.BLUE, "tags": ["a"], "price": "1.50", "label": None}
    assert fast.children["widget"]["w-x"].action is None


def test_a_value_assigned_after_construction_is_dumped_as_pydantic_does():
    src, dst = shop(Gadget(number=1, label="a")), shop(Gadget(number=1, label="a"))
    src.get("gadget", "1").label = ["not", "a", "str"]  # no validation on assignment
    with pytest.warns(UserWarning):  # pydantic warns about the unexpected value when dumping
        fast, plain = both_ways(src, dst)
        assert_same_diff(fast, plain)
    assert fast.children["gadget"]["1"].source_attrs["label"] == ["not", "a", "str"]


# -- the elements the engine builds -------------------------------------------------------------


@pytest.fixture
def diff_a_from_b() -> Diff:
    return load_adapter(BackendA, BACKEND_A).diff_from(load_adapter(BackendB, backend_b_data()))


def unchanged_interface(diff: Diff) -> DiffElement:
    device = diff.children["site"]["nyc"].child_diff.children["device"]["nyc-core1"]
    return device.child_diff.children["interface"]["eth0"]


def test_engine_elements_give_the_same_dict_on_every_read_and_keep_changes(diff_a_from_b):
    element = unchanged_interface(diff_a_from_b)
    assert element.keys == {"device_name": "nyc-core1", "name": "eth0"}
    assert element.source_attrs is element.source_attrs
    element.source_attrs["description"] = "changed by hand"
    element.keys["name"] = "eth9"
    assert element.source_attrs == {"description": "changed by hand"}
    assert element.keys == {"device_name": "nyc-core1", "name": "eth9"}
    assert element.action == "update"


def test_both_sides_of_an_unchanged_engine_element_are_independent_dicts(diff_a_from_b):
    element = unchanged_interface(diff_a_from_b)
    assert element.source_attrs == element.dest_attrs == {"description": "uplink"}
    assert element.source_attrs is not element.dest_attrs
    del element.dest_attrs["description"]
    assert element.source_attrs == {"description": "uplink"}
    assert element.dest_attrs == {}


def test_an_engine_element_without_children_gets_a_child_diff_of_the_diff_class_on_use():
    class NoteDiff(Diff):
        pass

    src, dst = load_adapter(BackendB, backend_b_data()), load_adapter(BackendA, BACKEND_A)
    diff = dst.diff_from(src, diff_class=NoteDiff)
    element = unchanged_interface(diff)
    assert type(element.child_diff) is NoteDiff
    assert element.child_diff is element.child_diff
    assert len(element) == 1
    assert list(element.get_children()) == []


def test_a_tuple_assigned_to_keys_or_attrs_is_kept_as_given():
    element = DiffElement("device", "r1", ("r1",))
    element.source_attrs = ("leaf",)
    assert element.keys == ("r1",)
    assert element.source_attrs == ("leaf",)


def elements_of(diff: Diff) -> list[DiffElement]:
    found = []
    for element in diff.get_children():
        found.append(element)
        found.extend(elements_of(element.child_diff))
    return found


def test_a_diff_the_engine_built_pickles_and_copies_without_the_models(diff_a_from_b):
    """The differ keeps the paired model on elements a sync will visit; copies do not carry it."""
    assert any(element._dst_model is not None for element in elements_of(diff_a_from_b))
    for duplicate in (pickle.loads(pickle.dumps(diff_a_from_b)), copy.deepcopy(diff_a_from_b)):
        assert duplicate.dict() == diff_a_from_b.dict()
        assert tree(duplicate) == tree(diff_a_from_b)
        assert all(element._dst_model is None for element in elements_of(duplicate))


class Reading(DiffSyncModel):
    """A value of any type: equal values of different types are not the same attributes."""

    _modelname = "reading"
    _identifiers = ("name",)
    _attributes = ("value",)
    name: str
    value: Any = None


class Meter(Adapter):
    reading = Reading
    top_level = ["reading"]


def test_equal_values_of_different_types_keep_each_sides_own_value():
    src, dst = Meter(), Meter()
    for name, source_value, dest_value in (("a", 1, True), ("b", 1, 1.0), ("c", "x", "x")):
        src.add(Reading(name=name, value=source_value))
        dst.add(Reading(name=name, value=dest_value))
    fast, plain = both_ways(src, dst)
    assert_same_diff(fast, plain)
    assert fast.children["reading"]["a"].dest_attrs == {"value": True}
    assert type(fast.children["reading"]["b"].dest_attrs["value"]) is float
    assert fast.children["reading"]["a"].action is None

"""Adapter dict()/str()/load_from_dict() and the model tree."""

from __future__ import annotations

from library_inventory import BACKEND_A, BackendA, BackendC, Device, Interface, InventoryAdapter, Person, Site

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags


class Unused(DiffSyncModel):
    _modelname = "unused"
    _identifiers = ("name",)
    name: str


class ExampleAdapter(Adapter):
    """Top level site and unused; device, interface and person only reachable below site."""

    site = Site
    device = Device
    interface = Interface
    person = Person
    unused = Unused
    top_level = ["site", "unused"]


class Zeta(DiffSyncModel):
    _modelname = "zeta"
    _identifiers = ("name",)
    _children = {"alpha": "alphas"}
    name: str
    alphas: list[str] = []


class Alpha(DiffSyncModel):
    _modelname = "alpha"
    _identifiers = ("name",)
    name: str


class ChildFirstAdapter(Adapter):
    """No top_level: alpha is visited (alphabetically) before its parent zeta."""

    alpha = Alpha
    zeta = Zeta


def test_dict_of_empty_adapter_is_empty():
    assert Adapter().dict() == {}


def test_dict_groups_objects_by_type_and_uid_without_defaults():
    adapter = ExampleAdapter()
    adapter.add(Site(name="hq"))
    adapter.add(Device(name="r1", role="edge"))
    assert adapter.dict() == {
        "site": {"hq": {"name": "hq"}},
        "device": {"r1": {"name": "r1", "role": "edge"}},
    }


def test_dict_with_exclude_defaults_false_includes_defaults():
    adapter = ExampleAdapter()
    adapter.add(Unused(name="u"))
    assert adapter.dict(exclude_defaults=False) == {
        "unused": {"u": {"model_flags": DiffSyncModelFlags.NONE, "name": "u"}}
    }


def test_str_renders_top_level_blocks_with_nested_children():
    adapter = ExampleAdapter()
    adapter.add(Site(name="hq"))
    assert adapter.str() == "site\n  site: hq: {'region': ''}\n    devices: []\n    people: []\nunused: []"


def test_str_indent_shifts_every_line():
    adapter = ExampleAdapter()
    adapter.add(Unused(name="u"))
    assert adapter.str(indent=2) == "  site: []\n  unused\n    unused: u: {}"


def test_str_of_empty_adapter_without_top_level_is_empty():
    assert Adapter().str() == ""


def test_load_from_dict_round_trips_dict(backend_a):
    restored = BackendC()
    restored.load_from_dict(backend_a.dict())
    assert restored.dict() == backend_a.dict()
    assert len(restored) == len(backend_a)


def test_load_from_dict_ignores_the_inner_keys():
    adapter = ExampleAdapter()
    adapter.load_from_dict({"device": {"whatever": {"name": "r1", "role": "edge"}}})
    assert adapter.get(Device, "r1").role == "edge"


def test_load_from_dict_skips_names_that_are_not_models():
    adapter = ExampleAdapter()
    adapter.load_from_dict({"top_level": {"x": {"name": "x"}}, "unused": {"u": {"name": "u"}}})
    assert adapter.count() == 1


def test_initial_value_order_is_top_level_then_other_models_alphabetically():
    assert ExampleAdapter._get_initial_value_order() == ["site", "unused", "device", "interface", "person"]


def test_initial_value_order_returns_a_copy_of_top_level():
    order = ExampleAdapter._get_initial_value_order()
    order.append("mutated")
    assert ExampleAdapter.top_level == ["site", "unused"]


def test_initial_value_order_includes_inherited_models():
    class Extended(BackendA):
        unused = Unused

    assert Extended._get_initial_value_order() == ["site", "device", "interface", "person", "unused"]


def test_tree_traversal_text_draws_the_model_tree():
    assert ExampleAdapter.get_tree_traversal() == (
        "ExampleAdapter\n├── site\n│   ├── device\n│   │   └── interface\n│   └── person\n└── unused"
    )


def test_tree_traversal_as_dict_nests_children_with_empty_leaves():
    assert ExampleAdapter.get_tree_traversal(as_dict=True) == {
        "site": {"device": {"interface": {}}, "person": {}},
        "unused": {},
    }


def test_tree_traversal_puts_a_child_visited_first_at_the_root_and_under_its_parent():
    assert ChildFirstAdapter.get_tree_traversal(as_dict=True) == {"alpha": {}, "zeta": {"alpha": {}}}
    assert ChildFirstAdapter.get_tree_traversal() == "ChildFirstAdapter\n├── alpha\n└── zeta\n    └── alpha"


def test_tree_traversal_of_inventory_adapter_lists_all_levels():
    assert InventoryAdapter.get_tree_traversal(as_dict=True) == {
        "site": {"device": {"interface": {}}, "person": {}}
    }


def test_round_trip_keeps_children_lists():
    adapter = BackendA()
    adapter.load(BACKEND_A)
    restored = BackendC()
    restored.load_from_dict(adapter.dict())
    assert restored.get(Site, "atl").people == ["carol", "dave"]

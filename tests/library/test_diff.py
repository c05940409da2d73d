"""The Diff container, its ordering hooks and its renderings."""

from __future__ import annotations

import pytest

from diffsync.diff import Diff, DiffElement
from diffsync.exceptions import ObjectAlreadyExists


def element(obj_type, name, source=None, dest=None, source_name="A", dest_name="B"):
    item = DiffElement(obj_type, name, {"name": name}, source_name=source_name, dest_name=dest_name)
    item.add_attrs(source=source, dest=dest)
    return item


def illustration() -> Diff:
    """The device r1 example: one changed attribute, one interface on each side only."""
    device = element("device", "r1", source={"role": "leaf"}, dest={"role": "spine"})
    device.add_child(element("interface", "eth0", source={"mtu": 1500}))
    device.add_child(element("interface", "eth9", dest={"mtu": 9000}))
    diff = Diff()
    diff.add(device)
    return diff


class ReversedSites(Diff):
    """Sites in reverse insertion order; other groups default."""

    @classmethod
    def order_children_site(cls, children):
        yield from reversed(list(children.values()))


class SortedByName(Diff):
    """Every group sorted by name through the default hook."""

    @classmethod
    def order_children_default(cls, children):
        yield from sorted(children.values(), key=lambda item: item.name)


def test_new_diff_has_no_groups_and_nothing_processed():
    diff = Diff()
    assert diff.groups() == []
    assert diff.models_processed == 0


def test_reading_a_missing_group_creates_it():
    diff = Diff()
    assert diff.children["site"] == {}
    assert diff.groups() == ["site"]


def test_add_stores_element_under_type_and_name():
    diff = Diff()
    site = element("site", "hq", source={})
    diff.add(site)
    assert diff.children["site"]["hq"] is site


def test_add_of_a_duplicate_type_and_name_raises_already_exists():
    diff = Diff()
    diff.add(element("site", "hq", source={}))
    duplicate = element("site", "hq", dest={})
    with pytest.raises(ObjectAlreadyExists) as error:
        diff.add(duplicate)
    assert error.value.args[0] == "Already storing a site named hq"
    assert error.value.existing_object is duplicate


def test_groups_keep_insertion_order():
    diff = Diff()
    for obj_type in ("site", "device", "person"):
        diff.add(element(obj_type, "x", source={}))
    assert diff.groups() == ["site", "device", "person"]


def test_get_children_yields_groups_and_elements_in_insertion_order():
    diff = Diff()
    diff.add(element("site", "b", source={}))
    diff.add(element("person", "z", source={}))
    diff.add(element("site", "a", source={}))
    assert [(item.type, item.name) for item in diff.get_children()] == [
        ("site", "b"),
        ("site", "a"),
        ("person", "z"),
    ]


def test_get_children_uses_a_group_specific_order_method():
    diff = ReversedSites()
    for name in ("a", "b", "c"):
        diff.add(element("site", name, source={}))
    diff.add(element("person", "y", source={}))
    diff.add(element("person", "x", source={}))
    assert [item.name for item in diff.get_children()] == ["c", "b", "a", "y", "x"]


def test_get_children_uses_an_overridden_default_order_method():
    diff = SortedByName()
    for name in ("b", "c", "a"):
        diff.add(element("site", name, source={}))
    assert [item.name for item in diff.get_children()] == ["a", "b", "c"]


def test_default_order_method_yields_insertion_order():
    children = {"b": element("site", "b", source={}), "a": element("site", "a", source={})}
    assert [item.name for item in Diff.order_children_default(children)] == ["b", "a"]


def test_has_diffs_is_false_when_every_element_is_unchanged():
    diff = Diff()
    diff.add(element("site", "hq", source={"region": "x"}, dest={"region": "x"}))
    assert diff.has_diffs() is False


def test_has_diffs_sees_changes_in_children():
    parent = element("site", "hq", source={}, dest={})
    parent.add_child(element("device", "r1", source={}))
    diff = Diff()
    diff.add(parent)
    assert diff.has_diffs() is True


def test_complete_is_a_no_op_hook():
    assert Diff().complete() is None


def test_summary_of_empty_diff_is_all_zero():
    assert Diff().summary() == {"create": 0, "update": 0, "delete": 0, "no-change": 0, "skip": 0}


def test_summary_keys_come_in_a_fixed_order():
    assert list(illustration().summary()) == ["create", "update", "delete", "no-change", "skip"]


def test_summary_sums_element_actions_recursively():
    diff = illustration()
    diff.add(element("site", "hq", source={}, dest={}))
    diff.models_processed = 2 * 1 + 1 + 1 + 2 * 1
    assert diff.summary() == {"create": 1, "update": 1, "delete": 1, "no-change": 1, "skip": 0}


def test_summary_derives_skip_from_models_processed():
    diff = illustration()
    diff.models_processed = 10
    assert diff.summary()["skip"] == 10 - 1 - 2 * 1 - 1


def test_len_counts_every_element_recursively():
    diff = illustration()
    diff.add(element("site", "hq", source={}, dest={}))
    assert len(diff) == 4


def test_empty_diff_is_falsy():
    assert not Diff()


def test_str_renders_groups_and_changed_elements():
    assert illustration().str() == (
        "device\n"
        "  device: r1\n"
        "    role    A(leaf)    B(spine)\n"
        "    interface\n"
        "      interface: eth0 MISSING in B\n"
        "      interface: eth9 MISSING in A"
    )


def test_str_omits_unchanged_elements_and_empty_groups():
    diff = illustration()
    diff.add(element("site", "hq", source={"region": "x"}, dest={"region": "x"}))
    diff.add(element("device", "r2", source={}, dest={}))
    assert diff.str() == illustration().str()


def test_str_of_a_diff_without_changes_says_no_diffs():
    diff = Diff()
    diff.add(element("site", "hq", source={}, dest={}))
    assert diff.str() == "(no diffs)"
    assert Diff().str() == "(no diffs)"


def test_str_indent_shifts_every_line():
    diff = Diff()
    diff.add(element("site", "hq", source={}))
    assert diff.str(indent=4) == "    site\n      site: hq MISSING in B"


def test_str_ignores_custom_order_methods():
    diff = ReversedSites()
    for name in ("a", "b"):
        diff.add(element("site", name, source={}))
    assert diff.str() == "site\n  site: a MISSING in B\n  site: b MISSING in B"


def test_dict_renders_changed_elements_with_nested_children():
    assert illustration().dict() == {
        "device": {
            "r1": {
                "-": {"role": "spine"},
                "+": {"role": "leaf"},
                "interface": {"eth0": {"+": {"mtu": 1500}}, "eth9": {"-": {"mtu": 9000}}},
            }
        }
    }


def test_dict_omits_unchanged_elements():
    diff = Diff()
    diff.add(element("site", "hq", source={}, dest={}))
    diff.add(element("site", "new", source={"region": "x"}))
    assert diff.dict() == {"site": {"new": {"+": {"region": "x"}}}}


def test_dict_of_empty_diff_is_empty():
    assert Diff().dict() == {}


def test_dict_applies_custom_order_methods():
    diff = ReversedSites()
    for name in ("a", "b", "c"):
        diff.add(element("site", name, source={}))
    assert list(diff.dict()["site"]) == ["c", "b", "a"]


def test_rendering_of_a_real_diff(backend_a, backend_b):
    text = backend_a.diff_from(backend_b).str()
    assert text.splitlines()[:5] == [
        "site",
        "  site: nyc",
        "    device",
        "      device: nyc-edge1",
        "        role    BackendB(spine)    BackendA(edge)",
    ]
    assert "  site: den MISSING in BackendA" in text.splitlines()


def test_children_container_is_an_ordered_default_dict():
    from diffsync.utils import OrderedDefaultDict

    assert isinstance(Diff().children, OrderedDefaultDict)

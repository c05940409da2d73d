"""DiffElement state, comparison, actions and renderings."""

from __future__ import annotations

import pytest

from diffsync.diff import Diff, DiffElement


class OtherDiff(Diff):
    """A Diff subclass for the child diff."""


def make(obj_type="device", name="r1", source=None, dest=None, **kwargs):
    item = DiffElement(obj_type, name, {"name": name}, **kwargs)
    item.add_attrs(source=source, dest=dest)
    return item


def test_non_string_obj_type_is_rejected():
    with pytest.raises(ValueError) as error:
        DiffElement(5, "r1", {})
    assert str(error.value) == "obj_type must be a string (not <class 'int'>)"


def test_non_string_name_is_rejected():
    with pytest.raises(ValueError) as error:
        DiffElement("device", ("r1",), {})
    assert str(error.value) == "name must be a string (not <class 'tuple'>)"


def test_new_element_has_defaults_and_absent_sides():
    item = DiffElement("device", "r1", {"name": "r1"})
    assert (item.type, item.name, item.keys) == ("device", "r1", {"name": "r1"})
    assert (item.source_name, item.dest_name) == ("source", "dest")
    assert (item.source_attrs, item.dest_attrs) == (None, None)
    assert type(item.child_diff) is Diff


def test_child_diff_uses_the_given_diff_class():
    assert type(DiffElement("device", "r1", {}, diff_class=OtherDiff).child_diff) is OtherDiff


def test_elements_order_by_type_then_name():
    items = [make("site", "b"), make("device", "z"), make("site", "a")]
    assert [(item.type, item.name) for item in sorted(items)] == [
        ("device", "z"),
        ("site", "a"),
        ("site", "b"),
    ]


def test_elements_support_total_ordering():
    first, second = make("device", "a"), make("device", "b")
    assert first < second and first <= second and second > first and second >= first


def test_equality_compares_type_name_keys_and_attrs():
    assert make(source={"role": "x"}) == make(source={"role": "x"})
    assert make(source={"role": "x"}) != make(source={"role": "y"})
    assert make(dest={}) != make(source={})
    assert make(name="r1") != make(name="r2")


def test_equality_ignores_children():
    with_child = make(source={})
    with_child.add_child(make("interface", "eth0", source={}))
    assert with_child == make(source={})


def test_elements_are_unhashable():
    with pytest.raises(TypeError):
        hash(make())


def test_action_is_create_when_only_source_present():
    assert make(source={}).action == "create"


def test_action_is_delete_when_only_dest_present():
    assert make(dest={}).action == "delete"


def test_action_is_update_when_a_shared_key_differs():
    assert make(source={"role": "a"}, dest={"role": "b"}).action == "update"


def test_action_is_none_when_shared_keys_agree():
    assert make(source={"role": "a", "extra": 1}, dest={"role": "a"}).action is None


def test_action_is_none_when_neither_side_present():
    assert make().action is None


def test_add_attrs_sets_only_given_sides_and_can_overwrite():
    item = make(source={"role": "a"})
    item.add_attrs(dest={"role": "b"})
    assert (item.source_attrs, item.dest_attrs) == ({"role": "a"}, {"role": "b"})
    item.add_attrs(source={"role": "c"})
    assert item.source_attrs == {"role": "c"}


def test_get_attrs_keys_with_both_sides_lists_shared_keys_in_dest_order():
    item = make(source={"a": 1, "b": 2, "c": 3}, dest={"c": 0, "x": 0, "a": 0})
    assert item.get_attrs_keys() == ["c", "a"]


def test_get_attrs_keys_with_one_side_lists_its_keys():
    assert list(make(source={"a": 1, "b": 2}).get_attrs_keys()) == ["a", "b"]
    assert list(make(dest={"z": 1}).get_attrs_keys()) == ["z"]


def test_get_attrs_keys_with_no_side_is_empty():
    assert list(make().get_attrs_keys()) == []


def test_get_attrs_diffs_with_both_sides_lists_only_differing_shared_keys():
    item = make(source={"a": 1, "b": 2, "only_src": 0}, dest={"a": 1, "b": 3, "only_dst": 0})
    assert item.get_attrs_diffs() == {"-": {"b": 3}, "+": {"b": 2}}


def test_get_attrs_diffs_with_equal_sides_has_empty_sub_dicts():
    assert make(source={"a": 1}, dest={"a": 1}).get_attrs_diffs() == {"-": {}, "+": {}}


def test_get_attrs_diffs_dest_only_lists_all_dest_attrs():
    assert make(dest={"a": 1, "b": 2}).get_attrs_diffs() == {"-": {"a": 1, "b": 2}}


def test_get_attrs_diffs_source_only_lists_all_source_attrs():
    assert make(source={"a": 1}).get_attrs_diffs() == {"+": {"a": 1}}


def test_get_attrs_diffs_with_no_side_is_empty():
    assert make().get_attrs_diffs() == {}


def test_has_diffs_with_one_side_present():
    assert make(source={}).has_diffs() is True
    assert make(dest={}).has_diffs() is True


def test_has_diffs_when_a_shared_key_differs():
    assert make(source={"a": 1}, dest={"a": 2}).has_diffs() is True
    assert make(source={"a": 1}, dest={"a": 1}).has_diffs() is False


def test_has_diffs_includes_children_unless_told_not_to():
    item = make(source={}, dest={})
    item.add_child(make("interface", "eth0", dest={}))
    assert item.has_diffs() is True
    assert item.has_diffs(include_children=False) is False


def test_add_child_and_get_children_go_through_the_child_diff():
    item = make(source={})
    child = make("interface", "eth0", source={})
    item.add_child(child)
    assert item.child_diff.children["interface"]["eth0"] is child
    assert list(item.get_children()) == [child]


def test_summary_counts_own_action_and_children_without_skip():
    item = make(source={"a": 1}, dest={"a": 2})
    item.add_child(make("interface", "eth0", source={}))
    item.add_child(make("interface", "eth1", dest={}))
    item.add_child(make("interface", "eth2", source={}, dest={}))
    assert item.summary() == {"create": 1, "update": 1, "delete": 1, "no-change": 1}


def test_len_is_one_plus_children_and_matches_summary_total():
    item = make(source={}, dest={})
    child = make("interface", "eth0", source={})
    child.add_child(make("vlan", "10", source={}))
    item.add_child(child)
    assert len(item) == 3 == sum(item.summary().values())


def test_dunder_str_shows_type_name_keys_sides_and_diffs():
    item = make(source={"role": "leaf"}, dest={"role": "spine"}, source_name="A", dest_name="B")
    assert (
        str(item)
        == "device \"r1\" : {'name': 'r1'} : A → B : {'-': {'role': 'spine'}, '+': {'role': 'leaf'}}"
    )


def test_str_with_both_sides_lists_each_differing_attribute():
    item = make(
        source={"role": "leaf", "os": "eos"},
        dest={"role": "spine", "os": "eos"},
        source_name="A",
        dest_name="B",
    )
    assert item.str() == "device: r1\n  role    A(leaf)    B(spine)"


def test_str_with_both_sides_equal_is_just_the_heading():
    assert make(source={"a": 1}, dest={"a": 1}).str() == "device: r1"


def test_str_dest_only_is_missing_in_source():
    assert make(dest={}, source_name="A", dest_name="B").str() == "device: r1 MISSING in A"


def test_str_source_only_is_missing_in_dest():
    assert make(source={}, source_name="A", dest_name="B").str() == "device: r1 MISSING in B"


def test_str_with_no_sides_and_no_child_diffs_says_no_diffs():
    assert make().str() == "device: r1 (no diffs)"


def test_str_appends_child_diffs_indented():
    item = make()
    item.add_child(make("interface", "eth0", source={}))
    assert item.str() == "device: r1\n  interface\n    interface: eth0 MISSING in dest"


def test_str_indent_shifts_heading_and_attributes():
    item = make(source={"a": 1}, dest={"a": 2})
    assert item.str(indent=2) == "  device: r1\n    a    source(1)    dest(2)"


def test_dict_source_only_with_empty_attrs():
    assert make(source={}).dict() == {"+": {}}


def test_dict_both_sides_with_empty_attrs():
    assert make(source={}, dest={}).dict() == {"+": {}, "-": {}}


def test_dict_merges_child_diffs_at_the_same_level():
    item = make(source={"a": 1}, dest={"a": 2})
    item.add_child(make("interface", "eth0", dest={"mtu": 1}))
    item.add_child(make("interface", "eth1", source={}, dest={}))
    assert item.dict() == {"-": {"a": 2}, "+": {"a": 1}, "interface": {"eth0": {"-": {"mtu": 1}}}}


def test_dict_with_no_sides_and_no_children_is_empty():
    assert make().dict() == {}

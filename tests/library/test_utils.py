"""The helpers of diffsync.utils."""

from __future__ import annotations

import copy

from library_inventory import BACKEND_A, BackendA, backend_b_data, load_adapter

from diffsync.utils import (
    OrderedDefaultDict,
    get_path,
    intersection,
    set_key,
    symmetric_difference,
    tree_string,
)


def test_intersection_keeps_the_order_of_the_first_list():
    assert intersection(["c", "a", "b", "d"], ["b", "c", "x"]) == ["c", "b"]


def test_intersection_of_disjoint_lists_is_empty():
    assert intersection(["a"], ["b"]) == []


def test_symmetric_difference_is_sorted():
    assert symmetric_difference(["d", "a", "b"], ["b", "c"]) == ["a", "c", "d"]


def test_ordered_default_dict_creates_a_dict_for_a_missing_key():
    data = OrderedDefaultDict()
    data["x"]["y"] = 1
    assert data == {"x": {"y": 1}}


def test_ordered_default_dict_uses_the_given_factory():
    data = OrderedDefaultDict(list)
    data["x"].append(1)
    data["a"].append(2)
    assert list(data.items()) == [("x", [1]), ("a", [2])]


def test_ordered_default_dict_can_be_deep_copied_independently():
    data = OrderedDefaultDict(dict)
    data["x"]["y"] = 1
    clone = copy.deepcopy(data)
    clone["x"]["y"] = 2
    clone["new"]["z"] = 3
    assert data == {"x": {"y": 1}}
    assert isinstance(clone, OrderedDefaultDict)


def test_diff_can_be_deep_copied():
    diff = load_adapter(BackendA, BACKEND_A).diff_from(load_adapter(BackendA, backend_b_data()))
    clone = copy.deepcopy(diff)
    assert clone.dict() == diff.dict()
    assert clone.summary() == diff.summary()


def test_tree_string_draws_root_and_branches():
    assert tree_string({"a": {"b": {}, "c": {}}, "d": {"e": {}}}, "root") == (
        "root\n├── a\n│   ├── b\n│   └── c\n└── d\n    └── e"
    )


def test_tree_string_of_empty_data_is_the_root():
    assert tree_string({}, "root") == "root"


def test_set_key_creates_nested_empty_dicts():
    data = {"x": {"y": {}}}
    set_key(data, ["x", "z", "w"])
    assert data == {"x": {"y": {}, "z": {"w": {}}}}


def test_get_path_returns_the_keys_down_to_the_value():
    assert get_path({"a": {"b": {"c": {}}}, "d": {}}, "c") == ["a", "b", "c"]


def test_get_path_finds_a_top_level_key():
    assert get_path({"a": {"b": {}}}, "a") == ["a"]


def test_get_path_searches_depth_first():
    assert get_path({"a": {"c": {}}, "c": {}}, "c") == ["a", "c"]


def test_get_path_of_an_absent_value_is_none():
    assert get_path({"a": {"b": {}}}, "z") is None

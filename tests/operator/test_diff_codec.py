"""A Diff stored as JSON lines and rebuilt is the same diff; a reader can print it line by line."""

from __future__ import annotations

import json

import pytest
from diffsync_operator.cli.diff_tree import tree_lines
from diffsync_operator.stages import diff_codec
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_adapters import FileInventory, FileTarget

from diffsync.diff import Diff, DiffElement


@pytest.fixture
def diff(inventory_files) -> Diff:
    source, target = inventory_files
    src, dst = FileInventory(path=str(source)), FileTarget(path=str(target))
    src.load()
    dst.load()
    return dst.diff_from(src)


def _records(lines: list[str]) -> list[dict]:
    return [diff_codec.parse_record(line) for line in lines[1:]]


def test_round_trip_keeps_summary_text_and_dict(diff):
    rebuilt = diff_codec.decode(diff_codec.encode(diff))
    assert rebuilt.summary() == diff.summary()
    assert rebuilt.str() == diff.str()
    assert rebuilt.dict() == diff.dict()
    assert len(rebuilt) == len(diff)


def test_the_first_line_is_a_header_counting_the_elements_after_it(diff):
    lines = list(diff_codec.encode(diff))
    header = diff_codec.DiffHeader.from_line(lines[0])
    assert json.loads(lines[0])["format"] == 2
    assert header.elements == len(lines) - 1 == len(diff)
    assert header.summary == diff.summary()


def test_each_element_is_one_line_with_the_documented_fields_children_after_their_parent(diff):
    records = _records(list(diff_codec.encode(diff)))
    assert set(records[0]) == {
        "depth", "type", "name", "keys", "source_name", "dest_name", "source_attrs", "dest_attrs", "changed",
    }  # fmt: skip
    shelves = [r for r in records if r["type"] == "shelf"]
    items = [r for r in records if r["type"] == "item"]
    assert {r["depth"] for r in shelves} == {0} and {r["depth"] for r in items} == {1}
    a1 = records.index(next(r for r in shelves if r["name"] == "a1"))
    assert [r["name"] for r in records[a1 + 1 : a1 + 4]] == ["a1__bolt", "a1__nut", "a1__washer"]


def test_absent_side_stays_none_and_empty_attrs_stay_empty():
    diff = Diff()
    element = DiffElement("shelf", "x", {"name": "x"})
    element.add_attrs(source={})
    diff.add(element)
    rebuilt = next(diff_codec.decode(diff_codec.encode(diff)).get_children())
    assert (rebuilt.source_attrs, rebuilt.dest_attrs, rebuilt.action) == ({}, None, "create")


def test_unknown_format_is_refused_with_its_version():
    with pytest.raises(ValueError, match="format 1"):
        diff_codec.decode(['{"format": 1, "elements": []}'])


def test_a_diff_cut_short_is_refused(diff):
    lines = list(diff_codec.encode(diff))
    expected = f"holds {len(lines) - 2} elements, its header says {len(lines) - 1}"
    with pytest.raises(ValueError, match=expected):
        diff_codec.decode(lines[:-1])


def test_a_child_without_its_parent_is_refused(diff):
    lines = list(diff_codec.encode(diff))
    child = next(i for i, line in enumerate(lines) if '"depth":1' in line)
    with pytest.raises(ValueError, match="at depth 1 without a parent"):
        diff_codec.decode([lines[0], lines[child]])


# --- generated diffs: every shape the tree printer may meet ------------------------------------

_ATTRS = st.one_of(st.none(), st.dictionaries(st.sampled_from("ab"), st.integers(0, 2), max_size=2))


@st.composite
def _elements(draw: st.DrawFn, depth: int) -> list[DiffElement]:
    """Elements of up to three types, unique names per type, children down to depth 2."""
    kinds, names = st.sampled_from(["site", "device", "port"]), st.sampled_from("xyz")
    pairs = st.lists(st.tuples(kinds, names), max_size=4)
    elements = []
    for kind, name in dict.fromkeys(draw(pairs)):  # unique (type, name), in drawn order
        element = DiffElement(kind, name, {"name": name}, source_name="src", dest_name="dst")
        element.add_attrs(source=draw(_ATTRS), dest=draw(_ATTRS))
        for child in draw(_elements(depth + 1)) if depth < 2 else []:
            element.add_child(child)
        elements.append(element)
    return elements


@st.composite
def diffs(draw: st.DrawFn) -> Diff:
    diff = Diff()
    for element in draw(_elements(0)):
        diff.add(element)
    diff.models_processed = draw(st.integers(0, 50))
    return diff


@settings(max_examples=300, deadline=None)
@given(diffs())
def test_generated_diffs_round_trip(diff):
    rebuilt = diff_codec.decode(diff_codec.encode(diff))
    assert (rebuilt.str(), rebuilt.dict(), rebuilt.summary(), len(rebuilt)) == (
        diff.str(), diff.dict(), diff.summary(), len(diff),
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(diffs())
def test_the_streamed_tree_is_what_diff_str_prints(diff):
    lines = list(diff_codec.encode(diff))
    assert "\n".join(tree_lines(_records(lines))) == diff.str()

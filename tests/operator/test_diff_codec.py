"""A Diff stored as JSON and rebuilt is the same diff."""

from __future__ import annotations

import json

import pytest
from diffsync_operator.stages import diff_codec
from sample_adapters import FileInventory, FileTarget

from diffsync.diff import Diff, DiffElement


@pytest.fixture
def diff(inventory_files) -> Diff:
    source, target = inventory_files
    src, dst = FileInventory(path=str(source)), FileTarget(path=str(target))
    src.load()
    dst.load()
    return dst.diff_from(src)


def test_round_trip_keeps_summary_text_and_dict(diff):
    rebuilt = diff_codec.loads(diff_codec.dumps(diff))
    assert rebuilt.summary() == diff.summary()
    assert rebuilt.str() == diff.str()
    assert rebuilt.dict() == diff.dict()
    assert len(rebuilt) == len(diff)


def test_stored_element_has_the_documented_fields(diff):
    stored = json.loads(diff_codec.dumps(diff))
    element = stored["elements"][0]
    assert stored["format"] == 1
    assert set(element) == {
        "type",
        "name",
        "keys",
        "source_name",
        "dest_name",
        "source_attrs",
        "dest_attrs",
        "children",
    }


def test_absent_side_stays_none_and_empty_attrs_stay_empty():
    diff = Diff()
    element = DiffElement("shelf", "x", {"name": "x"})
    element.add_attrs(source={})
    diff.add(element)
    rebuilt = next(diff_codec.loads(diff_codec.dumps(diff)).get_children())
    assert (rebuilt.source_attrs, rebuilt.dest_attrs, rebuilt.action) == ({}, None, "create")


def test_unknown_format_is_refused_with_its_version():
    with pytest.raises(ValueError, match="format 9"):
        diff_codec.loads('{"format": 9, "elements": []}')

"""Diff and DiffElement keep their attributes in slots (docs/compatibility.md); subclasses are free."""

from __future__ import annotations

import copy

from diffsync.diff import Diff, DiffElement


def test_diff_subclass_can_set_its_own_attributes():
    class AnnotatedDiff(Diff):
        def __init__(self) -> None:
            super().__init__()
            self.note = "reviewed"

    diff = AnnotatedDiff()
    diff.owner = "netops"
    assert (diff.note, diff.owner) == ("reviewed", "netops")


def test_diff_with_elements_survives_deepcopy():
    diff = Diff()
    element = DiffElement("device", "r1", {"name": "r1"})
    element.add_attrs(source={"role": "leaf"}, dest={"role": "spine"})
    diff.add(element)
    diff.models_processed = 2

    copied = copy.deepcopy(diff)

    assert copied.dict() == diff.dict()
    assert copied.models_processed == 2
    assert copied.children["device"]["r1"] is not element

"""diff_from/diff_to/sync_from/sync_to, diff_class checks and sync_complete."""

from __future__ import annotations

import pytest
from library_inventory import BACKEND_A, BackendA, Site, load_adapter

from diffsync import Adapter, Diff
from diffsync.enum import DiffSyncFlags
from diffsync.exceptions import DiffClassMismatch


class CustomDiff(Diff):
    """A Diff subclass, to show diff_class is honoured."""


class MoreCustomDiff(CustomDiff):
    """A subclass of the subclass, to show subclass instances pass the class check."""


class RecordingA(BackendA):
    """Backend A that records sync_complete calls and refuses to compute diffs when told."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.completed: list[tuple[tuple, dict]] = []
        self.diff_calls = 0

    def diff_from(self, *args, **kwargs):
        self.diff_calls += 1
        return super().diff_from(*args, **kwargs)

    def sync_complete(self, *args, **kwargs):
        self.completed.append((args, kwargs))


def test_diff_from_uses_the_argument_as_source_and_self_as_destination(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b)
    assert diff.summary() == {"create": 3, "update": 3, "delete": 2, "no-change": 18, "skip": 0}


def test_diff_to_is_the_target_diffing_from_self(backend_a, backend_b):
    assert backend_b.diff_to(backend_a).dict() == backend_a.diff_from(backend_b).dict()


def test_diff_from_builds_the_requested_diff_class(backend_a, backend_b):
    assert type(backend_a.diff_from(backend_b, diff_class=CustomDiff)) is CustomDiff


def test_diff_of_identical_adapters_has_no_diffs(backend_a):
    other = load_adapter(BackendA, BACKEND_A)
    assert not backend_a.diff_from(other).has_diffs()


def test_sync_from_makes_the_destination_match_the_source(backend_a, backend_b):
    backend_a.sync_from(backend_b)
    assert not backend_a.diff_from(backend_b).has_diffs()
    assert backend_a.dict() == backend_b.dict()


def test_sync_to_makes_the_target_match_self(backend_a, backend_b):
    backend_b.sync_to(backend_a)
    assert backend_a.get(Site, "atl").region == "us-south"
    assert not backend_b.diff_to(backend_a).has_diffs()


def test_sync_from_returns_the_computed_diff(backend_a, backend_b):
    diff = backend_a.sync_from(backend_b, diff_class=CustomDiff)
    assert type(diff) is CustomDiff
    assert diff.summary()["create"] == 3


def test_sync_from_uses_a_supplied_diff_without_computing_one(backend_b):
    destination = load_adapter(RecordingA, BACKEND_A)
    diff = load_adapter(BackendA, BACKEND_A).diff_from(backend_b)
    returned = destination.sync_from(backend_b, diff=diff)
    assert returned is diff
    assert destination.diff_calls == 0
    assert destination.get(Site, "atl").region == "us-south"


def test_supplied_diff_of_another_class_raises_diff_class_mismatch(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b)
    with pytest.raises(DiffClassMismatch) as error:
        backend_a.sync_from(backend_b, diff_class=CustomDiff, diff=diff)
    assert str(error.value) == "The provided diff's class (Diff) does not match the diff_class: CustomDiff"


def test_supplied_diff_of_a_subclass_passes_the_class_check(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b, diff_class=MoreCustomDiff)
    assert backend_a.sync_from(backend_b, diff_class=CustomDiff, diff=diff) is diff


def test_supplied_empty_diff_is_replaced_by_a_computed_one(backend_a, backend_b):
    empty = CustomDiff()
    returned = backend_a.sync_from(backend_b, diff_class=Diff, diff=empty)
    assert returned is not empty
    assert returned.summary()["update"] == 3
    assert not backend_a.diff_from(backend_b).has_diffs()


def test_sync_to_with_mismatched_diff_class_raises(backend_a, backend_b):
    with pytest.raises(DiffClassMismatch):
        backend_b.sync_to(backend_a, diff_class=CustomDiff, diff=backend_a.diff_from(backend_b))


def test_sync_complete_is_called_positionally_after_a_changing_sync(backend_b):
    destination = load_adapter(RecordingA, BACKEND_A)
    diff = destination.sync_from(backend_b, flags=DiffSyncFlags.LOG_UNCHANGED_RECORDS)
    assert len(destination.completed) == 1
    args, kwargs = destination.completed[0]
    assert kwargs == {}
    assert args[:3] == (backend_b, diff, DiffSyncFlags.LOG_UNCHANGED_RECORDS)
    assert callable(args[3].info) and callable(args[3].bind)


def test_sync_complete_is_not_called_when_nothing_changed():
    destination = load_adapter(RecordingA, BACKEND_A)
    destination.sync_from(load_adapter(BackendA, BACKEND_A))
    assert destination.completed == []


def test_sync_complete_is_not_called_for_an_empty_self_sync():
    adapter = RecordingA()
    adapter.sync_from(adapter)
    assert adapter.completed == []


def test_default_sync_complete_is_a_no_op(backend_a, backend_b):
    assert Adapter().sync_complete(backend_b, backend_a.diff_from(backend_b)) is None

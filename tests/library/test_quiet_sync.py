"""A sync skips the unchanged ("quiet") parts of a diff with upstream's outcome (diffsync/_quiet_sync.py).

Upstream's syncer visits every element; ours skips subtrees the differ found unchanged, when
it can tell that nothing observes the visits one by one. These tests run each sync both ways
(a syncer subclass replacing a step visits everything, as upstream does) and require the same
statuses on every destination model, the same store, events, result and count; then they pin
when skipping happens and when it must not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from library_inventory import (
    BACKEND_A,
    BackendA,
    BackendB,
    Device,
    InventoryAdapter,
    backend_b_data,
    load_adapter,
    load_minus,
)
from test_syncer import (
    BuggyAdapter,
    NoResultDeleteAdapter,
    NoResultUpdateAdapter,
    PartialAdapter,
    RefusingAdapter,
    SilentAdapter,
)

from diffsync import Adapter
from diffsync.diff import DiffElement
from diffsync.enum import DiffSyncFlags, DiffSyncModelFlags, DiffSyncStatus
from diffsync.helpers import DiffSyncSyncer

UNKNOWN = (DiffSyncStatus.UNKNOWN, "")


class VisitingSyncer(DiffSyncSyncer):
    """Replaces a step (with the same behaviour), so it visits every element as upstream does."""

    def sync_diff_element(self, element: DiffElement, parent_model: Any = None) -> bool:
        return super().sync_diff_element(element, parent_model)


def statuses(adapter: Adapter) -> dict[tuple[str, str], Any]:
    """Every stored model's status, read all three ways."""
    return {
        (name, obj.get_unique_id()): (obj.get_status(), obj._status, obj._status_message)
        for name in sorted(adapter.get_all_model_names())
        for obj in adapter.get_all(name)
    }


def events_since(log: Any, start: int) -> list[tuple[Any, ...]]:
    keys = ("event", "level", "action", "model", "unique_id", "status")
    return [tuple(event.get(key) for key in keys) for event in log.events[start:]]


def run(
    log: Any,
    syncer_class: type[DiffSyncSyncer],
    dst_class: type[InventoryAdapter],
    src_builder: Callable[[], Adapter],
    flags: DiffSyncFlags,
    prepare: Callable[[Adapter, Adapter], None] | None,
) -> dict[str, Any]:
    src, dst = src_builder(), load_adapter(dst_class, BACKEND_A)
    if prepare is not None:
        prepare(src, dst)
    diff = dst.diff_from(src, flags=flags)
    for name in ("nyc", "atl"):  # statuses set between the diff and the sync
        dst.get("site", name).set_status(DiffSyncStatus.FAILURE, "set before the sync")
    start = len(log.events)
    syncer = syncer_class(diff, src, dst, flags)
    try:
        outcome: Any = syncer.perform_sync()
    except Exception as error:  # the outcome to compare
        outcome = repr(error)
    return {
        "outcome": outcome,
        "statuses": statuses(dst),
        "store": dst.dict(),
        "events": events_since(log, start),
        "processed": syncer.elements_processed,
        "total": syncer.total_elements,
    }


def set_statuses_before_the_diff(src: Adapter, dst: Adapter) -> None:
    dst.get("interface", "nyc-edge1__eth0").set_status(DiffSyncStatus.ERROR, "from an earlier sync")
    dst.get("person", "alice").set_status(DiffSyncStatus.FAILURE, "from an earlier sync")


def natural_order_on_sfo(src: Adapter, dst: Adapter) -> None:
    dst.get("site", "nyc").model_flags = DiffSyncModelFlags.NATURAL_DELETION_ORDER


def skip_children_on_nyc(src: Adapter, dst: Adapter) -> None:
    dst.get("site", "nyc").model_flags = DiffSyncModelFlags.SKIP_CHILDREN_ON_DELETE


class TidyingDevice(Device):
    """A device whose update also removes an unrelated, unchanged model from the store."""

    def update(self, *, attrs: dict[str, Any]) -> Any:
        self.adapter.remove(self.adapter.get("person", "carol"))
        return super().update(attrs=attrs)


class TidyingAdapter(InventoryAdapter):
    device = TidyingDevice


SCENARIOS = {
    "changes": (InventoryAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "earlier-statuses": (
        InventoryAdapter,
        lambda: load_adapter(BackendB, backend_b_data()),
        set_statuses_before_the_diff,
    ),
    "create-raises": (RefusingAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "update-returns-none": (NoResultUpdateAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "delete-returns-none": (NoResultDeleteAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "update-without-status": (SilentAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "update-partial": (PartialAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "delete-has-a-bug": (BuggyAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
    "site-deleted": (InventoryAdapter, load_minus, None),
    "natural-deletion-order": (InventoryAdapter, load_minus, natural_order_on_sfo),
    "skip-children-on-delete": (InventoryAdapter, load_minus, skip_children_on_nyc),
    "no-changes": (InventoryAdapter, lambda: load_adapter(BackendA, BACKEND_A), None),
    "hook-removes-a-model": (TidyingAdapter, lambda: load_adapter(BackendB, backend_b_data()), None),
}


@pytest.mark.parametrize("flags", [DiffSyncFlags.NONE, DiffSyncFlags.CONTINUE_ON_FAILURE])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_skipping_sync_ends_as_a_visiting_sync(log, scenario, flags):
    dst_class, src_builder, prepare = SCENARIOS[scenario]
    skipping = run(log, DiffSyncSyncer, dst_class, src_builder, flags, prepare)
    visiting = run(log, VisitingSyncer, dst_class, src_builder, flags, prepare)
    assert skipping == visiting


def test_after_a_sync_unchanged_models_read_unknown_and_changed_ones_their_outcome(backend_a, backend_b):
    backend_a.sync_from(backend_b)
    for read in (lambda obj: obj.get_status(), lambda obj: (obj._status, obj._status_message)):
        assert read(backend_a.get("interface", "nyc-edge1__eth0")) == UNKNOWN
        assert read(backend_a.get("person", "alice")) == UNKNOWN
        assert read(backend_a.get("site", "atl")) == (DiffSyncStatus.SUCCESS, "Updated successfully")


def test_a_later_diff_keeps_the_reset_and_a_later_status_replaces_it(backend_a, backend_b):
    backend_a.sync_from(backend_b)
    backend_a.diff_from(backend_b)
    alice = backend_a.get("person", "alice")
    assert alice.get_status() == UNKNOWN
    alice._status = DiffSyncStatus.ERROR
    assert alice.get_status() == (DiffSyncStatus.ERROR, "")
    alice.set_status(DiffSyncStatus.FAILURE, "later")
    assert (alice._status, alice._status_message) == (DiffSyncStatus.FAILURE, "later")


def test_a_second_sync_of_a_later_diff_resets_again(backend_a, backend_b):
    backend_a.sync_from(backend_b)
    backend_a.get("person", "alice").set_status(DiffSyncStatus.ERROR, "after the first sync")
    backend_a.sync_from(backend_b)
    assert backend_a.get("person", "alice").get_status() == UNKNOWN


# -- what a sync looks up ------------------------------------------------------------------------


class CountingAdapter(InventoryAdapter):
    """Records every destination lookup the syncer makes."""

    looked_up: list[tuple[str, str]]

    def get_or_none(self, obj: Any, identifier: Any) -> Any:
        self.looked_up.append((obj.get_type(), obj.create_unique_id(**identifier)))
        return super().get_or_none(obj, identifier)


def counting_a() -> CountingAdapter:
    adapter = load_adapter(CountingAdapter, BACKEND_A)
    adapter.looked_up = []
    return adapter


CHANGED_AND_THEIR_PARENTS = {
    ("site", "nyc"),
    ("device", "nyc-edge1"),
    ("device", "nyc-core1"),
    ("interface", "nyc-core1__eth1"),
    ("site", "sfo"),
    ("device", "sfo-edge1"),
    ("interface", "sfo-edge1__eth2"),
    ("person", "bob"),
    ("site", "atl"),
    ("device", "atl-edge2"),
    ("interface", "atl-edge2__eth0"),
    ("site", "den"),
}


def test_a_sync_visits_only_the_changed_elements_and_their_parents(backend_b):
    dst = counting_a()
    dst.sync_from(backend_b)
    assert set(dst.looked_up) == CHANGED_AND_THEIR_PARENTS
    assert len(dst.looked_up) == len(CHANGED_AND_THEIR_PARENTS)


def test_a_sync_without_changes_visits_nothing():
    dst = counting_a()
    dst.sync_from(load_adapter(BackendA, BACKEND_A))
    assert dst.looked_up == []
    assert dst.get("site", "nyc").get_status() == UNKNOWN


def handed_out_after_the_diff(diff: Any, dst: Adapter) -> None:
    next(diff.get_children()).source_attrs  # noqa: B018 - reading it hands out a dict


def newer_diff_into_the_same_store(diff: Any, dst: Adapter) -> None:
    dst.diff_from(load_adapter(BackendA, BACKEND_A))


def model_removed_after_the_diff(diff: Any, dst: Adapter) -> None:
    dst.remove(dst.get("interface", "atl-edge1__eth1"))


def model_replaced_after_the_diff(diff: Any, dst: Adapter) -> None:
    old = dst.get("person", "carol")
    dst.update(old.model_copy())


def test_clear_counts_as_removing_every_model():
    dst = counting_a()
    diff = dst.diff_from(load_adapter(BackendB, backend_b_data()))
    assert diff.has_diffs()
    version = dst.store._membership_version()
    dst.store.clear()
    assert dst.store._membership_version() != version


@pytest.mark.parametrize(
    "change",
    [
        handed_out_after_the_diff,
        newer_diff_into_the_same_store,
        model_removed_after_the_diff,
        model_replaced_after_the_diff,
    ],
)
def test_a_sync_visits_everything_when_the_diff_or_the_store_may_have_changed(backend_b, change):
    dst = counting_a()
    diff = dst.diff_from(backend_b)
    change(diff, dst)
    dst.looked_up.clear()
    dst.sync_from(backend_b, diff=diff)
    assert len(dst.looked_up) == len(diff) > len(CHANGED_AND_THEIR_PARENTS)


@pytest.mark.parametrize(
    "options",
    [{"callback": lambda *call: None}, {"flags": DiffSyncFlags.LOG_UNCHANGED_RECORDS}],
    ids=["callback", "log-unchanged-records"],
)
def test_a_sync_visits_everything_when_the_visits_are_observed(backend_b, options):
    dst = counting_a()
    diff = dst.diff_from(backend_b)
    dst.looked_up.clear()
    dst.sync_from(backend_b, diff=diff, **options)
    assert len(dst.looked_up) == len(diff)


class SyncModelSyncer(DiffSyncSyncer):
    """Overrides upstream's `sync_model` hook only; upstream calls it for every element."""

    def sync_model(self, src_model: Any, dst_model: Any, ids: Any, attrs: Any) -> Any:
        self.heard.append(self.action)  # type: ignore[attr-defined]
        return super().sync_model(src_model=src_model, dst_model=dst_model, ids=ids, attrs=attrs)


class LogStatusSyncer(DiffSyncSyncer):
    """Overrides upstream's `log_sync_status` hook only; upstream calls it for every element."""

    def log_sync_status(self, action: Any, status: DiffSyncStatus, message: str) -> None:
        self.heard.append(action)  # type: ignore[attr-defined]
        super().log_sync_status(action, status, message)


@pytest.mark.parametrize("syncer_class", [SyncModelSyncer, LogStatusSyncer])
def test_a_syncer_overriding_an_upstream_hook_visits_and_reports_every_element(backend_b, syncer_class):
    dst = counting_a()
    diff = dst.diff_from(backend_b)
    dst.looked_up.clear()
    syncer = syncer_class(diff, backend_b, dst, DiffSyncFlags.NONE)
    syncer.heard = []
    syncer.perform_sync()
    assert len(dst.looked_up) == len(diff) > len(CHANGED_AND_THEIR_PARENTS)
    assert len(syncer.heard) == len(diff)
    assert None in syncer.heard  # unchanged elements too


def test_a_diff_synced_twice_is_visited_whole_the_second_time(backend_b):
    dst = counting_a()
    diff = dst.diff_from(backend_b)
    dst.sync_from(backend_b, diff=diff)
    dst.looked_up.clear()
    dst.sync_from(backend_b, diff=diff, flags=DiffSyncFlags.CONTINUE_ON_FAILURE)
    # Every element but the interface under the device whose second create fails.
    assert len(dst.looked_up) == len(diff) - 1
    assert ("person", "alice") in dst.looked_up
    assert dst.get("person", "alice").get_status() == UNKNOWN


def test_elements_processed_counts_the_skipped_subtrees(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b)
    syncer = DiffSyncSyncer(diff, backend_b, backend_a, DiffSyncFlags.NONE)
    syncer.perform_sync()
    assert syncer.elements_processed == len(diff) == syncer.total_elements


def test_a_copy_made_between_diff_and_sync_keeps_its_status(backend_a, backend_b):
    diff = backend_a.diff_from(backend_b)
    alice = backend_a.get("person", "alice")
    alice.set_status(DiffSyncStatus.FAILURE, "before the sync")
    copies = [alice.model_copy(), alice.model_copy(deep=True)]
    backend_a.sync_from(backend_b, diff=diff)
    assert alice.get_status() == UNKNOWN
    for duplicate in copies:
        assert duplicate.get_status() == (DiffSyncStatus.FAILURE, "before the sync")


class PeopleOnly(InventoryAdapter):
    top_level = ["person"]


def test_a_model_a_later_diff_marked_elsewhere_is_still_reset_by_this_sync(backend_b):
    dst = counting_a()
    other = PeopleOnly()
    shared = dst.get("person", "alice")
    other.add(shared)  # the same object in a second store
    diff = dst.diff_from(backend_b)
    assert len(other.diff_from(PeopleOnly())) == 1  # marks alice for another diff
    dst.looked_up.clear()
    dst.sync_from(backend_b, diff=diff)
    assert shared.get_status() == UNKNOWN
    assert len(dst.looked_up) == len(diff)

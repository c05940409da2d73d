"""A sync into a RedisStore skips the unchanged part of a diff, as one into a LocalStore does.

The skip (diffsync/_quiet_sync.py) needs the store to tell whether any model was removed,
replaced or forgotten since the diff; RedisStore counts those in the instance. These tests
compare a skipping sync with a visiting one (a syncer subclass replacing a step) on the same
data: same statuses, same store in Redis; then they pin when the skip must not happen.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis_models import BASE, CHANGED, Inventory

from diffsync.diff import DiffElement
from diffsync.enum import DiffSyncFlags
from diffsync.helpers import DiffSyncSyncer


class VisitingSyncer(DiffSyncSyncer):
    """Replaces a step with the same behaviour, so every element is visited (upstream's way)."""

    def sync_diff_element(self, element: DiffElement, parent_model: Any = None) -> bool:
        return super().sync_diff_element(element, parent_model)


class Counting(Inventory):
    """Records the destination lookups the syncer makes."""

    looked_up: list[tuple[str, str]] = []

    def get_or_none(self, obj: Any, identifier: Any) -> Any:
        self.looked_up.append((obj.get_type(), obj.create_unique_id(**identifier)))
        return super().get_or_none(obj, identifier)


def _source(data: Any) -> Inventory:
    source = Inventory()
    source.data = data
    source.load()
    return source


def _loaded(make_store, store_id: str) -> Counting:
    adapter = Counting(internal_storage_engine=make_store(store_id=store_id))
    adapter.data = BASE
    adapter.load()
    adapter.store.flush()
    adapter.looked_up = []
    return adapter


def _state(adapter: Inventory) -> dict[tuple[str, str], Any]:
    return {
        (name, obj.get_unique_id()): (obj.model_dump(exclude={"adapter"}), obj.get_status())
        for name in sorted(adapter.get_all_model_names())
        for obj in adapter.get_all(name)
    }


def _sync(dst: Inventory, src: Inventory, syncer_class: type[DiffSyncSyncer]) -> None:
    diff = dst.diff_from(src)
    dst.looked_up = []
    syncer_class(diff, src, dst, DiffSyncFlags.NONE).perform_sync()
    dst.store.flush()


def test_a_sync_into_redis_skips_the_unchanged_elements_with_the_same_outcome(make_store):
    skipping, visiting = _loaded(make_store, "quiet-skip"), _loaded(make_store, "quiet-visit")
    diff_size = len(skipping.diff_from(_source(CHANGED)))
    _sync(skipping, _source(CHANGED), DiffSyncSyncer)
    _sync(visiting, _source(CHANGED), VisitingSyncer)
    assert len(visiting.looked_up) == diff_size
    assert 0 < len(skipping.looked_up) < diff_size
    assert ("interface", "ams-r2__eth0") not in skipping.looked_up  # unchanged, parent unchanged
    assert _state(skipping) == _state(visiting)
    # What Redis holds, read by fresh store instances.
    reread_skipping = Inventory(internal_storage_engine=make_store(store_id="quiet-skip"))
    reread_visiting = Inventory(internal_storage_engine=make_store(store_id="quiet-visit"))
    assert {key: dump for key, (dump, _) in _state(reread_skipping).items()} == {
        key: dump for key, (dump, _) in _state(reread_visiting).items()
    }
    assert not reread_skipping.diff_from(_source(CHANGED)).has_diffs()


def _refresh(adapter: Inventory) -> None:
    adapter.store.refresh()


def _replace(adapter: Inventory) -> None:
    old = adapter.get("interface", "ams-r2__eth0")
    adapter.update(old.model_copy())


def _remove(adapter: Inventory) -> None:
    adapter.remove(adapter.get("interface", "ams-r2__eth0"))


@pytest.mark.parametrize("change", [_refresh, _replace, _remove])
def test_a_redis_store_that_forgot_removed_or_replaced_models_is_visited_whole(make_store, change):
    dst = _loaded(make_store, "quiet-changed")
    src = _source(CHANGED)
    diff = dst.diff_from(src)
    version = dst.store._membership_version()
    change(dst)
    assert dst.store._membership_version() != version
    dst.looked_up = []
    DiffSyncSyncer(diff, src, dst, DiffSyncFlags.CONTINUE_ON_FAILURE).perform_sync()
    assert len(dst.looked_up) == len(diff)


def test_clear_counts_as_removing_every_model(make_store):
    dst = _loaded(make_store, "quiet-cleared")
    version = dst.store._membership_version()
    dst.store.clear()
    assert dst.store._membership_version() != version

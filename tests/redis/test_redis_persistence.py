"""What reaches Redis: changes made after `add`, syncs, and the bugs of upstream's RedisStore.

"Reopened" means a second RedisStore on the same store_id, which reads only what Redis holds.
"""

from __future__ import annotations

import json

import pytest
from redis_models import BaseInventory, ChangedInventory, Device, Interface, Inventory, Site


@pytest.fixture
def reopen(make_store):
    """Build a new adapter over the same store_id: it sees Redis, not this process's objects."""

    def build(adapter_class=Inventory):
        return adapter_class(internal_storage_engine=make_store())

    return build


@pytest.fixture
def loaded(make_store):
    """BaseInventory loaded into Redis by the usual add-then-add_child pattern, then flushed."""
    adapter = BaseInventory(internal_storage_engine=make_store())
    adapter.load()
    adapter.store.flush()
    return adapter


def test_children_attached_after_add_are_stored(loaded, reopen):
    assert reopen().get(Site, "ams").devices == ["ams-r1", "ams-r2"]


def test_reopened_store_diffs_empty_against_the_same_data(loaded, reopen):
    source = BaseInventory()
    source.load()
    assert not reopen().diff_from(source).has_diffs()


def test_reopened_store_keeps_insertion_order(loaded, reopen):
    assert [device.name for device in reopen().get_all(Device)] == ["ams-r1", "ams-r2", "nyc-r1"]


def test_updates_made_by_a_sync_are_stored(loaded, reopen):
    source = ChangedInventory()
    source.load()
    loaded.sync_from(source)
    assert reopen().get(Device, "ams-r1").role == "leaf"


def test_sync_that_deletes_children_leaves_no_dangling_references(loaded, reopen):
    source = ChangedInventory()
    source.load()
    loaded.sync_from(source)
    assert reopen().get(Site, "nyc").devices == []
    assert reopen().get(Device, "ams-r1").interfaces == ["ams-r1__eth0", "ams-r1__eth2"]


def test_re_diff_after_a_sync_with_deletes_is_empty_in_a_new_store(loaded, reopen):
    source = ChangedInventory()
    source.load()
    loaded.sync_from(source)
    assert not reopen().diff_from(source).has_diffs()


def test_re_diff_after_a_sync_is_empty_in_the_same_store(loaded):
    source = ChangedInventory()
    source.load()
    loaded.sync_from(source)
    assert not loaded.diff_from(source).has_diffs()


def test_sync_into_a_reopened_store_then_re_diff_is_empty(loaded, reopen):
    source = ChangedInventory()
    source.load()
    target = reopen()
    target.sync_from(source)
    assert not reopen().diff_from(source).has_diffs()


def test_created_parents_store_their_new_children(loaded, reopen):
    source = ChangedInventory()
    source.load()
    loaded.sync_from(source)
    assert reopen().get(Site, "sfo").devices == ["sfo-r1"]


def test_deleted_objects_are_gone_from_redis(loaded, reopen):
    source = ChangedInventory()
    source.load()
    loaded.sync_from(source)
    assert reopen().get_or_none(Device, "nyc-r1") is None
    assert reopen().get_or_none(Interface, "ams-r1__eth1") is None


def test_update_or_instantiate_on_an_existing_object_is_stored(loaded, reopen):
    loaded.update_or_instantiate(Device, {"name": "ams-r2"}, {"role": "border"})
    loaded.store.flush()
    assert reopen().get(Device, "ams-r2").role == "border"


def test_update_or_add_model_instance_is_stored(loaded, reopen):
    loaded.update_or_add_model_instance(Device(name="ams-r2", role="border"))
    loaded.store.flush()
    assert reopen().get(Device, "ams-r2").role == "border"


def test_remove_child_after_flush_is_stored(loaded, reopen):
    site = loaded.get(Site, "ams")
    site.remove_child(loaded.get(Device, "ams-r2"))
    loaded.store.flush()
    assert reopen().get(Site, "ams").devices == ["ams-r1"]


def test_attribute_set_after_flush_is_stored_by_the_next_diff(loaded, reopen):
    loaded.get(Site, "ams").region = "emea"
    loaded.diff_from(BaseInventory())
    assert reopen().get(Site, "ams").region == "emea"


def test_remove_is_stored(loaded, reopen):
    loaded.remove(loaded.get(Interface, "nyc-r1__eth0"))
    loaded.store.flush()
    assert reopen().count(Interface) == 3


def test_remove_with_children_is_stored(loaded, reopen):
    loaded.remove(loaded.get(Device, "ams-r1"), remove_children=True)
    loaded.store.flush()
    assert reopen().count() == loaded.count() == 6


def test_nothing_is_written_before_a_flush(make_store, reopen):
    adapter = Inventory(internal_storage_engine=make_store())
    adapter.add(Site(name="ams"))
    assert reopen().count() == 0


def test_values_are_the_models_json_without_the_adapter(loaded, admin):
    raw = admin.hget(f"diffsync:{{{loaded.store.store_id}}}:data:site", "ams")
    assert json.loads(raw) == {
        "model_flags": 0,
        "name": "ams",
        "region": "eu",
        "devices": ["ams-r1", "ams-r2"],
    }


def test_a_model_class_defined_inside_a_function_can_be_stored(make_store, reopen):
    class Local(Inventory):
        class site(Site):  # the adapter attribute must be named after the model
            note: str = ""

    adapter = Local(internal_storage_engine=make_store())
    adapter.add(Local.site(name="ams", note="pickle could not store this class"))
    adapter.store.flush()
    assert reopen(Local).get("site", "ams").note == "pickle could not store this class"

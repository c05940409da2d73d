"""Status bookkeeping and the CRUD hooks a sync calls."""

from __future__ import annotations

from library_inventory import Device, InventoryAdapter

from diffsync import DiffSyncModel
from diffsync.enum import DiffSyncStatus


def test_fresh_model_reports_success_with_empty_message():
    assert Device(name="r1").get_status() == (DiffSyncStatus.SUCCESS, "")


def test_set_status_is_reported_by_get_status():
    device = Device(name="r1")
    device.set_status(DiffSyncStatus.ERROR, "cable cut")
    assert device.get_status() == (DiffSyncStatus.ERROR, "cable cut")


def test_set_status_message_defaults_to_empty():
    device = Device(name="r1")
    device.set_status(DiffSyncStatus.FAILURE)
    assert device.get_status() == (DiffSyncStatus.FAILURE, "")


def test_create_base_builds_instance_with_adapter_and_created_status():
    adapter = InventoryAdapter()
    device = Device.create_base(adapter=adapter, ids={"name": "r1"}, attrs={"role": "edge"})
    assert isinstance(device, Device)
    assert (device.name, device.role, device.adapter) == ("r1", "edge", adapter)
    assert device.get_status() == (DiffSyncStatus.SUCCESS, "Created successfully")


def test_create_base_does_not_store_the_instance():
    adapter = InventoryAdapter()
    Device.create_base(adapter=adapter, ids={"name": "r1"}, attrs={})
    assert adapter.count() == 0


def test_create_delegates_to_create_base():
    adapter = InventoryAdapter()
    device = Device.create(adapter=adapter, ids={"name": "r1"}, attrs={"role": "edge"})
    assert device.get_status() == (DiffSyncStatus.SUCCESS, "Created successfully")
    assert device.role == "edge"


def test_update_base_sets_any_attribute_without_validation():
    device = Device(name="r1")
    result = device.update_base(attrs={"role": 7, "site_name": "hq", "name": "renamed"})
    assert result is device
    assert (device.role, device.site_name, device.name) == (7, "hq", "renamed")


def test_update_base_sets_updated_status():
    device = Device(name="r1")
    device.update_base(attrs={})
    assert device.get_status() == (DiffSyncStatus.SUCCESS, "Updated successfully")


def test_update_delegates_to_update_base():
    device = Device(name="r1")
    assert device.update(attrs={"role": "core"}) is device
    assert device.role == "core"
    assert device.get_status() == (DiffSyncStatus.SUCCESS, "Updated successfully")


def test_delete_base_sets_deleted_status_and_returns_self():
    device = Device(name="r1")
    assert device.delete_base() is device
    assert device.get_status() == (DiffSyncStatus.SUCCESS, "Deleted successfully")


def test_delete_does_not_touch_the_store():
    adapter = InventoryAdapter()
    device = Device(name="r1")
    adapter.add(device)
    assert device.delete() is device
    assert adapter.get(Device, "r1") is device
    assert device.get_status() == (DiffSyncStatus.SUCCESS, "Deleted successfully")


def test_base_model_create_base_works_without_fields():
    model = DiffSyncModel.create_base(adapter=None, ids={}, attrs={})
    assert model.get_status() == (DiffSyncStatus.SUCCESS, "Created successfully")

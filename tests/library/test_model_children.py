"""add_child / remove_child keep child unique ids in the parent's list field."""

from __future__ import annotations

import pytest
from library_inventory import Device, Interface, InventoryAdapter, Person, Site

from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound, ObjectStoreWrongType


def test_add_child_appends_the_child_unique_id():
    device = Device(name="r1")
    device.add_child(Interface(device_name="r1", name="eth0"))
    device.add_child(Interface(device_name="r1", name="eth1"))
    assert device.interfaces == ["r1__eth0", "r1__eth1"]


def test_add_child_routes_by_child_type():
    site = Site(name="hq")
    site.add_child(Person(name="alice"))
    assert (site.devices, site.people) == ([], ["alice"])


def test_add_child_of_undeclared_type_names_valid_types():
    with pytest.raises(ObjectStoreWrongType) as error:
        Site(name="hq").add_child(Interface(device_name="r1", name="eth0"))
    assert (
        str(error.value)
        == "Unable to store interface as a child of site; valid types are ['device', 'person']"
    )


def test_add_child_twice_raises_already_exists_with_the_child():
    device = Device(name="r1")
    device.add_child(Interface(device_name="r1", name="eth0"))
    again = Interface(device_name="r1", name="eth0")
    with pytest.raises(ObjectAlreadyExists) as error:
        device.add_child(again)
    assert error.value.args[0] == "Already storing a interface with unique_id r1__eth0"
    assert error.value.existing_object is again


def test_remove_child_removes_the_unique_id():
    device = Device(name="r1", interfaces=["r1__eth0", "r1__eth1"])
    device.remove_child(Interface(device_name="r1", name="eth0"))
    assert device.interfaces == ["r1__eth1"]


def test_remove_child_of_undeclared_type_names_valid_types():
    with pytest.raises(ObjectStoreWrongType) as error:
        Device(name="r1").remove_child(Person(name="alice"))
    assert (
        str(error.value)
        == "Unable to find and delete person as a child of device; valid types are ['interface']"
    )


def test_remove_child_not_in_list_raises_not_found_naming_field():
    with pytest.raises(ObjectNotFound) as error:
        Device(name="r1").remove_child(Interface(device_name="r1", name="eth9"))
    assert str(error.value) == "r1__eth9 was not found as a child in interfaces"


def test_add_child_does_not_store_the_child():
    adapter = InventoryAdapter()
    device = Device(name="r1")
    adapter.add(device)
    device.add_child(Interface(device_name="r1", name="eth0"))
    assert adapter.count() == 1


def test_remove_child_does_not_remove_the_child_from_the_store():
    adapter = InventoryAdapter()
    interface = Interface(device_name="r1", name="eth0")
    device = Device(name="r1", interfaces=["r1__eth0"])
    adapter.add(device)
    adapter.add(interface)
    device.remove_child(interface)
    assert adapter.get(Interface, "r1__eth0") is interface

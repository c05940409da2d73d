"""Adapter methods that pass through to its store."""

from __future__ import annotations

import pytest
from library_inventory import Device, Interface, InventoryAdapter, Person, Site

from diffsync import Adapter
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound


def test_get_all_model_names_lists_stored_types(backend_a):
    assert backend_a.get_all_model_names() == {"site", "device", "interface", "person"}


def test_get_by_class_and_uid(backend_a):
    assert backend_a.get(Interface, "nyc-edge1__eth0").description == "uplink"


def test_get_by_instance_and_uid(backend_a):
    assert backend_a.get(Interface(device_name="x", name="y"), "nyc-edge1__eth1").description == "lan"


def test_get_by_modelname_string_and_uid(backend_a):
    assert backend_a.get("device", "sfo-core1").role == "core"


def test_get_by_class_and_identifier_dict(backend_a):
    assert (
        backend_a.get(Interface, {"device_name": "atl-edge1", "name": "eth1"}).get_unique_id()
        == "atl-edge1__eth1"
    )


def test_get_by_modelname_string_and_identifier_dict_uses_the_adapter_attribute(backend_a):
    assert backend_a.get("interface", {"name": "eth0", "device_name": "sfo-edge1"}).description == "uplink"


def test_get_with_unknown_modelname_and_identifier_dict_is_a_value_error(backend_a):
    with pytest.raises(ValueError):
        backend_a.get("vlan", {"id": 10})


def test_get_missing_object_raises_not_found(backend_a):
    with pytest.raises(ObjectNotFound):
        backend_a.get(Site, "rdu")


def test_get_or_none_returns_none_for_a_missing_object(backend_a):
    assert backend_a.get_or_none(Site, "rdu") is None


def test_get_or_none_returns_a_found_object(backend_a):
    assert backend_a.get_or_none("site", "nyc").region == "us-east"


def test_get_or_none_still_raises_value_error_for_unresolvable_dict(backend_a):
    with pytest.raises(ValueError):
        backend_a.get_or_none("vlan", {"id": 10})


def test_get_all_returns_objects_of_the_type(backend_a):
    assert [site.name for site in backend_a.get_all(Site)] == ["nyc", "sfo", "atl"]


def test_get_all_of_an_unknown_type_is_empty(backend_a):
    assert backend_a.get_all("vlan") == []


def test_get_by_uids_takes_uids_first_and_keeps_their_order(backend_a):
    people = backend_a.get_by_uids(["dave", "alice", "bob"], Person)
    assert [p.name for p in people] == ["dave", "alice", "bob"]


def test_get_by_uids_with_a_missing_uid_raises_not_found(backend_a):
    with pytest.raises(ObjectNotFound):
        backend_a.get_by_uids(["alice", "zoe"], "person")


def test_get_by_uids_of_no_uids_is_empty(backend_a):
    assert backend_a.get_by_uids([], Person) == []


def test_add_of_a_different_object_with_a_stored_uid_raises_already_exists(backend_a):
    duplicate = Site(name="nyc", region="elsewhere")
    with pytest.raises(ObjectAlreadyExists) as error:
        backend_a.add(duplicate)
    assert error.value.existing_object is duplicate


def test_add_of_the_same_object_again_is_a_no_op(backend_a):
    site = backend_a.get(Site, "nyc")
    backend_a.add(site)
    assert backend_a.count(Site) == 3


def test_update_replaces_the_stored_object(backend_a):
    backend_a.update(Site(name="nyc", region="moved"))
    assert backend_a.get(Site, "nyc").region == "moved"
    assert backend_a.count(Site) == 3


def test_update_stores_an_object_that_was_not_stored(backend_a):
    backend_a.update(Site(name="rdu"))
    assert backend_a.get(Site, "rdu").name == "rdu"


def test_remove_deletes_the_object(backend_a):
    backend_a.remove(backend_a.get(Person, "alice"))
    assert backend_a.get_or_none(Person, "alice") is None


def test_remove_with_children_removes_the_subtree(backend_a):
    backend_a.remove(backend_a.get(Site, "nyc"), remove_children=True)
    assert backend_a.count() == 23 - 8


def test_remove_of_a_missing_object_raises_not_found(backend_a):
    with pytest.raises(ObjectNotFound):
        backend_a.remove(Site(name="rdu"))


def test_get_or_instantiate_returns_existing_and_false(backend_a):
    site, created = backend_a.get_or_instantiate(Site, {"name": "nyc"}, {"region": "ignored"})
    assert (site.region, created) == ("us-east", False)


def test_get_or_instantiate_builds_and_adds_when_missing(backend_a):
    _site, created = backend_a.get_or_instantiate(Site, {"name": "rdu"}, {"region": "us-east"})
    assert created is True
    assert backend_a.get(Site, "rdu").region == "us-east"


def test_get_or_add_model_instance_returns_the_stored_object_and_false(backend_a):
    obj, added = backend_a.get_or_add_model_instance(Site(name="nyc", region="other"))
    assert (obj.region, added) == ("us-east", False)


def test_get_or_add_model_instance_adds_a_new_object(backend_a):
    new = Site(name="rdu")
    obj, added = backend_a.get_or_add_model_instance(new)
    assert (obj.name, added) == ("rdu", True)
    assert backend_a.count(Site) == 4


def test_update_or_instantiate_updates_existing_attributes(backend_a):
    site, created = backend_a.update_or_instantiate(Site, {"name": "nyc"}, {"region": "moved"})
    assert (site.region, created) == ("moved", False)
    assert backend_a.get(Site, "nyc").region == "moved"


def test_update_or_instantiate_builds_when_missing(backend_a):
    site, created = backend_a.update_or_instantiate(Site, {"name": "rdu"}, {})
    assert (site.name, created) == ("rdu", True)


def test_update_or_add_model_instance_copies_attributes_onto_existing(backend_a):
    obj, added = backend_a.update_or_add_model_instance(Site(name="nyc", region="moved"))
    assert (obj.region, added) == ("moved", False)


def test_update_or_add_model_instance_adds_a_new_object(backend_a):
    obj, added = backend_a.update_or_add_model_instance(Device(name="new1"))
    assert (obj.name, added) == ("new1", True)


def test_count_without_model_counts_everything(backend_a):
    assert backend_a.count() == 23


def test_count_per_model(backend_a):
    counts = {name: backend_a.count(name) for name in ("site", "device", "interface", "person")}
    assert counts == {"site": 3, "device": 5, "interface": 11, "person": 4}


def test_count_accepts_a_model_class(backend_a):
    assert backend_a.count(Person) == 4


def test_empty_adapter_counts_zero():
    assert InventoryAdapter().count() == 0
    assert Adapter().get_all_model_names() == set()


def test_update_or_instantiate_requires_attrs(backend_a):
    with pytest.raises(TypeError):
        backend_a.update_or_instantiate(Site, {"name": "rdu"})


def test_get_by_instance_and_identifier_dict(backend_a):
    assert backend_a.get(Site(name="x"), {"name": "sfo"}).region == "us-west"

"""The store contract every store must honour (run once per ``store_factory`` param).

These tests compare stored objects by value (``dict()``), never by identity, and do not rely
on insertion order of ``get_all``: a store may hand out copies and may enumerate in any order.
Parents are built with their child lists filled in before they are added, so a store that
persists a snapshot at ``add`` time sees the same data as one that keeps the live object.
"""

from __future__ import annotations

import pytest
from library_inventory import Device, Interface, InventoryAdapter, Person, Site

from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound


@pytest.fixture
def adapter(store_factory) -> InventoryAdapter:
    return InventoryAdapter(internal_storage_engine=store_factory())


@pytest.fixture
def store(adapter):
    return adapter.store


@pytest.fixture
def hq_tree(store):
    """Site hq with device r1 (interfaces eth0, eth1) and person ann, all stored."""
    objects = [
        Site(name="hq", region="emea", devices=["r1"], people=["ann"]),
        Device(name="r1", site_name="hq", interfaces=["r1__eth0", "r1__eth1"]),
        Interface(device_name="r1", name="eth0"),
        Interface(device_name="r1", name="eth1"),
        Person(name="ann"),
    ]
    for obj in objects:
        store.add(obj=obj)
    return objects


def uids(objects):
    return sorted(obj.get_unique_id() for obj in objects)


def test_new_store_is_empty(store):
    assert store.count() == 0
    assert store.get_all_model_names() == set()


def test_store_is_bound_to_its_adapter(store, adapter):
    assert store.adapter is adapter


def test_added_object_can_be_fetched_by_class_and_uid(store):
    site = Site(name="hq", region="emea")
    store.add(obj=site)
    assert store.get(model=Site, identifier="hq").dict() == site.dict()


def test_added_object_can_be_fetched_by_modelname(store):
    store.add(obj=Site(name="hq", region="emea"))
    assert store.get(model="site", identifier="hq").region == "emea"


def test_added_object_can_be_fetched_by_instance(store):
    store.add(obj=Site(name="hq", region="emea"))
    assert store.get(model=Site(name="other"), identifier="hq").region == "emea"


def test_added_object_can_be_fetched_by_identifier_dict(store):
    store.add(obj=Interface(device_name="r1", name="eth0", description="uplink"))
    fetched = store.get(model=Interface, identifier={"device_name": "r1", "name": "eth0"})
    assert fetched.description == "uplink"


def test_modelname_with_identifier_dict_resolves_through_the_adapter(store):
    store.add(obj=Interface(device_name="r1", name="eth0", description="uplink"))
    assert (
        store.get(model="interface", identifier={"name": "eth0", "device_name": "r1"}).description == "uplink"
    )


def test_unknown_modelname_with_identifier_dict_is_a_value_error(store):
    with pytest.raises(ValueError, match=r"^Invalid args: "):
        store.get(model="vlan", identifier={"id": 10})


def test_fetched_object_is_bound_to_the_store_adapter(store, adapter):
    store.add(obj=Site(name="hq"))
    assert store.get(model=Site, identifier="hq").adapter is adapter


def test_get_of_a_missing_object_raises_not_found_naming_model_and_uid(store):
    with pytest.raises(ObjectNotFound) as error:
        store.get(model=Site, identifier="rdu")
    assert "site" in str(error.value)
    assert "rdu" in str(error.value)


def test_store_methods_take_keyword_arguments_only(store):
    store.add(obj=Site(name="hq"))
    with pytest.raises(TypeError):
        store.get(Site, "hq")


def test_add_of_a_different_object_under_a_stored_uid_raises_already_exists(store):
    store.add(obj=Site(name="hq", region="emea"))
    duplicate = Site(name="hq", region="apac")
    with pytest.raises(ObjectAlreadyExists) as error:
        store.add(obj=duplicate)
    assert error.value.existing_object is duplicate
    assert store.get(model=Site, identifier="hq").region == "emea"


def test_add_of_the_same_object_twice_stores_it_once(store):
    site = Site(name="hq")
    store.add(obj=site)
    store.add(obj=site)
    assert store.count() == 1


def test_update_replaces_the_stored_object(store):
    store.add(obj=Site(name="hq", region="emea"))
    store.update(obj=Site(name="hq", region="apac"))
    assert store.get(model=Site, identifier="hq").region == "apac"
    assert store.count() == 1


def test_update_stores_an_object_that_was_not_stored(store):
    store.update(obj=Site(name="hq", region="apac"))
    assert store.get(model="site", identifier="hq").region == "apac"


def test_remove_deletes_the_object(store):
    store.add(obj=Site(name="hq"))
    store.add(obj=Site(name="dc"))
    store.remove(obj=store.get(model=Site, identifier="hq"))
    assert uids(store.get_all(model=Site)) == ["dc"]
    with pytest.raises(ObjectNotFound):
        store.get(model=Site, identifier="hq")


def test_remove_unbinds_the_removed_object_from_a_non_empty_adapter(store):
    store.add(obj=Site(name="hq"))
    store.add(obj=Site(name="dc"))
    removed = store.get(model=Site, identifier="hq")
    store.remove(obj=removed)
    assert removed.adapter is None


def test_remove_of_a_missing_object_raises_not_found(store):
    with pytest.raises(ObjectNotFound):
        store.remove(obj=Site(name="rdu"))


def test_remove_without_children_keeps_the_children(store, hq_tree):
    store.remove(obj=store.get(model=Site, identifier="hq"))
    assert store.count() == 4
    assert store.get(model=Interface, identifier="r1__eth1").name == "eth1"


def test_remove_with_children_removes_the_whole_subtree(store, hq_tree):
    store.add(obj=Person(name="bo"))
    store.remove(obj=store.get(model=Site, identifier="hq"), remove_children=True)
    assert store.count() == 1
    assert uids(store.get_all(model=Person)) == ["bo"]


def test_remove_with_a_missing_child_logs_an_error_and_continues(log, store):
    store.add(obj=Site(name="hq", devices=["ghost", "r1"]))
    store.add(obj=Device(name="r1"))
    store.remove(obj=store.get(model=Site, identifier="hq"), remove_children=True)
    assert store.count() == 0
    assert log.has(
        "Unable to remove child element as it was not found!",
        level="error",
        child_type="device",
        child_id="ghost",
        parent_type="site",
        parent_id="hq",
    )
    assert [event["store"] for event in log.events if event["event"].startswith("Unable")] == [store]


def test_count_without_model_counts_all_objects(store, hq_tree):
    assert store.count() == 5


def test_count_per_model(store, hq_tree):
    assert (store.count(model="interface"), store.count(model=Site), store.count(model="vlan")) == (2, 1, 0)


def test_get_all_returns_every_object_of_the_type(store, hq_tree):
    assert uids(store.get_all(model=Interface)) == ["r1__eth0", "r1__eth1"]
    assert uids(store.get_all(model="person")) == ["ann"]


def test_get_all_of_an_unknown_type_is_empty(store):
    assert store.get_all(model="vlan") == []


def test_get_all_model_names_lists_the_types_with_objects(store, hq_tree):
    assert store.get_all_model_names() == {"site", "device", "interface", "person"}


def test_get_by_uids_returns_objects_in_the_order_asked(store):
    for name in ("a", "b", "c"):
        store.add(obj=Person(name=name))
    assert [p.name for p in store.get_by_uids(uids=["c", "a", "b"], model=Person)] == ["c", "a", "b"]


def test_get_by_uids_with_a_missing_uid_raises_not_found(store):
    store.add(obj=Person(name="a"))
    with pytest.raises(ObjectNotFound, match="zed"):
        store.get_by_uids(uids=["a", "zed"], model="person")


def test_get_by_uids_of_no_uids_is_empty(store):
    assert store.get_by_uids(uids=[], model=Person) == []


def test_get_or_instantiate_returns_an_existing_object_unmodified(store):
    store.add(obj=Site(name="hq", region="emea"))
    site, created = store.get_or_instantiate(model=Site, ids={"name": "hq"}, attrs={"region": "apac"})
    assert (site.region, created) == ("emea", False)
    assert store.get(model=Site, identifier="hq").region == "emea"


def test_get_or_instantiate_builds_and_stores_a_missing_object(store):
    site, created = store.get_or_instantiate(model=Site, ids={"name": "hq"}, attrs={"region": "apac"})
    assert (site.name, site.region, created) == ("hq", "apac", True)
    assert store.get(model=Site, identifier="hq").region == "apac"


def test_get_or_instantiate_without_attrs_uses_defaults(store):
    site, created = store.get_or_instantiate(model=Site, ids={"name": "hq"})
    assert (site.region, created) == ("", True)


def test_get_or_add_model_instance_returns_the_stored_object(store):
    store.add(obj=Site(name="hq", region="emea"))
    site, added = store.get_or_add_model_instance(Site(name="hq", region="apac"))
    assert (site.region, added) == ("emea", False)


def test_get_or_add_model_instance_adds_a_new_object(store):
    new = Site(name="hq", region="apac")
    site, added = store.get_or_add_model_instance(new)
    assert (site.dict(), added) == (new.dict(), True)
    assert store.count(model=Site) == 1


def test_update_or_instantiate_updates_an_existing_object(store):
    store.add(obj=Site(name="hq", region="emea", people=["ann"]))
    site, created = store.update_or_instantiate(model=Site, ids={"name": "hq"}, attrs={"region": "apac"})
    assert (site.region, site.people, created) == ("apac", ["ann"], False)
    assert store.get(model=Site, identifier="hq").region == "apac"


def test_update_or_instantiate_builds_a_missing_object(store):
    site, created = store.update_or_instantiate(model=Site, ids={"name": "hq"}, attrs={"region": "apac"})
    assert (site.region, created) == ("apac", True)
    assert store.get(model=Site, identifier="hq").region == "apac"


def test_update_or_add_model_instance_copies_attributes_onto_the_stored_object(store):
    store.add(obj=Site(name="hq", region="emea", people=["ann"]))
    site, added = store.update_or_add_model_instance(Site(name="hq", region="apac"))
    assert (site.region, site.people, added) == ("apac", ["ann"], False)
    assert store.get(model=Site, identifier="hq").region == "apac"


def test_update_or_add_model_instance_adds_a_new_object(store):
    site, added = store.update_or_add_model_instance(Site(name="hq", region="apac"))
    assert (site.region, added) == ("apac", True)
    assert store.count() == 1


def test_models_without_identifiers_are_stored_under_an_empty_uid(store):
    from diffsync import DiffSyncModel

    store.add(obj=DiffSyncModel())
    assert store.get(model=DiffSyncModel, identifier="").get_unique_id() == ""
    assert store.count(model="diffsyncmodel") == 1


def test_adapter_round_trip_through_the_store(adapter, backend_a):
    adapter.load_from_dict(backend_a.dict())
    assert adapter.dict() == backend_a.dict()
    assert not adapter.diff_from(backend_a).has_diffs()

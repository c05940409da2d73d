"""LocalStore specifics (identity, insertion order, bucket quirks, messages)."""

from __future__ import annotations

import pytest
from library_inventory import Device, InventoryAdapter, Person, Site

from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound
from diffsync.store.local import LocalStore


@pytest.fixture
def adapter() -> InventoryAdapter:
    return InventoryAdapter()


@pytest.fixture
def store(adapter) -> LocalStore:
    return adapter.store


def test_get_returns_the_stored_object_itself(store):
    site = Site(name="hq")
    store.add(obj=site)
    assert store.get(model=Site, identifier="hq") is site


def test_get_all_keeps_insertion_order(store):
    for name in ("c", "a", "b"):
        store.add(obj=Person(name=name))
    assert [p.name for p in store.get_all(model=Person)] == ["c", "a", "b"]


def test_missing_object_message_names_model_uid_and_store(store):
    with pytest.raises(ObjectNotFound) as error:
        store.get(model=Site, identifier="rdu")
    assert str(error.value) == "site rdu not present in LocalStore"


def test_missing_object_message_uses_the_store_name():
    store = LocalStore(name="inventory")
    with pytest.raises(ObjectNotFound) as error:
        store.get(model="site", identifier="rdu")
    assert str(error.value) == "site rdu not present in inventory"


def test_get_by_uids_reports_the_first_missing_uid(store):
    store.add(obj=Person(name="a"))
    with pytest.raises(ObjectNotFound) as error:
        store.get_by_uids(uids=["a", "x", "y"], model=Person)
    assert str(error.value) == "person x not present in LocalStore"


def test_remove_item_of_a_missing_uid_raises_with_the_same_message(store):
    with pytest.raises(ObjectNotFound) as error:
        store.remove_item("site", "rdu")
    assert str(error.value) == "site rdu not present in LocalStore"


def test_remove_item_deletes_by_modelname_and_uid(store):
    store.add(obj=Site(name="hq"))
    store.remove_item("site", "hq")
    assert store.count() == 0


def test_duplicate_add_message_names_the_uid(store):
    store.add(obj=Site(name="hq"))
    with pytest.raises(ObjectAlreadyExists) as error:
        store.add(obj=Site(name="hq"))
    assert error.value.args[0] == "Object hq already present"


def test_add_binds_an_unbound_object_to_the_store_adapter(store, adapter):
    site = Site(name="hq")
    store.add(obj=site)
    assert site.adapter is adapter


def test_add_keeps_an_object_bound_to_a_non_empty_adapter(store):
    other = InventoryAdapter()
    other.add(Person(name="x"))
    site = Site(name="hq", adapter=other)
    store.add(obj=site)
    assert site.adapter is other


def test_add_rebinds_an_object_whose_adapter_is_empty(store, adapter):
    site = Site(name="hq", adapter=InventoryAdapter())
    store.add(obj=site)
    assert site.adapter is adapter


def test_update_does_not_bind_the_adapter(store):
    site = Site(name="hq")
    store.update(obj=site)
    assert site.adapter is None
    assert store.get(model=Site, identifier="hq") is site


def test_failed_lookup_leaves_an_empty_bucket(store, adapter):
    with pytest.raises(ObjectNotFound):
        store.get(model="foo", identifier="bar")
    assert store.get_all_model_names() == {"foo"}
    assert adapter.dict() == {"foo": {}}


def test_emptied_model_still_appears_in_adapter_dict(adapter):
    adapter.add(Device(name="r1"))
    adapter.add(Person(name="ann"))
    adapter.remove(adapter.get(Device, "r1"))
    assert adapter.dict() == {"device": {}, "person": {"ann": {"name": "ann"}}}


def test_count_with_empty_model_name_counts_everything(store):
    store.add(obj=Site(name="hq"))
    store.add(obj=Person(name="ann"))
    assert store.count(model="") == 2


def test_removing_the_last_object_keeps_its_adapter_reference(store, adapter):
    # BaseStore.remove clears obj.adapter only when the adapter is truthy; the adapter is
    # empty (so falsy) once its last object is gone.
    site = Site(name="hq")
    store.add(obj=site)
    store.remove(obj=site)
    assert site.adapter is adapter


def test_default_name_and_str_are_the_class_name():
    store = LocalStore()
    assert store.name == "LocalStore"
    assert str(store) == "LocalStore"


def test_local_store_ignores_extra_positional_and_keyword_arguments():
    store = LocalStore("ignored", 42, name="n", colour="red")
    assert (store.name, store.adapter) == ("n", None)


def test_clear_empties_every_model_so_the_store_can_be_loaded_again(store, adapter):
    store.add(obj=Site(name="hq"))
    store.add(obj=Site(name="branch"))
    store.clear()
    assert (store.count(), store.get_all_model_names()) == (0, set())
    store.add(obj=Site(name="hq"))  # no ObjectAlreadyExists: the old object is gone
    assert store.count() == 1

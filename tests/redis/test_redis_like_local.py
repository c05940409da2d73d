"""Observable results RedisStore shares with LocalStore beyond the shared contract tests:
identity within a process, insertion order, exact messages. Each test runs on LocalStore and on
RedisStore on one server, on the test cluster, and spread over three slot groups of the cluster."""

from __future__ import annotations

import pytest
from redis_models import BaseInventory, Device, Inventory, Site

from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound
from diffsync.store.local import LocalStore


@pytest.fixture(params=["local", "redis", "redis-cluster", "redis-cluster-shards"])
def adapter(request, make_store) -> Inventory:
    if request.param == "local":
        return Inventory(internal_storage_engine=LocalStore)
    if request.param == "redis":
        return Inventory(internal_storage_engine=make_store(name="cache", store_id="like-local"))
    url = request.getfixturevalue("redis_cluster_url")
    shards = 3 if request.param == "redis-cluster-shards" else 1
    return Inventory(
        internal_storage_engine=make_store(name="cache", store_id="like-local", url=url, shards=shards)
    )


def test_get_returns_the_added_object_itself(adapter):
    site = Site(name="ams")
    adapter.add(site)
    assert adapter.get(Site, "ams") is site


def test_get_twice_returns_the_same_object(adapter):
    adapter.add(Site(name="ams"))
    assert adapter.get("site", "ams") is adapter.get(Site, "ams")


def test_add_binds_an_unbound_object_to_the_adapter(adapter):
    site = Site(name="ams")
    adapter.add(site)
    assert site.adapter is adapter


def test_add_of_an_equal_but_different_object_raises_already_exists(adapter):
    adapter.add(Site(name="ams", region="eu"))
    with pytest.raises(ObjectAlreadyExists) as error:
        adapter.add(Site(name="ams", region="eu"))
    assert error.value.args[0] == "Object ams already present"


def test_get_all_keeps_insertion_order(adapter):
    for name in ["zrh", "ams", "nyc", "bru"]:
        adapter.add(Site(name=name))
    assert [site.name for site in adapter.get_all(Site)] == ["zrh", "ams", "nyc", "bru"]


def test_removed_and_re_added_object_moves_to_the_end(adapter):
    for name in ["zrh", "ams", "nyc"]:
        adapter.add(Site(name=name))
    adapter.remove(adapter.get(Site, "zrh"))
    adapter.add(Site(name="zrh"))
    assert [site.name for site in adapter.get_all(Site)] == ["ams", "nyc", "zrh"]


def test_get_by_uids_returns_objects_in_the_order_asked(adapter):
    for name in ["a", "b", "c"]:
        adapter.add(Device(name=name))
    assert [device.name for device in adapter.get_by_uids(["c", "a"], Device)] == ["c", "a"]


def test_get_by_uids_names_the_first_missing_uid(adapter):
    adapter.add(Device(name="a"))
    with pytest.raises(ObjectNotFound, match=r"^device x not present in "):
        adapter.get_by_uids(["a", "x", "y"], Device)


def test_not_found_message_names_model_uid_and_store(adapter):
    with pytest.raises(ObjectNotFound) as error:
        adapter.get(Site, "rdu")
    assert str(error.value) == f"site rdu not present in {adapter.store}"


def test_lookups_of_unknown_model_names_show_up_as_empty_models(adapter):
    adapter.get_by_uids([], "vlan")
    assert adapter.get_all_model_names() == {"vlan"}
    assert adapter.count("vlan") == 0


def test_count_per_model_and_total(adapter):
    adapter.load_from_dict(
        {"site": {"ams": {"name": "ams"}}, "device": {"r1": {"name": "r1"}, "r2": {"name": "r2"}}}
    )
    assert (adapter.count(), adapter.count("site"), adapter.count(Device)) == (3, 1, 2)


def test_dict_of_a_loaded_adapter_matches(adapter):
    loaded = BaseInventory()
    loaded.load()
    adapter.load_from_dict(loaded.dict())
    assert adapter.dict() == loaded.dict()


def test_str_of_a_loaded_adapter_matches(adapter):
    loaded = BaseInventory()
    loaded.load()
    adapter.load_from_dict(loaded.dict())
    assert adapter.str() == loaded.str()

"""Keys changed outside diffsync: each is an `ObjectStoreException` naming the key, and clear() cleans up.

The store's keys are written by a plain client here, as another program or a person at
``redis-cli`` would. None of these must read as "Redis store is unavailable", or as a store
that silently holds other data than was written.
"""

from __future__ import annotations

import json

import pytest
from redis_models import Device, Inventory, Site

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import StoreDataLost


def test_a_field_holding_another_objects_json_is_reported_naming_key_and_field(stored, make_store, admin):
    data_key = stored.store._keys.data("site")
    admin.hset(data_key, "ams", json.dumps({"name": "nyc", "region": "us"}))
    with pytest.raises(ObjectStoreException) as error:
        Inventory(internal_storage_engine=make_store()).get(Site, "ams")
    message = str(error.value)
    assert f"field 'ams' of {data_key} holds the site 'nyc', not 'ams'" in message
    assert "clear() the store" in message


def test_a_meta_key_of_the_wrong_type_is_named_at_construction(make_store, admin, redis_store_id):
    meta = f"diffsync:{{{redis_store_id}}}:meta"
    admin.set(meta, "not a hash")
    try:
        with pytest.raises(ObjectStoreException) as error:
            make_store()
        assert str(error.value).startswith(f"{meta} is a string, not the hash a RedisStore keeps there")
        assert "unavailable" not in str(error.value)
    finally:
        admin.delete(meta)


def test_a_meta_key_replaced_after_construction_is_named_on_the_next_read(make_store, admin):
    store = make_store()
    admin.set(store._keys.meta, "not a hash")
    with pytest.raises(ObjectStoreException, match=r":meta is a string, not the hash"):
        store.get_all_model_names()


def test_an_order_key_of_the_wrong_type_is_named(stored, make_store, admin):
    order_key = stored.store._keys.order("site")
    admin.delete(order_key)
    admin.set(order_key, "not a list")
    with pytest.raises(ObjectStoreException, match=f"{order_key} is a string, not the list"):
        make_store().get_all(model=Site)


def test_a_data_key_of_the_wrong_type_is_named_when_flushing(stored, admin):
    data_key = stored.store._keys.data("device")
    stored.add(Device(name="r1"))
    admin.sadd(data_key, "not a hash")
    with pytest.raises(ObjectStoreException, match=f"flush of {data_key} failed: {data_key} is a set"):
        stored.store.flush()


def test_a_field_added_by_hand_is_reported_as_changed_outside_diffsync(stored, make_store, admin):
    data_key = stored.store._keys.data("site")
    admin.hset(data_key, "sfo", json.dumps({"name": "sfo"}))
    with pytest.raises(StoreDataLost, match=f"{data_key} holds 3 objects but .* records 2"):
        make_store().get_all(model=Site)


def test_a_data_hash_the_store_never_wrote_is_reported(stored, make_store, admin):
    data_key = stored.store._keys.data("device")
    admin.hset(data_key, "r1", json.dumps({"name": "r1"}))
    with pytest.raises(StoreDataLost, match=f"{data_key} holds 1 objects but .* records 0"):
        make_store().count(model=Device)


def test_data_whose_meta_key_was_deleted_is_reported(stored, make_store, admin):
    admin.delete(stored.store._keys.meta)
    with pytest.raises(StoreDataLost, match=r"holds objects but .*:meta holds no epoch"):
        make_store().get_all(model=Site)


def test_a_size_that_is_not_a_number_is_named(stored, make_store, admin):
    admin.hset(stored.store._keys.meta, "n:site", "many")
    with pytest.raises(ObjectStoreException, match=r":meta records 'many' as a model's size"):
        make_store().get_all(model=Site)


def test_clear_removes_every_key_under_the_prefix_whatever_its_type(
    stored, make_store, admin, other_store_id
):
    prefix = stored.store._keys.prefix
    admin.set(f"{prefix}:junk", "a string")
    admin.rpush(f"{prefix}:data:device", "a list where a hash belongs")
    admin.sadd(f"{prefix}:models", "a set of an older layout")
    admin.zadd(f"{prefix}:order:site:extra", {"a": 1})
    neighbour = make_store(store_id=other_store_id)
    neighbour.add(obj=Site(name="ams"))
    neighbour.flush()
    stored.store.clear()
    assert list(admin.scan_iter(match=f"{prefix}:*")) == []
    assert make_store(store_id=other_store_id).count() == 1


def test_clear_works_when_the_meta_key_has_the_wrong_type(stored, admin):
    admin.delete(stored.store._keys.meta)
    admin.set(stored.store._keys.meta, "not a hash")
    stored.store.clear()
    assert list(admin.scan_iter(match=f"{stored.store._keys.prefix}:*")) == []

"""Key layout: one hash tag per store, escaped ids that never collide, O(store) operations."""

from __future__ import annotations

import pytest
from redis.crc import key_slot
from redis_models import BaseInventory, Device, Inventory, Site

STRANGE_IDS = [
    "a:b",
    "a",
    "a:b:data:site",
    "*",
    "a*",
    "{x}",
    "{",
    "}",
    "with space",
    "with  space",
    "%41",
    "A",
]


def keys_of(admin, store):
    """Every key in the database that belongs to `store` (a test-side SCAN, never the store's)."""
    return {key.decode() for key in admin.scan_iter(match=store._keys.prefix.replace("[", "\\[") + ":*")}


def test_stores_with_different_ids_never_see_each_others_objects(make_store):
    stores = {store_id: make_store(store_id=store_id) for store_id in STRANGE_IDS}
    for store_id, store in stores.items():
        store.add(obj=Site(name=store_id))
        store.flush()
    for store_id in STRANGE_IDS:
        fresh = make_store(store_id=store_id)
        assert [site.name for site in fresh.get_all(model=Site)] == [store_id]


def test_clearing_one_store_leaves_a_store_whose_id_it_would_glob_match(make_store, admin):
    star, plain = make_store(store_id="*"), make_store(store_id="plain")
    for store in (star, plain):
        store.add(obj=Site(name="ams"))
        store.flush()
    star.clear()
    assert make_store(store_id="plain").count() == 1


def test_every_key_of_a_store_is_in_one_cluster_slot(make_store, admin):
    store = make_store(store_id="a:{b} c*")
    adapter = BaseInventory(internal_storage_engine=store)
    adapter.load()
    store.flush()
    slots = {key_slot(key.encode()) for key in keys_of(admin, store)}
    assert len(keys_of(admin, store)) == 7
    assert len(slots) == 1


def test_keys_are_prefixed_with_the_escaped_store_id_in_a_hash_tag(make_store, admin):
    store = make_store(store_id="a:{b} c*")
    store.add(obj=Site(name="ams"))
    store.flush()
    assert keys_of(admin, store) == {
        "diffsync:{a%3A%7Bb%7D%20c%2A}:meta",
        "diffsync:{a%3A%7Bb%7D%20c%2A}:data:site",
        "diffsync:{a%3A%7Bb%7D%20c%2A}:order:site",
    }


def test_clear_deletes_every_key_of_the_store(make_store, admin):
    store = make_store()
    adapter = BaseInventory(internal_storage_engine=store)
    adapter.load()
    store.flush()
    store.clear()
    assert keys_of(admin, store) == set()


def test_clear_empties_the_store_for_this_process_too(make_store):
    adapter = BaseInventory(internal_storage_engine=make_store())
    adapter.load()
    adapter.store.flush()
    adapter.store.clear()
    assert (adapter.count(), adapter.get_all_model_names()) == (0, set())


def test_model_names_come_from_the_meta_hash(make_store):
    writer = BaseInventory(internal_storage_engine=make_store())
    writer.load()
    writer.store.flush()
    assert make_store().get_all_model_names() == {"site", "device", "interface"}


@pytest.mark.parametrize("operation", ["count", "get_all", "get_by_uids", "get", "get_all_model_names"])
def test_reads_never_scan_the_keyspace(make_store, admin, operation):
    writer = BaseInventory(internal_storage_engine=make_store())
    writer.load()
    writer.store.flush()
    reader = make_store()
    before = admin.info("commandstats").get("cmdstat_scan", {}).get("calls", 0)
    {
        "count": lambda: reader.count(),
        "get_all": lambda: reader.get_all(model=Device),
        "get_by_uids": lambda: reader.get_by_uids(uids=["nyc-r1"], model=Device),
        "get": lambda: reader.get(model=Device, identifier="nyc-r1"),
        "get_all_model_names": lambda: reader.get_all_model_names(),
    }[operation]()
    assert admin.info("commandstats").get("cmdstat_scan", {}).get("calls", 0) == before


def test_count_of_an_unread_store_uses_hash_lengths(make_store, admin):
    writer = BaseInventory(internal_storage_engine=make_store())
    writer.load()
    writer.store.flush()
    admin.config_resetstat()
    assert make_store().count() == 9
    stats = admin.info("commandstats")
    assert stats["cmdstat_hlen"]["calls"] == 3
    assert stats["cmdstat_hgetall"]["calls"] == 1  # the meta hash, for the model names


def successful_calls(admin) -> dict[str, int]:
    """Commands that ran since the last CONFIG RESETSTAT (a first EVALSHA may fail: not loaded)."""
    return {
        name: stat["calls"] - stat["failed_calls"]
        for name, stat in admin.info("commandstats").items()
        if name not in ("cmdstat_config|resetstat", "cmdstat_script|load")
    }


def commands_to_flush(admin, adapter) -> int:
    admin.config_resetstat()
    adapter.store.flush()
    return sum(successful_calls(admin).values())


def test_flushing_a_load_takes_the_same_commands_for_9_or_900_objects(make_store, admin, other_store_id):
    small = BaseInventory(internal_storage_engine=make_store())
    small.load()

    class Large(Inventory):
        data = {
            f"site{s}": (
                "eu",
                {f"s{s}-r{d}": ("leaf", {f"eth{i}": 1500 for i in range(8)}) for d in range(32)},
            )
            for s in range(3)
        }

    large = Large(internal_storage_engine=make_store(store_id=other_store_id))
    large.load()
    assert large.count() > 800
    assert commands_to_flush(admin, large) == commands_to_flush(admin, small)


def test_order_list_is_compacted_after_many_removals(make_store, admin):
    adapter = Inventory(internal_storage_engine=make_store())
    for number in range(3000):
        adapter.add(Device(name=f"r{number:04d}"))
    adapter.store.flush()
    for number in range(3000):
        if number % 6:
            adapter.remove(adapter.get(Device, f"r{number:04d}"))
    adapter.store.flush()
    assert admin.llen(adapter.store._keys.order("device")) == 500


def test_order_survives_compaction(make_store):
    adapter = Inventory(internal_storage_engine=make_store())
    for number in range(3000):
        adapter.add(Device(name=f"r{number:04d}"))
    adapter.store.flush()
    for number in range(3000):
        if number % 6:
            adapter.remove(adapter.get(Device, f"r{number:04d}"))
    adapter.add(Device(name="r0001"))
    adapter.store.flush()
    expected = [f"r{number:04d}" for number in range(0, 3000, 6)] + ["r0001"]
    assert [device.name for device in make_store().get_all(model=Device)] == expected


def test_re_added_object_is_last_for_other_processes(make_store):
    adapter = Inventory(internal_storage_engine=make_store())
    for name in ["a", "b", "c"]:
        adapter.add(Device(name=name))
    adapter.store.flush()
    adapter.remove(adapter.get(Device, "a"))
    adapter.store.flush()
    adapter.add(Device(name="a"))
    adapter.store.flush()
    assert [device.name for device in make_store().get_all(model=Device)] == ["b", "c", "a"]


def test_large_values_are_sent_in_several_calls_and_all_arrive(make_store, admin):
    adapter = Inventory(internal_storage_engine=make_store())
    for name in ["a", "b", "c"]:
        adapter.add(Device(name=name, role=name * 5_000_000))
    admin.config_resetstat()
    adapter.store.flush()
    assert successful_calls(admin)["cmdstat_evalsha"] == 3
    assert [len(device.role) for device in make_store().get_all(model=Device)] == [5_000_000] * 3


def test_a_lone_writer_never_checks_ids_one_by_one(make_store, admin):
    adapter = Inventory(internal_storage_engine=make_store())
    for number in range(2500):
        adapter.add(Device(name=f"r{number:04d}"))
    admin.config_resetstat()
    adapter.store.flush()
    adapter.add(Device(name="late"))
    adapter.store.flush()
    assert "cmdstat_hmget" not in successful_calls(admin)

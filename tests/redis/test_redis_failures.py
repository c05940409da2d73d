"""Lost connections and restarts: retried when transient, reported when not, never half-read."""

from __future__ import annotations

import pytest
from redis_models import BaseInventory, Device, Inventory, Site

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore


def loaded_store(url: str, store_id: str = "failures", **kwargs) -> RedisStore:
    adapter = BaseInventory(internal_storage_engine=RedisStore(url=url, store_id=store_id, **kwargs))
    adapter.load()
    adapter.store.flush()
    return adapter.store


def test_store_keeps_working_after_redis_restarts_between_two_operations(restartable_redis):
    store = loaded_store(restartable_redis.url)
    restartable_redis.restart()
    store.add(obj=Site(name="sfo"))
    store.flush()
    assert RedisStore(url=restartable_redis.url, store_id="failures").count() == 10


def test_reads_after_a_restart_see_the_data_written_before(restartable_redis):
    loaded_store(restartable_redis.url)
    reader = Inventory(internal_storage_engine=RedisStore(url=restartable_redis.url, store_id="failures"))
    restartable_redis.restart()
    assert [device.name for device in reader.get_all(Device)] == ["ams-r1", "ams-r2", "nyc-r1"]


def test_a_read_while_redis_is_down_raises_store_exception_naming_the_key(restartable_redis):
    loaded_store(restartable_redis.url)
    reader = RedisStore(url=restartable_redis.url, store_id="failures", retries=1)
    restartable_redis.kill()
    with pytest.raises(ObjectStoreException, match=r"reading diffsync:\{failures\}:data:device failed"):
        reader.get_all(model=Device)


def test_a_failed_read_is_not_taken_for_an_empty_model(restartable_redis):
    loaded_store(restartable_redis.url)
    reader = Inventory(
        internal_storage_engine=RedisStore(url=restartable_redis.url, store_id="failures", retries=0)
    )
    restartable_redis.kill()
    with pytest.raises(ObjectStoreException):
        reader.get_all(Device)
    restartable_redis.start()
    assert len(reader.get_all(Device)) == 3


def test_a_flush_while_redis_is_down_raises_and_keeps_the_changes_for_the_next(restartable_redis):
    store = loaded_store(restartable_redis.url, retries=0)
    store.add(obj=Site(name="sfo"))
    store.get(model=Device, identifier="ams-r1").role = "border"
    restartable_redis.kill()
    with pytest.raises(ObjectStoreException, match="flush of"):
        store.flush()
    restartable_redis.start()
    store.flush()
    fresh = RedisStore(url=restartable_redis.url, store_id="failures")
    assert (fresh.count(model=Site), fresh.get(model=Device, identifier="ams-r1").role) == (3, "border")


def test_a_killed_connection_is_retried_transparently(restartable_redis):
    store = loaded_store(restartable_redis.url)
    restartable_redis.client().client_kill_filter(_type="normal", skipme=True)
    assert store.count(model="interface") == 4
    assert RedisStore(url=restartable_redis.url, store_id="failures").count(model="interface") == 4


def test_a_reply_that_never_comes_raises_store_exception_and_reads_nothing(restartable_redis):
    loaded_store(restartable_redis.url)
    reader = Inventory(
        internal_storage_engine=RedisStore(
            url=restartable_redis.url, store_id="failures", retries=1, socket_timeout=0.2
        )
    )
    admin = restartable_redis.client()
    admin.client_pause(5000, all=True)
    try:
        with pytest.raises(ObjectStoreException, match="Timeout"):
            reader.get_all(Device)
    finally:
        admin.client_unpause()
    assert len(reader.get_all(Device)) == 3


def test_a_multi_batch_flush_that_fails_can_be_repeated_and_keeps_the_order(restartable_redis):
    adapter = Inventory(
        internal_storage_engine=RedisStore(url=restartable_redis.url, store_id="batches", retries=0)
    )
    assert adapter.get_all(Device) == []
    for number in range(2500):
        adapter.add(Device(name=f"r{number:04d}"))
    restartable_redis.kill()
    with pytest.raises(ObjectStoreException, match="flush of"):
        adapter.store.flush()
    restartable_redis.start()
    adapter.store.flush()
    names = [
        device.name
        for device in RedisStore(url=restartable_redis.url, store_id="batches").get_all(model=Device)
    ]
    assert names == [f"r{number:04d}" for number in range(2500)]

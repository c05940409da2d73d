"""RedisStore(write_through=True): every add, update and remove is in Redis when the call returns."""

from __future__ import annotations

import pytest
from processes import start_snippet
from redis_models import Device, Inventory, Site

from diffsync.exceptions import ObjectAlreadyExists, ObjectStoreException
from diffsync.store.redis import RedisStore, StoreDataLost


@pytest.fixture
def live(make_store) -> Inventory:
    return Inventory(internal_storage_engine=make_store(write_through=True))


def other_process_view(make_store) -> Inventory:
    """A store instance that reads only what Redis holds now."""
    return Inventory(internal_storage_engine=make_store())


def test_an_add_is_visible_before_any_flush(live, make_store):
    live.add(Site(name="ams", region="eu"))
    assert other_process_view(make_store).get(Site, "ams").region == "eu"


def test_an_update_is_visible_before_any_flush(live, make_store):
    live.add(Site(name="ams", region="eu"))
    live.update(Site(name="ams", region="emea"))
    assert other_process_view(make_store).get(Site, "ams").region == "emea"


def test_update_writes_an_in_place_change_of_the_same_object(live, make_store):
    site = Site(name="ams", region="eu")
    live.add(site)
    site.region = "emea"
    assert other_process_view(make_store).get(Site, "ams").region == "eu"  # not a store call
    live.update(site)
    assert other_process_view(make_store).get(Site, "ams").region == "emea"


def test_a_remove_is_visible_before_any_flush(live, make_store):
    live.add(Site(name="ams"))
    live.add(Site(name="nyc"))
    live.remove(live.get(Site, "ams"))
    assert [site.name for site in other_process_view(make_store).get_all(Site)] == ["nyc"]


def test_a_remove_with_children_removes_them_all_at_once(live, make_store):
    site = Site(name="ams")
    live.add(site)
    device = Device(name="r1")
    live.add(device)
    site.add_child(device)
    live.update(site)
    live.remove(site, remove_children=True)
    assert other_process_view(make_store).count() == 0


def test_an_add_another_writer_made_first_raises_at_add_and_is_not_held(live, make_store):
    assert live.get_all(Device) == []
    other = other_process_view(make_store)
    other.add(Device(name="r1", role="spine"))
    other.store.flush()
    device = Device(name="r1", role="leaf")
    with pytest.raises(ObjectAlreadyExists, match="another writer added it") as error:
        live.add(device)
    assert error.value.existing_object is device
    assert live.store._buckets["device"].entries == {}
    assert other_process_view(make_store).get(Device, "r1").role == "spine"


def test_a_sync_into_a_write_through_store_is_visible_at_once(live, make_store):
    from redis_models import BaseInventory

    source = BaseInventory()
    source.load()
    live.sync_from(source)
    assert other_process_view(make_store).dict() == source.dict()


def test_a_write_that_fails_raises_at_the_call_and_is_retried_by_the_next_flush(restartable_redis):
    store = RedisStore(url=restartable_redis.url, store_id="live", write_through=True, retries=0)
    adapter = Inventory(internal_storage_engine=store)
    adapter.add(Site(name="ams"))
    restartable_redis.kill()
    with pytest.raises(ObjectStoreException, match="flush of"):
        adapter.add(Site(name="nyc"))
    restartable_redis.start()  # durable: it comes back with "ams"
    adapter.store.flush()
    reader = RedisStore(url=restartable_redis.url, store_id="live")
    assert [site.name for site in reader.get_all(model=Site)] == ["ams", "nyc"]


def test_an_add_after_redis_lost_the_data_raises_data_lost(volatile_redis):
    store = RedisStore(url=volatile_redis.url, store_id="live", write_through=True)
    adapter = Inventory(internal_storage_engine=store)
    adapter.add(Site(name="ams"))
    volatile_redis.restart()
    with pytest.raises(StoreDataLost):
        adapter.add(Site(name="nyc"))


LIVE_WORKER = """
from redis_models import Inventory, Site
from diffsync.store.redis import RedisStore
adapter = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID, write_through=True))
adapter.add(Site(name="ams", region="eu"))
print("added", flush=True)
input()  # still alive, nothing flushed by an exit
adapter.remove(adapter.get(Site, "ams"))
print("removed", flush=True)
input()
"""


def test_a_live_worker_process_is_seen_by_another_while_it_runs(redis_url, make_store):
    worker = start_snippet(LIVE_WORKER, redis_url, make_store().store_id)
    try:
        assert worker.stdout.readline().strip() == "added"
        assert other_process_view(make_store).get(Site, "ams").region == "eu"
        worker.stdin.write("\n")
        worker.stdin.flush()
        assert worker.stdout.readline().strip() == "removed"
        assert other_process_view(make_store).count() == 0
        worker.communicate("\n", timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0

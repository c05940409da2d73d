"""One store_id shared by real processes: A loads and exits, B diffs and syncs, C checks."""

from __future__ import annotations

import json

from processes import run_process
from redis_models import BaseInventory, ChangedInventory, Device

LOAD = """
from redis_models import BaseInventory
from diffsync.store.redis import RedisStore
adapter = BaseInventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
adapter.load()
# no flush: a script that loads and exits must still leave its data behind
"""

SYNC = """
from redis_models import ChangedInventory, Inventory
from diffsync.store.redis import RedisStore
target = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
source = ChangedInventory()
source.load()
diff = target.sync_from(source)
print(json.dumps(diff.summary()))
"""

CHECK = """
from redis_models import ChangedInventory, Inventory
from diffsync.store.redis import RedisStore
target = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
source = ChangedInventory()
source.load()
print(json.dumps({"summary": target.diff_from(source).summary(), "text": target.str()}))
"""


LOAD_MANY = """
from redis_models import Device, Inventory
from diffsync.store.redis import RedisStore
adapter = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
for number in range(2500):
    adapter.add(Device(name=f"r{number:04d}"))
"""


def test_a_process_that_loads_and_exits_leaves_its_data_for_the_next(redis_url, make_store):
    store_id = make_store().store_id
    run_process(LOAD, redis_url, store_id)
    assert make_store().count() == 9


def test_another_process_syncs_what_the_first_loaded(redis_url, make_store):
    store_id = make_store().store_id
    run_process(LOAD, redis_url, store_id)
    summary = json.loads(run_process(SYNC, redis_url, store_id))
    in_memory, source = BaseInventory(), ChangedInventory()
    in_memory.load()
    source.load()
    assert summary == in_memory.diff_from(source).summary()


def test_a_third_process_sees_the_synced_state(redis_url, make_store):
    store_id = make_store().store_id
    run_process(LOAD, redis_url, store_id)
    run_process(SYNC, redis_url, store_id)
    seen = json.loads(run_process(CHECK, redis_url, store_id))
    source = ChangedInventory()
    source.load()
    assert seen["summary"]["create"] + seen["summary"]["update"] + seen["summary"]["delete"] == 0
    assert seen["text"] == source.str()


def test_a_process_that_exits_with_several_batches_pending_leaves_them_all_in_order(redis_url, make_store):
    store_id = make_store().store_id
    run_process(LOAD_MANY, redis_url, store_id)
    names = [device.name for device in make_store().get_all(model=Device)]
    assert names == [f"r{number:04d}" for number in range(2500)]

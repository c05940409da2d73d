"""One store_id shared by real processes: A loads and exits, B diffs and syncs, C checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from redis_models import BaseInventory, ChangedInventory, Device

HERE = Path(__file__).resolve().parent

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


def run_process(code: str, url: str, store_id: str) -> str:
    """Run `code` in a fresh interpreter with URL and STORE_ID defined; return its stdout."""
    prelude = f"import json\nURL = {url!r}\nSTORE_ID = {store_id!r}\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


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

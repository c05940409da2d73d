"""Redis losing a store's data (a restart without persistence) is raised, never taken for less data.

Every test runs its own redis-server without persistence, as the bundled Redis runs, and
restarts it: the restarted server is empty. Each scenario must end in `StoreDataLost` (an
`ObjectStoreException`), a complete store after a retry, or a non-zero exit, never in a store
that silently holds fewer objects than were written.
"""

from __future__ import annotations

import threading
import time

import pytest
from processes import run_snippet, start_snippet
from redis_models import BaseInventory, Device, Inventory, Site

from diffsync import exceptions
from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import FLUSH_FAILED_EXIT_STATUS, RedisStore, StoreDataLost


def store_on(server, store_id="loss", **kwargs) -> RedisStore:
    return RedisStore(url=server.url, store_id=store_id, **kwargs)


def loaded(server, devices: int = 3000, **kwargs) -> Inventory:
    adapter = Inventory(internal_storage_engine=store_on(server, **kwargs))
    for number in range(devices):
        adapter.add(Device(name=f"r{number:05d}"))
    adapter.store.flush()
    return adapter


def test_a_flush_after_a_restart_raises_and_writes_nothing(volatile_redis):
    adapter = loaded(volatile_redis)
    volatile_redis.restart()
    adapter.add(Device(name="late"))
    with pytest.raises(StoreDataLost, match="Redis lost this store's data") as error:
        adapter.store.flush()
    assert "Load the data again" in str(error.value)
    assert store_on(volatile_redis).count() == 0


def test_the_loss_is_raised_again_by_every_later_flush(volatile_redis):
    adapter = loaded(volatile_redis)
    volatile_redis.restart()
    adapter.add(Device(name="late"))
    for _ in range(2):
        with pytest.raises(StoreDataLost):
            adapter.store.flush()
    assert store_on(volatile_redis).count() == 0


def test_a_removal_after_a_restart_raises(volatile_redis):
    adapter = loaded(volatile_redis)
    volatile_redis.restart()
    with pytest.raises(StoreDataLost):  # remove() reads the store's size: it may raise first
        adapter.remove(adapter.get(Device, "r00001"))
        adapter.store.flush()


def test_an_in_place_change_after_a_restart_raises(volatile_redis):
    adapter = loaded(volatile_redis)
    volatile_redis.restart()
    adapter.get(Device, "r00001").role = "spine"
    with pytest.raises(StoreDataLost):
        adapter.store.flush()


def test_a_store_opened_before_the_restart_raises_on_its_first_read(volatile_redis):
    loaded(volatile_redis)
    reader = Inventory(internal_storage_engine=store_on(volatile_redis))
    volatile_redis.restart()
    with pytest.raises(StoreDataLost):
        reader.get_all(Device)


@pytest.mark.parametrize(
    "read",
    [
        lambda adapter: adapter.count(),
        lambda adapter: adapter.count(Site),
        lambda adapter: adapter.get_all_model_names(),
        lambda adapter: adapter.get_all(Site),
    ],
    ids=["count", "count of a model", "model names", "another model"],
)
def test_a_reader_that_read_before_the_restart_raises_on_its_next_redis_read(volatile_redis, read):
    writer = BaseInventory(internal_storage_engine=store_on(volatile_redis))
    writer.load()
    writer.store.flush()
    reader = Inventory(internal_storage_engine=store_on(volatile_redis))
    assert len(reader.get_all(Device)) == 3
    volatile_redis.restart()
    with pytest.raises(StoreDataLost):
        read(reader)


def test_a_store_given_the_epoch_of_lost_data_refuses_to_open(volatile_redis):
    epoch = loaded(volatile_redis).store.epoch
    assert epoch
    volatile_redis.restart()
    with pytest.raises(StoreDataLost, match=f"no longer holds epoch {epoch}"):
        store_on(volatile_redis, epoch=epoch)


def test_a_store_given_the_epoch_of_its_data_opens(volatile_redis):
    epoch = loaded(volatile_redis).store.epoch
    assert store_on(volatile_redis, epoch=epoch).count() == 3000


def test_a_store_given_an_epoch_of_replaced_data_refuses_to_open(volatile_redis):
    first = loaded(volatile_redis).store.epoch
    volatile_redis.restart()
    loaded(volatile_redis)
    with pytest.raises(StoreDataLost, match="is not the data this store worked on"):
        store_on(volatile_redis, epoch=first)


def test_a_store_cleared_by_another_process_raises_for_the_old_instance(volatile_redis):
    adapter = loaded(volatile_redis, devices=10)
    other = store_on(volatile_redis)
    other.clear()
    loaded(volatile_redis, devices=5)
    adapter.add(Device(name="late"))
    with pytest.raises(StoreDataLost, match="is not the data this store worked on"):
        adapter.store.flush()


def test_clear_starts_a_new_epoch_that_the_clearing_store_writes(volatile_redis):
    adapter = loaded(volatile_redis, devices=10)
    before = adapter.store.epoch
    adapter.store.clear()
    adapter.add(Device(name="fresh"))
    adapter.store.flush()
    assert adapter.store.epoch not in (None, before)
    assert store_on(volatile_redis).count() == 1


def test_after_a_loss_clear_and_a_new_load_recover_the_same_store_instance(volatile_redis):
    adapter = loaded(volatile_redis, devices=10)
    volatile_redis.restart()
    adapter.add(Device(name="late"))
    with pytest.raises(StoreDataLost):
        adapter.store.flush()
    adapter.store.clear()
    for number in range(10):
        adapter.add(Device(name=f"r{number:05d}"))
    adapter.store.flush()
    assert store_on(volatile_redis, epoch=adapter.store.epoch).count() == 10


def test_a_fresh_store_after_a_restart_starts_over_without_error(volatile_redis):
    loaded(volatile_redis, devices=10)
    volatile_redis.restart()
    assert len(loaded(volatile_redis, devices=10).get_all(Device)) == 10


def test_a_restart_during_a_300k_object_flush_never_ends_in_a_partial_store(volatile_redis):
    adapter = Inventory(internal_storage_engine=store_on(volatile_redis, retries=2))
    total = 300_000
    for number in range(total):
        adapter.add(Device(name=f"r{number:06d}"))
    admin = volatile_redis.client()
    restarted = threading.Event()

    def restart_mid_flush() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            held = admin.hlen(adapter.store._keys.data("device"))
            if held >= 30_000:
                volatile_redis.kill()
                volatile_redis.start()
                restarted.set()
                return
            time.sleep(0.005)

    restarter = threading.Thread(target=restart_mid_flush)
    restarter.start()
    outcomes = []

    def flush() -> None:
        try:
            adapter.store.flush()
            outcomes.append("ok")
        except ObjectStoreException as error:
            outcomes.append(type(error).__name__)

    flush()
    restarter.join()
    assert restarted.is_set(), "the flush ended before the restart; lower the threshold"
    flush()  # the retry a caller would make
    in_redis = store_on(volatile_redis, store_id="loss").count()
    if outcomes[-1] == "ok":
        assert in_redis == total  # completed by the retry: every object is there
    else:
        assert outcomes[-1] == "StoreDataLost"
        assert in_redis < total
    # Whatever happened, no flush reported success over a partial store.
    assert "ok" not in outcomes or in_redis == total


LOAD_THEN_WAIT = """
import sys
from redis_models import Device, Inventory
from diffsync.store.redis import RedisStore
adapter = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID, retries=0))
for number in range(FLUSHED):
    adapter.add(Device(name=f"r{number:05d}"))
if FLUSHED:
    adapter.store.flush()
for number in range(100):
    adapter.add(Device(name=f"pending{number:03d}"))
print("loaded", flush=True)
sys.stdin.readline()  # the test restarts or stops Redis now
"""


def run_until_exit(server, code: str, between) -> tuple[int, str]:
    """Start `code`, wait until it has loaded, run `between()`, let it exit; (status, stderr)."""
    process = start_snippet(code, server.url, "at-exit")
    try:
        assert process.stdout.readline().strip() == "loaded", process.stderr.read()
        between()
        _, stderr = process.communicate("go\n", timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stderr


def test_a_restart_before_the_at_exit_flush_makes_the_process_fail(volatile_redis):
    status, stderr = run_until_exit(
        volatile_redis, "FLUSHED = 1000\n" + LOAD_THEN_WAIT, volatile_redis.restart
    )
    assert status == 75 == FLUSH_FAILED_EXIT_STATUS
    assert "could not write RedisStore (at-exit) at exit: StoreDataLost" in stderr
    assert "NOT in Redis" in stderr
    assert store_on(volatile_redis, store_id="at-exit").count() == 0


def test_redis_down_at_exit_makes_the_process_fail_saying_why(volatile_redis):
    status, stderr = run_until_exit(volatile_redis, "FLUSHED = 0\n" + LOAD_THEN_WAIT, volatile_redis.kill)
    assert status == 75
    assert "could not write RedisStore (at-exit) at exit: ObjectStoreException" in stderr
    assert "ConnectionError" in stderr


def test_a_restart_before_anything_was_flushed_leaves_a_complete_store_at_exit(volatile_redis):
    status, stderr = run_until_exit(volatile_redis, "FLUSHED = 0\n" + LOAD_THEN_WAIT, volatile_redis.restart)
    assert status == 0, stderr
    assert store_on(volatile_redis, store_id="at-exit").count() == 100


UNSTORABLE_AT_EXIT = """
from redis_models import Device, Inventory
from diffsync.store.redis import RedisStore

class Opaque(Device):
    handle: object = None

class WithOpaque(Inventory):
    device = Opaque

adapter = WithOpaque(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
adapter.add(Opaque(name="r1", handle=object()))
print("output written before the exit")  # buffered: a pipe is not a terminal
"""


def test_a_flush_failing_at_exit_keeps_buffered_output_and_says_why(redis_url):
    result = run_snippet(UNSTORABLE_AT_EXIT, redis_url, "at-exit-unstorable")
    assert result.returncode == 75
    assert result.stdout == "output written before the exit\n"
    assert "cannot store device 'r1'" in result.stderr
    assert "field 'handle' holds a value of type object, which JSON cannot encode" in result.stderr


def test_store_data_lost_is_one_class_importable_without_the_redis_client():
    # diffsync.exceptions imports no Redis client: code that only handles the loss needs none.
    assert StoreDataLost is exceptions.StoreDataLost
    assert issubclass(StoreDataLost, exceptions.ObjectStoreException)

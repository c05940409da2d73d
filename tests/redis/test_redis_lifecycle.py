"""TTL, flush triggers, refresh, and two writers on one store_id."""

from __future__ import annotations

import contextlib
import time
import uuid

import pytest
from processes import run_process
from redis_models import BaseInventory, ChangedInventory, Device, Inventory, Site

from diffsync.exceptions import ObjectAlreadyExists, ObjectStoreException


def wait_until(condition, timeout: float = 15.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def store_keys(admin, store):
    return list(admin.scan_iter(match=store._keys.prefix + ":*"))


def test_every_key_gets_the_ttl(make_store, admin):
    adapter = BaseInventory(internal_storage_engine=make_store(ttl=300))
    adapter.load()
    adapter.store.flush()
    ttls = [admin.ttl(key) for key in store_keys(admin, adapter.store)]
    assert len(ttls) == 7
    assert all(0 < ttl <= 300 for ttl in ttls)


def test_keys_expire_after_the_ttl(make_store, admin):
    adapter = BaseInventory(internal_storage_engine=make_store(ttl=1))
    adapter.load()
    adapter.store.flush()
    assert wait_until(lambda: not store_keys(admin, adapter.store))
    assert make_store().count() == 0


def test_a_write_refreshes_the_ttl_of_every_key(make_store, admin):
    store = make_store(ttl=300)
    adapter = BaseInventory(internal_storage_engine=store)
    adapter.load()
    store.flush()
    for key in store_keys(admin, store):
        admin.expire(key, 5)
    adapter.get(Site, "ams").region = "emea"
    store.flush()
    assert min(admin.ttl(key) for key in store_keys(admin, store)) > 5


def test_without_ttl_keys_do_not_expire(make_store, admin):
    adapter = BaseInventory(internal_storage_engine=make_store())
    adapter.load()
    adapter.store.flush()
    assert {admin.ttl(key) for key in store_keys(admin, adapter.store)} == {-1}


def test_a_diff_flushes_both_adapters(make_store):
    target = Inventory(internal_storage_engine=make_store())
    source = BaseInventory(internal_storage_engine=make_store(store_id=target.store.store_id + "-source"))
    source.load()
    target.add(Site(name="ams"))
    target.diff_from(source)
    assert (make_store().count(), make_store(store_id=source.store.store_id).count()) == (1, 9)


def test_a_with_block_flushes_on_exit(make_store):
    with make_store() as store:
        store.add(obj=Site(name="ams"))
    assert make_store().count() == 1


def client_names(admin) -> set[str]:
    return {client["name"] for client in admin.client_list()}


def gone_from_server(admin, name: str, within: float = 5.0) -> bool:
    """Whether the server stops listing client `name` within `within` seconds.

    A client's close is a FIN on the socket; the server drops the connection when its event
    loop next reads it, so CLIENT LIST may still show it for a moment on a loaded machine.
    """
    return wait_until(lambda: name not in client_names(admin), timeout=within, interval=0.02)


def test_a_with_block_that_raises_writes_nothing_it_buffered(make_store):
    with pytest.raises(RuntimeError), make_store() as store:
        store.add(obj=Site(name="ams"))
        raise RuntimeError("the load failed half-way")
    assert make_store().count() == 0


def test_a_with_block_that_raises_keeps_what_it_flushed_before(make_store):
    with pytest.raises(RuntimeError), make_store() as store:
        store.add(obj=Site(name="ams"))
        store.flush()
        store.add(obj=Site(name="nyc"))
        raise RuntimeError("the load failed half-way")
    assert [site.name for site in make_store().get_all(model=Site)] == ["ams"]


@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "raises"])
def test_a_with_block_releases_its_connections(make_store, admin, fails):
    name = f"lifecycle-{uuid.uuid4().hex[:8]}"
    expected = pytest.raises(RuntimeError) if fails else contextlib.nullcontext()
    with expected, make_store(connection_kwargs={"client_name": name}) as store:
        store.count()
        assert name in client_names(admin)
        if fails:
            raise RuntimeError("the block failed")
    assert gone_from_server(admin, name)


def test_close_releases_its_connections_when_the_flush_fails(make_store, admin):
    name = f"lifecycle-{uuid.uuid4().hex[:8]}"
    store = make_store(connection_kwargs={"client_name": name})
    store.add(obj=Site(name="ams"))
    admin.set(store._keys.data("site"), "not a hash")  # makes the flush fail
    with pytest.raises(ObjectStoreException):
        store.close()
    assert gone_from_server(admin, name)


FAILED_BLOCK_THEN_EXIT = """
from redis_models import Site
from diffsync.store.redis import RedisStore
try:
    with RedisStore(url=URL, store_id=STORE_ID) as store:
        store.add(obj=Site(name="ams"))
        raise RuntimeError("the load failed half-way")
except RuntimeError:
    pass
# the interpreter exits now: the at-exit flush must not write what the failed block buffered
"""


def test_a_failed_with_block_is_not_flushed_at_exit(redis_url, make_store):
    store_id = make_store().store_id
    run_process(FAILED_BLOCK_THEN_EXIT, redis_url, store_id)
    assert make_store().count() == 0


def test_refresh_sees_what_another_writer_stored(make_store):
    first, second = make_store(), make_store()
    assert first.count(model=Site) == 0
    second.add(obj=Site(name="ams"))
    second.flush()
    first.refresh()
    assert first.count(model=Site) == 1


def test_an_add_another_writer_made_first_is_refused_at_flush(make_store):
    first, second = (
        Inventory(internal_storage_engine=make_store()),
        Inventory(internal_storage_engine=make_store()),
    )
    assert first.get_all(Device) == second.get_all(Device) == []
    first.add(Device(name="r1", role="spine"))
    first.store.flush()
    second.add(Device(name="r1", role="leaf"))
    with pytest.raises(ObjectAlreadyExists) as error:
        second.store.flush()
    assert error.value.args[0].startswith("Object r1 already present")
    assert make_store().get(model=Device, identifier="r1").role == "spine"


def test_a_sync_flushes_what_it_did_before_failing(make_store):
    class FailingInterface(BaseInventory.interface):
        @classmethod
        def create(cls, adapter, ids, attrs):
            raise RuntimeError("target system down")

    class Target(BaseInventory):
        interface = FailingInterface

    target = Target(internal_storage_engine=make_store())
    target.load()
    source = ChangedInventory()
    source.load()
    with pytest.raises(RuntimeError):
        target.sync_from(source)
    assert target.get(Device, "ams-r1").role == "leaf"
    assert make_store().get(model=Device, identifier="ams-r1").role == "leaf"


def test_another_writers_addition_in_a_later_batch_is_not_overwritten(make_store):
    first, second = (
        Inventory(internal_storage_engine=make_store()),
        Inventory(internal_storage_engine=make_store()),
    )
    assert first.get_all(Device) == second.get_all(Device) == []
    first.add(Device(name="r2500", role="spine"))
    first.store.flush()
    for number in range(3000):
        second.add(Device(name=f"r{number:04d}", role="leaf"))
    with pytest.raises(ObjectAlreadyExists) as error:
        second.store.flush()
    assert error.value.args[0].startswith("Object r2500 already present")
    assert make_store().get(model=Device, identifier="r2500").role == "spine"


def test_after_missing_another_writers_additions_later_flushes_still_check(make_store):
    first, second = (
        Inventory(internal_storage_engine=make_store()),
        Inventory(internal_storage_engine=make_store()),
    )
    assert first.get_all(Device) == second.get_all(Device) == []
    first.add(Device(name="r5", role="spine"))
    first.store.flush()
    second.add(Device(name="r1"))
    second.store.flush()
    second.add(Device(name="r5", role="leaf"))
    with pytest.raises(ObjectAlreadyExists):
        second.store.flush()
    assert make_store().get(model=Device, identifier="r5").role == "spine"


def test_a_writer_alone_keeps_adding_without_conflicts(make_store):
    adapter = Inventory(internal_storage_engine=make_store())
    for batch in range(3):
        for number in range(1200):
            adapter.add(Device(name=f"b{batch}-r{number:04d}"))
        adapter.store.flush()
    assert make_store().count(model=Device) == 3600

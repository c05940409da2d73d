"""A cluster master killed (SIGKILL) while a store works: complete after a retry, or an error.

Each test starts a six-node cluster of its own (three masters, one replica each, no
persistence; tests/fixtures/redis_cluster.py) and kills the master serving the store's keys
while a flush, a write-through load or a read is under way. Whatever the timing, a store must
end complete once the replica has taken over (the caller retries after an
`ObjectStoreException`) or raise `StoreDataLost`; no call may report success over objects that
are not in Redis.
"""

from __future__ import annotations

import threading
import time

import pytest
from redis_models import Device, Inventory

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore, StoreDataLost
from diffsync.store.redis._keys import StoreKeys, shard_tags

STORE_ID = "failover"


@pytest.fixture
def own_cluster(redis_cluster_factory):
    """A cluster of this test's own, free to be broken."""
    built = redis_cluster_factory()
    yield built
    built.stop()


def store_on(cluster, **kwargs) -> RedisStore:
    return RedisStore(url=cluster.url, store_id=STORE_ID, **kwargs)


def watched_key(shards: int) -> str:
    """The data key of the group whose master the tests kill."""
    if shards == 1:
        return StoreKeys(STORE_ID).data("device")
    return StoreKeys(STORE_ID, shard_tags(STORE_ID, shards)[1]).data("device")


def kill_when(cluster, key: str, reached: int, killed: list) -> threading.Thread:
    """A thread that SIGKILLs the master of `key` once it holds `reached` fields."""
    master = cluster.master_of(key)
    probe = master.client(socket_timeout=2)

    def watch() -> None:
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                if probe.hlen(key) >= reached:
                    master.kill()
                    killed.append(master)
                    return
                time.sleep(0.002)
        finally:
            probe.close()

    thread = threading.Thread(target=watch)
    thread.start()
    return thread


def retried(cluster, call, outcomes: list, attempts: int = 10):
    """Call until it succeeds or raises StoreDataLost; ObjectStoreException in between is retried."""
    for _ in range(attempts):
        try:
            result = call()
            outcomes.append("ok")
            return result
        except StoreDataLost:
            outcomes.append("StoreDataLost")
            return None
        except ObjectStoreException:
            outcomes.append("ObjectStoreException")
            time.sleep(0.5)
    raise AssertionError(f"still failing after {attempts} attempts: {outcomes}")


def device_names(cluster, **kwargs) -> list[str]:
    reader = Inventory(internal_storage_engine=store_on(cluster, **kwargs))
    names = [device.name for device in reader.get_all(Device)]
    reader.store.close()
    return names


def assert_complete_or_lost(cluster, names: list[str], outcomes: list[str]) -> None:
    """The store ended either complete, in order, or refused as lost; never short."""
    print("outcomes:", outcomes)  # shown with -s or on failure: which path this run took
    if outcomes[-1] == "ok":
        assert device_names(cluster) == names
    else:
        assert outcomes[-1] == "StoreDataLost"
        with pytest.raises(StoreDataLost):
            device_names(cluster)


@pytest.mark.parametrize("shards", [1, 3])
def test_a_master_killed_during_a_flush(own_cluster, shards):
    cluster = own_cluster
    total = 60_000
    adapter = Inventory(internal_storage_engine=store_on(cluster, shards=shards))
    names = [f"r{number:06d}" for number in range(total)]
    for name in names:
        adapter.add(Device(name=name))
    killed: list = []
    killer = kill_when(cluster, watched_key(shards), 6_000 // shards, killed)
    outcomes: list[str] = []
    try:
        adapter.store.flush()
        outcomes.append("ok")
    except StoreDataLost:
        outcomes.append("StoreDataLost")
    except ObjectStoreException:
        outcomes.append("ObjectStoreException")
    killer.join()
    assert killed, "the flush ended before the kill; lower the threshold"
    cluster.wait_for_failover(killed[0])
    if outcomes[-1] != "ok":
        retried(cluster, adapter.store.flush, outcomes)
    assert_complete_or_lost(cluster, names, outcomes)


@pytest.mark.parametrize("shards", [1, 3])
def test_a_master_killed_during_a_write_through_load(own_cluster, shards):
    cluster = own_cluster
    total = 3_000
    adapter = Inventory(internal_storage_engine=store_on(cluster, shards=shards, write_through=True))
    names = [f"r{number:05d}" for number in range(total)]
    killed: list = []
    killer = kill_when(cluster, watched_key(shards), 300 // shards, killed)
    outcomes: list[str] = []
    for name in names:
        try:
            adapter.add(Device(name=name))
        except StoreDataLost:
            outcomes.append("StoreDataLost")
            break
        except ObjectStoreException:
            # The add is kept in the store and goes with the next write; a live loader
            # would wait for the failover and go on.
            outcomes.append("ObjectStoreException")
            if killed:
                cluster.wait_for_failover(killed[0])
    killer.join()
    assert killed
    cluster.wait_for_failover(killed[0])
    retried(cluster, adapter.store.flush, outcomes)
    assert_complete_or_lost(cluster, names, outcomes)


@pytest.mark.parametrize("shards", [1, 3])
def test_a_master_killed_during_a_read(own_cluster, shards):
    cluster = own_cluster
    total = 100_000
    writer = Inventory(internal_storage_engine=store_on(cluster, shards=shards))
    names = [f"r{number:06d}" for number in range(total)]
    for name in names:
        writer.add(Device(name=name))
    writer.store.flush()
    master = cluster.master_of(watched_key(shards))
    reader = Inventory(internal_storage_engine=store_on(cluster))
    killer = threading.Timer(0.02, master.kill)
    killer.start()
    outcomes: list[str] = []
    try:
        got = [device.name for device in reader.get_all(Device)]
        outcomes.append("ok")
    except ObjectStoreException:
        outcomes.append("ObjectStoreException")
        got = None
    killer.join()
    cluster.wait_for_failover(master)
    if got is None:
        reader.store.refresh()
        got = retried(cluster, lambda: [device.name for device in reader.get_all(Device)], outcomes)
    print("outcomes:", outcomes)
    # Every write was confirmed by a replica before the flush returned: nothing may be missing.
    assert outcomes[-1] == "ok"
    assert got == names


def test_a_master_that_restarts_empty_before_any_failover_is_lost_data(own_cluster):
    cluster = own_cluster
    writer = Inventory(internal_storage_engine=store_on(cluster, shards=3))
    for number in range(3000):
        writer.add(Device(name=f"r{number:05d}"))
    writer.store.flush()
    node = cluster.master_of(watched_key(3))
    node.kill()
    node.start()  # back before the cluster declares it failed: a master with no data
    cluster.wait_until_ok()
    with pytest.raises(StoreDataLost):
        device_names(cluster)
    writer.add(Device(name="late"))
    with pytest.raises(StoreDataLost):
        writer.store.flush()


def test_a_write_no_replica_confirms_is_kept_for_the_next_flush(own_cluster):
    cluster = own_cluster
    adapter = Inventory(internal_storage_engine=store_on(cluster, wait_replicas=1))
    adapter.add(Device(name="first"))
    adapter.store.flush()
    adapter.store._writer.replication.timeout_ms = 300
    master = cluster.master_of(watched_key(1))
    replica = next(node for node in cluster.nodes if node is not master and node.replica_of(master))
    replica.kill()
    adapter.add(Device(name="second"))
    with pytest.raises(ObjectStoreException, match="only 0 of 1 replicas within 300 ms"):
        adapter.store.flush()
    assert "second" in adapter.store._buckets["device"].pending_add  # not recorded as written
    replica.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            adapter.store.flush()
            break
        except ObjectStoreException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert device_names(cluster) == ["first", "second"]


def test_writes_wait_for_the_replica_the_master_has(own_cluster):
    cluster = own_cluster
    store = store_on(cluster)
    adapter = Inventory(internal_storage_engine=store)
    adapter.add(Device(name="r1"))
    adapter.store.flush()
    replication = store._writer.replication
    node = store._client.get_node_from_key(watched_key(1))
    assert replication._attached[node.name][0] == 1  # asked ROLE: one replica attached, waited for it

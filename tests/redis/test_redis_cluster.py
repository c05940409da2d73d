"""RedisStore on a real Redis Cluster: URLs, where the keys go, sharing, loss of one group.

Runs on the session's six-node cluster (three masters, one replica each; see
tests/fixtures/redis_cluster.py). Tests keep apart by store_id. The same behaviour tests as on
one server run on the cluster through the parametrized ``store_factory`` (tests/library) and
test_redis_like_local.py; failover is in test_redis_cluster_failover.py.
"""

from __future__ import annotations

import functools
import json

import pytest
from processes import run_process
from redis.cluster import RedisCluster
from redis_models import BaseInventory, ChangedInventory, Device, Inventory, Site

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore, StoreDataLost, client_from_url, delete_store, store_keys
from diffsync.store.redis._keys import StoreKeys, shard_tags


@pytest.fixture
def on_cluster(make_store, redis_cluster_url):
    """`make_store` on the session cluster: this test's store_id, cleared after."""
    return functools.partial(make_store, url=redis_cluster_url)


@pytest.fixture
def cluster_admin(redis_cluster):
    client = redis_cluster.client()
    yield client
    client.close()


def load_devices(store: RedisStore, count: int) -> Inventory:
    adapter = Inventory(internal_storage_engine=store)
    for number in range(count):
        adapter.add(Device(name=f"r{number:05d}"))
    adapter.store.flush()
    return adapter


# -- URLs and clients ------------------------------------------------------------------------


def test_a_cluster_url_gives_a_cluster_client(redis_cluster):
    client = client_from_url(redis_cluster.url)
    try:
        assert isinstance(client, RedisCluster)
        assert len(client.get_primaries()) == 3
    finally:
        client.close()


def test_a_cluster_url_may_list_several_seed_nodes_and_skips_a_dead_one(redis_cluster):
    from fixtures.redis_cluster import cluster_port as free_port

    seeds = ",".join(
        [f"127.0.0.1:{free_port()}", *(f"127.0.0.1:{node.port}" for node in redis_cluster.nodes[:2])]
    )
    client = client_from_url(f"redis+cluster://{seeds}/0")
    try:
        assert client.set("{seed-test}k", "v") and client.get("{seed-test}k") == b"v"
        client.delete("{seed-test}k")
    finally:
        client.close()


def test_cluster_true_turns_a_plain_url_into_a_cluster_client(redis_cluster):
    plain = f"redis://127.0.0.1:{redis_cluster.nodes[0].port}/0"
    store = RedisStore(url=plain, cluster=True, store_id="plain-url-cluster")
    assert isinstance(store._client, RedisCluster)
    store.close()


def test_a_redis_cluster_client_can_be_passed_in(redis_cluster, redis_store_id):
    client = redis_cluster.client()
    store = RedisStore(client=client, store_id=redis_store_id)
    load_devices(store, 10)
    assert RedisStore(client=client, store_id=redis_store_id).count() == 10
    store.clear()
    client.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis+cluster://127.0.0.1:7000/3", "a cluster has only database 0, not '3'"),
        ("redis+cluster://:7000/0", "names no host"),
        ("redis+cluster://127.0.0.1:port/0", "port of '127.0.0.1:port' is not a number"),
    ],
)
def test_bad_cluster_urls_say_what_is_wrong(url, message):
    with pytest.raises(ValueError, match=message):
        client_from_url(url)


def test_a_password_in_a_bad_url_is_not_repeated_in_the_error():
    with pytest.raises(ValueError) as error:
        client_from_url("redis+cluster://user:s3cret@127.0.0.1:7000/2")
    assert "s3cret" not in str(error.value)


def test_a_cluster_without_any_reachable_node_is_unavailable():
    from fixtures.redis_cluster import cluster_port as free_port

    with pytest.raises(ObjectStoreException, match="unavailable"):
        RedisStore(url=f"redis+cluster://127.0.0.1:{free_port()}/0", store_id="nowhere", retries=0)


# -- where the keys go -------------------------------------------------------------------------


def test_a_one_slot_store_keeps_every_key_on_one_master(on_cluster, redis_cluster, redis_store_id):
    adapter = BaseInventory(internal_storage_engine=on_cluster())
    adapter.load()
    adapter.store.flush()
    per_master = redis_cluster.keys_per_master(f"{StoreKeys(redis_store_id).prefix}:*")
    assert sorted(per_master.values()) == [0, 0, 7]  # meta + data and order of 3 models


def test_a_spread_store_puts_objects_on_every_master(
    on_cluster, redis_cluster, redis_store_id, cluster_admin
):
    store = on_cluster(shards=3)
    load_devices(store, 3000)
    masters = {
        cluster_admin.get_node_from_key(StoreKeys(redis_store_id, tag).meta).port
        for tag in shard_tags(redis_store_id, 3)
    }
    assert len(masters) == 3
    held = [
        cluster_admin.hlen(StoreKeys(redis_store_id, tag).data("device"))
        for tag in shard_tags(redis_store_id, 3)
    ]
    assert sum(held) == 3000
    assert min(held) > 800  # crc32 spreads ids evenly


def test_a_spread_store_reads_back_in_insertion_order_across_groups(on_cluster):
    names = [f"d{number:04d}" for number in reversed(range(500))]
    adapter = Inventory(internal_storage_engine=on_cluster(shards=4))
    for name in names:
        adapter.add(Device(name=name))
    adapter.store.flush()
    reader = Inventory(internal_storage_engine=on_cluster())
    assert reader.store.shards == 4  # recorded with the data
    assert [device.name for device in reader.get_all(Device)] == names


def test_a_re_added_object_moves_to_the_end_in_a_spread_store(on_cluster):
    adapter = Inventory(internal_storage_engine=on_cluster(shards=3))
    for name in ["a", "b", "c", "d"]:
        adapter.add(Site(name=name))
    adapter.store.flush()
    adapter.remove(adapter.get(Site, "a"))
    adapter.store.flush()
    adapter.add(Site(name="a"))
    adapter.store.flush()
    assert [site.name for site in Inventory(internal_storage_engine=on_cluster()).get_all(Site)] == [
        "b",
        "c",
        "d",
        "a",
    ]


def test_another_group_count_than_the_recorded_one_is_refused(on_cluster):
    load_devices(on_cluster(shards=3), 10)
    with pytest.raises(ObjectStoreException, match="spread over 3 slot groups, not 5: pass shards=3"):
        on_cluster(shards=5)


def test_a_one_slot_store_cannot_be_read_as_a_spread_one(on_cluster):
    load_devices(on_cluster(), 10)
    with pytest.raises(ObjectStoreException, match="holds data in one slot group"):
        on_cluster(shards=3)


@pytest.mark.parametrize("shards", [0, -1, "3", True])
def test_a_bad_group_count_is_a_clear_error(on_cluster, shards):
    with pytest.raises(ValueError, match="shards must be a positive number"):
        on_cluster(shards=shards)


def test_clear_deletes_every_group_and_the_root(on_cluster, redis_cluster, redis_store_id):
    store = on_cluster(shards=3)
    load_devices(store, 100)
    store.clear()
    assert sum(redis_cluster.keys_per_master(f"diffsync:{{{redis_store_id}*").values()) == 0


def test_clear_by_name_without_scan_deletes_every_group(on_cluster, redis_cluster, redis_store_id):
    store = on_cluster(shards=3, allow_scan=False)
    load_devices(store, 100)
    assert len(store_keys(store._client, redis_store_id)) >= 3 * 3 + 1
    store.clear()
    assert sum(redis_cluster.keys_per_master(f"diffsync:{{{redis_store_id}*").values()) == 0


def test_delete_store_finds_the_groups_from_the_root(
    on_cluster, redis_cluster, redis_store_id, cluster_admin
):
    load_devices(on_cluster(shards=3), 100)
    assert delete_store(cluster_admin, redis_store_id, scan=False) == 3 * 3 + 1
    assert sum(redis_cluster.keys_per_master(f"diffsync:{{{redis_store_id}*").values()) == 0


def test_a_ttl_reaches_every_key_of_every_group(on_cluster, redis_cluster, redis_store_id, cluster_admin):
    adapter = Inventory(internal_storage_engine=on_cluster(shards=3, ttl=600))
    adapter.add(Site(name="ams"))
    adapter.add(Device(name="r1"))
    adapter.store.flush()
    keys = [StoreKeys(redis_store_id).meta]
    for tag in shard_tags(redis_store_id, 3):
        group = StoreKeys(redis_store_id, tag)
        keys += group.all_keys(["site", "device"])
    ttls = {key: cluster_admin.ttl(key) for key in keys if cluster_admin.exists(key)}
    assert len(ttls) >= 4 and all(0 < ttl <= 600 for ttl in ttls.values()), ttls


# -- loss of one group -------------------------------------------------------------------------


def test_losing_one_group_of_a_spread_store_is_raised(on_cluster, redis_store_id, cluster_admin):
    load_devices(on_cluster(shards=3), 300)
    lost = StoreKeys(redis_store_id, shard_tags(redis_store_id, 3)[1])
    cluster_admin.delete(lost.meta, lost.data("device"), lost.order("device"))
    with pytest.raises(StoreDataLost, match="Redis lost this store's data"):
        Inventory(internal_storage_engine=on_cluster()).get_all(Device)


def test_losing_the_root_of_a_spread_store_is_raised_to_the_writer(on_cluster, redis_store_id, cluster_admin):
    adapter = load_devices(on_cluster(shards=3), 30)
    cluster_admin.delete(StoreKeys(redis_store_id).meta)
    adapter.add(Device(name="late"))
    with pytest.raises(StoreDataLost):
        adapter.store.flush()


def test_a_store_given_the_epoch_sees_a_lost_root(on_cluster, redis_store_id, cluster_admin):
    epoch = load_devices(on_cluster(shards=3), 30).store.epoch
    cluster_admin.delete(StoreKeys(redis_store_id).meta)
    with pytest.raises(StoreDataLost):
        on_cluster(shards=3, epoch=epoch)


def test_a_group_that_went_back_in_time_is_raised(on_cluster, redis_store_id, cluster_admin):
    """What a failover to a replica that missed the last writes looks like: fewer writes counted."""
    adapter = load_devices(on_cluster(shards=3), 30)  # one write to each group
    group = StoreKeys(redis_store_id, shard_tags(redis_store_id, 3)[0])
    assert cluster_admin.hget(group.meta, "writes") == b"1"
    cluster_admin.hset(group.meta, "writes", 0)
    for number in range(30):  # some of these land in group 0
        adapter.add(Device(name=f"late{number}"))
    with pytest.raises(StoreDataLost, match="Redis lost writes to this store"):
        adapter.store.flush()


# -- several processes -------------------------------------------------------------------------

LOAD = """
from redis_models import BaseInventory
from diffsync.store.redis import RedisStore
adapter = BaseInventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID, shards=SHARDS))
adapter.load()
"""

SYNC = """
from redis_models import ChangedInventory, Inventory
from diffsync.store.redis import RedisStore
target = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
source = ChangedInventory()
source.load()
print(json.dumps(target.sync_from(source).summary()))
"""

CHECK = """
from redis_models import ChangedInventory, Inventory
from diffsync.store.redis import RedisStore
target = Inventory(internal_storage_engine=RedisStore(url=URL, store_id=STORE_ID))
source = ChangedInventory()
source.load()
print(json.dumps({"summary": target.diff_from(source).summary(), "text": target.str()}))
"""


@pytest.mark.parametrize("shards", [1, 3])
def test_processes_share_a_store_on_the_cluster(on_cluster, redis_cluster_url, shards):
    store_id = on_cluster().store_id
    run_process(f"SHARDS = {shards}\n" + LOAD, redis_cluster_url, store_id)
    summary = json.loads(run_process(SYNC, redis_cluster_url, store_id))
    in_memory, source = BaseInventory(), ChangedInventory()
    in_memory.load()
    source.load()
    assert summary == in_memory.diff_from(source).summary()
    seen = json.loads(run_process(CHECK, redis_cluster_url, store_id))
    assert sum(seen["summary"][kind] for kind in ("create", "update", "delete")) == 0
    assert seen["text"] == source.str()


def test_a_store_opened_before_another_spread_it_reads_the_groups(on_cluster):
    reader = Inventory(internal_storage_engine=on_cluster())  # nothing stored yet: undecided
    load_devices(on_cluster(shards=3), 50)
    assert reader.store.shards == 1
    assert len(reader.get_all(Device)) == 50
    assert reader.store.shards == 3


def test_a_one_group_writer_never_overwrites_a_root_another_process_spread(on_cluster):
    one_group = Inventory(internal_storage_engine=on_cluster(shards=1))  # decided: one group
    load_devices(on_cluster(shards=3), 50)
    one_group.add(Device(name="late"))
    with pytest.raises(ObjectStoreException, match="another process created the store with another layout"):
        one_group.store.flush()
    assert len(Inventory(internal_storage_engine=on_cluster()).get_all(Device)) == 50


def test_a_spread_root_without_a_group_count_is_named(on_cluster, redis_store_id, cluster_admin):
    load_devices(on_cluster(shards=3), 10)
    cluster_admin.hset(StoreKeys(redis_store_id).meta, "shards", "many")
    with pytest.raises(ObjectStoreException, match="records no valid group count"):
        on_cluster()
    cluster_admin.hset(StoreKeys(redis_store_id).meta, "shards", "3")  # so the fixture can clear it

"""Random sequences of store operations give the same results over RedisStore as over LocalStore.

A hypothesis state machine applies each step (add, update in place or by replacement, remove
with or without children, add_child, flush, refresh, diff, sync) to two adapters of the same
class, one over LocalStore and one over a RedisStore on the session's redis-server (and, in a
second run, spread over three slot groups of the session's Redis Cluster), and checks
after every step that both hold the same objects in the same order and raised the same errors.
A second RedisStore on the same store_id, refreshed after every step that writes, must then read
exactly what the LocalStore holds: what the first store wrote is what Redis has.

The number of examples and steps is bounded so this runs in a few seconds in ``make test``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from redis_models import Device, Interface, Inventory, Site

from diffsync.exceptions import ObjectCrudException, ObjectStoreException
from diffsync.store.redis import RedisStore

SITES = ["ams", "nyc", "sfo"]
DEVICES = ["r1", "r2", "r3", "r4"]
INTERFACES = ["eth0", "eth1"]
REGIONS = ["eu", "us", "apac"]
ROLES = ["leaf", "spine"]
MTUS = [1500, 9000]
MODELS = {"site": Site, "device": Device, "interface": Interface}


class SourceInventory(Inventory):
    """A fixed source to diff and sync from, overlapping the names the machine uses."""

    data = {
        "ams": ("eu", {"r1": ("spine", {"eth0": 1500, "eth1": 9000}), "r2": ("leaf", {"eth0": 1500})}),
        "sfo": ("us", {"r3": ("leaf", {"eth1": 9214})}),
    }


def outcome(action: Any) -> tuple[str, Any]:
    """("ok", result) or ("error", exception class name): what a step did, comparable across stores."""
    try:
        return "ok", action()
    except (ObjectStoreException, ObjectCrudException, ValueError, TypeError) as error:
        return "error", type(error).__name__


def snapshot(adapter: Inventory) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Every object of every model, in store order, as (unique id, dict without the adapter)."""
    return {
        name: [(obj.get_unique_id(), obj.dict()) for obj in adapter.get_all(name)] for name in sorted(MODELS)
    }


class RedisLikeLocal(RuleBasedStateMachine):
    url: str = ""
    shards: int = 1

    @initialize(write_through=st.booleans())
    def open_stores(self, write_through: bool) -> None:
        self.store_id = f"stateful-{uuid.uuid4().hex}"
        self.local = Inventory()
        store = RedisStore(
            url=self.url, store_id=self.store_id, write_through=write_through, shards=self.shards
        )
        self.redis = Inventory(internal_storage_engine=store)
        self.reader = Inventory(internal_storage_engine=RedisStore(url=self.url, store_id=self.store_id))
        self.source = SourceInventory()
        self.source.load()

    def teardown(self) -> None:
        if hasattr(self, "redis"):
            self.redis.store.clear()
            self.redis.store.close()
            self.reader.store.close()

    def both(self, step: Any) -> Any:
        """Run `step(adapter)` on both adapters; they must agree on success or the error type."""
        local, redis = outcome(lambda: step(self.local)), outcome(lambda: step(self.redis))
        assert local[0] == redis[0], (local, redis)
        if local[0] == "error":
            assert local[1] == redis[1], (local, redis)
        return local, redis

    def reader_agrees(self) -> None:
        self.reader.store.refresh()
        assert snapshot(self.reader) == snapshot(self.local)

    # -- adding ------------------------------------------------------------------------------

    @rule(name=st.sampled_from(SITES), region=st.sampled_from(REGIONS))
    def add_site(self, name: str, region: str) -> None:
        self.both(lambda adapter: adapter.add(Site(name=name, region=region)))

    @rule(site=st.sampled_from(SITES), name=st.sampled_from(DEVICES), role=st.sampled_from(ROLES))
    def add_device_to_site(self, site: str, name: str, role: str) -> None:
        def step(adapter: Inventory) -> None:
            device = Device(name=name, role=role)
            adapter.add(device)
            adapter.get(Site, site).add_child(device)

        self.both(step)

    @rule(device=st.sampled_from(DEVICES), name=st.sampled_from(INTERFACES), mtu=st.sampled_from(MTUS))
    def add_interface_to_device(self, device: str, name: str, mtu: int) -> None:
        def step(adapter: Inventory) -> None:
            parent = adapter.get(Device, device)
            interface = Interface(device_name=device, name=name, mtu=mtu)
            parent.add_child(interface)
            adapter.add(interface)

        self.both(step)

    # -- changing ----------------------------------------------------------------------------

    @rule(name=st.sampled_from(DEVICES), role=st.sampled_from(ROLES))
    def change_role_in_place(self, name: str, role: str) -> None:
        def step(adapter: Inventory) -> None:
            adapter.get(Device, name).role = role

        self.both(step)

    @rule(name=st.sampled_from(SITES), region=st.sampled_from(REGIONS))
    def replace_site_by_update(self, name: str, region: str) -> None:
        def step(adapter: Inventory) -> None:
            old = adapter.get_or_none(Site, name)
            devices = list(old.devices) if old is not None else []
            adapter.update(Site(name=name, region=region, devices=devices))

        self.both(step)

    @rule(name=st.sampled_from(DEVICES), role=st.sampled_from(ROLES))
    def update_or_instantiate_device(self, name: str, role: str) -> None:
        local, redis = self.both(
            lambda adapter: adapter.update_or_instantiate(Device, {"name": name}, {"role": role})[1]
        )
        assert local == redis  # created, or found and changed, on both

    # -- removing ----------------------------------------------------------------------------

    @rule(model=st.sampled_from(sorted(MODELS)), index=st.integers(0, 7), children=st.booleans())
    def remove(self, model: str, index: int, children: bool) -> None:
        def step(adapter: Inventory) -> None:
            objects = adapter.get_all(model)
            if objects:
                adapter.remove(objects[index % len(objects)], remove_children=children)

        self.both(step)

    @rule(site=st.sampled_from(SITES), index=st.integers(0, 7))
    def remove_child_from_site(self, site: str, index: int) -> None:
        def step(adapter: Inventory) -> None:
            parent = adapter.get(Site, site)
            if parent.devices:
                parent.remove_child(adapter.get(Device, parent.devices[index % len(parent.devices)]))

        self.both(step)

    # -- store operations ---------------------------------------------------------------------

    @rule()
    def flush(self) -> None:
        self.redis.store.flush()
        self.reader_agrees()

    @rule()
    def refresh(self) -> None:
        self.redis.store.refresh()
        self.reader_agrees()

    @rule()
    def diff(self) -> None:
        local, redis = self.both(lambda adapter: adapter.diff_from(self.source))
        if local[0] == "ok":  # a diff that raised (a dangling child id) flushed nothing
            assert local[1].dict() == redis[1].dict()
            assert local[1].summary() == redis[1].summary()
            self.reader_agrees()

    @rule()
    def sync(self) -> None:
        local, redis = self.both(lambda adapter: adapter.sync_from(self.source).summary())
        assert local == redis
        if local[0] == "ok":  # a diff that raised (a dangling child id) flushed nothing
            self.reader_agrees()

    # -- after every step ---------------------------------------------------------------------

    @invariant()
    def same_objects_in_the_same_order(self) -> None:
        if hasattr(self, "redis"):
            assert snapshot(self.redis) == snapshot(self.local)
            assert self.redis.count() == self.local.count()


@pytest.fixture(params=["redis", "redis-cluster-shards"])
def machine(request: pytest.FixtureRequest) -> type[RedisLikeLocal]:
    """The session's server, or the session's cluster with stores spread over three slot groups."""
    if request.param == "redis":
        where = {"url": request.getfixturevalue("redis_url"), "shards": 1}
    else:
        where = {"url": request.getfixturevalue("redis_cluster_url"), "shards": 3}
    # A class per run: hypothesis's settings may be applied to a state machine class once.
    return type(f"RedisLikeLocal_{request.param.replace('-', '_')}", (RedisLikeLocal,), where)


def test_random_operations_on_redis_store_match_local_store(machine: type[RedisLikeLocal]) -> None:
    run = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )(machine).TestCase
    run().runTest()

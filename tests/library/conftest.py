"""Shared fixtures for the diffsync library tests.

The inventory classes live in ``library_inventory.py``; here they are loaded into adapters.
``store_factory`` is the seam for running the store behaviour tests against more than one
store: each param builds a fresh, empty store (LocalStore, RedisStore on the test redis-server, and
RedisStore on the test Redis Cluster, in one hash slot and spread over three slot groups).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from library_inventory import (
    BACKEND_A,
    BackendA,
    BackendB,
    InventoryAdapter,
    backend_b_data,
    extra_data,
    load_adapter,
    load_minus,
)

from diffsync.store import BaseStore
from diffsync.store.local import LocalStore

StoreFactory = Callable[[], BaseStore]


@pytest.fixture
def backend_a() -> InventoryAdapter:
    """Backend A loaded with the 23-model inventory."""
    return load_adapter(BackendA, BACKEND_A)


@pytest.fixture
def backend_b() -> InventoryAdapter:
    """Backend B: A with one create, update and delete at several levels."""
    return load_adapter(BackendB, backend_b_data())


@pytest.fixture
def backend_extra() -> InventoryAdapter:
    """A plus one site and one device (the pinned 'extra' fixture)."""
    return load_adapter(BackendA, extra_data())


@pytest.fixture
def backend_minus() -> InventoryAdapter:
    """A minus one site and one device, their children left as orphans (pinned 'minus')."""
    return load_minus()


@pytest.fixture(params=["local", "redis", "redis-cluster", "redis-cluster-shards"])
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    """Return a callable that builds a fresh empty store of the parametrized kind."""
    if request.param == "local":
        return LocalStore
    if request.param == "redis":
        return _redis_store_factory(request, "redis_url")
    if request.param == "redis-cluster":
        return _redis_store_factory(request, "redis_cluster_url")
    if request.param == "redis-cluster-shards":
        return _redis_store_factory(request, "redis_cluster_url", shards=3)
    raise AssertionError(f"unknown store kind {request.param!r}")


def _redis_store_factory(request: pytest.FixtureRequest, url_fixture: str, shards: int = 1) -> StoreFactory:
    """RedisStores on a session server or cluster, each on a new store_id, cleared afterwards."""
    from diffsync.store.redis import RedisStore

    url = request.getfixturevalue(url_fixture)
    made: list[RedisStore] = []

    def build() -> BaseStore:
        store = RedisStore(url=url, store_id=f"library-{uuid.uuid4().hex}", shards=shards)
        made.append(store)
        return store

    def clear_all() -> None:
        for store in made:
            store.clear()

    request.addfinalizer(clear_all)
    return build

"""Fixtures for the RedisStore tests: stores on the session's real redis-server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from redis_models import Inventory, Site

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore

MakeStore = Callable[..., RedisStore]


@pytest.fixture
def make_store(redis_url: str, redis_store_id: str) -> Iterator[MakeStore]:
    """Build RedisStores on the session server (default: this test's store_id); clear them after."""
    made: list[RedisStore] = []

    def build(**kwargs: Any) -> RedisStore:
        kwargs.setdefault("url", redis_url)
        kwargs.setdefault("store_id", redis_store_id)
        store = RedisStore(**kwargs)
        made.append(store)
        return store

    yield build
    for store in made:
        with contextlib.suppress(ObjectStoreException):  # a test may have stopped its server
            store.clear()


@pytest.fixture
def admin(redis_server: Any) -> Iterator[redis.Redis]:
    """A plain client on the session server, for looking at (and tampering with) keys."""
    client = redis_server.client()
    yield client
    client.close()


@pytest.fixture
def other_store_id() -> str:
    return f"other-{uuid.uuid4().hex}"


@pytest.fixture
def stored(make_store) -> Inventory:
    """Two sites (ams, nyc) written to this test's store."""
    adapter = Inventory(internal_storage_engine=make_store())
    adapter.add(Site(name="ams", region="eu"))
    adapter.add(Site(name="nyc", region="us"))
    adapter.store.flush()
    return adapter

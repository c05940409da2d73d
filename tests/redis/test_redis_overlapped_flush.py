"""A flush sends each batch while it serialises the next (`diffsync/store/redis/_sender.py`).

Overlapping this process's work with Redis's must leave what the flush writes, and what a
failure leaves behind, as they are when batches go one after the other: these tests break a
flush between two batches in the ways the overlap adds (a batch sent whose reply is never
read, a script Redis forgot) and check the store and the client's connections afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from diffsync import Adapter, DiffSyncModel
from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore
from diffsync.store.redis._writer import CHUNK

OBJECTS = 3 * CHUNK + 17  # four batches


class Probe(DiffSyncModel):
    _modelname = "probe"
    _identifiers = ("name",)
    _attributes = ("payload",)

    name: str
    payload: Any = 0


class Probes(Adapter):
    probe = Probe
    top_level = ["probe"]


def names(count: int = OBJECTS) -> list[str]:
    return [f"p{index:05d}" for index in range(count)]


def stored_names(url: str, store_id: str) -> list[str]:
    return [
        probe.name
        for probe in Probes(internal_storage_engine=RedisStore(url=url, store_id=store_id)).get_all(Probe)
    ]


def test_a_flush_that_fails_while_a_batch_is_in_flight_is_completed_by_the_next(make_store, redis_url):
    """The second batch cannot be serialised while the first one is in flight: the flush raises,
    the client's connections stay usable, and the next flush writes everything, in order."""
    store = make_store()
    adapter = Probes(internal_storage_engine=store)
    for name in names():
        adapter.add(Probe(name=name))
    culprit = adapter.get(Probe, names()[CHUNK + 5])
    culprit.payload = object()  # JSON cannot encode it
    with pytest.raises(ObjectStoreException, match="payload"):
        store.flush()
    # The connection that carried the unread reply was dropped, not handed to the next command.
    assert store.count(model=Probe) == OBJECTS
    assert store._client.ping() is True
    assert store._client.echo("after") == b"after"
    culprit.payload = 1
    store.flush()
    assert stored_names(redis_url, store.store_id) == names()


def test_a_flush_after_redis_forgot_the_script_writes_every_batch(make_store, admin, redis_url):
    store = make_store()
    adapter = Probes(internal_storage_engine=store)
    for name in names(CHUNK):
        adapter.add(Probe(name=name))
    store.flush()
    admin.script_flush()  # as a restart does
    for name in names()[CHUNK:]:
        adapter.add(Probe(name=name))
    store.flush()
    assert stored_names(redis_url, store.store_id) == names()


def test_a_flush_with_nothing_to_write_does_not_contact_redis(restartable_redis):
    store = RedisStore(url=restartable_redis.url, store_id="quiet", retries=0)
    adapter = Probes(internal_storage_engine=store)
    for name in names():
        adapter.add(Probe(name=name))
    store.flush()
    restartable_redis.kill()
    store.flush()  # nothing changed: no connection is taken, so nothing fails
    adapter.get(Probe, "p00007").payload = 2
    with pytest.raises(ObjectStoreException, match="flush of"):
        store.flush()
    restartable_redis.start()
    store.flush()
    held: Any = Probes(internal_storage_engine=RedisStore(url=restartable_redis.url, store_id="quiet"))
    assert held.get(Probe, "p00007").payload == 2

"""clear() and delete_store(): every key of a store goes, by name, and by SCAN only where allowed.

SCAN is not filtered by ACL key patterns (a user allowed it lists every tenant's keys), so a
Redis user confined to one store's keys is not given it. A store built with
``allow_scan=False`` clears by the names its meta records, which are all the keys diffsync
writes. `delete_store` also deletes data a store refuses to open (the previous format).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import redis
from redis_models import BaseInventory, Inventory, Site

from diffsync.exceptions import ObjectStoreException, StoreFormatMismatch
from diffsync.store.redis import RedisStore, delete_store, store_keys
from diffsync.store.redis._keys import StoreKeys

PASSWORD = "confined-pw"


def keys_under(admin: redis.Redis, prefix: str) -> set[str]:
    """Every key under `prefix` (a test-side SCAN, as an administrator may)."""
    return {key.decode() for key in admin.scan_iter(match=f"{prefix}:*", count=1000)}


@pytest.fixture
def confined(redis_server, admin, redis_store_id) -> Iterator[redis.Redis]:
    """A client of a user that may touch only this test's store and may not SCAN (nor KEYS)."""
    name = f"confined-{uuid.uuid4().hex[:8]}"
    pattern = f"~{StoreKeys(redis_store_id).prefix}:*"
    admin.execute_command(
        "ACL", "SETUSER", name, "reset", "on", f">{PASSWORD}", pattern, "+@all", "-@dangerous", "-scan"
    )
    admin.acl_log_reset()
    client = redis.Redis(host="127.0.0.1", port=redis_server.port, username=name, password=PASSWORD)
    with pytest.raises(redis.exceptions.NoPermissionError):
        client.scan(0)  # the control: this user really may not SCAN
    admin.acl_log_reset()
    yield client
    client.close()
    admin.acl_deluser(name)


def loaded(store: RedisStore) -> Inventory:
    """Three models written, one object removed since (so meta and the lists have history)."""
    adapter = BaseInventory(internal_storage_engine=store)
    adapter.load()
    store.flush()
    adapter.remove(adapter.get_all("interface")[0])
    store.flush()
    return adapter


def test_a_store_that_may_not_scan_clears_every_key_it_wrote_under_a_user_without_scan(
    confined, admin, redis_store_id
):
    prefix = StoreKeys(redis_store_id).prefix
    loaded(RedisStore(client=confined, store_id=redis_store_id))
    assert len(keys_under(admin, prefix)) == 7  # meta, and a data hash and an order list per model
    store = RedisStore(client=confined, store_id=redis_store_id, allow_scan=False)  # a fresh instance
    store.clear()
    assert keys_under(admin, prefix) == set()
    assert admin.acl_log() == []  # nothing was refused: no SCAN was sent
    assert store.count() == 0


def test_a_store_that_may_scan_under_a_user_without_scan_fails_loudly(confined, redis_store_id):
    store = RedisStore(client=confined, store_id=redis_store_id)
    loaded(store)
    with pytest.raises(ObjectStoreException, match="NoPermissionError"):
        store.clear()  # the named keys are gone, but what else is under the prefix is not known


def test_without_scan_keys_another_program_wrote_under_the_prefix_stay(make_store, admin):
    store = make_store(allow_scan=False)
    loaded(store)
    junk = f"{store._keys.prefix}:junk"
    admin.set(junk, "not diffsync's")
    store.clear()
    assert keys_under(admin, store._keys.prefix) == {junk}
    delete_store(admin, store.store_id)  # a login that may SCAN sweeps it
    assert keys_under(admin, store._keys.prefix) == set()


def test_clear_names_the_models_the_instance_knows_even_when_meta_is_gone(make_store, admin):
    store = make_store(allow_scan=False)
    adapter = loaded(store)
    adapter.get_all("site")  # read: the instance knows the model names now
    admin.delete(store._keys.meta)  # meta evicted alone
    store.clear()
    assert keys_under(admin, store._keys.prefix) == set()


def test_store_keys_names_every_key_of_the_layout(make_store, admin):
    store = make_store()
    loaded(store)
    named = set(store_keys(admin, store.store_id))
    assert keys_under(admin, store._keys.prefix) <= named
    assert named - keys_under(admin, store._keys.prefix) == {f"{store._keys.prefix}:models"}  # older layout


def write_previous_format(admin: redis.Redis, store_id: str) -> str:
    """What diffsync-redis/1 wrote: meta without epoch or n: fields, and a SET of model names."""
    prefix = StoreKeys(store_id).prefix
    admin.hset(f"{prefix}:meta", mapping={"format": "diffsync-redis/1", "ver:site": "1"})
    admin.sadd(f"{prefix}:models", "site")
    admin.hset(f"{prefix}:data:site", "ams", json.dumps({"name": "ams", "region": "eu", "devices": []}))
    admin.rpush(f"{prefix}:order:site", "ams")
    return prefix


def test_data_of_the_previous_format_is_refused_and_deleted_by_name(confined, admin, redis_store_id):
    prefix = write_previous_format(admin, redis_store_id)
    with pytest.raises(StoreFormatMismatch, match="diffsync-redis/1"):
        RedisStore(client=confined, store_id=redis_store_id)
    assert set(store_keys(confined, redis_store_id)) >= keys_under(admin, prefix)
    assert delete_store(confined, redis_store_id, scan=False) == 4
    assert keys_under(admin, prefix) == set()
    assert admin.acl_log() == []
    store = RedisStore(client=confined, store_id=redis_store_id)  # the id is usable again
    store.add(obj=Site(name="ams"))
    store.flush()
    assert RedisStore(client=confined, store_id=redis_store_id).count() == 1


def test_delete_store_reports_an_unreachable_server_as_a_store_exception():
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    with pytest.raises(ObjectStoreException, match="delete of"):
        delete_store(client, "nowhere")

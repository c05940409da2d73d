"""Constructing a RedisStore: the ways to connect, and how failing to connect is reported."""

from __future__ import annotations

import uuid

import pytest
import redis
from redis_models import BaseInventory, Site

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import RedisStore


def test_url_and_host_together_is_a_value_error(redis_url):
    with pytest.raises(ValueError, match=r"^'url' and 'host' arguments can't be specified together\.$"):
        RedisStore(url=redis_url, host="127.0.0.1")


def test_client_with_url_is_a_value_error(redis_url, redis_server):
    with pytest.raises(ValueError, match="'client' can't be combined"):
        RedisStore(url=redis_url, client=redis_server.client())


def test_unreachable_server_raises_unavailable_chained_from_the_connection_error():
    with pytest.raises(ObjectStoreException, match=r"^Redis store is unavailable\.$") as error:
        RedisStore(url="redis://127.0.0.1:1/0", retries=0, socket_connect_timeout=1)
    assert isinstance(error.value.__cause__, redis.ConnectionError)


def test_unresolvable_host_raises_unavailable():
    with pytest.raises(ObjectStoreException, match=r"^Redis store is unavailable\.$") as error:
        RedisStore(url="redis://wrong", retries=0, socket_connect_timeout=1)
    assert isinstance(error.value.__cause__, redis.ConnectionError)


def test_no_host_url_or_client_raises_unavailable_saying_what_to_pass():
    with pytest.raises(ObjectStoreException, match=r"^Redis store is unavailable\.$") as error:
        RedisStore()
    assert "url=" in str(error.value.__cause__)


def test_wrong_password_raises_unavailable_chained_from_the_authentication_error(redis_server_factory):
    server = redis_server_factory(password="s3cret")
    with pytest.raises(ObjectStoreException, match=r"^Redis store is unavailable\.$") as error:
        RedisStore(host="127.0.0.1", port=server.port, password="wrong", retries=0)
    assert isinstance(error.value.__cause__, redis.AuthenticationError)


def test_right_password_connects(redis_server_factory):
    server = redis_server_factory(password="s3cret")
    store = RedisStore(host="127.0.0.1", port=server.port, password="s3cret", store_id="auth")
    store.add(obj=Site(name="ams"))
    store.flush()
    assert RedisStore(url=server.url, store_id="auth").count() == 1


def test_str_is_name_and_store_id(make_store):
    assert str(make_store(name="mystore", store_id="123")) == "mystore (123)"


def test_default_name_is_the_class_name(make_store):
    assert str(make_store(store_id="123")) == "RedisStore (123)"


def test_default_store_id_is_a_uuid4(redis_url):
    store = RedisStore(url=redis_url)
    assert uuid.UUID(store.store_id).version == 4


def test_empty_store_id_is_a_value_error(redis_url):
    with pytest.raises(ValueError, match="store_id must be a non-empty string"):
        RedisStore(url=redis_url, store_id="")


def test_non_positive_ttl_is_a_value_error(redis_url):
    with pytest.raises(ValueError, match="ttl must be a positive number of seconds"):
        RedisStore(url=redis_url, ttl=0)


def test_host_and_port_connect(redis_server, redis_store_id):
    store = RedisStore(host="127.0.0.1", port=redis_server.port, store_id=redis_store_id)
    store.add(obj=Site(name="ams"))
    store.flush()
    assert RedisStore(url=redis_server.url, store_id=redis_store_id).count() == 1
    store.clear()


def test_unix_socket_url_reaches_the_same_data(redis_server, redis_url, redis_store_id):
    writer = RedisStore(url=redis_url, store_id=redis_store_id)
    writer.add(obj=Site(name="ams", region="eu"))
    writer.flush()
    reader = RedisStore(url=redis_server.unix_url, store_id=redis_store_id)
    assert reader.get(model=Site, identifier="ams").region == "eu"
    writer.clear()


def test_db_number_separates_stores_with_the_same_id(redis_server, redis_store_id):
    in_db0 = RedisStore(host="127.0.0.1", port=redis_server.port, db=0, store_id=redis_store_id)
    in_db0.add(obj=Site(name="ams"))
    in_db0.flush()
    in_db1 = RedisStore(host="127.0.0.1", port=redis_server.port, db=1, store_id=redis_store_id)
    assert (in_db0.count(), in_db1.count()) == (1, 0)
    in_db0.clear()


def test_existing_client_is_used(redis_server, redis_store_id):
    store = RedisStore(client=redis_server.client(), store_id=redis_store_id)
    store.add(obj=Site(name="ams"))
    store.flush()
    assert redis_server.client().hlen(f"diffsync:{{{redis_store_id}}}:data:site") == 1
    store.clear()


def test_client_with_decoded_responses_reads_back_the_same_objects(redis_server, redis_store_id):
    writer = RedisStore(client=redis_server.client(decode_responses=True), store_id=redis_store_id)
    writer.add(obj=Site(name="ams", region="eu"))
    writer.flush()
    reader = RedisStore(client=redis_server.client(decode_responses=True), store_id=redis_store_id)
    assert reader.get(model=Site, identifier="ams").region == "eu"
    writer.clear()


def test_adapter_with_a_store_instance_binds_the_store_to_it(make_store):
    adapter = BaseInventory(internal_storage_engine=make_store())
    assert adapter.store.adapter is adapter


def test_adapter_given_the_class_raises_unavailable():
    with pytest.raises(ObjectStoreException, match=r"^Redis store is unavailable\.$"):
        BaseInventory(internal_storage_engine=RedisStore)


def test_tls_url_connects_with_the_servers_ca(redis_server_factory):
    server = redis_server_factory(tls=True)
    store = RedisStore(url=server.url, store_id="tls", connection_kwargs={"ssl_ca_certs": str(server.tls.ca)})
    store.add(obj=Site(name="ams", region="eu"))
    store.flush()
    assert server.client().hget("diffsync:{tls}:data:site", "ams") is not None


def test_tls_server_refuses_a_client_that_does_not_trust_its_certificate(redis_server_factory):
    server = redis_server_factory(tls=True)
    with pytest.raises(ObjectStoreException, match=r"^Redis store is unavailable\.$") as error:
        RedisStore(url=server.url, store_id="tls", retries=0)
    assert "certificate verify failed" in str(error.value.__cause__)

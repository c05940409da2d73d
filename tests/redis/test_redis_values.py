"""Field values beyond plain JSON: what pydantic covers, the error for the rest, and ValueCodec."""

from __future__ import annotations

import datetime
import decimal
import enum
import ipaddress
import json
import uuid
from typing import Any

import pytest
from redis_models import Inventory, Site

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis import ValueCodec


class Connection:
    """An SDK object of the kind generated models keep in ``local_data: Any``."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Connection) and (self.host, self.port) == (other.host, other.port)

    __hash__ = None  # type: ignore[assignment]


class TlsConnection(Connection):
    pass


class GeneratedSite(Site):
    local_data: Any = None


class GeneratedInventory(Inventory):
    site = GeneratedSite


def connection_codec() -> ValueCodec:
    codec = ValueCodec()
    codec.register(
        Connection,
        tag="sdk.Connection",
        encode=lambda conn: {"host": conn.host, "port": conn.port},
        decode=lambda data: Connection(data["host"], data["port"]),
    )
    return codec


def stored_and_reread(make_store, value: Any, codec: ValueCodec | None) -> Any:
    writer = GeneratedInventory(internal_storage_engine=make_store(codec=codec))
    writer.add(GeneratedSite(name="ams", local_data=value))
    writer.store.flush()
    reader = GeneratedInventory(internal_storage_engine=make_store(codec=codec))
    return reader.get(GeneratedSite, "ams").local_data


def test_a_non_json_value_is_refused_naming_model_id_field_type_and_the_fix(make_store):
    adapter = GeneratedInventory(internal_storage_engine=make_store())
    adapter.add(GeneratedSite(name="ams", local_data=Connection("db", 5432)))
    with pytest.raises(ObjectStoreException) as error:
        adapter.store.flush()
    message = str(error.value)
    assert "cannot store site 'ams'" in message
    culprit = f"field 'local_data' holds a value of type {__name__}.Connection, which JSON cannot encode"
    assert culprit in message
    assert "ValueCodec passed as RedisStore(codec=...)" in message


def test_a_non_json_value_nested_in_a_dict_is_refused_naming_the_field(make_store):
    adapter = GeneratedInventory(internal_storage_engine=make_store())
    adapter.add(GeneratedSite(name="ams", local_data={"primary": [Connection("db", 5432)]}))
    with pytest.raises(ObjectStoreException, match=r"field 'local_data' holds a value of type .*Connection"):
        adapter.store.flush()


def test_a_refused_flush_writes_nothing_and_keeps_the_object_pending(make_store):
    adapter = GeneratedInventory(internal_storage_engine=make_store())
    site = GeneratedSite(name="ams", local_data=Connection("db", 5432))
    adapter.add(site)
    with pytest.raises(ObjectStoreException):
        adapter.store.flush()
    assert make_store().count() == 0
    site.local_data = {"host": "db"}
    adapter.store.flush()
    assert make_store().count() == 1


def test_a_codec_stores_and_reads_back_a_registered_type(make_store):
    assert stored_and_reread(make_store, Connection("db", 5432), connection_codec()) == Connection("db", 5432)


def test_a_codec_value_nested_in_containers_reads_back(make_store):
    value = {"primary": [Connection("db", 5432)], "note": "x"}
    assert stored_and_reread(make_store, value, connection_codec()) == value


def test_a_codec_covers_subclasses_of_a_registered_type(make_store):
    read = stored_and_reread(make_store, TlsConnection("db", 6379), connection_codec())
    assert read == Connection("db", 6379)


def test_a_codec_value_is_stored_as_tagged_json(make_store, admin):
    codec = connection_codec()
    adapter = GeneratedInventory(internal_storage_engine=make_store(codec=codec))
    adapter.add(GeneratedSite(name="ams", local_data=Connection("db", 5432)))
    adapter.store.flush()
    raw = admin.hget(adapter.store._keys.data("site"), "ams")
    assert json.loads(raw)["local_data"] == {
        "__diffsync_value__": "sdk.Connection",
        "value": {"host": "db", "port": 5432},
    }


def test_an_unregistered_tag_is_refused_naming_key_and_field(make_store, admin):
    adapter = GeneratedInventory(internal_storage_engine=make_store())
    adapter.add(GeneratedSite(name="ams"))
    adapter.store.flush()
    tagged = {"name": "ams", "local_data": {"__diffsync_value__": "os.system", "value": "rm -rf /"}}
    admin.hset(adapter.store._keys.data("site"), "ams", json.dumps(tagged))
    reader = GeneratedInventory(internal_storage_engine=make_store(codec=connection_codec()))
    with pytest.raises(ObjectStoreException, match=r"field 'ams' of .*:data:site is not a valid") as error:
        reader.get(GeneratedSite, "ams")
    assert "tagged 'os.system', which this ValueCodec has no registration for" in str(error.value)


def test_a_decode_that_fails_is_reported_naming_key_and_field(make_store, admin):
    adapter = GeneratedInventory(internal_storage_engine=make_store(codec=connection_codec()))
    adapter.add(GeneratedSite(name="ams", local_data=Connection("db", 5432)))
    adapter.store.flush()
    tagged = {"name": "ams", "local_data": {"__diffsync_value__": "sdk.Connection", "value": {}}}
    admin.hset(adapter.store._keys.data("site"), "ams", json.dumps(tagged))
    reader = GeneratedInventory(internal_storage_engine=make_store(codec=connection_codec()))
    with pytest.raises(ObjectStoreException, match=r"field 'ams' of .*:data:site is not a valid") as error:
        reader.get(GeneratedSite, "ams")
    assert "decoding a value tagged 'sdk.Connection' failed: KeyError" in str(error.value)


def test_without_a_codec_a_tagged_value_reads_back_as_plain_json(make_store):
    read = stored_and_reread(make_store, {"__diffsync_value__": "x", "value": 1}, None)
    assert read == {"__diffsync_value__": "x", "value": 1}


def test_codec_must_be_a_value_codec(redis_url):
    from diffsync.store.redis import RedisStore

    with pytest.raises(TypeError, match=r"codec must be a diffsync\.store\.redis\.ValueCodec"):
        RedisStore(url=redis_url, codec={"Connection": str})


def test_a_tag_cannot_name_two_types():
    codec = connection_codec()
    with pytest.raises(ValueError, match=r"tag 'sdk\.Connection' is already registered"):
        codec.register(dict, tag="sdk.Connection", encode=dict, decode=dict)


class Colour(enum.Enum):
    RED = "red"


class Typed(Site):
    seen: datetime.datetime = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    day: datetime.date = datetime.date(2024, 1, 1)
    token: uuid.UUID = uuid.UUID(int=0)
    address: ipaddress.IPv4Address = ipaddress.IPv4Address("10.0.0.1")
    network: ipaddress.IPv6Network = ipaddress.IPv6Network("2001:db8::/32")
    price: decimal.Decimal = decimal.Decimal("0")
    colour: Colour = Colour.RED
    tags: frozenset[str] = frozenset()


class TypedInventory(Inventory):
    site = Typed


def test_typed_fields_of_common_types_round_trip_without_a_codec(make_store):
    value = Typed(
        name="ams",
        seen=datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc),
        day=datetime.date(2024, 5, 6),
        token=uuid.uuid4(),
        address=ipaddress.IPv4Address("192.0.2.7"),
        network=ipaddress.IPv6Network("2001:db8:1::/48"),
        price=decimal.Decimal("12.3400"),
        colour=Colour.RED,
        tags=frozenset({"a", "b"}),
    )
    writer = TypedInventory(internal_storage_engine=make_store())
    writer.add(value)
    writer.store.flush()
    read = TypedInventory(internal_storage_engine=make_store()).get(Typed, "ams")
    assert read.model_dump(exclude={"adapter"}) == value.model_dump(exclude={"adapter"})

"""Reading never runs or imports anything named by the data; bad values are reported by key."""

from __future__ import annotations

import os
import pickle

import pytest
from redis_models import Device, Inventory, Site

from diffsync import DiffSyncModel
from diffsync.exceptions import ObjectStoreException, StoreFormatMismatch


class _Exploit:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def data_key(adapter, model="site"):
    return adapter.store._keys.data(model)


def reader(make_store):
    return Inventory(internal_storage_engine=make_store())


def test_corrupted_value_raises_store_exception_naming_the_key_and_field(stored, make_store, admin):
    admin.hset(data_key(stored), "ams", b"{not json")
    with pytest.raises(ObjectStoreException) as error:
        reader(make_store).get(Site, "ams")
    assert data_key(stored) in str(error.value)
    assert "'ams'" in str(error.value)


def test_value_that_fails_validation_raises_store_exception(stored, make_store, admin):
    admin.hset(data_key(stored), "ams", b'{"name": ["not", "a", "string"]}')
    with pytest.raises(ObjectStoreException, match="is not a valid Site"):
        reader(make_store).get_all(Site)


def test_a_pickle_payload_is_never_unpickled(stored, make_store, admin, tmp_path):
    marker = tmp_path / "pwned"
    admin.hset(data_key(stored), "ams", pickle.dumps(_Exploit(str(marker))))
    with pytest.raises(ObjectStoreException):
        reader(make_store).get(Site, "ams")
    assert not marker.exists()


def test_a_corrupted_value_does_not_stop_reading_the_others(stored, make_store, admin):
    admin.hset(data_key(stored), "ams", b"garbage")
    assert reader(make_store).get(Site, "nyc").region == "us"


def test_values_are_read_with_the_class_the_adapter_declares(stored, make_store):
    class Renamed(Inventory):
        class site(DiffSyncModel):  # a different class under the same model name
            _modelname = "site"
            _identifiers = ("name",)
            name: str
            region: str = ""
            devices: list[str] = []

    adapter = Renamed(internal_storage_engine=make_store())
    assert type(adapter.get("site", "ams")) is Renamed.site


def test_a_model_name_the_adapter_does_not_declare_is_reported_with_the_fix(make_store, admin):
    writer = Inventory(internal_storage_engine=make_store())
    writer.add(Device(name="r1"))
    writer.store.flush()

    class SitesOnly(Inventory):
        device = None

    with pytest.raises(ObjectStoreException, match=r"declares no model named 'device'.*add `device = "):
        SitesOnly(internal_storage_engine=make_store()).get_all("device")


def test_a_field_that_is_not_json_serialisable_is_reported_with_the_fix(make_store):
    class Opaque(Site):
        handle: object = None

    class WithOpaque(Inventory):
        site = Opaque

    adapter = WithOpaque(internal_storage_engine=make_store())
    adapter.add(Opaque(name="ams", handle=os))
    with pytest.raises(ObjectStoreException, match=r"cannot store site 'ams'.*JSON-serialisable"):
        adapter.store.flush()


def test_a_key_of_the_wrong_type_raises_store_exception_naming_it(make_store, admin):
    store = make_store()
    admin.set(store._keys.data("site"), "a string, not a hash")
    with pytest.raises(ObjectStoreException, match="is a string, not the hash") as error:
        store.get_all(model=Site)
    assert f"{store._keys.data('site')} is a string" in str(error.value)


def test_data_in_another_format_is_refused_at_construction(make_store, admin, redis_store_id):
    admin.hset(f"diffsync:{{{redis_store_id}}}:meta", "format", "diffsync-redis/0")
    with pytest.raises(StoreFormatMismatch, match="holds format 'diffsync-redis/0'") as error:
        make_store()
    assert isinstance(error.value, ObjectStoreException)
    assert "delete_store" in str(error.value)  # what to do, with a call that works on such data
    admin.delete(f"diffsync:{{{redis_store_id}}}:meta")

"""BaseStore's constructor, abstract methods and shared helpers."""

from __future__ import annotations

import pytest
from library_inventory import InventoryAdapter, Site

from diffsync.store import BaseStore


def test_name_defaults_to_the_class_name():
    assert BaseStore().name == "BaseStore"


def test_given_name_is_kept_and_used_by_str():
    store = BaseStore(name="primary")
    assert (store.name, str(store)) == ("primary", "primary")


def test_adapter_defaults_to_none_and_can_be_given():
    adapter = InventoryAdapter()
    assert BaseStore().adapter is None
    assert BaseStore(adapter=adapter).adapter is adapter


def test_extra_arguments_are_ignored():
    store = BaseStore("x", 1, name="n", url="redis://nowhere")
    assert store.name == "n"


def test_store_has_a_structlog_logger():
    store = BaseStore()
    assert callable(store._log.error)


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("get_all_model_names", (), {}),
        ("get", (), {"model": Site, "identifier": "hq"}),
        ("get_all", (), {"model": Site}),
        ("get_by_uids", (), {"uids": ["hq"], "model": Site}),
        ("remove_item", ("site", "hq"), {}),
        ("add", (), {"obj": Site(name="hq")}),
        ("update", (), {"obj": Site(name="hq")}),
        ("count", (), {"model": None}),
    ],
)
def test_storage_method_is_abstract(method, args, kwargs):
    with pytest.raises(NotImplementedError):
        getattr(BaseStore(), method)(*args, **kwargs)


def test_clear_built_on_the_contract_removes_every_object():
    class DictStore(BaseStore):
        """The smallest store: just the contract, so clear() uses BaseStore's own version."""

        def __init__(self) -> None:
            super().__init__()
            self.data: dict[str, dict[str, Site]] = {}

        def get_all_model_names(self):
            return set(self.data)

        def get_all(self, *, model):
            return list(self.data.get(model, {}).values())

        def remove_item(self, modelname, uid):
            del self.data[modelname][uid]

    store = DictStore()
    store.data = {"site": {"hq": Site(name="hq"), "branch": Site(name="branch")}}
    store.clear()
    assert store.data == {"site": {}}

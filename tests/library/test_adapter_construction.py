"""Adapter construction, keyword capture, store wiring and dunders."""

from __future__ import annotations

import threading

from library_inventory import Device, InventoryAdapter

from diffsync import Adapter
from diffsync.store.local import LocalStore


class UrlAdapter(Adapter):
    """A subclass with its own constructor keywords, as user adapters often have."""

    def __init__(self, *, url: str = "", options: object = None, **kwargs):
        super().__init__(**kwargs)
        self.url = url
        self.options = options


class Unpicklable:
    """deepcopy of this fails with AttributeError."""

    def __deepcopy__(self, memo):
        raise AttributeError("no copies")


class Exploding:
    """deepcopy of this fails with an unrelated error."""

    def __deepcopy__(self, memo):
        raise ValueError("copying is forbidden")


def test_meta_kwargs_records_the_keyword_arguments():
    assert Adapter(name="x")._meta_kwargs == {"name": "x"}


def test_meta_kwargs_is_empty_without_arguments():
    assert Adapter()._meta_kwargs == {}


def test_meta_kwargs_keeps_classes_as_is():
    meta = Adapter(name="t", internal_storage_engine=LocalStore)._meta_kwargs
    assert meta == {"name": "t", "internal_storage_engine": LocalStore}
    assert meta["internal_storage_engine"] is LocalStore


def test_meta_kwargs_keeps_call_order():
    assert list(UrlAdapter(url="redis://x", name="n")._meta_kwargs) == ["url", "name"]


def test_meta_kwargs_records_subclass_keywords():
    assert UrlAdapter(url="redis://x")._meta_kwargs == {"url": "redis://x"}


def test_meta_kwargs_is_not_shared_between_instances():
    first, second = Adapter(name="a"), Adapter(name="b")
    assert first._meta_kwargs is not second._meta_kwargs
    assert second._meta_kwargs == {"name": "b"}


def test_meta_kwargs_holds_independent_copies_of_mutable_values():
    options = {"hosts": ["a"]}
    adapter = UrlAdapter(options=options)
    options["hosts"].append("b")
    options["new"] = 1
    assert adapter._meta_kwargs == {"options": {"hosts": ["a"]}}


def test_meta_kwargs_keeps_a_value_that_deepcopy_rejects_with_type_error():
    lock = threading.Lock()
    assert UrlAdapter(options=lock)._meta_kwargs["options"] is lock


def test_meta_kwargs_keeps_a_value_that_deepcopy_rejects_with_attribute_error():
    value = Unpicklable()
    assert UrlAdapter(options=value)._meta_kwargs["options"] is value


def test_meta_kwargs_never_fails_on_a_value_whose_copy_raises():
    # Upstream main lets this ValueError escape from the constructor; 2.2.3 copies nothing.
    value = Exploding()
    assert UrlAdapter(options=value)._meta_kwargs["options"] is value


def test_meta_kwargs_copies_nested_plain_containers():
    options = {"hosts": ("a", ["b"]), "ports": {1, 2}}
    recorded = UrlAdapter(options=options)._meta_kwargs["options"]
    options["hosts"][1].append("c")
    options["ports"].add(3)
    assert recorded == {"hosts": ("a", ["b"]), "ports": {1, 2}}


def test_meta_kwargs_records_objects_by_reference():
    client = object()
    assert UrlAdapter(options=client)._meta_kwargs["options"] is client


def test_meta_kwargs_records_a_large_argument_by_reference_instead_of_copying_it():
    big = {f"device{number}": {"role": "leaf"} for number in range(200_000)}
    assert UrlAdapter(options=big)._meta_kwargs["options"] is big


def test_meta_kwargs_records_the_store_instance_itself():
    store = LocalStore()
    adapter = Adapter(internal_storage_engine=store)
    assert adapter._meta_kwargs["internal_storage_engine"] is store is adapter.store


class ClientAdapter(Adapter):
    """A 2.2.3-style adapter whose constructor takes the client positionally."""

    def __init__(self, client, name=None):
        super().__init__(name)
        self.client = client


def test_positional_name_is_accepted_as_in_2_2_3():
    adapter = Adapter("x")
    assert (adapter.name, adapter._meta_kwargs) == ("x", {})


def test_positional_store_is_accepted_as_in_2_2_3():
    store = LocalStore()
    assert Adapter("x", store).store is store


def test_subclass_with_a_positional_client_argument_is_accepted():
    client = object()
    adapter = ClientAdapter(client, name="backend")
    assert (adapter.client, adapter.name, adapter._meta_kwargs) == (client, "backend", {"name": "backend"})


def test_default_store_is_a_local_store_bound_to_the_adapter():
    adapter = Adapter()
    assert isinstance(adapter.store, LocalStore)
    assert adapter.store.adapter is adapter


def test_store_class_is_instantiated_for_the_adapter():
    adapter = Adapter(internal_storage_engine=LocalStore)
    assert type(adapter.store) is LocalStore
    assert adapter.store.adapter is adapter


def test_store_instance_is_used_as_is_and_bound_to_the_adapter():
    store = LocalStore()
    adapter = Adapter(internal_storage_engine=store)
    assert adapter.store is store
    assert store.adapter is adapter


def test_reusing_a_store_instance_re_points_it_to_the_second_adapter():
    store = LocalStore()
    Adapter(internal_storage_engine=store)
    second = Adapter(internal_storage_engine=store)
    assert store.adapter is second


def test_type_and_name_default_to_the_class_name():
    adapter = Adapter()
    assert (adapter.type, adapter.name) == ("Adapter", "Adapter")


def test_subclass_type_defaults_to_its_class_name():
    assert InventoryAdapter(name="inv").type == "InventoryAdapter"


def test_declared_type_and_given_name_are_kept():
    class BackendB(Adapter):
        type = "Backend_B"

    adapter = BackendB(name="backend-b")
    assert (adapter.type, adapter.name) == ("Backend_B", "backend-b")


def test_falsy_name_falls_back_to_type():
    assert Adapter(name="").name == "Adapter"


def test_str_is_type_when_name_equals_type():
    assert str(Adapter()) == "Adapter"


def test_str_adds_quoted_name_when_it_differs_from_type():
    assert str(Adapter(name="n")) == 'Adapter "n"'


def test_repr_wraps_str_in_angle_brackets():
    class TT(Adapter):
        pass

    assert repr(Adapter(name="n")) == '<Adapter "n">'
    assert repr(TT()) == "<TT>"


def test_len_counts_stored_objects():
    adapter = InventoryAdapter()
    adapter.add(Device(name="r1"))
    adapter.add(Device(name="r2"))
    assert len(adapter) == 2


def test_empty_adapter_is_falsy():
    adapter = InventoryAdapter()
    assert not adapter
    adapter.add(Device(name="r1"))
    assert adapter


def test_base_load_is_a_no_op():
    adapter = Adapter()
    assert adapter.load() is None
    assert len(adapter) == 0


def test_subclass_init_must_call_super_to_get_a_store():
    adapter = UrlAdapter(url="redis://x", name="n")
    assert (adapter.url, adapter.name) == ("redis://x", "n")
    assert isinstance(adapter.store, LocalStore)


def test_instantiating_does_not_change_the_class_type():
    Adapter()
    InventoryAdapter()
    assert Adapter.type is None
    assert InventoryAdapter.type is None

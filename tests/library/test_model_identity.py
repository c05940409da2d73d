"""Model identity (type, unique id, short name, identifiers, attributes)."""

from __future__ import annotations

import pytest
from library_inventory import Device, Interface, InventoryAdapter, Site
from pydantic import BaseModel

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags


class Position(BaseModel):
    rack: str
    unit: int


class Slot(DiffSyncModel):
    """Identifiers listed in the opposite order to their declaration, one of them nested."""

    _modelname = "slot"
    _identifiers = ("device", "position")
    _attributes = ("state", "label")

    label: str = ""
    position: Position
    state: str = ""
    device: str
    note: str = ""


class Opaque:
    """A type pydantic cannot validate, to show arbitrary types are allowed."""


def test_model_is_a_pydantic_base_model():
    assert issubclass(DiffSyncModel, BaseModel)


def test_base_model_type_name_is_diffsyncmodel():
    assert DiffSyncModel.get_type() == "diffsyncmodel"


def test_get_type_returns_the_modelname():
    assert Interface.get_type() == "interface"


def test_field_order_is_flags_then_adapter_then_subclass_fields():
    assert list(Interface.model_fields) == ["model_flags", "adapter", "device_name", "name", "description"]


def test_model_flags_default_to_none_and_adapter_to_none():
    device = Device(name="r1")
    assert device.model_flags == DiffSyncModelFlags.NONE
    assert device.adapter is None


def test_unknown_constructor_keyword_is_ignored():
    device = Device(name="r1", diffsync="whatever", colour="red")
    assert not hasattr(device, "colour")
    assert device.get_unique_id() == "r1"


def test_assignment_is_not_validated():
    device = Device(name="r1")
    device.role = 42
    assert device.role == 42


def test_arbitrary_types_are_allowed_as_fields():
    class Holder(DiffSyncModel):
        _identifiers = ("name",)
        name: str
        thing: Opaque

    thing = Opaque()
    assert Holder(name="h", thing=thing).thing is thing


def test_create_unique_id_joins_values_with_two_underscores_in_identifier_order():
    assert Interface.create_unique_id(name="eth0", device_name="r1") == "r1__eth0"


def test_create_unique_id_without_a_needed_key_raises_key_error():
    with pytest.raises(KeyError):
        Interface.create_unique_id(name="eth0")


def test_create_unique_id_without_identifiers_is_empty():
    assert DiffSyncModel.create_unique_id() == ""


def test_get_unique_id_joins_identifier_values():
    assert Interface(device_name="r1", name="eth0").get_unique_id() == "r1__eth0"


def test_get_identifiers_follows_field_declaration_order_and_dumps_values():
    slot = Slot(device="r1", position=Position(rack="A", unit=3))
    identifiers = slot.get_identifiers()
    assert list(identifiers) == ["position", "device"]
    assert identifiers == {"position": {"rack": "A", "unit": 3}, "device": "r1"}


def test_get_unique_id_uses_identifier_order_not_declaration_order():
    slot = Slot(device="r1", position=Position(rack="A", unit=3))
    assert slot.get_unique_id() == "r1__{'rack': 'A', 'unit': 3}"


def test_get_attrs_returns_listed_attributes_in_declaration_order():
    slot = Slot(device="r1", position=Position(rack="A", unit=3), label="x", state="up", note="n")
    attrs = slot.get_attrs()
    assert list(attrs) == ["label", "state"]
    assert attrs == {"label": "x", "state": "up"}


def test_get_shortname_joins_shortname_fields():
    class Port(DiffSyncModel):
        _modelname = "port"
        _identifiers = ("device", "slot", "name")
        _shortname = ("slot", "name")
        device: str
        slot: int
        name: str

    assert Port(device="r1", slot=2, name="eth0").get_shortname() == "2__eth0"


def test_get_shortname_without_shortname_is_the_unique_id():
    assert Device(name="r1").get_shortname() == "r1"


def test_get_children_mapping_returns_the_children_declaration():
    assert Site.get_children_mapping() == {"device": "devices", "person": "people"}


def test_str_of_a_model_is_its_unique_id():
    assert str(Interface(device_name="r1", name="eth0")) == "r1__eth0"


def test_repr_of_a_model_is_type_and_quoted_unique_id():
    assert repr(Interface(device_name="r1", name="eth0")) == 'interface "r1__eth0"'


def test_base_model_str_is_empty_and_repr_names_the_base_type():
    model = DiffSyncModel()
    assert str(model) == ""
    assert repr(model) == 'diffsyncmodel ""'


def test_model_accepts_its_adapter_as_a_field():
    adapter = Adapter()
    assert Device(name="r1", adapter=adapter).adapter is adapter


def test_a_unique_id_read_after_an_identifier_changes_is_the_new_one():
    """The id a store computed for a model is reused by the next add_child, unless it changed."""
    adapter, device = InventoryAdapter(), Device(name="r1")
    interface = Interface(device_name="r1", name="eth0")
    adapter.add(interface)
    interface.name = "eth1"
    device.add_child(interface)
    assert device.interfaces == ["r1__eth1"]
    assert interface.get_unique_id() == "r1__eth1"

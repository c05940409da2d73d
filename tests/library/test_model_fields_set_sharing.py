"""Stored models share one pydantic fields set per pattern (diffsync/_fields_set.py).

Not part of upstream's contract: a memory choice of ours. These tests hold it to pydantic's
behaviour: every model still reports the fields set explicitly, an assignment is recorded for
that model alone, and copies are independent.
"""

from __future__ import annotations

import copy
import pickle

import pytest
from library_inventory import Interface
from pydantic import ConfigDict, ValidationError

from diffsync import Adapter
from diffsync._fields_set import SharedFieldsSet


class Ports(Adapter):
    interface = Interface


def stored(*interfaces: Interface) -> Ports:
    adapter = Ports()
    for interface in interfaces:
        adapter.add(interface)
    return adapter


def test_models_stored_alike_hold_one_shared_set():
    first, second = Interface(device_name="r1", name="eth0"), Interface(device_name="r1", name="eth1")
    stored(first, second)
    assert first.model_fields_set is second.model_fields_set
    assert type(first.model_fields_set) is SharedFieldsSet


def test_a_stored_model_reports_the_fields_set_explicitly_and_its_adapter():
    interface = Interface(device_name="r1", name="eth0")
    stored(interface)
    assert interface.model_fields_set == {"device_name", "name", "adapter"}
    assert interface.model_dump(exclude_unset=True, exclude={"adapter"}) == {
        "device_name": "r1",
        "name": "eth0",
    }


def test_models_set_differently_get_different_sets():
    plain = Interface(device_name="r1", name="eth0")
    described = Interface(device_name="r1", name="eth1", description="uplink")
    stored(plain, described)
    assert plain.model_fields_set == {"device_name", "name", "adapter"}
    assert described.model_fields_set == {"device_name", "name", "description", "adapter"}


def test_an_assignment_is_recorded_for_that_model_alone():
    first, second = Interface(device_name="r1", name="eth0"), Interface(device_name="r1", name="eth1")
    stored(first, second)
    first.description = "uplink"
    assert first.model_fields_set == {"device_name", "name", "adapter", "description"}
    assert second.model_fields_set == {"device_name", "name", "adapter"}
    assert first.model_dump(exclude_unset=True, exclude={"adapter"})["description"] == "uplink"
    assert "description" not in second.model_dump(exclude_unset=True)


def test_changing_a_shared_set_in_place_is_refused_with_the_fix():
    interface = Interface(device_name="r1", name="eth0")
    stored(interface, Interface(device_name="r1", name="eth1"))
    with pytest.raises(TypeError, match="assign the field"):
        interface.model_fields_set.add("description")
    with pytest.raises(TypeError, match="assign the field"):
        interface.model_fields_set |= {"description"}
    assert interface.model_fields_set == {"device_name", "name", "adapter"}


@pytest.mark.parametrize(
    "duplicate",
    [
        lambda model: model.model_copy(),
        lambda model: model.model_copy(update={"description": "x"}),
        copy.copy,
    ],
    ids=["model_copy", "model_copy-update", "copy"],
)
def test_copies_get_a_plain_set_of_their_own(duplicate):
    interface = Interface(device_name="r1", name="eth0")
    stored(interface, Interface(device_name="r1", name="eth1"))
    twin = duplicate(interface)
    assert type(twin.model_fields_set) is set
    twin.model_fields_set.add("extra-name")
    assert "extra-name" not in interface.model_fields_set


@pytest.mark.parametrize("duplicate", [copy.copy, copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))])
def test_the_shared_set_copies_and_pickles_as_a_plain_set(duplicate):
    interface = Interface(device_name="r1", name="eth0")
    stored(interface)
    twin = duplicate(interface.model_fields_set)
    assert type(twin) is set
    assert twin == {"device_name", "name", "adapter"}


def test_assigning_the_adapter_records_it_and_keeps_the_set_shared():
    first, second = Interface(device_name="r1", name="eth0"), Interface(device_name="r1", name="eth1")
    adapter = Ports()
    first.adapter = adapter
    second.adapter = adapter
    assert first.adapter is adapter
    assert first.model_fields_set == {"device_name", "name", "adapter"}
    assert first.model_fields_set is second.model_fields_set


class FrozenInterface(Interface):
    model_config = ConfigDict(frozen=True)


class CheckedInterface(Interface):
    model_config = ConfigDict(validate_assignment=True)


def test_assigning_the_adapter_of_a_frozen_model_is_refused_as_pydantic_does():
    with pytest.raises(ValidationError, match="frozen"):
        FrozenInterface(device_name="r1", name="eth0").adapter = Ports()


def test_assigning_the_adapter_is_validated_when_the_model_asks_for_it():
    interface = CheckedInterface(device_name="r1", name="eth0")
    interface.adapter = Ports()
    assert "adapter" in interface.model_fields_set
    with pytest.raises(ValidationError, match="adapter"):
        interface.adapter = "not an adapter"

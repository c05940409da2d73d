"""Model dict(), json() and the multi-line str()."""

from __future__ import annotations

from library_inventory import Device, Interface, InventoryAdapter, Person, Site

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags


def test_dict_of_base_model_holds_only_the_flags_member():
    assert DiffSyncModel().dict() == {"model_flags": DiffSyncModelFlags.NONE}


def test_dict_includes_defaults_and_excludes_the_adapter():
    device = Device(name="r1", adapter=Adapter())
    assert device.dict() == {
        "model_flags": DiffSyncModelFlags.NONE,
        "name": "r1",
        "site_name": "",
        "role": "",
        "interfaces": [],
    }


def test_dict_keeps_enum_members():
    device = Device(name="r1", model_flags=DiffSyncModelFlags.IGNORE)
    assert device.dict()["model_flags"] is DiffSyncModelFlags.IGNORE


def test_dict_with_caller_exclude_does_not_add_adapter_exclusion():
    adapter = Adapter()
    dumped = Device(name="r1", adapter=adapter).dict(exclude={"interfaces"})
    assert "adapter" in dumped
    assert "interfaces" not in dumped


def test_dict_passes_keyword_arguments_to_pydantic():
    assert Device(name="r1", role="edge").dict(exclude_defaults=True) == {"name": "r1", "role": "edge"}


def test_json_is_compact_in_field_order_without_defaults():
    interface = Interface(device_name="r1", name="eth0", adapter=Adapter())
    assert interface.json() == '{"device_name":"r1","name":"eth0"}'


def test_json_of_base_model_is_an_empty_object():
    assert DiffSyncModel().json() == "{}"


def test_json_renders_non_default_flags_as_an_integer():
    flags = DiffSyncModelFlags.IGNORE | DiffSyncModelFlags.SKIP_UNMATCHED_SRC
    assert DiffSyncModel(model_flags=flags).json() == '{"model_flags":5}'


def test_json_with_exclude_defaults_false_includes_defaults():
    text = Interface(device_name="r1", name="eth0").json(exclude_defaults=False)
    assert text == '{"model_flags":0,"device_name":"r1","name":"eth0","description":null}'


def test_str_of_base_model_has_empty_uid_and_attrs():
    assert DiffSyncModel().str() == "diffsyncmodel: : {}"


def test_str_shows_type_uid_and_attrs_repr():
    assert Person(name="alice", email="a@example.com").str() == "person: alice: {'email': 'a@example.com'}"


def test_str_renders_an_empty_children_list_inline():
    assert Site(name="hq").str() == "site: hq: {'region': ''}\n  devices: []\n  people: []"


def test_str_without_adapter_renders_child_uids_inline():
    site = Site(name="hq", devices=["r1", "r2"])
    assert site.str() == "site: hq: {'region': ''}\n  devices: ['r1', 'r2']\n  people: []"


def test_str_with_an_empty_adapter_renders_child_uids_inline():
    # An adapter with nothing in it is falsy, so the model is treated as having none.
    site = Site(name="hq", devices=["r1"], adapter=InventoryAdapter())
    assert site.str() == "site: hq: {'region': ''}\n  devices: ['r1']\n  people: []"


def test_str_with_adapter_renders_children_and_marks_missing_ones():
    adapter = InventoryAdapter()
    site = Site(name="hq")
    device = Device(name="r1", role="edge", interfaces=["r1__eth0"])
    adapter.add(site)
    adapter.add(device)
    site.add_child(device)
    assert site.str() == (
        "site: hq: {'region': ''}\n"
        "  devices\n"
        "    device: r1: {'site_name': '', 'role': 'edge'}\n"
        "      interfaces\n"
        "        r1__eth0 (ERROR: details unavailable)\n"
        "  people: []"
    )


def test_str_without_children_renders_uids_inline_even_with_adapter():
    adapter = InventoryAdapter()
    device = Device(name="r1", interfaces=["r1__eth0"])
    adapter.add(device)
    adapter.add(Interface(device_name="r1", name="eth0"))
    assert (
        device.str(include_children=False)
        == "device: r1: {'site_name': '', 'role': ''}\n  interfaces: ['r1__eth0']"
    )


def test_str_indent_shifts_every_line():
    site = Site(name="hq", devices=["r1"])
    assert site.str(indent=4) == "    site: hq: {'region': ''}\n      devices: ['r1']\n      people: []"

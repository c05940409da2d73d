"""A small network inventory shared by the library tests.

Why a plain module and not only fixtures: the model and adapter classes are part of what
the tests specify (class names, type names, children mappings), so tests import them by
name. Fixtures in ``conftest.py`` build loaded adapters from the data below.

Shape (23 models in backend A):

    site nyc  (region us-east)   people: alice
      device nyc-edge1 (edge)   interfaces eth0, eth1
      device nyc-core1 (core)   interfaces eth0, eth1
    site sfo  (region us-west)   people: bob
      device sfo-edge1 (edge)   interfaces eth0, eth1, eth2
      device sfo-core1 (core)   interfaces eth0, eth1
    site atl  (region us-east)   people: carol, dave
      device atl-edge1 (edge)   interfaces eth0, eth1

"extra" adds site ``lax`` and device ``atl-edge2`` (2 creates); "minus" removes site ``nyc``
and device ``sfo-edge1`` from the store but keeps their children stored (orphans), so the
diff from it deletes 8 + 4 = 12 models and leaves 11 unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

from diffsync import Adapter, DiffSyncModel


class Site(DiffSyncModel):
    """A physical location; parent of devices and people."""

    _modelname = "site"
    _identifiers = ("name",)
    _attributes = ("region",)
    _children = {"device": "devices", "person": "people"}

    name: str
    region: str = ""
    devices: list[str] = []
    people: list[str] = []


class Device(DiffSyncModel):
    """A network device at a site."""

    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("site_name", "role")
    _children = {"interface": "interfaces"}

    name: str
    site_name: str = ""
    role: str = ""
    interfaces: list[str] = []


class Interface(DiffSyncModel):
    """A device port; unique per device, so its short name is only the port name."""

    _modelname = "interface"
    _identifiers = ("device_name", "name")
    _shortname = ("name",)
    _attributes = ("description",)

    device_name: str
    name: str
    description: str | None = None


class Person(DiffSyncModel):
    """A contact person at a site."""

    _modelname = "person"
    _identifiers = ("name",)
    _attributes = ("email",)

    name: str
    email: str = ""


InventoryData = dict[str, dict[str, Any]]

BACKEND_A: InventoryData = {
    "nyc": {
        "region": "us-east",
        "devices": {
            "nyc-edge1": {"role": "edge", "interfaces": {"eth0": "uplink", "eth1": "lan"}},
            "nyc-core1": {"role": "core", "interfaces": {"eth0": "uplink", "eth1": "lan"}},
        },
        "people": {"alice": "alice@example.com"},
    },
    "sfo": {
        "region": "us-west",
        "devices": {
            "sfo-edge1": {"role": "edge", "interfaces": {"eth0": "uplink", "eth1": "lan", "eth2": None}},
            "sfo-core1": {"role": "core", "interfaces": {"eth0": "uplink", "eth1": "lan"}},
        },
        "people": {"bob": "bob@example.com"},
    },
    "atl": {
        "region": "us-east",
        "devices": {
            "atl-edge1": {"role": "edge", "interfaces": {"eth0": "uplink", "eth1": "lan"}},
        },
        "people": {"carol": "carol@example.com", "dave": "dave@example.com"},
    },
}


def backend_b_data() -> InventoryData:
    """Backend B: the same network as seen by a second system of record.

    Differences from A, one per level: site atl moved region (update), site den is new
    (create) and site sfo's person bob is gone (delete); device nyc-edge1 changed role
    (update), device atl-edge2 is new with one interface (creates); interface
    nyc-core1__eth1 has a new description (update) and sfo-edge1__eth2 is gone (delete).
    """
    data = copy.deepcopy(BACKEND_A)
    data["atl"]["region"] = "us-south"
    data["den"] = {"region": "us-west", "devices": {}, "people": {}}
    del data["sfo"]["people"]["bob"]
    data["nyc"]["devices"]["nyc-edge1"]["role"] = "spine"
    data["atl"]["devices"]["atl-edge2"] = {"role": "edge", "interfaces": {"eth0": "uplink"}}
    data["nyc"]["devices"]["nyc-core1"]["interfaces"]["eth1"] = "lan-new"
    del data["sfo"]["devices"]["sfo-edge1"]["interfaces"]["eth2"]
    return data


def extra_data() -> InventoryData:
    """Backend A plus one new site (no children) and one new device (no interfaces)."""
    data = copy.deepcopy(BACKEND_A)
    data["lax"] = {"region": "us-west", "devices": {}, "people": {}}
    data["atl"]["devices"]["atl-edge2"] = {"role": "edge", "interfaces": {}}
    return data


class InventoryAdapter(Adapter):
    """Adapter over the inventory models; ``load`` takes the nested data above."""

    site = Site
    device = Device
    interface = Interface
    person = Person

    top_level = ["site"]

    def load(self, data: InventoryData | None = None) -> None:  # type: ignore[override]
        """Fill the store from nested data, parents first, wiring children as upstream does."""
        for site_name, site_data in (data or {}).items():
            site = self.site(name=site_name, region=site_data["region"])
            self.add(site)
            for device_name, device_data in site_data["devices"].items():
                device = self.device(name=device_name, site_name=site_name, role=device_data["role"])
                self.add(device)
                site.add_child(device)
                for if_name, description in device_data["interfaces"].items():
                    interface = self.interface(device_name=device_name, name=if_name, description=description)
                    self.add(interface)
                    device.add_child(interface)
            for person_name, email in site_data["people"].items():
                person = self.person(name=person_name, email=email)
                self.add(person)
                site.add_child(person)


class BackendA(InventoryAdapter):
    """The reference side."""


class BackendB(InventoryAdapter):
    """The changed side (see ``backend_b_data``)."""


class BackendC(InventoryAdapter):
    """A third system; used when a test needs a second adapter class with the same models."""

    type = "Backend_C"


def load_adapter(adapter_cls: type[InventoryAdapter], data: InventoryData, **kwargs: Any) -> InventoryAdapter:
    """Build an adapter of ``adapter_cls`` and load ``data`` into it."""
    adapter = adapter_cls(**kwargs)
    adapter.load(data)
    return adapter


def load_minus(adapter_cls: type[InventoryAdapter] = BackendA) -> InventoryAdapter:
    """Backend A with site nyc and device sfo-edge1 removed from the store.

    Their children stay stored but unreachable from ``top_level`` (orphans). The device is
    also unlinked from its site so that the site's child list does not dangle.
    """
    adapter = load_adapter(adapter_cls, BACKEND_A)
    adapter.remove(adapter.get(Site, "nyc"))
    device = adapter.get(Device, "sfo-edge1")
    adapter.get(Site, "sfo").remove_child(device)
    adapter.remove(device)
    return adapter


TOTAL_MODELS_A = 23

"""A small site -> device -> interface inventory for the RedisStore tests.

Importable by subprocesses too (the cross-process tests put this folder on ``PYTHONPATH``), so
it holds only what a second process needs to rebuild the same adapter class.
"""

from __future__ import annotations

from diffsync import Adapter, DiffSyncModel


class Site(DiffSyncModel):
    _modelname = "site"
    _identifiers = ("name",)
    _attributes = ("region",)
    _children = {"device": "devices"}

    name: str
    region: str = ""
    devices: list[str] = []


class Device(DiffSyncModel):
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("role",)
    _children = {"interface": "interfaces"}

    name: str
    role: str = "leaf"
    interfaces: list[str] = []


class Interface(DiffSyncModel):
    _modelname = "interface"
    _identifiers = ("device_name", "name")
    _shortname = ("name",)
    _attributes = ("mtu",)

    device_name: str
    name: str
    mtu: int = 1500


class Inventory(Adapter):
    site = Site
    device = Device
    interface = Interface
    top_level = ["site"]

    # {site: (region, {device: (role, {interface: mtu})})}
    data: dict[str, tuple[str, dict[str, tuple[str, dict[str, int]]]]] = {}

    def load(self) -> None:
        """The usual pattern: add each parent first, then attach children with add_child."""
        for site_name, (region, devices) in self.data.items():
            site = Site(name=site_name, region=region)
            self.add(site)
            for device_name, (role, interfaces) in devices.items():
                device = Device(name=device_name, role=role)
                self.add(device)
                site.add_child(device)
                for interface_name, mtu in interfaces.items():
                    interface = Interface(device_name=device_name, name=interface_name, mtu=mtu)
                    self.add(interface)
                    device.add_child(interface)


BASE: dict[str, tuple[str, dict[str, tuple[str, dict[str, int]]]]] = {
    "ams": ("eu", {"ams-r1": ("spine", {"eth0": 1500, "eth1": 9000}), "ams-r2": ("leaf", {"eth0": 1500})}),
    "nyc": ("us", {"nyc-r1": ("spine", {"eth0": 1500})}),
}

# BASE with one change at every level: a device role, an interface removed, one added, a site
# added, a device (with its interface) removed.
CHANGED: dict[str, tuple[str, dict[str, tuple[str, dict[str, int]]]]] = {
    "ams": ("eu", {"ams-r1": ("leaf", {"eth0": 1500, "eth2": 9214}), "ams-r2": ("leaf", {"eth0": 1500})}),
    "nyc": ("us", {}),
    "sfo": ("us", {"sfo-r1": ("spine", {"eth0": 9000})}),
}


class BaseInventory(Inventory):
    data = BASE


class ChangedInventory(Inventory):
    data = CHANGED

"""The diffsync models of the network inventory: site -> device -> interface.

Devices and sites have globally unique names. Interfaces are identified by their device and
their own name, and use the interface name alone as the short name, so a diff prints
``interface: Ethernet1`` under its device rather than repeating the device name.
A device's site is an attribute, not an identifier: moving a device between sites is an
update of that device, as it would be in a real inventory.
"""

from __future__ import annotations

from diffsync import DiffSyncModel


class Site(DiffSyncModel):
    """A physical location that holds devices."""

    _modelname = "site"
    _identifiers = ("name",)
    _attributes = ("region", "status")
    _children = {"device": "devices"}

    name: str
    region: str
    status: str = "active"
    devices: list[str] = []


class Device(DiffSyncModel):
    """A network device installed at one site."""

    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("site_name", "role", "platform", "serial")
    _children = {"interface": "interfaces"}

    name: str
    site_name: str
    role: str
    platform: str
    serial: str = ""
    interfaces: list[str] = []


class Interface(DiffSyncModel):
    """One interface of a device."""

    _modelname = "interface"
    _identifiers = ("device_name", "name")
    _shortname = ("name",)
    _attributes = ("description", "enabled", "mtu", "mode")

    device_name: str
    name: str
    description: str = ""
    enabled: bool = True
    mtu: int = 1500
    mode: str = "access"

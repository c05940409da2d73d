"""The plain-data shape of an inventory, shared by the YAML file, SQLite and the generator.

An inventory is nested the way people write it by hand: sites hold devices, devices hold
interfaces. Keeping one shape means every source (a file, a database, generated data) goes
through the same loader, so a difference between two adapters is always a data difference.
"""

from __future__ import annotations

from typing import Any, TypedDict


class InterfaceRecord(TypedDict):
    """One interface of a device; ``name`` is unique within the device."""

    name: str
    description: str
    enabled: bool
    mtu: int
    mode: str


class DeviceRecord(TypedDict):
    """One device; ``name`` is unique in the whole inventory."""

    name: str
    role: str
    platform: str
    serial: str
    interfaces: list[InterfaceRecord]


class SiteRecord(TypedDict):
    """One site; ``name`` is unique in the whole inventory."""

    name: str
    region: str
    status: str
    devices: list[DeviceRecord]


class Inventory(TypedDict):
    """A whole inventory: the top-level document of the YAML file."""

    sites: list[SiteRecord]


class InventoryFormatError(ValueError):
    """A hand-written inventory document is not shaped as ``Inventory``; says where and how."""


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "region": str,
    "status": str,
    "role": str,
    "platform": str,
    "serial": str,
    "description": str,
    "enabled": bool,
    "mtu": int,
    "mode": str,
}


def _field(item: dict[str, Any], key: str, where: str, default: Any = None) -> Any:
    if key not in item:
        if default is None:
            raise InventoryFormatError(f"{where}: field '{key}' is missing; add it")
        return default
    value = item[key]
    expected = _FIELD_TYPES[key]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        names = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
        raise InventoryFormatError(f"{where}: field '{key}' must be a {names}, got {value!r}")
    return value


def _items(container: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    items = container.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InventoryFormatError(f"{where}: '{key}' must be a list of mappings")
    return items


def parse_inventory(document: object, source: str) -> Inventory:
    """Check a loaded YAML/JSON document and fill optional fields with their defaults.

    Errors name the file and the path of the offending item (``sites[1].devices[0]``), since
    inventories are edited by hand.
    """
    if not isinstance(document, dict) or "sites" not in document:
        raise InventoryFormatError(f"{source}: the top level must be a mapping with a 'sites' list")
    sites: list[SiteRecord] = []
    for s, site in enumerate(_items(document, "sites", source)):
        where = f"{source}: sites[{s}]"
        devices: list[DeviceRecord] = []
        for d, device in enumerate(_items(site, "devices", where)):
            device_where = f"{where}.devices[{d}]"
            interfaces: list[InterfaceRecord] = []
            for i, interface in enumerate(_items(device, "interfaces", device_where)):
                at = f"{device_where}.interfaces[{i}]"
                interfaces.append(
                    {
                        "name": _field(interface, "name", at),
                        "description": _field(interface, "description", at, ""),
                        "enabled": _field(interface, "enabled", at, True),
                        "mtu": _field(interface, "mtu", at, 1500),
                        "mode": _field(interface, "mode", at, "access"),
                    }
                )
            devices.append(
                {
                    "name": _field(device, "name", device_where),
                    "role": _field(device, "role", device_where),
                    "platform": _field(device, "platform", device_where),
                    "serial": _field(device, "serial", device_where, ""),
                    "interfaces": interfaces,
                }
            )
        sites.append(
            {
                "name": _field(site, "name", where),
                "region": _field(site, "region", where),
                "status": _field(site, "status", where, "active"),
                "devices": devices,
            }
        )
    return {"sites": sites}


def count_objects(inventory: Inventory) -> int:
    """Number of diffsync objects (sites + devices + interfaces) the inventory loads into."""
    total = 0
    for site in inventory["sites"]:
        total += 1
        for device in site["devices"]:
            total += 1 + len(device["interfaces"])
    return total


def _index(inventory: Inventory) -> dict[tuple[str, str, str], tuple[object, ...]]:
    """Every object of ``inventory`` keyed by (type, parent, name), valued by its attributes."""
    index: dict[tuple[str, str, str], tuple[object, ...]] = {}
    for site in inventory["sites"]:
        index["site", "", site["name"]] = (site["region"], site["status"])
        for device in site["devices"]:
            index["device", site["name"], device["name"]] = (
                device["role"],
                device["platform"],
                device["serial"],
            )
            for interface in device["interfaces"]:
                index["interface", device["name"], interface["name"]] = (
                    interface["description"],
                    interface["enabled"],
                    interface["mtu"],
                    interface["mode"],
                )
    return index


def expected_summary(current: Inventory, desired: Inventory) -> dict[str, int]:
    """What ``diff.summary()`` must report when ``current`` is diffed from ``desired``.

    Computed from the records alone, without diffsync, so a benchmark or test can tell a
    wrong diff from a fast one. Objects are matched by name under the same parent, as the
    differ matches them.
    """
    before, after = _index(current), _index(desired)
    both = before.keys() & after.keys()
    updated = sum(1 for key in both if before[key] != after[key])
    return {
        "create": len(after.keys() - before.keys()),
        "update": updated,
        "delete": len(before.keys() - after.keys()),
        "no-change": len(both) - updated,
        "skip": 0,
    }

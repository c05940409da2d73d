"""The plain-data shape of an inventory, shared by the YAML file, SQLite and the generator.

An inventory is nested the way people write it by hand: sites hold devices, devices hold
interfaces. Keeping one shape means every source (a file, a database, generated data) goes
through the same loader, so a difference between two adapters is always a data difference.
"""

from __future__ import annotations

from typing import TypedDict


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

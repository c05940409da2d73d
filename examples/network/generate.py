"""Deterministic large inventories for benchmarks: a current side and a drifted desired side.

Both sides share ``sites`` sites x ``devices_per_site`` devices x ``interfaces_per_device``
interfaces. The desired side then drifts by about ``rate`` of the objects at every level:

- sites: some shared sites change region or status; the current side also holds one retired
  site (to be deleted) and the desired side one new site (to be created), each with about
  ``rate`` x ``devices_per_site`` devices, so whole-subtree creates and deletes are exercised
  without one site being a tenth of the inventory;
- devices of the shared sites: ``rate`` of them are removed, changed (role, platform or
  serial) and added (each new device with a full set of interfaces);
- interfaces of the devices kept on both sides: ``rate`` of them are removed, changed
  (description, enabled, MTU or mode) and added.

The same arguments always give the same inventories, so two interpreters (ours and upstream
diffsync) benchmark exactly the same data. Unchanged records are shared between the two sides
rather than copied: the loader only reads them, and a 1M-object pair stays small.

Writes JSON files (which are also valid YAML, so ``YamlSource`` reads them) when run as
``python -m examples.network.generate --devices-per-site 20 --out DIR``.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from .records import DeviceRecord, InterfaceRecord, Inventory, SiteRecord

REGIONS = ("eu-west", "eu-central", "us-east", "us-west", "ap-south")
ROLES = ("spine", "leaf", "leaf", "leaf", "border")
PLATFORMS = ("eos", "nxos", "junos", "sonic")
MODES = ("access", "trunk", "routed")
MTUS = (1500, 9000, 9214)


@dataclass(frozen=True)
class InventoryPair:
    """The two sides of a sync: ``current`` is what the target holds, ``desired`` the source."""

    current: Inventory
    desired: Inventory


def _interface(rng: random.Random, name: str) -> InterfaceRecord:
    return {
        "name": name,
        "description": rng.choice(("uplink", "server", "storage", "peer-link", "")),
        "enabled": rng.random() > 0.1,
        "mtu": rng.choice(MTUS),
        "mode": rng.choice(MODES),
    }


def _device(rng: random.Random, name: str, index: int, interfaces: int) -> DeviceRecord:
    return {
        "name": name,
        "role": ROLES[index % len(ROLES)],
        "platform": rng.choice(PLATFORMS),
        "serial": f"SN{rng.getrandbits(40):010X}",
        "interfaces": [_interface(rng, f"Ethernet1/{port}") for port in range(1, interfaces + 1)],
    }


def _site(rng: random.Random, name: str, index: int, devices: int, interfaces: int) -> SiteRecord:
    return {
        "name": name,
        "region": REGIONS[index % len(REGIONS)],
        "status": "active",
        "devices": [_device(rng, f"{name}-dev{number:05d}", number, interfaces) for number in range(devices)],
    }


def _changed_interface(rng: random.Random, interface: InterfaceRecord) -> InterfaceRecord:
    changed: InterfaceRecord = {**interface}
    field = rng.choice(("description", "enabled", "mtu", "mode"))
    if field == "description":
        changed["description"] = interface["description"] + " (moved)"
    elif field == "enabled":
        changed["enabled"] = not interface["enabled"]
    elif field == "mtu":
        changed["mtu"] = interface["mtu"] + 1
    else:
        changed["mode"] = MODES[(MODES.index(interface["mode"]) + 1) % len(MODES)]
    return changed


def _changed_device(rng: random.Random, device: DeviceRecord) -> DeviceRecord:
    changed: DeviceRecord = {**device}
    field = rng.choice(("role", "platform", "serial"))
    if field == "role":
        changed["role"] = "spare" if device["role"] != "spare" else "leaf"
    elif field == "platform":
        changed["platform"] = PLATFORMS[(PLATFORMS.index(device["platform"]) + 1) % len(PLATFORMS)]
    else:
        changed["serial"] = device["serial"] + "R"
    return changed


def _pick(rng: random.Random, population: int, rate: float) -> set[int]:
    """A deterministic sample of ``rate`` of ``range(population)`` (at least one if any)."""
    count = max(1, round(population * rate)) if population else 0
    return set(rng.sample(range(population), count))


def generate_pair(
    devices_per_site: int,
    *,
    seed: int = 0,
    sites: int = 10,
    interfaces_per_device: int = 8,
    rate: float = 0.02,
) -> InventoryPair:
    """Build the current inventory and its drifted desired copy (see the module docstring)."""
    if devices_per_site < 1 or sites < 1 or interfaces_per_device < 1:
        raise ValueError(
            "devices_per_site, sites and interfaces_per_device must be at least 1; "
            f"got {devices_per_site}, {sites}, {interfaces_per_device}"
        )
    if not 0 < rate < 0.3:
        raise ValueError(f"rate must be between 0 and 0.3 (a share of objects), got {rate}")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    shared = [
        _site(rng, f"site{index:02d}", index, devices_per_site, interfaces_per_device)
        for index in range(sites)
    ]
    small = max(1, round(devices_per_site * rate))
    retired = _site(rng, "site-retired", sites, small, interfaces_per_device)
    opened = _site(rng, "site-new", sites + 1, small, interfaces_per_device)
    current: Inventory = {"sites": [*shared, retired]}

    drift = random.Random(seed + 1)  # noqa: S311 - reproducible test data, not secrets
    updated_sites = _pick(drift, sites, rate)
    all_devices = [(s, d) for s in range(sites) for d in range(devices_per_site)]
    removed_devices = _pick(drift, len(all_devices), rate)
    kept = [i for i in range(len(all_devices)) if i not in removed_devices]
    changed_devices = {kept[i] for i in _pick(drift, len(kept), rate)}
    added_devices: dict[int, int] = {}
    for _ in range(len(removed_devices)):
        site_index = drift.randrange(sites)
        added_devices[site_index] = added_devices.get(site_index, 0) + 1

    kept_interfaces = [(d, p) for d in kept for p in range(interfaces_per_device)]
    removed_interfaces = {kept_interfaces[i] for i in _pick(drift, len(kept_interfaces), rate)}
    still_there = [key for key in kept_interfaces if key not in removed_interfaces]
    changed_interfaces = {still_there[i] for i in _pick(drift, len(still_there), rate)}
    added_interfaces: dict[int, int] = {}
    for _ in range(len(removed_interfaces)):
        device_index = drift.choice(kept)
        added_interfaces[device_index] = added_interfaces.get(device_index, 0) + 1

    desired_sites: list[SiteRecord] = []
    for site_index, site in enumerate(shared):
        devices: list[DeviceRecord] = []
        for number, device in enumerate(site["devices"]):
            flat = site_index * devices_per_site + number
            if flat in removed_devices:
                continue
            if flat in changed_devices:
                device = _changed_device(drift, device)
            interfaces = [
                _changed_interface(drift, interface) if (flat, port) in changed_interfaces else interface
                for port, interface in enumerate(device["interfaces"])
                if (flat, port) not in removed_interfaces
            ]
            interfaces += [
                _interface(drift, f"Ethernet2/{extra}")
                for extra in range(1, added_interfaces.get(flat, 0) + 1)
            ]
            if interfaces != device["interfaces"]:
                device = {**device, "interfaces": interfaces}
            devices.append(device)
        devices += [
            _device(drift, f"{site['name']}-new{extra:05d}", extra, interfaces_per_device)
            for extra in range(added_devices.get(site_index, 0))
        ]
        if site_index in updated_sites:
            site = {**site, "region": REGIONS[(site_index + 1) % len(REGIONS)]}
        desired_sites.append({**site, "devices": devices})
    desired: Inventory = {"sites": [*desired_sites, opened]}
    return InventoryPair(current=current, desired=desired)


def main(argv: list[str] | None = None) -> None:
    """Write ``current.json`` and ``desired.json`` for trying the example at scale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices-per-site", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="directory to write the two files into")
    args = parser.parse_args(argv)
    pair = generate_pair(args.devices_per_site, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, inventory in (("current", pair.current), ("desired", pair.desired)):
        (args.out / f"{name}.json").write_text(json.dumps(inventory, indent=1) + "\n")


if __name__ == "__main__":
    main()

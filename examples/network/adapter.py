"""An inventory adapter that loads nested records (see ``records``) into any diffsync store."""

from __future__ import annotations

from diffsync import Adapter

from .models import Device, Interface, Site
from .records import Inventory


class InventoryAdapter(Adapter):
    """Holds a network inventory; subclasses decide where the records come from.

    Subclasses may replace ``site``, ``device`` and ``interface`` with model subclasses that
    write somewhere (see ``sqlite_target``); ``load_records`` builds whatever classes the
    adapter names, so the loading code is written once.
    """

    site = Site
    device = Device
    interface = Interface

    top_level = ["site"]

    def load_records(self, inventory: Inventory) -> None:
        """Add every site, device and interface of ``inventory`` to this adapter's store.

        Children are attached to their parent before the parent is added, so the parent
        reaches the store already complete. That matters for stores that keep a copy of what
        they are given (a parent stored first and changed afterwards would be stored stale).
        """
        for site_record in inventory["sites"]:
            site = self.site(
                name=site_record["name"], region=site_record["region"], status=site_record["status"]
            )
            for device_record in site_record["devices"]:
                device = self.device(
                    name=device_record["name"],
                    site_name=site_record["name"],
                    role=device_record["role"],
                    platform=device_record["platform"],
                    serial=device_record["serial"],
                )
                for interface_record in device_record["interfaces"]:
                    interface = self.interface(
                        device_name=device_record["name"],
                        name=interface_record["name"],
                        description=interface_record["description"],
                        enabled=interface_record["enabled"],
                        mtu=interface_record["mtu"],
                        mode=interface_record["mode"],
                    )
                    self.add(interface)
                    device.add_child(interface)
                self.add(device)
                site.add_child(device)
            self.add(site)

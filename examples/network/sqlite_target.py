"""The system kept in step: an inventory database in SQLite that a sync really writes.

Each model subclass turns the sync's ``create``/``update``/``delete`` calls into INSERT,
UPDATE and DELETE statements on the table named after the model; the adapter commits once,
in ``sync_complete``, so a sync that raises half-way leaves the database as it was.
Deletions run children first (``NATURAL_DELETION_ORDER``) because the schema enforces its
foreign keys, as a real inventory database would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from diffsync import Adapter, DiffSyncModel
from diffsync.enum import DiffSyncModelFlags
from diffsync.exceptions import ObjectNotDeleted, ObjectNotUpdated

from .adapter import InventoryAdapter
from .models import Device, Interface, Site
from .records import DeviceRecord, Inventory, SiteRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS site (
    name TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS device (
    name TEXT PRIMARY KEY,
    site_name TEXT NOT NULL REFERENCES site (name),
    role TEXT NOT NULL,
    platform TEXT NOT NULL,
    serial TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS interface (
    device_name TEXT NOT NULL REFERENCES device (name),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    mtu INTEGER NOT NULL DEFAULT 1500,
    mode TEXT NOT NULL DEFAULT 'access',
    PRIMARY KEY (device_name, name)
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) an inventory database with its schema and foreign keys on."""
    connection = sqlite3.connect(str(path))
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(SCHEMA)
    return connection


def create_database(path: str | Path, seed_sql: str | Path | None = None) -> None:
    """Create the database at ``path``, optionally running a file of INSERTs (``data/target.sql``)."""
    connection = connect(path)
    try:
        if seed_sql is not None:
            connection.executescript(Path(seed_sql).read_text(encoding="utf-8"))
        connection.commit()
    finally:
        connection.close()


def _connection_of(adapter: Adapter | None) -> sqlite3.Connection:
    if not isinstance(adapter, SqliteTarget):
        raise TypeError(f"SQLite models must belong to a SqliteTarget adapter, not {adapter!r}")
    return adapter.connection


class SqlRow(DiffSyncModel):
    """A model stored as one row of the table named after its ``_modelname``.

    Table and column names come from the class declarations (``_modelname``,
    ``_identifiers``, ``_attributes``), never from the data, so building the statements with
    string formatting is safe; values always go through placeholders.
    """

    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NATURAL_DELETION_ORDER

    def _key(self) -> tuple[str, tuple[Any, ...]]:
        where = " AND ".join(f"{column} = ?" for column in self._identifiers)
        return where, tuple(getattr(self, column) for column in self._identifiers)

    @classmethod
    def create(cls, adapter: Adapter, ids: dict[str, Any], attrs: dict[str, Any]) -> SqlRow | None:
        """INSERT the row, then build the model as diffsync does by default."""
        row = {**ids, **attrs}
        unknown = set(row) - set(cls._identifiers) - set(cls._attributes)
        if unknown:
            raise ValueError(f"{cls._modelname}: cannot store fields {sorted(unknown)}; not in the table")
        columns = ", ".join(row)
        placeholders = ", ".join("?" for _ in row)
        _connection_of(adapter).execute(
            f"INSERT INTO {cls._modelname} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names from the class
            tuple(row.values()),
        )
        return super().create(adapter=adapter, ids=ids, attrs=attrs)

    def update(self, attrs: dict[str, Any]) -> SqlRow | None:
        """UPDATE the changed columns; a row that vanished is an error, not a silent no-op."""
        unknown = set(attrs) - set(self._attributes)
        if unknown:
            raise ValueError(f"{self._modelname}: cannot update fields {sorted(unknown)}; not attributes")
        where, key = self._key()
        assignments = ", ".join(f"{column} = ?" for column in attrs)
        cursor = _connection_of(self.adapter).execute(
            f"UPDATE {self._modelname} SET {assignments} WHERE {where}",  # noqa: S608 - names from the class
            (*attrs.values(), *key),
        )
        if cursor.rowcount != 1:
            raise ObjectNotUpdated(f"{self._modelname} {self.get_unique_id()} is not in the database")
        return super().update(attrs)

    def delete(self) -> SqlRow | None:
        """DELETE the row (children are already gone: natural deletion order)."""
        where, key = self._key()
        cursor = _connection_of(self.adapter).execute(
            f"DELETE FROM {self._modelname} WHERE {where}",  # noqa: S608 - names from the class
            key,
        )
        if cursor.rowcount != 1:
            raise ObjectNotDeleted(f"{self._modelname} {self.get_unique_id()} is not in the database")
        return super().delete()


class SqliteSite(SqlRow, Site):
    """A site row."""


class SqliteDevice(SqlRow, Device):
    """A device row."""


class SqliteInterface(SqlRow, Interface):
    """An interface row (``enabled`` is stored as 0/1)."""


class SqliteTarget(InventoryAdapter):
    """The inventory database, loaded from and written back to SQLite.

    Example::

        target = SqliteTarget(path="inventory.db")
        target.load()
        target.sync_from(source)   # INSERT/UPDATE/DELETE, committed at the end
        target.close()
    """

    site = SqliteSite
    device = SqliteDevice
    interface = SqliteInterface

    def __init__(self, *, path: str | Path, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.path = Path(path)
        self.connection = connect(self.path)

    def load(self) -> None:
        """Read every row into models, in insertion order."""
        devices_by_site: dict[str, list[DeviceRecord]] = {}
        interfaces_by_device: dict[str, list[Any]] = {}
        for device_name, name, description, enabled, mtu, mode in self.connection.execute(
            "SELECT device_name, name, description, enabled, mtu, mode FROM interface ORDER BY rowid"
        ):
            interfaces_by_device.setdefault(device_name, []).append(
                {"name": name, "description": description, "enabled": bool(enabled), "mtu": mtu, "mode": mode}
            )
        for name, site_name, role, platform, serial in self.connection.execute(
            "SELECT name, site_name, role, platform, serial FROM device ORDER BY rowid"
        ):
            devices_by_site.setdefault(site_name, []).append(
                {
                    "name": name,
                    "role": role,
                    "platform": platform,
                    "serial": serial,
                    "interfaces": interfaces_by_device.get(name, []),
                }
            )
        sites: list[SiteRecord] = [
            {"name": name, "region": region, "status": status, "devices": devices_by_site.get(name, [])}
            for name, region, status in self.connection.execute(
                "SELECT name, region, status FROM site ORDER BY rowid"
            )
        ]
        inventory: Inventory = {"sites": sites}
        self.load_records(inventory)

    def sync_complete(self, source: Adapter, diff: Any, flags: Any = None, logger: Any = None) -> None:
        """Commit everything the sync wrote, in one transaction."""
        self.connection.commit()

    def close(self) -> None:
        """Close the database connection (uncommitted changes are rolled back)."""
        self.connection.close()

"""The network-inventory example: YAML source, SQLite target, and the benchmark's generator."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from diffsync import Diff
from diffsync.exceptions import ObjectNotDeleted
from diffsync.store.redis import RedisStore
from examples.network.adapter import InventoryAdapter
from examples.network.generate import generate_pair
from examples.network.models import Device, Interface, Site
from examples.network.records import InventoryFormatError, count_objects, expected_summary
from examples.network.sqlite_target import SqliteTarget, create_database
from examples.network.yaml_source import YamlSource

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "examples" / "network" / "data"
SOURCE_YAML = DATA / "source.yaml"
TARGET_SQL = DATA / "target.sql"


@pytest.fixture
def source() -> YamlSource:
    adapter = YamlSource(name="yaml")
    adapter.load(SOURCE_YAML)
    return adapter


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.db"
    create_database(path, TARGET_SQL)
    return path


@pytest.fixture
def target(database: Path) -> Iterator[SqliteTarget]:
    adapter = SqliteTarget(path=database, name="sqlite")
    adapter.load()
    yield adapter
    adapter.close()


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def changes_by_type(diff: Diff) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    pending = list(diff.get_children())
    while pending:
        element = pending.pop()
        if element.action:
            counts[element.type, element.action] += 1
        pending.extend(element.get_children())
    return counts


def test_yaml_source_loads_every_site_device_and_interface(source: YamlSource) -> None:
    assert (source.count("site"), source.count("device"), source.count("interface")) == (3, 5, 9)
    assert source.get(Device, "ams1-leaf1").interfaces == [
        "ams1-leaf1__Ethernet1",
        "ams1-leaf1__Ethernet2",
        "ams1-leaf1__Ethernet3",
    ]


def test_yaml_source_fills_omitted_fields_with_defaults(source: YamlSource) -> None:
    interface = source.get(Interface, "ams1-leaf1__Ethernet3")
    assert (interface.enabled, interface.mtu, interface.mode) == (True, 1500, "access")
    assert source.get(Site, "ams1").status == "active"
    assert source.get(Device, "lon1-leaf1").serial == ""


def test_yaml_source_names_the_item_missing_a_required_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "sites:\n  - name: x1\n    region: r\n    devices:\n      - name: x1-a\n        platform: eos\n"
    )
    with pytest.raises(InventoryFormatError, match=r"sites\[0\]\.devices\[0\]: field 'role' is missing"):
        YamlSource().load(broken)


def test_sqlite_target_loads_the_seeded_rows(target: SqliteTarget) -> None:
    assert (target.count("site"), target.count("device"), target.count("interface")) == (3, 5, 10)
    assert target.get(Interface, "ams1-leaf1__Ethernet2").enabled is True


def test_diff_reports_exactly_the_drift_between_the_data_files(
    source: YamlSource, target: SqliteTarget
) -> None:
    diff = target.diff_from(source)
    assert diff.summary() == {"create": 6, "update": 3, "delete": 7, "no-change": 8, "skip": 0}


def test_sync_inserts_the_missing_rows(source: YamlSource, target: SqliteTarget, database: Path) -> None:
    target.sync_from(source)
    assert rows(database, "SELECT name, region, status FROM site WHERE name = 'lon1'") == [
        ("lon1", "eu-west", "planned")
    ]
    assert rows(database, "SELECT device_name FROM interface WHERE name = 'Ethernet3'") == [("ams1-leaf1",)]
    assert rows(database, "SELECT site_name FROM device WHERE name = 'fra1-leaf2'") == [("fra1",)]


def test_sync_updates_the_changed_columns(source: YamlSource, target: SqliteTarget, database: Path) -> None:
    target.sync_from(source)
    assert rows(database, "SELECT region FROM site WHERE name = 'fra1'") == [("eu-central",)]
    assert rows(database, "SELECT platform FROM device WHERE name = 'fra1-leaf1'") == [("nxos",)]
    assert rows(
        database, "SELECT enabled FROM interface WHERE device_name = 'ams1-leaf1' AND name = 'Ethernet2'"
    ) == [(0,)]


def test_sync_deletes_decommissioned_rows_with_their_children(
    source: YamlSource, target: SqliteTarget, database: Path
) -> None:
    target.sync_from(source)
    assert rows(database, "SELECT name FROM site WHERE name = 'dub1'") == []
    assert rows(database, "SELECT name FROM device WHERE name IN ('dub1-leaf1', 'fra1-leaf3')") == []
    assert rows(database, "SELECT count(*) FROM interface") == [(9,)]


def test_rediff_after_sync_is_empty(source: YamlSource, target: SqliteTarget) -> None:
    target.sync_from(source)
    assert not target.diff_from(source).has_diffs()


def test_reloaded_database_matches_the_source_after_sync(
    source: YamlSource, target: SqliteTarget, database: Path
) -> None:
    target.sync_from(source)
    target.close()
    reloaded = SqliteTarget(path=database)
    reloaded.load()
    try:
        assert not reloaded.diff_from(source).has_diffs()
    finally:
        reloaded.close()


def test_sync_changes_the_database_file(source: YamlSource, target: SqliteTarget, database: Path) -> None:
    before = database.read_bytes()
    target.sync_from(source)
    assert database.read_bytes() != before


def test_failed_sync_commits_nothing(source: YamlSource, target: SqliteTarget, database: Path) -> None:
    # Someone else removes dub1 after we loaded it: our delete of its rows finds nothing.
    other = sqlite3.connect(database)
    other.executescript(
        "DELETE FROM interface WHERE device_name = 'dub1-leaf1';"
        "DELETE FROM device WHERE name = 'dub1-leaf1'; DELETE FROM site WHERE name = 'dub1';"
    )
    other.close()
    with pytest.raises(ObjectNotDeleted, match="dub1-leaf1"):
        target.sync_from(source)
    target.close()
    assert rows(database, "SELECT name FROM site ORDER BY name") == [("ams1",), ("fra1",)]
    assert rows(database, "SELECT region FROM site WHERE name = 'fra1'") == [("eu-west",)]


def test_generated_pair_is_the_same_for_the_same_seed() -> None:
    assert generate_pair(3, seed=7) == generate_pair(3, seed=7)
    assert generate_pair(3, seed=7) != generate_pair(3, seed=8)


def test_generated_current_side_has_ten_sites_of_n_devices_of_eight_interfaces() -> None:
    pair = generate_pair(4)
    shared = [site for site in pair.current["sites"] if site["name"] != "site-retired"]
    assert len(shared) == 10
    assert {len(site["devices"]) for site in shared} == {4}
    assert {len(device["interfaces"]) for site in shared for device in site["devices"]} == {8}


def test_generated_drift_creates_updates_and_deletes_at_every_level() -> None:
    pair = generate_pair(10)
    current, desired = InventoryAdapter(name="current"), InventoryAdapter(name="desired")
    current.load_records(pair.current)
    desired.load_records(pair.desired)
    counts = changes_by_type(current.diff_from(desired))
    for model in ("site", "device", "interface"):
        for action in ("create", "update", "delete"):
            assert counts[model, action] >= 1, (model, action, counts)


def test_generated_drift_diffs_and_syncs_as_the_records_predict() -> None:
    pair = generate_pair(10, seed=3)
    current, desired = InventoryAdapter(name="current"), InventoryAdapter(name="desired")
    current.load_records(pair.current)
    desired.load_records(pair.desired)
    assert len(current) == count_objects(pair.current)
    diff = current.diff_from(desired)
    assert diff.summary() == expected_summary(pair.current, pair.desired)
    current.sync_from(desired, diff=diff)
    assert not current.diff_from(desired).has_diffs()


def test_command_line_creates_syncs_and_reports_no_remaining_diff(tmp_path: Path) -> None:
    # A subprocess: the command configures logging globally, which must not leak into other tests.
    database = tmp_path / "cli.db"
    argv = ["--source", str(SOURCE_YAML), "--database", str(database), "--seed-sql", str(TARGET_SQL)]
    completed = subprocess.run(
        [sys.executable, "-m", "examples.network", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "after sync: {'create': 0, 'update': 0, 'delete': 0, 'no-change': 17" in completed.stdout
    assert rows(database, "SELECT name FROM site ORDER BY name") == [("ams1",), ("fra1",), ("lon1",)]


def test_source_kept_in_redis_syncs_the_database(
    redis_url: str, redis_store_id: str, target: SqliteTarget, database: Path
) -> None:
    store = RedisStore(url=redis_url, store_id=redis_store_id)
    try:
        YamlSource(name="yaml", internal_storage_engine=store).load(SOURCE_YAML)
        store.flush()  # what a loader process does on exit: its batched writes reach Redis
        shared = YamlSource(
            name="yaml", internal_storage_engine=RedisStore(url=redis_url, store_id=redis_store_id)
        )
        target.sync_from(shared)
        assert rows(database, "SELECT name FROM site ORDER BY name") == [("ams1",), ("fra1",), ("lon1",)]
        assert not target.diff_from(shared).has_diffs()
    finally:
        store.clear()


def test_generated_drift_syncs_through_redis_and_persists(redis_url: str, redis_store_id: str) -> None:
    pair = generate_pair(5, seed=11)
    stores = {side: RedisStore(url=redis_url, store_id=f"{redis_store_id}-{side}") for side in ("cur", "des")}
    try:
        current = InventoryAdapter(name="current", internal_storage_engine=stores["cur"])
        desired = InventoryAdapter(name="desired", internal_storage_engine=stores["des"])
        current.load_records(pair.current)
        desired.load_records(pair.desired)
        assert current.diff_from(desired).summary() == expected_summary(pair.current, pair.desired)
        current.sync_from(desired)
        reopened = InventoryAdapter(
            name="current",
            internal_storage_engine=RedisStore(url=redis_url, store_id=f"{redis_store_id}-cur"),
        )
        assert not reopened.diff_from(desired).has_diffs()
    finally:
        for store in stores.values():
            store.clear()

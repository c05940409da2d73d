"""Fixtures of the operator tests: inventory files for the sample adapters."""

from __future__ import annotations

import pytest
from sample_adapters import write_inventory

SOURCE = {
    "shelves": {
        "a1": {"zone": "north", "items": {"bolt": 10, "nut": 20}},
        "b2": {"zone": "south", "items": {"gear": 3}},
    }
}
TARGET = {
    "shelves": {
        "a1": {"zone": "north", "items": {"bolt": 7, "nut": 20, "washer": 5}},
        "c3": {"zone": "east", "items": {}},
    }
}


@pytest.fixture
def inventory_files(tmp_path):
    """(source path, target path) holding SOURCE and TARGET."""
    source, target = tmp_path / "source.json", tmp_path / "target.json"
    write_inventory(source, SOURCE)
    write_inventory(target, TARGET)
    return source, target

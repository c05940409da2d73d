"""Helpers for the end-to-end CLI tests: run the real `diffsync` console script.

Every test runs the installed entry point in a subprocess from the repository root (the
examples' manifests name paths relative to it), and examples that write are copied into the
test's tmp_path first, so the repository's data files are never changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DIFFSYNC = Path(sys.executable).parent / "diffsync"
DIRECTORY_DATA = REPO / "examples" / "directory" / "data"
DIRECTORY_SUMMARY = "summary: create 5, update 3, delete 3, no-change 13, skip 0"
NETWORK_SUMMARY = "summary: create 6, update 3, delete 7, no-change 8, skip 0"

#: The `directory_manifest` fixture: make(mode="diff", flags=None, **spec_overrides) -> Path.
Maker = Callable[..., Path]


def run_cli(
    *args: str, cwd: Path = REPO, extra_path: Path | None = None, env_vars: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`diffsync ARGS...` as a user runs it; `extra_path` goes on PYTHONPATH (test adapters)."""
    env = {**os.environ, **(env_vars or {})}
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")]))
    return subprocess.run(
        [str(DIFFSYNC), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def load_json(process: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The `--output json` document on stdout (fails the test with stderr if it is not JSON)."""
    try:
        document: dict[str, Any] = json.loads(process.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"stdout is not JSON ({error}); stderr:\n{process.stderr}") from error
    return document


def write_manifest(path: Path, spec: dict[str, Any], name: str = "cli-test") -> Path:
    """A SyncJob manifest with `spec` at `path`."""
    manifest = {
        "apiVersion": "diffsync.io/v1alpha1",
        "kind": "SyncJob",
        "metadata": {"name": name},
        "spec": spec,
    }
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return path


def copy_directory_data(tmp_path: Path) -> Path:
    """A private copy of the directory example's data files."""
    data = tmp_path / "data"
    shutil.copytree(DIRECTORY_DATA, data)
    return data


def network_spec(database: Path) -> dict[str, Any]:
    """The network example's spec: the repository's YAML source, a fresh seeded SQLite target."""
    return {
        "source": {
            "adapter": "examples.network.jobs:YamlFileSource",
            "params": {"path": "examples/network/data/source.yaml"},
        },
        "target": {
            "adapter": "examples.network.jobs:SeededSqliteTarget",
            "params": {"path": str(database), "seed_sql": "examples/network/data/target.sql"},
        },
    }


def directory_spec(data: Path, mode: str = "diff", flags: list[str] | None = None) -> dict[str, Any]:
    """The directory example's spec over the data files in `data`."""
    return {
        "mode": mode,
        "flags": flags or [],
        "source": {
            "adapter": "examples.directory.hr_source:HrSource",
            "params": {"teams": str(data / "teams.csv"), "people": str(data / "people.csv")},
        },
        "target": {
            "adapter": "examples.directory.json_directory:JsonDirectory",
            "params": {"path": str(data / "directory.json")},
        },
    }


def manifest_maker(tmp_path: Path, data: Path) -> Callable[..., Path]:
    """`make(mode="diff", flags=None, **spec_overrides)`: a directory manifest over `data`."""

    def make(mode: str = "diff", flags: list[str] | None = None, **overrides: Any) -> Path:
        spec = {**directory_spec(data, mode, flags), **overrides}
        return write_manifest(tmp_path / f"directory-{mode}.yaml", spec)

    return make


def add_person(data: Path, row: str) -> None:
    """Append a row (username,first,last,email,title,team) to the copied HR export."""
    with (data / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")

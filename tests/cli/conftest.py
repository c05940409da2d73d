"""Fixtures of the CLI tests: private copies of the directory example and manifests over them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import copy_directory_data, manifest_maker


@pytest.fixture
def directory_data(tmp_path: Path) -> Path:
    """A private copy of the directory example's data files."""
    return copy_directory_data(tmp_path)


@pytest.fixture
def directory_manifest(tmp_path: Path, directory_data: Path) -> Callable[..., Path]:
    """`make(mode="diff", flags=None, **spec_overrides)`: a directory manifest over the copy."""
    return manifest_maker(tmp_path, directory_data)

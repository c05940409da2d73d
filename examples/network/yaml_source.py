"""The source of truth: an inventory kept as a YAML file (typically under version control)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .adapter import InventoryAdapter
from .records import parse_inventory


class YamlSource(InventoryAdapter):
    """Reads sites, devices and interfaces from a YAML file shaped like ``data/source.yaml``.

    Example::

        source = YamlSource(name="yaml")
        source.load("examples/network/data/source.yaml")
    """

    def load(self, path: str | Path) -> None:  # type: ignore[override]  # load() may take any arguments
        """Parse ``path`` (safe YAML: no object tags are honoured) and add its contents."""
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        self.load_records(parse_inventory(document, source=str(path)))

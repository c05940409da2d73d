"""The network example's adapters as a SyncJob builds them: everything from constructor params.

A SyncJob stage (and `diffsync run`) constructs each adapter as
``Class(**spec.<side>.params, internal_storage_engine=store)`` and then calls ``load()``
without arguments, so an adapter used from a manifest takes its settings in ``__init__``
and passes the remaining keyword arguments on to ``Adapter.__init__``. These two thin
subclasses give ``YamlSource`` and ``SqliteTarget`` that shape without changing them:

- ``YamlFileSource(path=...)``: the YAML inventory at ``path``;
- ``SeededSqliteTarget(path=..., seed_sql=...)``: the SQLite database at ``path``, created
  from the ``seed_sql`` file when it does not exist yet (handy for a demo, and for a pod
  whose database lives on a fresh ``/tmp``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .sqlite_target import SqliteTarget, create_database
from .yaml_source import YamlSource


class YamlFileSource(YamlSource):
    """``YamlSource`` reading the file named by the ``path`` parameter."""

    def __init__(self, *, path: str | Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = Path(path)

    def load(self, path: str | Path | None = None) -> None:
        """Load ``path`` (default: the file given to the constructor)."""
        super().load(self.path if path is None else path)


class SeededSqliteTarget(SqliteTarget):
    """``SqliteTarget`` that first creates a missing database from ``seed_sql``."""

    def __init__(self, *, path: str | Path, seed_sql: str | Path | None = None, **kwargs: Any) -> None:
        if seed_sql is not None and not Path(path).exists():
            create_database(path, seed_sql)
        super().__init__(path=path, **kwargs)

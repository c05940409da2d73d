"""A network inventory example: sites, their devices and the devices' interfaces.

The package is split so that each part can be used alone:

- ``models``: the three diffsync models and an in-memory adapter that loads nested records;
- ``yaml_source``: the source of truth, read from a YAML file;
- ``sqlite_target``: the system being kept in step, an SQLite database whose rows are really
  inserted, updated and deleted by a sync;
- ``generate``: deterministic large inventories (and a drifted copy) for benchmarks.

Nothing is imported here, so ``models`` and ``generate`` stay importable without PyYAML (the
benchmark runs them under a bare upstream diffsync interpreter).
"""

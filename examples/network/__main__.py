"""Sync an SQLite inventory database from a YAML inventory file.

    python -m examples.network --source examples/network/data/source.yaml \\
        --database /tmp/inventory.db --seed-sql examples/network/data/target.sql [--dry-run]

Prints the diff, applies it (unless ``--dry-run``) and prints what a fresh diff then finds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from diffsync.logging import enable_console_logging

from .sqlite_target import SqliteTarget, create_database
from .yaml_source import YamlSource


def main(argv: list[str] | None = None) -> int:
    """Run the example; returns the process exit code (1 when the re-diff is not empty)."""
    parser = argparse.ArgumentParser(prog="python -m examples.network", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="YAML inventory (the source of truth)")
    parser.add_argument("--database", type=Path, required=True, help="SQLite database to bring in step")
    parser.add_argument(
        "--seed-sql", type=Path, help="create the database from this SQL file if it is missing"
    )
    parser.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log sync steps (-vv: debug)")
    args = parser.parse_args(argv)
    enable_console_logging(verbosity=args.verbose)

    if not args.database.exists():
        create_database(args.database, args.seed_sql)
    source = YamlSource(name="yaml")
    source.load(args.source)
    target = SqliteTarget(path=args.database, name="sqlite")
    try:
        target.load()
        diff = target.diff_from(source)
        print(diff.str())
        print(f"summary: {diff.summary()}")
        if args.dry_run or not diff.has_diffs():
            return 0
        target.sync_from(source, diff=diff)
        after = target.diff_from(source)
        print(f"after sync: {after.summary()}")
        return 1 if after.has_diffs() else 0
    finally:
        target.close()


if __name__ == "__main__":
    raise SystemExit(main())

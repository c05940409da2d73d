"""``python -m benchmarks [--sizes 36k,360k] [--stores local,redis] [--repeat N]``.

Runs the network-inventory workload for our diffsync (this interpreter) and, when the
environment variable UPSTREAM_PYTHON names an interpreter with upstream diffsync 2.2.3, for
upstream too, each run in a fresh process; then prints one table and the speed targets.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from benchmarks.costs import render_costs, run_store_costs
from benchmarks.plan import DEFAULT_SIZES, Cell, parse_sizes, parse_stores, plan
from benchmarks.redis_cluster import BenchCluster, running_redis_cluster
from benchmarks.redis_server import command, running_redis_server
from benchmarks.report import Results, render_checks, render_nodes, render_table
from benchmarks.runner import RunResult, representative, run_cell

UPSTREAM_VERSION = "2.2.3"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time load, diff, sync and re-diff of a network inventory; print a table.",
        epilog="Sizes: 36k, 360k, 1m (objects on both sides together), 1m-few (1m with a tenth of "
        "the changes) or a number of devices per site. RedisStore runs at 36k and 1m only. Set "
        "UPSTREAM_PYTHON to compare with upstream diffsync 2.2.3 (make upstream-venv creates one "
        "in .bench/upstream-venv). Where one run's time goes: python -m benchmarks.profile.",
    )
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", DEFAULT_SIZES),
        help=f"comma-separated sizes (default: $BENCH_SIZES or {DEFAULT_SIZES})",
    )
    parser.add_argument(
        "--stores",
        default=os.environ.get("BENCH_STORES", "local,redis,cluster"),
        help="comma-separated stores: local, redis, cluster (RedisStore spread over a six-node "
        "Redis Cluster; default: all three)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ.get("BENCH_REPEAT", "1")),
        help="runs per cell, each in a fresh process; the median total is shown",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated inventory")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run")
    args = parser.parse_args(argv)
    try:
        args.sizes = parse_sizes(args.sizes)
        args.stores = parse_stores(args.stores)
    except ValueError as exc:
        parser.error(str(exc))
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    return args


def _describe(python: str) -> str:
    """Which diffsync an interpreter imports, asked from a scratch directory like the runs."""
    probe = (
        "import diffsync, sys; from importlib import metadata\n"
        "try: v = metadata.version('diffsync')\n"
        "except metadata.PackageNotFoundError: v = '?'\n"
        "print(v, diffsync.__file__, sys.version.split()[0])"
    )
    completed = subprocess.run(
        [python, "-I", "-c", probe], capture_output=True, text=True, cwd="/", check=False
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"{python} cannot import diffsync: {last}")
    version, location, py_version = completed.stdout.split()
    return f"diffsync {version} from {Path(location).parent} (Python {py_version}, {python})"


def _upstream_python() -> str | None:
    value = os.environ.get("UPSTREAM_PYTHON")
    if not value:
        return None
    # Absolute but not resolved: a virtualenv's python is a symlink that must stay one.
    python = os.path.abspath(shutil.which(value) or value)
    if not Path(python).exists():
        raise SystemExit(
            f"UPSTREAM_PYTHON={value} does not exist: run 'make upstream-venv' and use "
            ".bench/upstream-venv/bin/python"
        )
    return python


def main(argv: list[str] | None = None) -> None:
    """Run every planned cell and print the table."""
    args = _parse_args(argv)
    upstream = _upstream_python()
    cells = plan(args.sizes, args.stores, with_upstream=upstream is not None)
    pythons = {"ours": sys.executable, "upstream": upstream}
    print(f"ours:     {_describe(sys.executable)}")
    if upstream:
        description = _describe(upstream)
        print(f"upstream: {description}")
        if f"diffsync {UPSTREAM_VERSION} " not in description:
            print(f"warning: UPSTREAM_PYTHON does not have diffsync {UPSTREAM_VERSION}")
    else:
        print(
            "upstream: not run (UPSTREAM_PYTHON is unset); to compare: "
            "make upstream-venv && UPSTREAM_PYTHON=.bench/upstream-venv/bin/python make bench"
        )
    print(
        "workload: examples/network inventory; load, diff, sync, re-diff; one fresh process per run",
        flush=True,
    )

    results: Results = {}
    with ExitStack() as stack:
        port = None
        if any(cell.store == "redis" for cell in cells):
            port = stack.enter_context(running_redis_server())
            print(f"redis-server: started on 127.0.0.1:{port} for this benchmark", flush=True)
        cluster = None
        if any(cell.store == "cluster" for cell in cells):
            cluster = stack.enter_context(running_redis_cluster())
            print(
                f"redis cluster: 3 masters + 3 replicas started on 127.0.0.1 ports "
                f"{', '.join(map(str, cluster.ports))} for this benchmark",
                flush=True,
            )
        for cell in cells:
            results[cell.implementation, cell.store, cell.size.label] = _run_repeated(
                cell, pythons[cell.implementation] or "", port, args, cluster
            )
        print(render_table(args.sizes, cells, results))
        nodes = render_nodes(results)
        if nodes:
            print()
            print(nodes)
        checks = render_checks(results)
        if checks:
            print()
            print(checks)
        costs = run_store_costs(sys.executable, f"redis://127.0.0.1:{port}/0" if port else None, args.timeout)
        print()
        print(render_costs(costs))
    # Upstream's RedisStore is known to fail the re-diff; only our own failures fail the command.
    if "error" in costs or any(
        not result.ok for (implementation, _, _), result in results.items() if implementation == "ours"
    ):
        sys.exit(1)


def _run_repeated(
    cell: Cell, python: str, port: int | None, args: argparse.Namespace, cluster: BenchCluster | None = None
) -> RunResult:
    runs = []
    for attempt in range(1, args.repeat + 1):
        label = f"{cell.implementation}-{cell.store} {cell.size.label}"
        print(f"running {label} ({attempt}/{args.repeat}) ...", end=" ", flush=True)
        url = f"redis://127.0.0.1:{port}/0" if cell.store == "redis" else None
        if cell.store == "cluster" and cluster is not None:
            url = cluster.url
        result = run_cell(python, cell, url, args.seed, args.timeout)
        if port is not None and cell.store == "redis":
            command(port, "FLUSHALL")  # the next run starts from an empty keyspace
        if cluster is not None and cell.store == "cluster":
            cluster.flush()
        print(f"{result.total:.2f} s" + ("" if result.ok else f" FAILED: {result.error}"), flush=True)
        runs.append(result)
    return representative(runs)

"""``python -m benchmarks.profile [--size 1m] [--store local] [--top 12]``: where each phase's time goes.

Runs the benchmark's workload (`benchmarks.workload`) once, in this process and with this
interpreter's diffsync, and reports per phase (load, diff, sync, re-diff): wall and CPU
seconds, the time the cyclic garbage collector took and how many collections of each
generation ran, the resident memory after the phase, and the functions with the most own
time under cProfile. cProfile slows Python code about twofold and the other numbers then
include that; ``--no-cprofile`` gives the plain timings with the collector's share.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from benchmarks.plan import NAMED_SIZES, parse_sizes
from benchmarks.redis_server import running_redis_server
from benchmarks.runner import REPO
from benchmarks.workload import run

Observed = tuple[str, "cProfile.Profile | None"]  # a phase's heading, and its profile if taken


class CollectorClock:
    """Time spent in the cyclic garbage collector, and collections per generation."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@contextmanager
def _observed(phase: str, use_cprofile: bool, out: list[Observed]) -> Iterator[None]:
    clock = CollectorClock()
    gc.callbacks.append(clock)
    # CPU time, not wall time: other processes on a shared machine do not inflate the figures.
    profiler = cProfile.Profile(time.process_time) if use_cprofile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    try:
        yield
    finally:
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        gc.callbacks.remove(clock)
        generations = "/".join(str(count) for count in clock.collections)
        heading = (
            f"== {phase}: wall {wall:.2f} s, cpu {cpu:.2f} s, collector {clock.seconds:.2f} s "
            f"(collections gen0/1/2 {generations}), rss after {_rss_mib():.0f} MiB"
        )
        # The statistics are rendered after the run: building them here would allocate enough
        # to start collections between phases that the next phase would otherwise run.
        out.append((heading, profiler))


def _render(observed: list[Observed], top: int) -> str:
    lines = []
    for heading, profiler in observed:
        lines.append(heading)
        if profiler is not None:
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
            lines.append(_trim(text.getvalue()))
    return "\n".join(lines)


def _trim(report: str) -> str:
    """The stats table without pstats' preamble, paths shortened to the repository."""
    lines = report.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    repo, prefix = str(REPO) + "/", str(Path(sys.prefix)) + "/"
    return "\n".join(line.replace(repo, "").replace(prefix, "") for line in lines[start:] if line.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument(
        "--size", default="1m", help=f"one size: {', '.join(NAMED_SIZES)} or a number of devices per site"
    )
    parser.add_argument("--store", choices=("local", "redis"), default="local")
    parser.add_argument("--top", type=int, default=12, help="functions shown per phase")
    parser.add_argument("--no-cprofile", action="store_true", help="timings and collector only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    (size,) = parse_sizes(args.size)
    out: list[Observed] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
        redis_url = None
        if args.store == "redis":
            port = stack.enter_context(running_redis_server())
            redis_url = f"redis://127.0.0.1:{port}/0"
        spec = {
            "devices_per_site": size.devices_per_site,
            "rate": size.rate,
            "seed": args.seed,
            "store": args.store,
            "redis_url": redis_url,
            "examples_path": str(REPO / "examples"),
            "result_path": str(Path(scratch) / "result.json"),
        }
        result = run(spec, observe=lambda phase: _observed(phase, not args.no_cprofile, out))
    objects = sum(result.get("objects", {}).values())
    print(f"{size.label} ({objects:,} objects) on {args.store}, {result['diffsync_file']}")
    print(f"peak {result['peak_mib']:.0f} MiB, before loading {result['baseline_mib']:.0f} MiB")
    print(_render(out, args.top))
    if result["error"]:
        raise SystemExit(f"the run failed: {result['error']}")


if __name__ == "__main__":
    main()

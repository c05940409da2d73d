"""A throw-away Redis Cluster on loopback, for the RedisStore-on-a-cluster benchmark runs.

Six ``redis-server --cluster-enabled yes`` processes without persistence, joined by
``redis-cli --cluster create`` into three masters with one replica each, as a production
cluster would run (so each write also waits for its replica, see docs/redis-store.md).
Ports are taken below the ephemeral range: the nodes' own connections to each other's bus
ports come from that range and could take a port picked there before its node listens.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BenchCluster:
    """The running cluster: its URL (every node a seed) and node ports."""

    url: str
    ports: list[int]

    def cli(self, port: int, *args: str) -> str:
        return _cli("-p", str(port), *args)

    def masters(self) -> list[int]:
        return [port for port in self.ports if self.cli(port, "ROLE").splitlines()[0] == "master"]

    def flush(self) -> None:
        """Empty every master (replicas follow)."""
        for port in self.masters():
            self.cli(port, "FLUSHALL")


def _cli(*args: str) -> str:
    binary = shutil.which("redis-cli")
    if binary is None:
        raise RuntimeError(
            "redis-cli is not installed: run 'make redis-server' (Debian package redis-server)"
        )
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, check=True).stdout


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


_TAKEN: set[int] = set()


def cluster_port() -> int:
    """A free loopback port outside the ephemeral range, never one this process handed out before.

    Cluster nodes open many connections to each other's bus ports; a port picked from the
    ephemeral range (as the OS's own "free port" does) can be taken by one of those outgoing
    connections before the node that should listen on it starts. Two nodes must never share one.
    The test fixture of a cluster picks its ports here too.
    """
    low, high = _ephemeral_range()
    candidates = list(range(20000, low)) if low > 21000 else list(range(max(high + 1, 1024), 65535))
    for port in random.sample(candidates, 200):
        if port in _TAKEN:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            _TAKEN.add(port)
            return port
    raise RuntimeError("no free loopback port outside the ephemeral range")


def _wait(check, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (subprocess.CalledProcessError, OSError, IndexError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis Cluster for the benchmark: {what} within {timeout:.0f} s")
        time.sleep(0.1)


@contextmanager
def running_redis_cluster(masters: int = 3, replicas: int = 1, attempts: int = 3) -> Iterator[BenchCluster]:
    """Start the cluster (again on other ports if a node could not start, e.g. its port was
    taken in between), yield it, and stop every node when the block exits."""
    for attempt in range(1, attempts + 1):
        try:
            starting = _cluster(masters, replicas)
            cluster = starting.__enter__()
        except RuntimeError:
            if attempt == attempts:
                raise
            continue
        try:
            yield cluster
        finally:
            starting.__exit__(None, None, None)
        return


@contextmanager
def _cluster(masters: int, replicas: int) -> Iterator[BenchCluster]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed: run 'make redis-server' or leave out --stores cluster"
        )
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as root:
        try:
            ports = []
            for index in range(masters * (1 + replicas)):
                workdir = Path(root) / f"node{index}"
                workdir.mkdir()
                port, bus = cluster_port(), cluster_port()
                ports.append(port)
                processes.append(
                    subprocess.Popen(
                        [
                            binary,
                            "--port",
                            str(port),
                            "--bind",
                            "127.0.0.1",
                            "--cluster-enabled",
                            "yes",
                            "--cluster-port",
                            str(bus),
                            "--cluster-config-file",
                            str(workdir / "nodes.conf"),
                            "--dir",
                            str(workdir),
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--repl-diskless-sync-delay",
                            "0",
                            "--loglevel",
                            "warning",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            cluster = BenchCluster(
                "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in ports) + "/0", ports
            )
            for port in ports:
                _wait(
                    lambda port=port: cluster.cli(port, "PING").strip() == "PONG",
                    f"node {port} did not start",
                )
            _cli(
                "--cluster", "create", *(f"127.0.0.1:{port}" for port in ports),
                "--cluster-replicas", str(replicas), "--cluster-yes",
            )  # fmt: skip
            _wait(
                lambda: all("cluster_state:ok" in cluster.cli(port, "CLUSTER", "INFO") for port in ports),
                "cluster_state:ok not reached",
            )
            _wait(
                lambda: all(
                    cluster.cli(port, "INFO", "replication").count("state=online") >= replicas
                    for port in cluster.masters()
                ),
                "replicas did not finish their first sync",
            )
            yield cluster
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

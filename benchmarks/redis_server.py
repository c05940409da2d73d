"""A throw-away redis-server on a free loopback port, for the RedisStore benchmark runs.

The benchmark starts its own server rather than using whatever listens on 6379, so runs do
not touch anyone's data and upstream's keyspace-wide SCANs see only the benchmark's keys.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command(port: int, *args: str, timeout: float = 5.0) -> bytes:
    """Send one command in the Redis protocol and return the first reply line.

    Enough for PING and FLUSHALL, and keeps the benchmark's parent process free of a Redis
    client dependency.
    """
    payload = f"*{len(args)}\r\n".encode() + b"".join(
        f"${len(arg.encode())}\r\n{arg}\r\n".encode() for arg in args
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(payload)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.strip()


@contextmanager
def running_redis_server(startup_timeout: float = 10.0) -> Iterator[int]:
    """Start redis-server without persistence on a free loopback port; yield the port.

    The server is stopped (and its scratch directory removed) when the block exits.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed: run 'make redis-server' (Debian package redis-server) "
            "or pass --stores local"
        )
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + startup_timeout
            while True:
                try:
                    if command(port, "PING") == b"+PONG":
                        break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    error = (
                        server.stderr.read().decode() if server.stderr and server.poll() is not None else ""
                    )
                    raise RuntimeError(f"redis-server on port {port} did not start: {error.strip()}")
                time.sleep(0.05)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

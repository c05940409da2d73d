"""Record every command a real redis-server receives (MONITOR), with the connection it came on.

The operator names its own connections (`CLIENT SETNAME diffsync-operator`, see
`controller.redis_servers.CLIENT_NAME`), and MONITOR shows that command, so a test can tell the
operator's commands from the stage pods' and its own.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from diffsync_operator.controller.redis_servers import CLIENT_NAME


@dataclass(frozen=True)
class Command:
    connection: str  # "address:port"
    text: str


@dataclass
class RedisMonitor:
    """`with RedisMonitor(server) as seen: ...`; afterwards `seen.commands` holds every command."""

    server: Any
    commands: list[Command] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop_key = f"monitor-stop-{uuid.uuid4().hex}"
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with self.server.client().monitor() as monitor:
            self._ready.set()
            for event in monitor.listen():
                text = event["command"]
                if self._stop_key in text:
                    return
                self.commands.append(Command(f"{event['client_address']}:{event['client_port']}", text))

    def __enter__(self) -> RedisMonitor:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.client().get(self._stop_key)
        self._thread.join(30)

    def operator_connections(self) -> set[str]:
        """Connections that named themselves as the operator's."""
        return {c.connection for c in self.commands if c.text == f"CLIENT SETNAME {CLIENT_NAME}"}

    def commands_of(self, connections: set[str]) -> list[str]:
        return [c.text for c in self.commands if c.connection in connections]

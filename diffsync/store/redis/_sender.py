"""Sending a script call now and reading its reply later, so a flush overlaps with Redis.

A flush alternates two kinds of work: serialising a batch (this process's CPU) and Redis
running the write script on it (Redis's CPU, usually another core). Made one after the other
they add up: a million-object load spent about 2 s waiting for Redis's replies. `ScriptSender`
sends a batch's call and returns at once; the caller serialises the next batch meanwhile and
reads the reply when that one is ready. Calls still go one at a time, each sent after the
previous reply was read and recorded, so the checks each call makes and what a failure leaves
behind are those of calls made one by one.

Only for a plain ``redis.Redis`` with a connection pool (`for_client`): a cluster client routes
each call to its node itself, and a single-connection client's connection is left to its owner.
An error on the connection drops it and makes the call again through the client, with the
client's retries; a call can be repeated (see `_writer`). A call whose reply was never read
(the caller raised in between) drops the connection too, so no later command reads that reply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError, NoScriptError, ResponseError, TimeoutError

from diffsync.store.redis._client import Client

_hiredis_pack: Callable[[tuple[Any, ...]], bytes] | None
_hiredis_packer: type | None
try:
    from hiredis import pack_command as _hiredis_pack
    from redis.connection import HiredisRespSerializer as _hiredis_packer
except ImportError:  # no hiredis: redis-py packs commands in Python
    _hiredis_pack = _hiredis_packer = None

Reply = Callable[[], Any]


class ScriptSender:
    """Sends calls of one script on a connection of its own, for the length of a ``with`` block."""

    def __init__(self, client: redis.Redis, script: Script) -> None:
        self.client = client
        self.script = script
        self._connection: Any = None
        self._unread = False

    @classmethod
    def for_client(cls, client: Client, script: Script) -> ScriptSender | None:
        """A sender for `client`, or None where calls must go through the client itself."""
        if type(client) is not redis.Redis or client.connection is not None:
            return None
        return cls(client, script)

    def __enter__(self) -> ScriptSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._unread:
            connection.disconnect()
        self.client.connection_pool.release(connection)

    def _take_connection(self) -> Any:
        pool = self.client.connection_pool
        try:
            return pool.get_connection()
        except TypeError:  # redis-py before 5.3 wants a command name
            return pool.get_connection("EVALSHA")

    def send(self, keys: Sequence[str], args: Sequence[Any]) -> Reply:
        """Send one call; the function returned reads its reply (call it once)."""
        connection = self._connection
        command = ("EVALSHA", self.script.sha, len(keys), *keys, *args)
        try:
            if connection is None:  # taken at the first call: a flush with nothing to write sends nothing
                connection = self._connection = self._take_connection()
            packer = getattr(connection, "_command_packer", None)
            if _hiredis_pack is not None and type(packer) is _hiredis_packer:
                # What redis-py's hiredis packer does with these arguments, without its
                # Python-level pass over each of them (two per object written).
                connection.send_packed_command([_hiredis_pack(command)])
            else:
                connection.send_command(*command)
        except (ConnectionError, TimeoutError):
            if connection is not None:
                connection.disconnect()
            result = self.script(keys=keys, args=args)
            return lambda: result
        self._unread = True

        def reply() -> Any:
            try:
                result = connection.read_response()
            except NoScriptError:  # Redis lost its scripts (a restart): the call did not run
                self._unread = False
                return self.script(keys=keys, args=args)  # loads the script, then calls
            except (ConnectionError, TimeoutError):
                connection.disconnect()
                self._unread = False
                return self.script(keys=keys, args=args)
            except ResponseError:
                self._unread = False  # an error reply, read whole
                raise
            self._unread = False
            return result

        return reply

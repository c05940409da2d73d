"""Writing what live stores still buffer when the interpreter exits, or failing the process.

A script that loads an adapter into a `RedisStore` and ends leaves its data in Redis: the
stores still alive at exit are flushed. If one of those flushes fails (Redis down, the data
lost, a value JSON cannot encode), the process must not end as if it had succeeded, so the
reason goes to stderr and the process exits with `EXIT_STATUS`.

An exit hook cannot change the interpreter's exit status, so the process then ends with
``os._exit``, after logging is shut down (its handlers flushed) and stdout and stderr are
flushed. Exit hooks run last to first, so those registered after this module was imported
have run by then; those registered before it, and finalisers of objects still alive, do not.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import weakref
from typing import Protocol

# EX_TEMPFAIL of sysexits.h: the run did not complete, and running it again may succeed.
EXIT_STATUS = 75


class _Flushable(Protocol):
    def flush(self) -> None: ...


_LIVE: weakref.WeakSet[_Flushable] = weakref.WeakSet()


def track(store: _Flushable) -> None:
    """Flush `store` at exit unless it is closed before."""
    _LIVE.add(store)


def untrack(store: _Flushable) -> None:
    _LIVE.discard(store)


def _flush_live_stores() -> None:
    """Flush every live store; if any flush fails, say why on stderr and exit non-zero."""
    failures = []
    for store in list(_LIVE):
        try:
            store.flush()
        except Exception as error:  # one store failing must not keep the others from writing
            failures.append(f"could not write {store} at exit: {type(error).__name__}: {error}")
    if failures:
        _fail(failures)


def _fail(failures: list[str]) -> None:
    for failure in failures:
        sys.stderr.write(f"diffsync: {failure}\n")
    sys.stderr.write(
        f"diffsync: what those stores buffered is NOT in Redis; exiting with status {EXIT_STATUS} "
        "(flush() or close() stores before the program ends to handle such errors yourself)\n"
    )
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or broken: nothing more to say there
            stream.flush()
    os._exit(EXIT_STATUS)


atexit.register(_flush_live_stores)

"""Logging for the command line: library events on stderr, quiet unless asked.

The syncer logs one event per object at INFO, and the sync stage counts those events (see
`stages.sync_log`), so the filtering level stays at INFO even when nothing below WARNING is
printed: the events flow through the processors and are dropped only at the end. Lines go
to whatever `sys.stderr` is at the time of writing, so a live progress display that
redirects stderr can print them above itself.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# The report lists every failed object, so by default the library's own lines stay quiet.
_PRINT_LEVELS = {0: logging.CRITICAL, 1: logging.INFO}


class _StderrLogger:
    """A structlog logger that writes each rendered line to the current sys.stderr."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _stderr_logger_factory(*args: Any) -> _StderrLogger:
    return _StderrLogger()


class ObjectCounter:
    """A processor that counts per-object sync events, for the sync stage's progress bar."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if event.get("action") in ("create", "update", "delete") and event.get("status"):
            self.count += 1
        return event


_METHOD_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "msg": logging.INFO,
    "log": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def _drop_below(level: int) -> Any:
    def processor(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if _METHOD_LEVELS.get(method, logging.INFO) < level:
            raise structlog.DropEvent
        return event

    return processor


def configure(verbosity: int, counter: ObjectCounter | None = None) -> None:
    """Print nothing but critical lines (INFO with -v, DEBUG with -vv) to stderr; count sync events."""
    level = _PRINT_LEVELS.get(verbosity, logging.DEBUG)
    processors: list[Any] = [counter] if counter else []
    processors += [
        _drop_below(level),
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="%H:%M:%S"),
        structlog.processors.format_exc_info,
        structlog.dev.ConsoleRenderer(colors=False),
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(min(level, logging.INFO)),
        logger_factory=_stderr_logger_factory,
        cache_logger_on_first_use=False,
    )

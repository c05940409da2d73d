"""Console logging for scripts that use diffsync: one call sets up structlog and the stdlib."""

from __future__ import annotations

import logging
from importlib.util import find_spec
from typing import Any

import structlog
from packaging import version

_LEVELS = {0: logging.WARNING, 1: logging.INFO}


def _exceptions_need_formatting() -> bool:
    """structlog's console renderer formats exceptions itself when rich or better_exceptions exist."""
    if version.parse(structlog.__version__) < version.parse("21.2.0"):
        return True
    return find_spec("rich") is None and find_spec("better_exceptions") is None


def enable_console_logging(verbosity: int = 0) -> None:
    """Log to the console at WARNING (0), INFO (1) or DEBUG (2 and more)."""
    logging.basicConfig(format="%(message)s", level=_LEVELS.get(verbosity, logging.DEBUG))
    processors: list[Any] = [
        structlog.stdlib.filter_by_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M.%S"),
        structlog.processors.StackInfoRenderer(),
    ]
    if _exceptions_need_formatting():
        processors.append(structlog.processors.format_exc_info)
    processors.append(structlog.dev.ConsoleRenderer())
    structlog.configure(
        processors=processors,
        context_class=dict,
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

"""Stdlib logging set-up with a console handler and an optional debug file."""

from __future__ import annotations

import logging
import logging.config
from typing import Any


def _default_config(level: str, filename: str | None) -> dict[str, Any]:
    handlers: dict[str, Any] = {
        "console": {"class": "logging.StreamHandler", "level": level, "formatter": "simple"},
    }
    if filename:
        handlers["file"] = {
            "class": "logging.FileHandler",
            "level": "DEBUG",
            "formatter": "detailed",
            "filename": filename,
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "simple": {"format": "%(asctime)s %(levelname)-8s %(message)s"},
            "detailed": {"format": "%(asctime)s %(levelname)-8s %(module)s.%(funcName)s: %(message)s"},
        },
        "handlers": handlers,
        "root": {"level": "DEBUG", "handlers": list(handlers)},
    }


def initialize_logging(
    config: dict[str, Any] | None = None, level: str = "INFO", filename: str | None = None
) -> None:
    """Apply `config` (a `logging.config.dictConfig` dict) or a sensible default."""
    logging.config.dictConfig(config or _default_config(level, filename))
    logging.getLogger("diffsync").debug("Logging initialized.")

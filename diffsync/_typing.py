"""Type aliases for signatures inside classes whose methods shadow `dict`, `str` and `type`."""

from __future__ import annotations

from typing import Any

# Attribute or identifier values of one model, by field name.
Attrs = dict[str, Any]

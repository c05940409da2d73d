"""Times in API objects, as the controller reads them.

Objects reach the controller as dicts: decoded from JSON, where a time is RFC 3339 text with
`Z` for UTC, or built by tests and kopf with `datetime`s already in them. Every reader of a pod,
Lease or SyncJob time goes through `parse_api_time`, so both forms read the same everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def parse_api_time(value: Any) -> datetime | None:
    """`value` (RFC 3339 text or a datetime) as a datetime; None for a missing or empty value."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None

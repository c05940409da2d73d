"""Store ids: the names under which a job's state lives in Redis.

A job's `storeId` names its state; each side's RedisStore is `<storeId>/source` or
`<storeId>/target`, and the stage handover keys are derived from the same id (see `handover`).
"""

from __future__ import annotations


def default_store_id(namespace: str, name: str, uid: str) -> str:
    """`<namespace>.<name>.<first 8 of uid>`: readable, and new for a re-created job."""
    return f"{namespace}.{name}.{uid[:8]}"


def side_store_id(store_id: str, side: str) -> str:
    """The RedisStore id of one side: `<storeId>/source` or `<storeId>/target`."""
    if side not in ("source", "target"):
        raise ValueError(f"side must be 'source' or 'target', not {side!r}")
    return f"{store_id}/{side}"

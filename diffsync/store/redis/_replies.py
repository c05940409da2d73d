"""Reading Redis replies whatever the client's ``decode_responses`` setting.

A store may be given a client that decodes replies to `str` (``decode_responses=True``) or one
that returns `bytes` (the default); every reply the store reads goes through these two helpers
so both kinds of client read the same data.
"""

from __future__ import annotations

from typing import Any


def text(reply: Any) -> str:
    """A reply as text: bytes are decoded as UTF-8, anything else goes through `str`."""
    return reply.decode() if isinstance(reply, bytes) else str(reply)


def raw(reply: Any) -> bytes:
    """A reply as bytes (the JSON of a model, which pydantic parses from bytes)."""
    return reply if isinstance(reply, bytes) else str(reply).encode()

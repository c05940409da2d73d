"""The Redis key layout of one store, derived from its `store_id`.

Every key of a store starts with ``diffsync:{<escaped store_id>}:``. The braces are a Redis
Cluster hash tag, so all keys of one store live in one slot and multi-key commands and scripts
stay legal on a cluster. The store_id (and each model name) is percent-encoded, leaving only
``A-Z a-z 0-9 _ . - ~`` and ``%XX``: an id can then never contain a brace (which would move the
hash tag), a colon (which would let ``a:b`` and ``a`` + ``:b`` collide), or a glob character
(which would let a pattern built from it match other stores).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

# Written to the meta hash; a store refuses data written in another format.
FORMAT = "diffsync-redis/1"


def escape(text: str) -> str:
    """Percent-encode everything but unreserved URL characters (so no ``{}:*?[]`` or spaces)."""
    return quote(text, safe="")


class StoreKeys:
    """Names of the keys that hold one store: meta, the model-name registry, and two per model."""

    def __init__(self, store_id: str) -> None:
        if not isinstance(store_id, str) or not store_id:
            raise ValueError(f"store_id must be a non-empty string, got {store_id!r}")
        self.prefix = f"diffsync:{{{escape(store_id)}}}"
        self.meta = f"{self.prefix}:meta"
        self.models = f"{self.prefix}:models"

    def data(self, model_name: str) -> str:
        """HASH of unique id -> JSON of the model."""
        return f"{self.prefix}:data:{escape(model_name)}"

    def order(self, model_name: str) -> str:
        """LIST of unique ids in insertion order (an id's last entry counts; removed ids linger)."""
        return f"{self.prefix}:order:{escape(model_name)}"

    def all_keys(self, model_names: Iterable[str]) -> list[str]:
        keys = [self.meta, self.models]
        for name in sorted(model_names):
            keys += [self.data(name), self.order(name)]
        return keys

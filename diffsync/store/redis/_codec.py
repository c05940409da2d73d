"""`ValueCodec`: the opt-in way to store field values JSON cannot encode, without pickle.

pydantic's JSON already covers the usual types (datetimes, UUIDs, IP addresses, decimals, enums,
nested models). A value of any other type, typically in a field typed ``Any``, makes a flush
fail, naming the model, object, field and type. Registering that type with a codec makes it
storable: the codec writes it as a small tagged JSON object, ``{"__diffsync_value__": <tag>,
"value": <what encode returned>}``, and reading turns it back with the registered `decode`.

Nothing is ever unpickled or imported: reading can only call the `decode` functions the
program registered, with plain JSON values, so data written by anyone else cannot run code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

MARKER = "__diffsync_value__"
_MARKER_BYTES = MARKER.encode()


@dataclass(frozen=True)
class _Registration(Generic[T]):
    value_type: type[T]
    tag: str
    encode: Callable[[T], Any]
    decode: Callable[[Any], T]


class ValueCodec:
    """Types JSON cannot encode, each with a tag and a pair of functions to and from JSON.

    Example::

        codec = ValueCodec()
        codec.register(Node, tag="sdk.Node", encode=Node.to_dict, decode=Node.from_dict)
        store = RedisStore(url=url, store_id="dc1", codec=codec)

    `encode` returns anything pydantic can write as JSON (dicts, lists, strings, numbers, ...);
    `decode` gets that JSON value back and returns the object. A value is encoded by the
    registration of its class or of the nearest base class registered.
    """

    def __init__(self) -> None:
        self._by_type: dict[type, _Registration[Any]] = {}
        self._by_tag: dict[str, _Registration[Any]] = {}

    def register(
        self,
        value_type: type[T],
        *,
        tag: str,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> None:
        """Store values of `value_type` as ``encode(value)`` under `tag`; read them with `decode`."""
        if not isinstance(value_type, type):
            raise TypeError(f"value_type must be a class, got {value_type!r}")
        if not isinstance(tag, str) or not tag:
            raise ValueError(f"tag must be a non-empty string, got {tag!r}")
        if tag in self._by_tag and self._by_tag[tag].value_type is not value_type:
            raise ValueError(f"tag {tag!r} is already registered for {self._by_tag[tag].value_type!r}")
        registration = _Registration(value_type, tag, encode, decode)
        self._by_type[value_type] = registration
        self._by_tag[tag] = registration

    def registered(self, value_type: type) -> bool:
        return any(klass in self._by_type for klass in value_type.__mro__)

    def encode(self, value: Any) -> dict[str, Any]:
        """The tagged JSON form of `value` (pydantic's serialisation fallback)."""
        for klass in type(value).__mro__:
            registration = self._by_type.get(klass)
            if registration is not None:
                return {MARKER: registration.tag, "value": registration.encode(value)}
        raise TypeError(f"no ValueCodec registration for {type(value).__module__}.{type(value).__qualname__}")

    def loads(self, raw: bytes) -> Any:
        """Parse stored JSON, turning tagged objects back into values (plain JSON otherwise)."""
        return json.loads(raw, object_hook=self._decode_tagged)

    @staticmethod
    def tags_values(raw: bytes) -> bool:
        """Whether stored JSON may hold tagged values (when not, pydantic parses it directly)."""
        return _MARKER_BYTES in raw

    def _decode_tagged(self, obj: dict[str, Any]) -> Any:
        if len(obj) != 2 or MARKER not in obj or "value" not in obj:
            return obj
        tag = obj[MARKER]
        registration = self._by_tag.get(tag) if isinstance(tag, str) else None
        if registration is None:
            raise ValueError(
                f"a value is tagged {tag!r}, which this ValueCodec has no registration for; "
                "register that tag with the codec passed to RedisStore"
            )
        try:
            return registration.decode(obj["value"])
        except Exception as error:  # the user's decode: report it as this value's failure
            detail = f"{type(error).__name__}: {error}"
            raise ValueError(f"decoding a value tagged {tag!r} failed: {detail}") from error

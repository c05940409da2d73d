"""A model as stored in Redis: pydantic's JSON of it, and back, with errors that say the fix.

Writing uses the model's own pydantic serializer (``adapter`` excluded); a value JSON cannot
encode is passed to the store's `ValueCodec` if it has one, and otherwise reported with the
model, the object, the field and the type. Reading validates with the class the adapter
declares and checks that the object read is the one its hash field names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from diffsync.exceptions import ObjectStoreException
from diffsync.store.redis._codec import ValueCodec
from diffsync.store.redis._failures import CLEAR_HINT
from diffsync.store.redis._keys import StoreKeys

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel

# The adapter is the process's own: never stored.
EXCLUDE: set[str] = {"adapter"}
_UNKNOWN_TYPE = re.compile(r"unknown type: <class '([^']+)'>|no ValueCodec registration for (\S+)")
CODEC_HINT = (
    "give the field a JSON-serialisable type (or a pydantic field serializer and validator), or "
    "register the type with a ValueCodec passed as RedisStore(codec=...) (docs/redis-store.md, "
    '"Values JSON cannot encode")'
)


class ValueFormat:
    """Turns models into the bytes a store keeps, and back (`codec` for values beyond JSON)."""

    def __init__(self, store_label: str, keys: StoreKeys, codec: ValueCodec | None = None) -> None:
        self.store_label = store_label
        self.keys = keys
        self.codec = codec

    def dump(self, obj: DiffSyncModel, model_name: str, unique_id: str) -> bytes:
        """The JSON of `obj` (every flush runs this for every object it holds: keep it lean)."""
        try:
            if self.codec is None:
                value: bytes = type(obj).__pydantic_serializer__.to_json(obj, exclude=EXCLUDE)
            else:
                value = self._to_json(obj, EXCLUDE, None)
        except PydanticSerializationError as error:
            raise ObjectStoreException(
                f"{self.store_label}: cannot store {model_name} {unique_id!r} in "
                f"{self.keys.data(model_name)}: {self._culprit(obj, error)}; {CODEC_HINT}"
            ) from error
        return value

    def _culprit(self, obj: DiffSyncModel, error: PydanticSerializationError) -> str:
        """Which field holds what JSON cannot encode, found by serialising one field at a time."""
        for name in type(obj).model_fields:
            if name in EXCLUDE:
                continue
            try:
                self._to_json(obj, None, {name})
            except PydanticSerializationError as field_error:
                found = _UNKNOWN_TYPE.search(str(field_error))
                value = getattr(obj, name, None)
                type_name = (
                    (found.group(1) or found.group(2))
                    if found
                    else f"{type(value).__module__}.{type(value).__name__}"
                )
                return f"field {name!r} holds a value of type {type_name}, which JSON cannot encode"
        return str(error)

    def _to_json(self, obj: DiffSyncModel, exclude: set[str] | None, include: set[str] | None) -> bytes:
        serializer = type(obj).__pydantic_serializer__
        if self.codec is None:
            return serializer.to_json(obj, exclude=exclude, include=include)
        # `fallback` exists from pydantic 2.11 on; RedisStore checks that when given a codec.
        return serializer.to_json(obj, exclude=exclude, include=include, fallback=self.codec.encode)

    def load(
        self, raw: bytes, model_class: type[DiffSyncModel], unique_id: str, data_key: str
    ) -> DiffSyncModel:
        """The object stored in field `unique_id` of `data_key`, checked to be that object."""
        try:
            if self.codec is not None and self.codec.tags_values(raw):
                obj = model_class.model_validate(self.codec.loads(raw))
            else:
                obj = model_class.model_validate_json(raw)
        except (ValidationError, ValueError) as error:
            raise ObjectStoreException(
                f"{self.store_label}: field {unique_id!r} of {data_key} is not a valid "
                f"{model_class.__name__}: {error}; rewrite that field, or {CLEAR_HINT}"
            ) from error
        stored_id = obj.get_unique_id()
        if stored_id != unique_id:
            raise ObjectStoreException(
                f"{self.store_label}: field {unique_id!r} of {data_key} holds the {model_class.get_type()} "
                f"{stored_id!r}, not {unique_id!r}: the hash was changed outside diffsync; rewrite "
                f"that field, or {CLEAR_HINT}"
            )
        return obj

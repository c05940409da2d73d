"""`LocalStore`: the in-memory default store, one dict per model name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from diffsync._fields import bind_adapter, type_and_unique_id
from diffsync._fields_set import share_fields_set
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound
from diffsync.store import BaseStore

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel


class LocalStore(BaseStore):
    """Keeps models in process memory, in insertion order; `get` returns the stored object itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A defaultdict, as upstream: looking up an unknown model name creates its empty bucket.
        self._data: defaultdict[str, dict[str, DiffSyncModel]] = defaultdict(dict)
        self._removals = 0  # removals and replacements so far: see `_membership_version`

    def get_all_model_names(self) -> set[str]:
        return set(self._data)

    def _not_found(self, model_name: str, unique_id: str) -> ObjectNotFound:
        return ObjectNotFound(f"{model_name} {unique_id} not present in {self}")

    def get(self, *, model: Any, identifier: str | Mapping[str, Any]) -> DiffSyncModel:
        if isinstance(model, str) or not isinstance(identifier, str):
            object_class, model_name = self._get_object_class_and_model(model)
            unique_id = self._get_uid(model, object_class, identifier)
        else:  # a class or instance, and a unique id: the syncer's and most callers' lookup
            model_name, unique_id = model.get_type(), identifier
        try:
            return self._data[model_name][unique_id]
        except KeyError:
            raise self._not_found(model_name, unique_id) from None

    def get_all(self, *, model: Any) -> list[DiffSyncModel]:
        model_name = self._model_name(model)
        return list(self._data[model_name].values())

    def get_by_uids(self, *, uids: list[str], model: Any) -> list[DiffSyncModel]:
        model_name = self._model_name(model)
        bucket = self._data[model_name]
        try:
            return list(map(bucket.__getitem__, uids))
        except KeyError as missing:
            raise self._not_found(model_name, missing.args[0]) from None

    def remove_item(self, modelname: str, uid: str) -> None:
        try:
            del self._data[modelname][uid]
        except KeyError:
            raise self._not_found(modelname, uid) from None
        self._removals += 1

    def add(self, *, obj: DiffSyncModel) -> None:
        model_name, unique_id = type_and_unique_id(obj)
        # One lookup in what may be a dict of a million models: stored unless one is there.
        bucket = self._data[model_name]
        stored_before = len(bucket)
        existing = bucket.setdefault(unique_id, obj)
        if existing is not obj:
            raise ObjectAlreadyExists(f"Object {unique_id} already present", obj)
        if len(bucket) == stored_before:
            return  # this very object was stored already
        adapter = obj.adapter
        if adapter is None:
            bind_adapter(obj, self.adapter)
        elif adapter is self.adapter:  # already ours (or stored before): nothing to bind
            share_fields_set(obj)
        elif not adapter:  # an empty adapter is falsy, and upstream tests truthiness
            bind_adapter(obj, self.adapter)
        else:
            share_fields_set(obj)

    def update(self, *, obj: DiffSyncModel) -> None:
        bucket, unique_id = self._data[obj.get_type()], obj.get_unique_id()
        if bucket.get(unique_id, obj) is not obj:
            self._removals += 1  # another object replaces the one stored
        bucket[unique_id] = obj

    def _membership_version(self) -> int:
        return self._removals

    def _lookups_return_stored_models(self) -> bool:
        return type(self).get is LocalStore.get

    def clear(self) -> None:
        """Forget every object and every model name."""
        self._data.clear()
        self._removals += 1  # every stored model is gone: a diff's pairs are no longer valid

    def count(self, *, model: Any = None) -> int:
        if not model:
            return sum(map(len, self._data.values()))
        model_name = self._model_name(model)
        return len(self._data[model_name])

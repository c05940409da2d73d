"""Where an adapter keeps its models: the `BaseStore` contract and the helpers built on it.

A store maps (model name, unique id) to a model. `LocalStore` keeps them in memory;
`diffsync.store.redis.RedisStore` keeps them in Redis so that several processes can share one
adapter's state. Stores that buffer writes implement `flush()`; the adapter calls it after a
sync so that a buffered store never leaves a sync's results unwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import structlog

from diffsync.exceptions import ObjectNotFound

if TYPE_CHECKING:
    from diffsync.adapter import Adapter
    from diffsync.model import DiffSyncModel


class BaseStore:
    """The interface every store implements, and the get-or-create helpers built on it."""

    def __init__(self, *args: Any, adapter: Adapter | None = None, name: str = "", **kwargs: Any) -> None:
        self.adapter = adapter
        self.name = name or self.__class__.__name__
        self._log = structlog.get_logger().new(store=self)

    def __str__(self) -> str:
        return self.name

    # -- the contract --------------------------------------------------------------------

    def get_all_model_names(self) -> set[str]:
        raise NotImplementedError

    def get(self, *, model: Any, identifier: str | Mapping[str, Any]) -> DiffSyncModel:
        raise NotImplementedError

    def get_all(self, *, model: Any) -> list[DiffSyncModel]:
        raise NotImplementedError

    def get_by_uids(self, *, uids: list[str], model: Any) -> list[DiffSyncModel]:
        raise NotImplementedError

    def remove_item(self, modelname: str, uid: str) -> None:
        raise NotImplementedError

    def add(self, *, obj: DiffSyncModel) -> None:
        raise NotImplementedError

    def update(self, *, obj: DiffSyncModel) -> None:
        raise NotImplementedError

    def count(self, *, model: Any = None) -> int:
        raise NotImplementedError

    def flush(self) -> None:
        """Write any buffered changes; stores that write through have nothing to do."""

    def clear(self) -> None:
        """Remove every object of every model, so the store can be loaded afresh.

        Built on the contract (one `remove_item` per object); stores override it with
        something faster. Children are not followed: every model is emptied anyway.
        """
        for model_name in sorted(self.get_all_model_names()):
            for obj in self.get_all(model=model_name):
                self.remove_item(model_name, obj.get_unique_id())

    def _membership_version(self) -> int | None:
        """A number that changes whenever a stored model is removed or replaced; None: unknown.

        A sync skips the unchanged part of a diff only while it can tell that every model the
        diff paired is still the one stored (see diffsync/_quiet_sync.py).
        """
        return None

    def _lookups_return_stored_models(self) -> bool:
        """True when `get` returns the stored object itself (an identity map), never a copy.

        Then a sync may use the destination model the differ paired instead of looking it up
        again, while `_membership_version` shows that no model was removed or replaced.
        """
        return False

    # -- built on the contract -------------------------------------------------------------

    def remove(self, *, obj: DiffSyncModel, remove_children: bool = False) -> None:
        """Remove `obj` and, when asked, its children recursively (missing children are logged)."""
        model_name, unique_id = obj.get_type(), obj.get_unique_id()
        self.remove_item(model_name, unique_id)
        if obj.adapter:
            obj.adapter = None
        if not remove_children:
            return
        for child_type, field_name in obj.get_children_mapping().items():
            for child_id in list(getattr(obj, field_name)):
                try:
                    child = self.get(model=child_type, identifier=child_id)
                except ObjectNotFound:
                    self._log.error(
                        "Unable to remove child element as it was not found!",
                        parent_type=model_name,
                        parent_id=unique_id,
                        child_type=child_type,
                        child_id=child_id,
                    )
                    continue
                self.remove(obj=child, remove_children=remove_children)

    def get_or_instantiate(
        self, *, model: type[DiffSyncModel], ids: dict[str, Any], attrs: dict[str, Any] | None = None
    ) -> tuple[DiffSyncModel, bool]:
        """The stored object with these ids, or a new one built from `ids` and `attrs` and added."""
        try:
            return self.get(model=model, identifier=ids), False
        except ObjectNotFound:
            pass
        obj = model(**ids, **(attrs or {}))
        self.add(obj=obj)
        return obj, True

    def get_or_add_model_instance(self, obj: DiffSyncModel) -> tuple[DiffSyncModel, bool]:
        try:
            return self.get(model=obj.get_type(), identifier=obj.get_unique_id()), False
        except ObjectNotFound:
            pass
        self.add(obj=obj)
        return obj, True

    def update_or_instantiate(
        self, *, model: type[DiffSyncModel], ids: dict[str, Any], attrs: dict[str, Any]
    ) -> tuple[DiffSyncModel, bool]:
        """As `get_or_instantiate`, then set every attribute of `attrs` that differs."""
        obj, created = self.get_or_instantiate(model=model, ids=ids, attrs=attrs)
        for name, value in attrs.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
        return obj, created

    def update_or_add_model_instance(self, obj: DiffSyncModel) -> tuple[DiffSyncModel, bool]:
        """Copy `obj`'s attributes onto the stored object with its ids, or add `obj`."""
        attrs = obj.get_attrs()
        try:
            existing = self.get(model=obj.get_type(), identifier=obj.get_unique_id())
        except ObjectNotFound:
            self.add(obj=obj)
            return obj, True
        for name, value in attrs.items():
            setattr(existing, name, value)
        return existing, False

    # -- helpers for implementations ---------------------------------------------------------

    @staticmethod
    def _model_name(model: Any) -> str:
        """The model name a reference (name, class or instance) stands for."""
        return model if isinstance(model, str) else str(model.get_type())

    def _get_object_class_and_model(self, model: Any) -> tuple[type[DiffSyncModel] | None, str]:
        """Resolve a model reference (name, class or instance) to (class or None, model name)."""
        if isinstance(model, str):
            return getattr(self.adapter, model, None), model
        return model, model.get_type()

    @staticmethod
    def _get_uid(model: Any, object_class: Any, identifier: str | Mapping[str, Any]) -> str:
        if isinstance(identifier, str):
            return identifier
        if object_class is not None:
            uid: str = object_class.create_unique_id(**identifier)
            return uid
        raise ValueError(
            f"Invalid args: ({model}, {object_class}, {identifier}): "
            f"either {object_class} should be a class/instance or {identifier} should be a str"
        )

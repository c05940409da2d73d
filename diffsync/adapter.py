"""`Adapter`: one system of record, loaded into a store, diffed and synced against another.

Subclasses attach their model classes as class attributes named after each model's
`_modelname` and list the models at the top of the hierarchy in `top_level`. Mistakes there are
reported when the class is defined.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from inspect import isclass
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from typing_extensions import Self, deprecated

from diffsync._gc import full_collections_deferred, with_full_collections_deferred
from diffsync._typing import Attrs
from diffsync.diff import Diff
from diffsync.enum import DiffSyncFlags
from diffsync.exceptions import DiffClassMismatch, ObjectNotFound
from diffsync.helpers import DiffSyncDiffer, DiffSyncSyncer, ProgressCallback
from diffsync.model import DiffSyncModel
from diffsync.store import BaseStore
from diffsync.store.local import LocalStore
from diffsync.utils import get_path, set_key, tree_string

if TYPE_CHECKING:
    import structlog

ModelRef = str | DiffSyncModel | type[DiffSyncModel]


def _check_adapter_declarations(adapter_class: builtins.type[Adapter]) -> None:
    for name, value in list(vars(adapter_class).items()):
        if isclass(value) and issubclass(value, DiffSyncModel) and value.get_type() != name:
            raise AttributeError(
                f'Incorrect field name - {value.__name__} has type name "{value.get_type()}", not "{name}"'
            )
    for name in adapter_class.top_level:
        if not hasattr(adapter_class, name):
            raise AttributeError(f'top_level references attribute "{name}" but it is not a class attribute!')
        value = getattr(adapter_class, name)
        if not isclass(value) or not issubclass(value, DiffSyncModel):
            raise AttributeError(
                f'top_level references attribute "{name}" but it is not a DiffSyncModel subclass!'
            )


# Plain containers of at most this many items in all are copied into `_meta_kwargs`; anything
# larger, and objects of any other type, are recorded by reference (see `_record_keywords`).
_COPY_LIMIT = 10_000
_PLAIN_CONTAINERS = (dict, list, tuple, set, frozenset)


class _NotCopied(Exception):
    """The value is not plain data, or more of it than `_COPY_LIMIT`: record it by reference."""


def _copy_plain(value: Any, budget: list[int]) -> Any:
    """An independent copy of nested dicts, lists, tuples and sets, sharing everything else."""
    kind = type(value)
    if kind not in _PLAIN_CONTAINERS:
        return value
    budget[0] -= len(value)
    if budget[0] < 0:
        raise _NotCopied
    if kind is dict:
        return {key: _copy_plain(item, budget) for key, item in value.items()}
    return kind(_copy_plain(item, budget) for item in value)


def _record_keywords(kwargs: Attrs) -> Attrs:
    """The constructor's keyword arguments, as `_meta_kwargs` records them.

    Upstream's main branch deep-copies each value and keeps the original when the copy raises
    TypeError or AttributeError. Deep copies cost seconds for large arguments and fail in other
    ways for client objects, so here plain containers (dicts, lists, tuples, sets) of up to
    `_COPY_LIMIT` items are copied, so later changes by the caller do not show, and every other
    value (objects, clients, stores, larger data) is recorded as the object itself. Recording
    never raises and never costs more than copying `_COPY_LIMIT` items.
    """
    recorded = {}
    for key, value in kwargs.items():
        try:
            recorded[key] = _copy_plain(value, [_COPY_LIMIT])
        except (_NotCopied, RecursionError):
            recorded[key] = value
    return recorded


class Adapter:
    """A system of record: its model classes, a store of loaded models, and diff/sync to others.

    Example::

        class Inventory(Adapter):
            site = Site
            device = Device
            top_level = ["site"]

            def load(self):
                for row in read_rows():
                    self.add(Site(name=row["name"]))

        target.sync_from(source)
    """

    type: Optional[builtins.str] = None  # noqa: UP045
    top_level: ClassVar[list[builtins.str]] = []

    # The keyword arguments this instance was constructed with, so that a worker in another
    # process can build an equivalent adapter.
    _meta_kwargs: Attrs

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Positional arguments are accepted, as diffsync 2.2.3 does (`MyAdapter(client)`); only
        # the keywords are recorded, as upstream's main branch records them.
        instance = super().__new__(cls)
        instance._meta_kwargs = _record_keywords(kwargs)
        return instance

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _check_adapter_declarations(cls)
        if "load" in cls.__dict__:  # see diffsync/_gc.py: why a load runs with full collections deferred
            setattr(cls, "load", with_full_collections_deferred(cls.__dict__["load"]))  # noqa: B010

    def __init__(
        self,
        name: builtins.str | None = None,
        internal_storage_engine: builtins.type[BaseStore] | BaseStore = LocalStore,
    ) -> None:
        if isinstance(internal_storage_engine, BaseStore):
            self.store = internal_storage_engine
            self.store.adapter = self
        else:
            self.store = internal_storage_engine(adapter=self)
        if self.type is None:
            self.type = self.__class__.__name__
        self.name = name if name else self.type

    def __str__(self) -> builtins.str:
        if self.type != self.name:
            return f'{self.type} "{self.name}"'
        return str(self.type)

    def __repr__(self) -> builtins.str:
        return f"<{self}>"

    def __len__(self) -> int:
        return self.count()

    def load(self) -> None:
        """Load this system's data into the store; subclasses implement it."""

    # -- rendering ---------------------------------------------------------------------------

    def dict(
        self, exclude_defaults: bool = True, **kwargs: Any
    ) -> builtins.dict[builtins.str, builtins.dict[builtins.str, Attrs]]:
        """`{model name: {unique id: model dict}}` for everything in the store."""
        data: builtins.dict[builtins.str, builtins.dict[builtins.str, Attrs]] = {}
        for model_name in self.store.get_all_model_names():
            data[model_name] = {}
            for obj in self.store.get_all(model=model_name):
                data[obj.get_type()][obj.get_unique_id()] = obj.dict(
                    exclude_defaults=exclude_defaults, **kwargs
                )
        return data

    def str(self, indent: int = 0) -> builtins.str:
        """The top-level models and their children as indented text."""
        margin = " " * indent
        blocks = []
        for model_name in self.top_level:
            objects = self.get_all(model_name)
            if not objects:
                blocks.append(f"{margin}{model_name}: []")
            else:
                blocks.append(
                    "\n".join([f"{margin}{model_name}", *(obj.str(indent=indent + 2) for obj in objects)])
                )
        return "\n".join(blocks)

    def load_from_dict(
        self, data: Mapping[builtins.str, Mapping[builtins.str, Mapping[builtins.str, Any]]]
    ) -> None:
        """Load what `dict()` produced, parents first (full collections wait, as in `load()`)."""
        with full_collections_deferred():
            for model_name in self._get_initial_value_order():
                model_class = getattr(self, model_name)
                for values in data.get(model_name, {}).values():
                    self.add(model_class(**values))

    @classmethod
    def _get_initial_value_order(cls) -> list[builtins.str]:
        """`top_level`, then every other model attribute in alphabetical order."""
        order = list(cls.top_level)
        for name in dir(cls):
            value = getattr(cls, name)
            if name not in order and isclass(value) and issubclass(value, DiffSyncModel):
                order.append(name)
        return order

    @classmethod
    def get_tree_traversal(cls, as_dict: bool = False) -> builtins.str | Attrs:
        """The model hierarchy as a text tree, or as a nested dict."""
        tree: Attrs = {}
        for name in cls._get_initial_value_order():
            if get_path(tree, name) is None:
                set_key(tree, [name])
            for child_name in getattr(cls, name).get_children_mapping():
                path = get_path(tree, name) or [name]
                set_key(tree, [*path, child_name])
        if as_dict:
            return tree
        return tree_string(tree, cls.__name__)

    # -- diff and sync -------------------------------------------------------------------------

    def diff_from(
        self,
        source: Adapter,
        diff_class: builtins.type[Diff] = Diff,
        flags: DiffSyncFlags = DiffSyncFlags.NONE,
        callback: ProgressCallback | None = None,
    ) -> Diff:
        """What would change here if this adapter were synced from `source`."""
        differ = DiffSyncDiffer(
            src_diffsync=source, dst_diffsync=self, flags=flags, diff_class=diff_class, callback=callback
        )
        diff = differ.calculate_diffs()
        # A buffering store writes what was loaded (and changed in place) once a diff has used it.
        self.store.flush()
        source.store.flush()
        return diff

    def diff_to(
        self,
        target: Adapter,
        diff_class: builtins.type[Diff] = Diff,
        flags: DiffSyncFlags = DiffSyncFlags.NONE,
        callback: ProgressCallback | None = None,
    ) -> Diff:
        return target.diff_from(self, diff_class=diff_class, flags=flags, callback=callback)

    def sync_from(
        self,
        source: Adapter,
        diff_class: builtins.type[Diff] = Diff,
        flags: DiffSyncFlags = DiffSyncFlags.NONE,
        callback: ProgressCallback | None = None,
        diff: Diff | None = None,
    ) -> Diff:
        """Make this adapter match `source`, using `diff` if one was computed already."""
        if diff_class and diff and not isinstance(diff, diff_class):
            raise DiffClassMismatch(
                f"The provided diff's class ({diff.__class__.__name__}) does not match "
                f"the diff_class: {diff_class.__name__}"
            )
        if not diff:
            diff = self.diff_from(source, diff_class=diff_class, flags=flags, callback=callback)
        syncer = DiffSyncSyncer(
            diff=diff, src_diffsync=source, dst_diffsync=self, flags=flags, callback=callback
        )
        try:
            changed = syncer.perform_sync()
        finally:
            # A buffering store must not keep what the sync did (or got to) to itself.
            self.store.flush()
        if changed:
            self.sync_complete(source, diff, flags, syncer.base_logger)
        return diff

    def sync_to(
        self,
        target: Adapter,
        diff_class: builtins.type[Diff] = Diff,
        flags: DiffSyncFlags = DiffSyncFlags.NONE,
        callback: ProgressCallback | None = None,
        diff: Diff | None = None,
    ) -> Diff:
        return target.sync_from(self, diff_class=diff_class, flags=flags, callback=callback, diff=diff)

    def sync_complete(
        self,
        source: Adapter,
        diff: Diff,
        flags: DiffSyncFlags = DiffSyncFlags.NONE,
        logger: structlog.BoundLogger | None = None,
    ) -> None:
        """Called after a sync that changed something; a hook for subclasses."""

    # -- store delegation ---------------------------------------------------------------------

    def get_all_model_names(self) -> set[builtins.str]:
        return self.store.get_all_model_names()

    def get(self, obj: ModelRef, identifier: builtins.str | Mapping[builtins.str, Any]) -> DiffSyncModel:
        """The object of that model with that unique id (or identifier dict)."""
        return self.store.get(model=obj, identifier=identifier)

    def get_or_none(
        self, obj: ModelRef, identifier: builtins.str | Mapping[builtins.str, Any]
    ) -> DiffSyncModel | None:
        try:
            return self.get(obj, identifier)
        except ObjectNotFound:
            return None

    def get_all(self, obj: ModelRef) -> list[DiffSyncModel]:
        return self.store.get_all(model=obj)

    def get_by_uids(self, uids: list[builtins.str], obj: ModelRef) -> list[DiffSyncModel]:
        return self.store.get_by_uids(uids=uids, model=obj)

    def add(self, obj: DiffSyncModel) -> None:
        self.store.add(obj=obj)

    def update(self, obj: DiffSyncModel) -> None:
        self.store.update(obj=obj)

    def remove(self, obj: DiffSyncModel, remove_children: bool = False) -> None:
        self.store.remove(obj=obj, remove_children=remove_children)

    def get_or_instantiate(
        self, model: builtins.type[DiffSyncModel], ids: Attrs, attrs: Attrs | None = None
    ) -> tuple[DiffSyncModel, bool]:
        return self.store.get_or_instantiate(model=model, ids=ids, attrs=attrs)

    def get_or_add_model_instance(self, obj: DiffSyncModel) -> tuple[DiffSyncModel, bool]:
        return self.store.get_or_add_model_instance(obj)

    def update_or_instantiate(
        self, model: builtins.type[DiffSyncModel], ids: Attrs, attrs: Attrs
    ) -> tuple[DiffSyncModel, bool]:
        return self.store.update_or_instantiate(model=model, ids=ids, attrs=attrs)

    def update_or_add_model_instance(self, obj: DiffSyncModel) -> tuple[DiffSyncModel, bool]:
        return self.store.update_or_add_model_instance(obj)

    def count(self, model: ModelRef | None = None) -> int:
        return self.store.count(model=model)


@deprecated("'diffsync.DiffSync' is deprecated and will be removed with 2.1, use 'diffsync.Adapter' instead.")
class DiffSync(Adapter):
    """The 1.x name of `Adapter`, kept so old code runs; it warns on use."""


DiffSyncModel.model_rebuild(_types_namespace={"Adapter": Adapter})

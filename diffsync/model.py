"""`DiffSyncModel`: one record of a system of record, as a pydantic model.

A subclass declares which fields identify a record (`_identifiers`), which are compared in a
diff (`_attributes`), and which hold the unique ids of its children (`_children`). Mistakes in
those declarations are reported when the class is defined, not halfway through a sync.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from pydantic import BaseModel, ConfigDict
from typing_extensions import Self

from diffsync._assignments import count_assignment
from diffsync._child_ids import LONG_LIST, append_if_absent, remove_if_present
from diffsync._fields import (
    adapter_assigned_plainly,
    bind_adapter,
    dump_group,
    forget_unique_id,
    recent_identity,
    type_and_unique_id,
    unique_id_reader,
)
from diffsync._fields_set import own_fields_set
from diffsync._status import MESSAGE_KEY, STATUS_KEY, StatusAttribute, settle_copy
from diffsync._status import read as read_status
from diffsync._status import write as write_status
from diffsync._typing import Attrs
from diffsync.enum import DiffSyncModelFlags, DiffSyncStatus
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound, ObjectStoreWrongType

if TYPE_CHECKING:
    from diffsync.adapter import Adapter


_INSTANCE_STATE = frozenset({STATUS_KEY, MESSAGE_KEY})


def _check_declarations(model_class: builtins.type[DiffSyncModel]) -> None:
    """Refuse declarations that name missing fields or put a field in two groups."""
    fields = model_class.model_fields
    for name in model_class._identifiers:
        if name not in fields and not hasattr(model_class, name):
            raise AttributeError(
                f"_identifiers {model_class._identifiers} references missing or un-annotated attr {name}"
            )
    for group_name, group in (
        ("_shortname", tuple(model_class._shortname)),
        ("_attributes", tuple(model_class._attributes)),
    ):
        for name in group:
            if name not in fields:
                raise AttributeError(f"{group_name} {group} references missing or un-annotated attr {name}")
    for name in model_class._children.values():
        if name not in fields:
            raise AttributeError(
                f"_children {model_class._children} references missing or un-annotated attr {name}"
            )
    identifiers = set(model_class._identifiers)
    attributes = set(model_class._attributes)
    children = set(model_class._children.values())
    for overlap, description in (
        (identifiers & attributes, "_identifiers and _attributes"),
        (identifiers & children, "_identifiers and _children"),
        (attributes & children, "_attributes and _children"),
    ):
        if overlap:
            raise AttributeError(f"Fields {overlap} are included in both {description}.")


class DiffSyncModel(BaseModel):
    """Base class for the records an `Adapter` loads and a sync creates, updates and deletes.

    Example::

        class Device(DiffSyncModel):
            _modelname = "device"
            _identifiers = ("name",)
            _attributes = ("role",)
            _children = {"interface": "interfaces"}

            name: str
            role: str
            interfaces: list[str] = []
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    _modelname: ClassVar[builtins.str] = "diffsyncmodel"
    _identifiers: ClassVar[tuple[builtins.str, ...]] = ()
    _shortname: ClassVar[tuple[builtins.str, ...]] = ()
    _attributes: ClassVar[tuple[builtins.str, ...]] = ()
    _children: ClassVar[builtins.dict[builtins.str, builtins.str]] = {}

    model_flags: DiffSyncModelFlags = DiffSyncModelFlags.NONE
    adapter: Optional[Adapter] = None  # noqa: UP045 - pydantic resolves this forward reference

    # The outcome of the last create/update/delete. Descriptors over the instance dict, with
    # class-level defaults: pydantic private attributes would cost every construction (a
    # large load builds hundreds of thousands of models) for state most models never set, and
    # the descriptors also apply a sync's reset of unchanged models (diffsync/_status.py).
    _status: ClassVar[StatusAttribute] = StatusAttribute(STATUS_KEY)
    _status_message: ClassVar[StatusAttribute] = StatusAttribute(MESSAGE_KEY)
    # How often fields were assigned (diffsync/_assignments.py): counted in the instance dict.
    __diffsync_assignments__: ClassVar[int] = 0

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _check_declarations(cls)

    def __setattr__(self, name: builtins.str, value: Any) -> None:
        if name in _INSTANCE_STATE:
            object.__setattr__(self, name, value)
        elif name == "adapter" and adapter_assigned_plainly(type(self)):
            # Every store sets it on every model it takes in or lets go: what pydantic's own
            # assignment does for an unvalidated field, with the fields set kept shared.
            forget_unique_id(self)
            bind_adapter(self, value)
        else:
            own_fields_set(self)  # pydantic records the assignment in the fields set
            forget_unique_id(self)
            count_assignment(self)
            super().__setattr__(name, value)

    def __delattr__(self, name: builtins.str) -> None:
        forget_unique_id(self)
        count_assignment(self)
        super().__delattr__(name)

    def __copy__(self) -> Self:
        # model_copy() and copy.copy(): the copy is not among the models a diff marked.
        duplicate = super().__copy__()
        settle_copy(duplicate.__dict__)
        return duplicate

    def __repr__(self) -> builtins.str:
        return f'{self.get_type()} "{self.get_unique_id()}"'

    def __str__(self) -> builtins.str:
        return self.get_unique_id()

    # -- serialisation -------------------------------------------------------------------

    def dict(self, **kwargs: Any) -> Attrs:
        """The model's fields as a dict, without the owning adapter unless asked."""
        kwargs.setdefault("exclude", {"adapter"})
        return self.model_dump(**kwargs)

    def json(self, **kwargs: Any) -> builtins.str:
        """Compact JSON of the fields that differ from their defaults, without the adapter."""
        kwargs.setdefault("exclude", {"adapter"})
        kwargs.setdefault("exclude_defaults", True)
        return self.model_dump_json(**kwargs)

    def str(self, include_children: bool = True, indent: int = 0) -> builtins.str:
        """A readable multi-line view of this model and, through its adapter, its children."""
        margin = " " * indent
        lines = [f"{margin}{self.get_type()}: {self.get_unique_id()}: {self.get_attrs()}"]
        for child_type, field_name in self._children.items():
            child_ids = getattr(self, field_name)
            heading = f"{margin}  {field_name}"
            if not child_ids:
                lines.append(f"{heading}: []")
            elif not self.adapter or not include_children:
                lines.append(f"{heading}: {child_ids}")
            else:
                lines.append(heading)
                for child_id in child_ids:
                    try:
                        child = self.adapter.get(child_type, child_id)
                    except ObjectNotFound:
                        lines.append(f"{margin}    {child_id} (ERROR: details unavailable)")
                    else:
                        lines.append(child.str(include_children=include_children, indent=indent + 4))
        return "\n".join(lines)

    # -- status ----------------------------------------------------------------------------

    def set_status(self, status: DiffSyncStatus, message: builtins.str = "") -> None:
        """Record the outcome of the last create/update/delete, for the sync's log."""
        values = self.__dict__
        write_status(values, STATUS_KEY, status)
        write_status(values, MESSAGE_KEY, message)

    def get_status(self) -> tuple[DiffSyncStatus, builtins.str]:
        return read_status(self.__dict__)

    # -- CRUD hooks: override the non-_base methods to talk to the real system -------------

    @classmethod
    def create_base(cls, adapter: Adapter, ids: Attrs, attrs: Attrs) -> Self | None:
        model = cls(**ids, adapter=adapter, **attrs)
        model.set_status(DiffSyncStatus.SUCCESS, "Created successfully")
        return model

    @classmethod
    def create(cls, adapter: Adapter, ids: Attrs, attrs: Attrs) -> Self | None:
        """Create the object in the target system and return it.

        Return None for a failure the sync may continue past (its children are skipped);
        raise `ObjectNotCreated` for an error.
        """
        return cls.create_base(adapter=adapter, ids=ids, attrs=attrs)

    def update_base(self, attrs: Attrs) -> Self | None:
        for name, value in attrs.items():
            setattr(self, name, value)
        self.set_status(DiffSyncStatus.SUCCESS, "Updated successfully")
        return self

    def update(self, attrs: Attrs) -> Self | None:
        """Apply changed attributes in the target system; same contract as `create`."""
        return self.update_base(attrs=attrs)

    def delete_base(self) -> Self | None:
        self.set_status(DiffSyncStatus.SUCCESS, "Deleted successfully")
        return self

    def delete(self) -> Self | None:
        """Delete the object from the target system; same contract as `create`."""
        return self.delete_base()

    # -- identity --------------------------------------------------------------------------

    @classmethod
    def get_type(cls) -> builtins.str:
        return cls._modelname

    @classmethod
    def create_unique_id(cls, **identifiers: Any) -> builtins.str:
        """The unique id the given identifier values would have (joined by two underscores)."""
        return "__".join(map(str, map(identifiers.__getitem__, cls._identifiers)))

    @classmethod
    def get_children_mapping(cls) -> builtins.dict[builtins.str, builtins.str]:
        return cls._children

    def get_identifiers(self) -> Attrs:
        return dump_group(self, self._identifiers)

    def get_attrs(self) -> Attrs:
        return dump_group(self, self._attributes)

    def get_unique_id(self) -> builtins.str:
        fast = unique_id_reader(type(self))
        if fast is not None:
            unique_id = fast(self)
            if unique_id is not None:
                return unique_id
        return self.create_unique_id(**self.get_identifiers())

    def get_shortname(self) -> builtins.str:
        if self._shortname:
            return "__".join(str(getattr(self, name)) for name in self._shortname)
        return self.get_unique_id()

    # -- children --------------------------------------------------------------------------

    def _child_field(self, child: DiffSyncModel, verb: builtins.str) -> builtins.str:
        child_type = child.get_type()
        try:
            return self._children[child_type]
        except KeyError:
            raise ObjectStoreWrongType(
                f"Unable to {verb} {child_type} as a child of {self.get_type()}; "
                f"valid types are {sorted(self._children)}"
            ) from None

    def add_child(self, child: DiffSyncModel) -> None:
        """Record `child` (by unique id) in the matching children field; the store is not touched."""
        known = recent_identity(child)  # the store has just read it, in a load
        field_name = self._children.get(known[0]) if known is not None else None
        if field_name is None:
            field_name = self._child_field(child, "store")
        child_ids: list[builtins.str] = getattr(self, field_name)
        unique_id = known[1] if known is not None else type_and_unique_id(child)[1]
        if len(child_ids) < LONG_LIST:  # a short list is scanned (see diffsync/_child_ids.py)
            if unique_id not in child_ids:
                child_ids.append(unique_id)
                return
        elif append_if_absent(self, field_name, child_ids, unique_id):
            return
        raise ObjectAlreadyExists(f"Already storing a {child.get_type()} with unique_id {unique_id}", child)

    def remove_child(self, child: DiffSyncModel) -> None:
        """Forget `child` from the matching children field; the store is not touched."""
        field_name = self._child_field(child, "find and delete")
        child_ids: list[builtins.str] = getattr(self, field_name)
        if not remove_if_present(self, field_name, child_ids, child.get_unique_id()):
            raise ObjectNotFound(f"{child} was not found as a child in {field_name}")

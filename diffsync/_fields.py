"""Fast reads of a model's declared field groups.

`get_identifiers()`, `get_attrs()` and `get_unique_id()` run for every object of every diff and
sync. pydantic's `model_dump(include=...)` is correct but slow for that, so plain values (str,
int, float, bool, None, enum members) are read straight from the instance and only the other
fields go through pydantic, which keeps the exact dump semantics (copies of containers, nested
models as dicts, custom serializers, excluded fields).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic.functional_serializers import PlainSerializer, WrapSerializer

from diffsync._fields_set import last_shared_with, share_fields_set

if TYPE_CHECKING:
    from pydantic import BaseModel

PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_SHARED_WITH_ADAPTER = last_shared_with("adapter")  # see bind_adapter


@dataclass(frozen=True)
class FieldPlan:
    """Which fields of one group to read, in declaration order, and which need pydantic."""

    fields: tuple[str, ...]
    # Fields with their own serializer: always dumped by pydantic.
    serialized: frozenset[str]
    # A model-level serializer changes everything: dump the whole group through pydantic.
    dump_all: bool


_PLANS: dict[tuple[type, tuple[str, ...]], FieldPlan] = {}


def _has_own_serializer(model_class: type[BaseModel], name: str) -> bool:
    info = model_class.model_fields[name]
    if any(isinstance(item, (PlainSerializer, WrapSerializer)) for item in info.metadata):
        return True
    serializers = model_class.__pydantic_decorators__.field_serializers.values()
    return any(name in decorator.info.fields or "*" in decorator.info.fields for decorator in serializers)


def plan_for(model_class: type[BaseModel], group: tuple[str, ...]) -> FieldPlan:
    key = (model_class, group)
    plan = _PLANS.get(key)
    if plan is None:
        wanted = set(group)
        fields = tuple(
            name for name, info in model_class.model_fields.items() if name in wanted and not info.exclude
        )
        plan = FieldPlan(
            fields=fields,
            serialized=frozenset(name for name in fields if _has_own_serializer(model_class, name)),
            dump_all=bool(model_class.__pydantic_decorators__.model_serializers),
        )
        _PLANS[key] = plan
    return plan


def dump_group(model: BaseModel, group: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The same dict as ``model.model_dump(include=set(group))``, in field declaration order."""
    plan = _PLANS.get((type(model), group)) if type(group) is tuple else None
    if plan is None:
        plan = plan_for(type(model), group if isinstance(group, tuple) else tuple(group))
    if plan.dump_all:
        return model.model_dump(include=set(plan.fields))
    values = model.__dict__
    result: dict[str, Any] = {}
    complex_fields: list[str] | None = None  # allocated only when needed: this runs per object
    for name in plan.fields:
        value = values[name]
        if name not in plan.serialized and (type(value) in PLAIN_TYPES or isinstance(value, enum.Enum)):
            result[name] = value
        else:
            result[name] = None  # placeholder keeps declaration order
            if complex_fields is None:
                complex_fields = []
            complex_fields.append(name)
    if complex_fields:
        result.update(model.model_dump(include=set(complex_fields)))
    return result


UniqueIdReader = Callable[[Any], "str | None"]
# Per class: the `_identifiers` value the reader was built from, and the reader. A class that
# reassigns `_identifiers` gets a new reader.
_UID_READERS: dict[type, tuple[Any, UniqueIdReader | None]] = {}


def _build_unique_id_reader(model_class: Any) -> UniqueIdReader | None:
    """A reader of `get_unique_id()` that skips the dump, or None where it would not be exact.

    Exact only when the class keeps the stock `create_unique_id`/`get_identifiers` and every
    identifier is a plain field without its own serializer; the reader itself returns None
    for an instance holding a non-plain value, and the caller takes the general path.
    """
    if (
        not is_stock(model_class, "create_unique_id")
        or not is_stock(model_class, "get_identifiers")
        or model_class.__pydantic_decorators__.model_serializers
    ):
        return None
    names = tuple(model_class._identifiers)
    fields = model_class.model_fields
    if any(name not in fields or fields[name].exclude for name in names):
        return None
    if any(_has_own_serializer(model_class, name) for name in names):
        return None

    if len(names) == 1:
        (only,) = names

        def read_single(model: Any) -> str | None:
            value = model.__dict__[only]
            if type(value) is str:
                return value
            if type(value) in PLAIN_TYPES:
                return str(value)
            return None

        return read_single

    if len(names) == 2:
        # The common compound key (device + interface name), without building a list.
        first, second = names

        def read_pair(model: Any) -> str | None:
            values = model.__dict__
            one, two = values[first], values[second]
            if type(one) is str and type(two) is str:
                return f"{one}__{two}"
            if type(one) in PLAIN_TYPES and type(two) in PLAIN_TYPES:
                return f"{one}__{two}"
            return None

        return read_pair

    def read_joined(model: Any) -> str | None:
        values = model.__dict__
        parts = []
        for name in names:
            value = values[name]
            if type(value) is str:
                parts.append(value)
            elif type(value) in PLAIN_TYPES:
                parts.append(str(value))
            else:
                return None
        return "__".join(parts)

    return read_joined


def unique_id_reader(model_class: Any) -> UniqueIdReader | None:
    identifiers = model_class._identifiers
    cached = _UID_READERS.get(model_class)
    if cached is not None and cached[0] is identifiers:
        return cached[1]
    reader = _build_unique_id_reader(model_class)
    _UID_READERS[model_class] = (identifiers, reader)
    return reader


# Per class: the `_identifiers` value the entry was built from, whether `get_type()` is the
# stock one, and the unique id reader when `get_unique_id()` is the stock one.
_IDENTITY: dict[type, tuple[Any, bool, UniqueIdReader | None]] = {}


def _identity_entry(model_class: Any) -> tuple[Any, bool, UniqueIdReader | None]:
    entry = (
        model_class._identifiers,
        is_stock(model_class, "get_type"),
        unique_id_reader(model_class) if is_stock(model_class, "get_unique_id") else None,
    )
    _IDENTITY[model_class] = entry
    return entry


# The model asked about last, with its answer: a load adds a model to the store and to its
# parent's children one after the other, and both then hold the same unique id string. That
# halves the memory of the ids and lets the differ's lookups of children in the store match
# keys by identity. Replaced as one tuple, so threads never see a mixed entry; a model's
# entry is dropped when a field of it is assigned (`forget_unique_id`).
_EMPTY: tuple[Any, str, str] = (None, "", "")
_recent: tuple[Any, str, str] = _EMPTY


def forget_unique_id(model: Any) -> None:
    """A field of ``model`` is being assigned: its unique id may change."""
    global _recent
    if _recent[0] is model:
        _recent = _EMPTY


def recent_identity(model: Any) -> tuple[str, str] | None:
    """``type_and_unique_id(model)`` if it was the last model asked about, else None."""
    recent = _recent
    return (recent[1], recent[2]) if recent[0] is model else None


def type_and_unique_id(model: Any) -> tuple[str, str]:
    """``(model.get_type(), model.get_unique_id())``, without the method calls where exact.

    Stores call this for every model they take in and parents for every child they record.
    """
    global _recent
    recent = _recent
    if recent[0] is model:
        return recent[1], recent[2]
    model_class = type(model)
    entry = _IDENTITY.get(model_class)
    if entry is None or entry[0] is not model_class._identifiers:
        entry = _identity_entry(model_class)
    model_name: str = model_class._modelname if entry[1] else model.get_type()
    reader = entry[2]
    unique_id = reader(model) if reader is not None else None
    if unique_id is None:
        unique_id = model.get_unique_id()
    _recent = (model, model_name, unique_id)
    return model_name, unique_id


def _find_in_mro(model_class: type, name: str) -> Any:
    """The raw class attribute `name` resolves to (before descriptor binding)."""
    for klass in model_class.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def is_stock(model_class: type, name: str) -> bool:
    """True when `model_class` inherits DiffSyncModel's own `name` (no subclass replaced it)."""
    from diffsync.model import DiffSyncModel

    return _find_in_mro(model_class, name) is vars(DiffSyncModel)[name]


@dataclass(frozen=True)
class IdentityTraits:
    """What the differ may infer about one class's identity methods without calling them."""

    identifiers: Any  # the `_identifiers` and `_shortname` values these traits were computed
    shortname: Any  # from: a class that reassigns them gets its traits recomputed
    # Stock identity methods and plain identifier fields: equal raw identifier values mean
    # equal `get_identifiers()` and `get_unique_id()`.
    stock_identity: bool
    # `get_shortname()` is `get_unique_id()`.
    shortname_is_unique_id: bool
    # `get_shortname()` joins identifier fields only: equal identifiers mean equal shortnames.
    shortname_follows_identifiers: bool


_TRAITS: dict[type, IdentityTraits] = {}


def identity_traits(model_class: Any) -> IdentityTraits:
    traits = _TRAITS.get(model_class)
    if (
        traits is None
        or traits.identifiers is not model_class._identifiers
        or traits.shortname is not model_class._shortname
    ):
        stock_shortname = is_stock(model_class, "get_shortname") and is_stock(model_class, "get_unique_id")
        traits = _TRAITS[model_class] = IdentityTraits(
            identifiers=model_class._identifiers,
            shortname=model_class._shortname,
            stock_identity=unique_id_reader(model_class) is not None
            and is_stock(model_class, "get_identifiers"),
            shortname_is_unique_id=stock_shortname and not model_class._shortname,
            shortname_follows_identifiers=stock_shortname
            and set(model_class._shortname) <= set(model_class._identifiers),
        )
    return traits


def shortname_is_unique_id(model_class: Any) -> bool:
    """True when `get_shortname()` is bound to return `get_unique_id()` for this class."""
    return identity_traits(model_class).shortname_is_unique_id


def same_identity(first: Any, second: Any) -> bool:
    """True when two objects certainly have equal identifiers and shortnames.

    Settled from the raw identifier values of two objects of one stock class, without dumping;
    False means "unknown", and the caller compares the dumps.
    """
    model_class = type(first)
    if type(second) is not model_class:
        return False
    traits = identity_traits(model_class)
    if not (traits.stock_identity and traits.shortname_follows_identifiers):
        return False
    first_values, second_values = first.__dict__, second.__dict__
    for name in model_class._identifiers:
        value = first_values[name]
        if type(value) not in PLAIN_TYPES or type(second_values[name]) is not type(value):
            return False
        if value != second_values[name]:
            return False
    return True


_PLAIN_ADAPTER_ASSIGNMENT: dict[type, bool] = {}


def adapter_assigned_plainly(model_class: Any) -> bool:
    """True when pydantic would store ``model.adapter = x`` as it is: no validation, not frozen."""
    plain = _PLAIN_ADAPTER_ASSIGNMENT.get(model_class)
    if plain is None:
        config = model_class.model_config
        field = model_class.model_fields.get("adapter")
        plain = _PLAIN_ADAPTER_ASSIGNMENT[model_class] = (
            field is not None
            and not config.get("frozen")
            and not config.get("validate_assignment")
            and not field.frozen
        )
    return plain


def bind_adapter(model: Any, adapter: Any) -> None:
    """``model.adapter = adapter`` without pydantic's attribute machinery (stores do it per add).

    Equivalent for a field that is not validated on assignment: the value goes into the
    instance dict and the field is marked as set, as pydantic's own `__setattr__` does; the
    fields set becomes the shared one of its kind (`diffsync._fields_set`).
    """
    model.__dict__["adapter"] = adapter
    own = model.__pydantic_fields_set__
    shared = _SHARED_WITH_ADAPTER.get(type(model))
    # The common case of a load, inline: the set pydantic made, plus "adapter", is the shared
    # set this class's models had last (both sets hold "adapter" only in the shared one).
    if (
        shared is not None
        and type(own) is set
        and own < shared
        and len(own) + 1 == len(shared)
        and "adapter" not in own
    ):
        object.__setattr__(model, "__pydantic_fields_set__", shared)
        return
    share_fields_set(model, also="adapter")

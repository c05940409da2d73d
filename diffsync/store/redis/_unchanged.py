"""Telling that a held object is unchanged since its JSON was written, without serialising it.

Every flush must find the objects changed in place since Redis got their JSON. Serialising
every held object again to compare costs about a microsecond each, at the end of every diff
and sync: most of what a million-object RedisStore spent beyond LocalStore's work.

An object whose field values are all immutable (`_IMMUTABLE`, or an enum whose members'
values are) can only change by assignment, and every assignment through pydantic
(``obj.x = ...``, ``update()``) counts in the object's instance dict (`diffsync._assignments`).
For such an object the store keeps, in place of its JSON, the count at the moment the JSON
was written or found equal to what Redis holds. A flush then reads one attribute per object,
compares whole chunks in one C-level list comparison, and serialises only the objects whose
count moved, which it writes. The counts are small integers the interpreter shares, so they
also take less memory than the JSON they replace.

Objects holding a list, dict, set or nested model (a parent with its children list, say) can
change without an assignment, and so keep being compared by their JSON; so do objects of a
class whose JSON is more than its fields' values (computed fields, custom serializers, extra
fields). A value written into ``obj.__dict__`` directly, bypassing pydantic, is not seen: assign
fields, or call ``store.update(obj=obj)`` (see docs/redis-store.md).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import ipaddress
import uuid
from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from diffsync._assignments import ASSIGNMENTS_KEY
from diffsync.store.redis._values import EXCLUDE

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel

#: An object's assignment count (the class attribute, 0, until its first assignment).
assignment_count: Callable[[Any], int] = attrgetter(ASSIGNMENTS_KEY)

#: Kept in place of the JSON of an object passed to ``update()``: matches no JSON and no count,
#: so the next flush serialises the object and writes it.
REPLACED = b""

# Types whose instances never change in place.
_IMMUTABLE: set[type] = {
    str,
    int,
    float,
    bool,
    type(None),
    bytes,
    decimal.Decimal,
    uuid.UUID,
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
}
# Types seen not to qualify (each checked once).
_MUTABLE: set[type] = set()

# Model class -> the getter of its stored field values, or None when its count cannot stand for
# its JSON.
_VALUES: dict[type, Callable[[Any], Any] | None] = {}


def known_counts(objects: list[DiffSyncModel]) -> list[int | None]:
    """Each object's assignment count, or None where only its JSON can tell a change."""
    classes = set(map(type, objects))
    if len(classes) == 1:
        values = _values_getter(classes.pop())
        if values is None:
            return [None] * len(objects)
        # The quick look: every value in the instance dicts. They hold the fields, the bound
        # adapter (never stored, so its class is let through) and bookkeeping (counts,
        # statuses, sets of child ids); anything it does not let through is looked at field by
        # field below.
        allowed = _IMMUTABLE | {type(objects[0].__dict__.get("adapter"))}
        if allowed.issuperset(map(type, chain.from_iterable(map(dict.values, map(vars, objects))))):
            return list(map(assignment_count, objects))  # all qualify: the common case
    return [None if _holds_mutable(obj) else known_count(obj) for obj in objects]


def _holds_mutable(obj: DiffSyncModel) -> bool:
    """Whether `obj` holds a value of a type already seen not to qualify (a quick no)."""
    values = _values_getter(type(obj))
    try:
        return values is None or not _MUTABLE.isdisjoint(map(type, values(obj)))
    except AttributeError:
        return True


def known_count(obj: DiffSyncModel) -> int | None:
    """One object's assignment count, or None where only its JSON can tell a change."""
    values = _values_getter(type(obj))
    if values is None:
        return None
    try:
        kinds = set(map(type, values(obj)))
    except AttributeError:
        return None
    if all(kind in _IMMUTABLE or _immutable(kind) for kind in kinds):
        return assignment_count(obj)
    return None


def _values_getter(model_class: type) -> Callable[[Any], Any] | None:
    """A getter of the tuple of the values the JSON holds, or None if the JSON holds more."""
    try:
        return _VALUES[model_class]
    except KeyError:
        pass
    getter: Callable[[Any], Any] | None = None
    decorators = model_class.__pydantic_decorators__  # type: ignore[attr-defined]
    if not (
        model_class.__pydantic_computed_fields__  # type: ignore[attr-defined]
        or decorators.field_serializers
        or decorators.model_serializers
        or model_class.model_config.get("extra") == "allow"  # type: ignore[attr-defined]
    ):
        # The count first, so the getter returns a tuple even for a single field.
        fields = model_class.model_fields  # type: ignore[attr-defined]
        getter = attrgetter(ASSIGNMENTS_KEY, *(name for name in fields if name not in EXCLUDE))
    _VALUES[model_class] = getter
    return getter


def _immutable(kind: type) -> bool:
    """Whether values of `kind`, a type not in `_IMMUTABLE`, qualify (remembered either way)."""
    if kind in _MUTABLE:
        return False
    qualifies = issubclass(kind, enum.Enum) and all(
        type(member.value) in _IMMUTABLE for member in kind.__members__.values()
    )
    (_IMMUTABLE if qualifies else _MUTABLE).add(kind)
    return qualifies

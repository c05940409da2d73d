"""Fast reads of a model's declared field groups.

`get_identifiers()`, `get_attrs()` and `get_unique_id()` run for every object of every diff and
sync. pydantic's `model_dump(include=...)` is correct but slow for that, so plain values (str,
int, float, bool, None, enum members) are read straight from the instance and only the other
fields go through pydantic, which keeps the exact dump semantics (copies of containers, nested
models as dicts, custom serializers, excluded fields).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic.functional_serializers import PlainSerializer, WrapSerializer

if TYPE_CHECKING:
    from pydantic import BaseModel

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


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
    plan = plan_for(type(model), group if isinstance(group, tuple) else tuple(group))
    if plan.dump_all:
        return model.model_dump(include=set(plan.fields))
    values = model.__dict__
    result: dict[str, Any] = {}
    complex_fields: list[str] = []
    for name in plan.fields:
        value = values[name]
        if name not in plan.serialized and (type(value) in _PLAIN_TYPES or isinstance(value, enum.Enum)):
            result[name] = value
        else:
            result[name] = None  # placeholder keeps declaration order
            complex_fields.append(name)
    if complex_fields:
        result.update(model.model_dump(include=set(complex_fields)))
    return result

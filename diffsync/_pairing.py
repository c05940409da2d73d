"""Indexing the two lists of a pair by unique id, and checking the pairs they form.

Both run for every list of children a diff compares, so what is the same for a whole list (one
model class on each side, identifier values that are all strings) is read once, and the
per-object work is done by C-level `map` and `zip` where the outcome is exactly the one of
`get_unique_id()` and `DiffSyncDiffer.validate_objects_for_diff`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from itertools import chain
from typing import TYPE_CHECKING, Any

from diffsync._class_plan import ClassPlan
from diffsync._fields import same_identity

if TYPE_CHECKING:
    from diffsync.model import DiffSyncModel

_STR_ONLY = frozenset({str})
_instance_dict = operator.attrgetter("__dict__")


class Indexed:
    """One side of a list, by unique id, with what the validation of pairs may skip reading.

    ``model_class`` is set when every object has that class. ``parts`` holds each object's
    unique id parts (the identifier values in `_identifiers` order) when they are all strings,
    so the id was their join; ``None`` for one identifier (the id is the value itself).
    """

    __slots__ = ("by_uid", "model_class", "parts", "str_parts")

    def __init__(
        self,
        by_uid: dict[str, Any],
        model_class: type | None = None,
        parts: dict[str, Any] | None = None,
        str_parts: bool = False,
    ) -> None:
        self.by_uid = by_uid
        self.model_class = model_class
        self.parts = parts
        self.str_parts = str_parts


def index_objects(objects: Iterable[DiffSyncModel], plan_of: Callable[[type], ClassPlan]) -> Indexed:
    """Objects by `get_unique_id()`, in order (a later duplicate replaces an earlier)."""
    objects = objects if isinstance(objects, list) else list(objects)
    if not objects:
        return Indexed({})
    classes = set(map(type, objects))
    if len(classes) != 1:
        return Indexed({obj.get_unique_id(): obj for obj in objects})
    model_class = classes.pop()
    plan = plan_of(model_class)
    uid_parts, read_uid = plan.uid_parts, plan.read_uid
    if uid_parts is not None:
        parts = list(map(uid_parts, map(_instance_dict, objects)))
        if len(plan.key_names) == 1:
            if _STR_ONLY.issuperset(map(type, parts)):
                return Indexed(dict(zip(parts, objects, strict=True)), model_class, None, True)
        elif _STR_ONLY.issuperset(map(type, chain.from_iterable(parts))):
            unique_ids = list(map("__".join, parts))
            return Indexed(
                dict(zip(unique_ids, objects, strict=True)),
                model_class,
                dict(zip(unique_ids, parts, strict=True)),
                True,
            )
    if read_uid is None:
        return Indexed({obj.get_unique_id(): obj for obj in objects}, model_class)
    by_uid = {}
    for obj in objects:
        unique_id = read_uid(obj)
        by_uid[unique_id if unique_id is not None else obj.get_unique_id()] = obj
    return Indexed(by_uid, model_class)


def validate_pairs(
    src: Indexed,
    dst: Indexed,
    plan_of: Callable[[type], ClassPlan],
    validate_slowly: Callable[[list[tuple[Any, Any]]], None],
) -> None:
    """The differ's `validate_objects_for_diff` over the pairs of two indexed lists.

    Settled from raw identifier values where that is exact; any other pair goes to
    ``validate_slowly``, in source order, which raises the error the differ documents.
    """
    src_by_uid, dst_by_uid = src.by_uid, dst.by_uid
    if src.str_parts and dst.str_parts:
        src_plan, dst_plan = plan_of(src.model_class), plan_of(dst.model_class)  # type: ignore[arg-type]
        if src_plan.identity is not None and src_plan.identity == dst_plan.identity:
            # Same type, identifier names and shortname rule; all values strings. One
            # identifier: equal ids are equal values. Several: compare the values.
            src_parts, dst_parts = src.parts, dst.parts
            if src_parts is None or dst_parts is None:
                return
            matched = src_parts.keys() & dst_parts.keys()
            if all(
                map(operator.eq, map(src_parts.__getitem__, matched), map(dst_parts.__getitem__, matched))
            ):
                return
    for unique_id, src_obj in src_by_uid.items():
        dst_obj = dst_by_uid.get(unique_id)
        if dst_obj is None:
            continue
        model_class = type(src_obj)
        if type(dst_obj) is model_class:
            plan = plan_of(model_class)
            if plan.fast_identity:
                read_keys: Any = plan.read_keys
                src_keys = read_keys(src_obj.__dict__)
                dst_keys = read_keys(dst_obj.__dict__)
                if (
                    src_keys == dst_keys
                    and _STR_ONLY.issuperset(map(type, src_keys))
                    and _STR_ONLY.issuperset(map(type, dst_keys))
                ):
                    continue
            if same_identity(src_obj, dst_obj):
                continue
        validate_slowly([(src_obj, dst_obj)])

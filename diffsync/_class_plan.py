"""What the differ reads from a model class, decided once per diff (`ClassPlan`).

A plan says, for one class, whether its unique id, identifiers, attributes, shortname, type
and children can be read straight from an instance's dict (the class keeps DiffSyncModel's own
methods for them and no field of the group has a serializer), and how.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from diffsync._fields import identity_traits, is_stock, plan_for, unique_id_reader

if TYPE_CHECKING:
    from diffsync._element_values import ElementLayout

ValuesReader = Callable[[dict[str, Any]], tuple[Any, ...]]


def _values_reader(names: tuple[str, ...]) -> ValuesReader:
    """A function returning the values of ``names`` from an instance dict, always as a tuple."""
    if not names:
        return lambda values: ()
    if len(names) == 1:
        (only,) = names
        return lambda values: (values[only],)
    return operator.itemgetter(*names)


def _group_reader(model_class: Any, method: str, group: Any) -> tuple[tuple[str, ...], ValuesReader | None]:
    """Field names and a reader for `get_attrs()`/`get_identifiers()`, or no reader if not exact."""
    if not is_stock(model_class, method):
        return (), None
    plan = plan_for(model_class, tuple(group))
    if plan.dump_all or plan.serialized:
        return (), None
    return plan.fields, _values_reader(plan.fields)


class ClassPlan:
    """What the differ reads from one model class, decided once per diff.

    A reader of None means "call the model's method": the class overrides it, or a field of
    the group has a serializer, so only the method knows the answer.
    """

    __slots__ = (
        "attr_names",
        "childless",
        "children",
        "fast_identity",
        "identity",
        "key_names",
        "model_name",
        "read_attrs",
        "read_keys",
        "read_uid",
        "short_is_uid",
        "short_positions",
        "uid_parts",
    )

    def __init__(self, model_class: Any) -> None:
        self.model_name: str | None = model_class._modelname if is_stock(model_class, "get_type") else None
        self.read_uid = unique_id_reader(model_class) if is_stock(model_class, "get_unique_id") else None
        self.attr_names, self.read_attrs = _group_reader(model_class, "get_attrs", model_class._attributes)
        self.key_names, self.read_keys = _group_reader(
            model_class, "get_identifiers", model_class._identifiers
        )
        self.children: dict[str, str] | None = (
            model_class._children if is_stock(model_class, "get_children_mapping") else None
        )
        self.childless = self.children is not None and not self.children
        traits = identity_traits(model_class)
        self.short_is_uid = traits.shortname_is_unique_id
        # Shortname fields that are all identifiers: the name comes from the key values.
        self.short_positions: tuple[int, ...] | None = None
        if (
            traits.shortname_follows_identifiers
            and not self.short_is_uid
            and self.read_keys is not None
            and all(name in self.key_names for name in model_class._shortname)
        ):
            self.short_positions = tuple(self.key_names.index(name) for name in model_class._shortname)
        self.fast_identity = (
            self.model_name is not None
            and self.read_keys is not None
            and traits.stock_identity
            and traits.shortname_follows_identifiers
        )
        # The unique id's parts, in `_identifiers` order (one value, not a tuple, for one name).
        self.uid_parts: Callable[[dict[str, Any]], Any] | None = None
        # Two classes with equal identities agree on get_type(), get_identifiers() and
        # get_shortname() whenever their identifier values are equal.
        self.identity: tuple[Any, ...] | None = None
        if self.fast_identity and self.read_uid is not None:
            names = tuple(model_class._identifiers)
            self.uid_parts = operator.itemgetter(*names) if names else None
            self.identity = (
                self.model_name,
                self.key_names,
                self.short_is_uid,
                tuple(model_class._shortname),
            )


class PairPlan:
    """What `DiffEngine.matched_pairs` reads once for a list of one class against another."""

    __slots__ = (
        "dst_plan",
        "layout",
        "model_name",
        "positions",
        "read_dest",
        "read_keys",
        "read_source",
        "short_is_uid",
        "single",
        "src_plan",
        "with_children",
    )

    def __init__(self, src_plan: ClassPlan, dst_plan: ClassPlan, layout: ElementLayout) -> None:
        self.src_plan, self.dst_plan, self.layout = src_plan, dst_plan, layout
        self.read_source: Any = src_plan.read_attrs
        self.read_dest: Any = dst_plan.read_attrs
        self.read_keys: Any = src_plan.read_keys
        self.model_name: str = src_plan.model_name  # type: ignore[assignment]  # checked: a str
        self.short_is_uid = src_plan.short_is_uid
        self.positions: Any = src_plan.short_positions
        self.single = self.positions[0] if self.positions is not None and len(self.positions) == 1 else None
        self.with_children = not (src_plan.childless and dst_plan.childless)

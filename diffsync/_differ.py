"""The differ's inner loop: pair two lists of models by unique id and build their elements.

`DiffSyncDiffer` keeps the documented algorithm and hooks; this module runs it when nobody has
overridden those hooks, reading each model class's identity and attribute fields once per diff
(`ClassPlan`) instead of through several method calls per object:

- unique ids, identifiers and attributes are read straight from the instance dict when the
  class keeps the stock methods and the values are plain (str, int, float, bool, None), which
  is what pydantic's dump would return for them; any other class or value goes through the
  model's own methods, as before;
- an element keeps its keys and attributes as value tuples (`diffsync.diff.ElementLayout`),
  one tuple for both sides when nothing changed, and gets a child diff only for children;
- progress is counted per list rather than per object when no callback listens.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from diffsync._fields import (
    PLAIN_TYPES,
    identity_traits,
    is_stock,
    plan_for,
    same_identity,
    unique_id_reader,
)
from diffsync._status import MARK_KEY, SyncMarks, mark
from diffsync.diff import Diff, DiffElement, ElementLayout
from diffsync.enum import DiffSyncModelFlags
from diffsync.exceptions import ObjectAlreadyExists

if TYPE_CHECKING:
    from diffsync.helpers import DiffSyncDiffer
    from diffsync.model import DiffSyncModel

ValuesReader = Callable[[dict[str, Any]], tuple[Any, ...]]

_NO_MODEL_FLAGS = DiffSyncModelFlags.NONE
_STR_ONLY = frozenset({str})
_new_element = DiffElement.__new__
_diff_add = Diff.add


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
        "key_names",
        "model_name",
        "read_attrs",
        "read_keys",
        "read_uid",
        "short_is_uid",
        "short_positions",
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


class DiffEngine:
    """Builds the elements of one diff for a `DiffSyncDiffer` whose hooks are the stock ones."""

    def __init__(self, differ: DiffSyncDiffer) -> None:
        self.differ = differ
        self.src = differ.src_diffsync
        self.dst = differ.dst_diffsync
        self.src_name = self.src.name
        self.dst_name = self.dst.name
        self.diff_class = differ.diff_class
        self.any_flags = bool(differ.flags)
        self.callback = differ.callback
        self.processed = 0  # counted here when no callback listens, then handed to the differ
        self.elements = 0  # elements built, for the length of the diff
        self.marks = SyncMarks()  # left on the destination models paired (see diffsync._status)
        self._plans: dict[type, ClassPlan] = {}
        self._layouts: dict[tuple[type | None, type | None], ElementLayout] = {}

    # -- counting ------------------------------------------------------------------------------

    def count(self, delta: int) -> None:
        if self.callback is None:
            self.processed += delta
        else:
            self.differ.incr_models_processed(delta)

    def settle_count(self) -> None:
        """Hand the models counted here to the differ (once the diff is built)."""
        self.differ.models_processed += self.processed
        self.processed = 0

    # -- per-class knowledge -------------------------------------------------------------------

    def plan(self, model_class: type) -> ClassPlan:
        plan = self._plans.get(model_class)
        if plan is None:
            plan = self._plans[model_class] = ClassPlan(model_class)
        return plan

    def layout(self, src_class: type | None, dst_class: type | None) -> ElementLayout:
        key = (src_class, dst_class)
        layout = self._layouts.get(key)
        if layout is None:
            src_plan = self.plan(src_class) if src_class is not None else None
            dst_plan = self.plan(dst_class) if dst_class is not None else None
            reference = src_plan if src_plan is not None else dst_plan
            layout = self._layouts[key] = ElementLayout(
                self.diff_class,
                key_names=reference.key_names if reference is not None else (),
                source_names=src_plan.attr_names if src_plan is not None else (),
                dest_names=dst_plan.attr_names if dst_plan is not None else (),
            )
        return layout

    # -- lists ---------------------------------------------------------------------------------

    def by_unique_id(self, objects: Iterable[DiffSyncModel]) -> dict[str, DiffSyncModel]:
        """Index objects by `get_unique_id()`, in order (a later duplicate replaces an earlier)."""
        objects = objects if isinstance(objects, list) else list(objects)
        if not objects:
            return {}
        classes = set(map(type, objects))
        if len(classes) == 1:
            read_uid = self.plan(classes.pop()).read_uid
            if read_uid is not None:
                by_uid = {}
                for obj in objects:
                    unique_id = read_uid(obj)
                    by_uid[unique_id if unique_id is not None else obj.get_unique_id()] = obj
                return by_uid
        return {obj.get_unique_id(): obj for obj in objects}

    def validate(self, src_by_uid: dict[str, Any], dst_by_uid: dict[str, Any]) -> None:
        """The differ's pair validation, settled from raw identifier values where that is exact."""
        for unique_id, src_obj in src_by_uid.items():
            dst_obj = dst_by_uid.get(unique_id)
            if dst_obj is None:
                continue
            model_class = type(src_obj)
            if type(dst_obj) is model_class:
                plan = self.plan(model_class)
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
            self.differ.validate_objects_for_diff([(src_obj, dst_obj)])

    def diff_lists(
        self, src: Iterable[DiffSyncModel], dst: Iterable[DiffSyncModel], add: Callable[[DiffElement], Any]
    ) -> bool:
        """Pair and diff two lists, handing each element to ``add``; True if all are quiet."""
        src_by_uid = self.by_unique_id(src)
        dst_by_uid = self.by_unique_id(dst)
        self.validate(src_by_uid, dst_by_uid)
        pair = self.pair
        quiet = True
        for unique_id, src_obj in src_by_uid.items():
            element = pair(src_obj, dst_by_uid.get(unique_id), unique_id)
            if element is not None:
                add(element)
                quiet = quiet and element._quiet
        only_dst = dst_by_uid.keys() - src_by_uid.keys()
        if only_dst:
            for unique_id, dst_obj in dst_by_uid.items():  # in destination order
                if unique_id in only_dst:
                    element = pair(None, dst_obj, unique_id)
                    if element is not None:
                        add(element)
                        quiet = False
        return quiet

    # -- one pair ------------------------------------------------------------------------------

    def pair(self, src_obj: Any, dst_obj: Any, unique_id: str) -> DiffElement | None:
        """The element of one pair (either side may be absent), or None when it is skipped."""
        if (
            self.any_flags
            or (src_obj is not None and src_obj.model_flags is not _NO_MODEL_FLAGS)
            or (dst_obj is not None and dst_obj.model_flags is not _NO_MODEL_FLAGS)
        ):
            reason = self.differ._skip_reason(src_obj, dst_obj)
            if reason is not None:
                reference = src_obj if src_obj is not None else dst_obj
                self.differ.logger.debug(reason, model=reference.get_type(), unique_id=unique_id)
                self.count(1)
                return None

        plans = self._plans
        source: Any = None
        dest: Any = None
        src_class: Any = None
        dst_class: Any = None
        src_plan: Any = None
        dst_plan: Any = None
        if src_obj is not None:
            src_class = type(src_obj)
            src_plan = plans.get(src_class) or self.plan(src_class)
            read = src_plan.read_attrs
            if read is not None:
                source = read(src_obj.__dict__)
                if not PLAIN_TYPES.issuperset(map(type, source)):
                    source = src_obj.get_attrs()
            else:
                source = src_obj.get_attrs()
        if dst_obj is not None:
            dst_class = type(dst_obj)
            dst_plan = plans.get(dst_class) or self.plan(dst_class)
            read = dst_plan.read_attrs
            if read is not None:
                dest = read(dst_obj.__dict__)
                if not PLAIN_TYPES.issuperset(map(type, dest)):
                    dest = dst_obj.get_attrs()
            else:
                dest = dst_obj.get_attrs()
        layout = self._layouts.get((src_class, dst_class)) or self.layout(src_class, dst_class)
        quiet: bool | None = False  # nothing to do for this object
        if src_obj is not None and dst_obj is not None:
            if type(source) is tuple and type(dest) is tuple and layout.same_names:
                if not any(map(operator.ne, source, dest)):
                    dest = source  # unchanged: one immutable tuple serves both sides
                    quiet = True
            else:
                quiet = None  # decided from the dicts, below
            values = dst_obj.__dict__
            previous = values.get(MARK_KEY)
            if previous is None:
                values[MARK_KEY] = self.marks.fresh
            elif previous.marks is not self.marks:
                mark(values, self.marks)
        elif dst_obj is not None:
            mark(dst_obj.__dict__, self.marks)

        reference, plan = (src_obj, src_plan) if src_obj is not None else (dst_obj, dst_plan)
        read = plan.read_keys
        if read is not None:
            keys = read(reference.__dict__)
            if not PLAIN_TYPES.issuperset(map(type, keys)):
                keys = reference.get_identifiers()
        else:
            keys = reference.get_identifiers()
        if plan.short_is_uid:
            name = unique_id
        else:
            positions = plan.short_positions
            if positions is not None and type(keys) is tuple:
                if len(positions) == 1:
                    name = keys[positions[0]]
                    if type(name) is not str:
                        name = str(name)
                else:
                    name = "__".join(str(keys[position]) for position in positions)
            else:
                name = reference.get_shortname()
        model_name = plan.model_name
        if model_name is None:
            model_name = reference.get_type()
        if type(model_name) is not str or type(name) is not str:
            # Let the element's own checks raise (or accept a str subclass) as they always did.
            DiffElement(model_name, name, {})

        element = _new_element(DiffElement)
        element._type = model_name
        element._name = name
        element._keys = keys
        element.source_name = self.src_name
        element.dest_name = self.dst_name
        element._source = source
        element._dest = dest
        element._layout = layout
        element._child_diff = None
        if quiet is None:
            quiet = not element._attrs_differ()
        element._quiet = quiet
        self.elements += 1

        if self.callback is None:
            self.processed += (src_obj is not None) + (dst_obj is not None)
        else:
            self.differ.incr_models_processed((src_obj is not None) + (dst_obj is not None))
        if (src_plan is not None and not src_plan.childless) or (
            dst_plan is not None and not dst_plan.childless
        ):
            children_quiet = self.diff_children(element, src_obj, dst_obj, src_plan, dst_plan)
            element._quiet = quiet and children_quiet
        return element

    def diff_children(
        self,
        element: DiffElement,
        src_obj: Any,
        dst_obj: Any,
        src_plan: ClassPlan | None,
        dst_plan: ClassPlan | None,
    ) -> bool:
        """The differ's `diff_child_objects`, into the element's child diff; True if all quiet."""
        src_mapping = _children_of(src_obj, src_plan)
        dst_mapping = _children_of(dst_obj, dst_plan)
        if not src_mapping and not dst_mapping:
            return True
        if src_obj is not None and dst_obj is not None:
            for child_type, field_name in src_mapping.items():
                if child_type not in dst_mapping:
                    self.count(len(getattr(src_obj, field_name)))
            for child_type, field_name in dst_mapping.items():
                if child_type not in src_mapping:
                    self.count(len(getattr(dst_obj, field_name)))
            child_types = [child_type for child_type in src_mapping if child_type in dst_mapping]
        else:
            child_types = list(src_mapping or dst_mapping)
        quiet = True
        for child_type in child_types:
            src_uids = getattr(src_obj, src_mapping[child_type]) if src_obj is not None else []
            dst_uids = getattr(dst_obj, dst_mapping[child_type]) if dst_obj is not None else []
            src_children = self.src.get_by_uids(src_uids, child_type)
            dst_children = self.dst.get_by_uids(dst_uids, child_type)
            if not src_children and not dst_children:
                continue
            child_diff = element._child_diff
            if child_diff is None:
                child_diff = element._child_diff = self.diff_class()
            if not self.diff_lists(src_children, dst_children, adder(child_diff)):
                quiet = False
        return quiet


def _children_of(obj: Any, plan: ClassPlan | None) -> dict[str, str]:
    if obj is None:
        return {}
    children = plan.children if plan is not None else None
    return children if children is not None else obj.get_children_mapping()


def adder(diff: Diff) -> Callable[[DiffElement], Any]:
    """`diff.add`, without a method call per element when the Diff keeps the stock method."""
    if type(diff).add is not _diff_add:
        return diff.add
    children = diff._children

    def add(element: DiffElement) -> None:
        group = children[element._type]
        if element._name in group:
            raise ObjectAlreadyExists(f"Already storing a {element._type} named {element._name}", element)
        group[element._name] = element

    return add

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

from diffsync._class_plan import ClassPlan, PairPlan
from diffsync._element_values import ElementLayout
from diffsync._fields import PLAIN_TYPES
from diffsync._pairing import Indexed, index_objects, validate_pairs
from diffsync._status import MARK_KEY, SyncMarks, mark
from diffsync.diff import Diff, DiffElement
from diffsync.enum import DiffSyncModelFlags
from diffsync.exceptions import ObjectAlreadyExists
from diffsync.utils import OrderedDefaultDict

if TYPE_CHECKING:
    from diffsync.helpers import DiffSyncDiffer
    from diffsync.model import DiffSyncModel

_NO_MODEL_FLAGS = DiffSyncModelFlags.NONE
_STR_ONLY = frozenset({str})
_new_element = DiffElement.__new__
_diff_add = Diff.add
_new_diff = Diff.__new__
_new_groups = OrderedDefaultDict.__new__  # its __init__ only stores a non-default dict_type
_instance_dict = operator.attrgetter("__dict__")


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
        self._pair_plans: dict[tuple[type, type], PairPlan | None] = {}

    def new_diff(self) -> Diff:
        """``diff_class()``; for the stock `Diff`, without running its `__init__` in Python."""
        if self.diff_class is not Diff:
            return self.diff_class()
        diff = _new_diff(Diff)
        diff._children = _new_groups(OrderedDefaultDict)
        diff.models_processed = 0
        diff._built = None
        return diff

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

    def index(self, objects: Iterable[DiffSyncModel]) -> Indexed:
        """Objects by `get_unique_id()`, in order (a later duplicate replaces an earlier)."""
        return index_objects(objects, self.plan)

    def validate(self, src: Indexed, dst: Indexed) -> None:
        """The differ's pair validation, settled from raw identifier values where that is exact."""
        validate_pairs(src, dst, self.plan, self.differ.validate_objects_for_diff)

    def diff_lists(
        self,
        src: Iterable[DiffSyncModel],
        dst: Iterable[DiffSyncModel],
        into: Diff | None,
        collected: list[DiffElement] | None = None,
    ) -> bool:
        """Pair and diff two lists, adding the elements to ``into`` (or, when it is None,
        appending them to ``collected``); True if all of them are quiet."""
        src_index, dst_index = self.index(src), self.index(dst)
        self.validate(src_index, dst_index)
        src_by_uid, dst_by_uid = src_index.by_uid, dst_index.by_uid
        add: Callable[[DiffElement], Any] = collected.append if into is None else adder(into)  # type: ignore[union-attr]
        pair_plan = None
        if src_index.model_class is not None and dst_index.model_class is not None:
            pair_plan = self.pair_plan(src_index.model_class, dst_index.model_class)
        if pair_plan is not None:
            stock_into = into if into is not None and type(into).add is _diff_add else None
            quiet, matched = self.matched_pairs(
                src_by_uid, dst_by_uid, pair_plan, add, stock_into, src_index.str_parts
            )
        else:
            quiet, matched = True, 0
            pair = self.pair
            for unique_id, src_obj in src_by_uid.items():
                dst_obj = dst_by_uid.get(unique_id)
                if dst_obj is not None:
                    matched += 1
                element = pair(src_obj, dst_obj, unique_id)
                if element is not None:
                    add(element)
                    quiet = quiet and element._quiet
        if matched < len(dst_by_uid):
            pair = self.pair
            for unique_id, dst_obj in dst_by_uid.items():  # in destination order
                if unique_id not in src_by_uid:
                    element = pair(None, dst_obj, unique_id)
                    if element is not None:
                        add(element)
                        quiet = False
        return quiet

    def pair_plan(self, src_class: type, dst_class: type) -> PairPlan | None:
        """What `matched_pairs` needs for these two classes, or None when it cannot pair them."""
        key = (src_class, dst_class)
        if key in self._pair_plans:
            return self._pair_plans[key]
        plan = None
        src_plan, dst_plan = self.plan(src_class), self.plan(dst_class)
        layout = self.layout(src_class, dst_class)
        if (
            not self.any_flags
            and self.callback is None
            and src_plan.read_attrs is not None
            and dst_plan.read_attrs is not None
            and src_plan.read_keys is not None
            and type(src_plan.model_name) is str
            and (src_plan.short_is_uid or src_plan.short_positions is not None)
            and layout.same_names
        ):
            plan = PairPlan(src_plan, dst_plan, layout)
        self._pair_plans[key] = plan
        return plan

    def matched_pairs(
        self,
        src_by_uid: dict[str, Any],
        dst_by_uid: dict[str, Any],
        plan: PairPlan,
        add: Callable[[DiffElement], Any],
        stock_into: Diff | None,
        string_ids: bool = False,
    ) -> tuple[bool, int]:
        """`pair` for every source object, with what is the same for all of them read once.

        The common case (no model flags, plain values, both sides present) is done here; any
        other object goes through `pair`. Returns whether all the elements are quiet, and how
        many source objects have a destination object. ``string_ids``: every source object's
        identifier values are strings (indexing checked), so its keys need no check.
        """
        src_plan, dst_plan, layout = plan.src_plan, plan.dst_plan, plan.layout
        read_source, read_dest, read_keys = plan.read_source, plan.read_dest, plan.read_keys
        model_name, short_is_uid, positions, single = (
            plan.model_name,
            plan.short_is_uid,
            plan.positions,
            plan.single,
        )
        with_children = plan.with_children
        marks, fresh, reset_before = self.marks, self.marks.fresh, self.marks.reset_before
        src_name, dst_name = self.src_name, self.dst_name
        no_flags, plain, not_equal, new_element = _NO_MODEL_FLAGS, PLAIN_TYPES, operator.ne, _new_element
        pair, diff_children = self.pair, self.diff_children
        children = stock_into._children if stock_into is not None else None
        group: dict[str, DiffElement] | None = None
        quiet_all = True
        built = matched = 0
        for unique_id, src_obj in src_by_uid.items():
            dst_obj = dst_by_uid.get(unique_id)
            if dst_obj is None:
                element = pair(src_obj, None, unique_id)
                if element is not None:
                    add(element)
                    quiet_all = False
                continue
            matched += 1
            src_values, dst_values = src_obj.__dict__, dst_obj.__dict__
            source, dest, keys = read_source(src_values), read_dest(dst_values), read_keys(src_values)
            source_types = tuple(map(type, source))
            same_types = source_types == tuple(map(type, dest))
            if not (
                src_obj.model_flags is no_flags
                and dst_obj.model_flags is no_flags
                and plain.issuperset(source_types)
                and (same_types or plain.issuperset(map(type, dest)))
                and (string_ids or plain.issuperset(map(type, keys)))
            ):
                element = pair(src_obj, dst_obj, unique_id)
                if element is not None:
                    add(element)
                    quiet_all = quiet_all and element._quiet
                continue
            if short_is_uid:
                name = unique_id
            elif single is not None:
                name = keys[single]
                if type(name) is not str:
                    name = str(name)
            else:
                name = "__".join(str(keys[position]) for position in positions)
            quiet = not any(map(not_equal, source, dest))
            if quiet and same_types:
                dest = source  # unchanged: one immutable tuple serves both sides (1 == 1.0)
            previous = dst_values.get(MARK_KEY)
            if previous is None:
                dst_values[MARK_KEY] = fresh
            elif previous.marks is not marks:  # `diffsync._status.mark`, inline
                earlier = previous.marks
                if earlier.applied:  # a re-diff after a sync: the model was reset
                    dst_values[MARK_KEY] = reset_before
                else:
                    earlier.overwritten = True
                    dst_values[MARK_KEY] = reset_before if previous.reset_before else fresh
            element = new_element(DiffElement)
            element._type = model_name
            element._name = name
            element._keys = keys
            element.source_name = src_name
            element.dest_name = dst_name
            element._source = source
            element._dest = dest
            element._layout = layout
            element._child_diff = None
            element._quiet = quiet
            element._dst_model = None
            built += 1
            if with_children and not diff_children(element, src_obj, dst_obj, src_plan, dst_plan):
                element._quiet = quiet = False
            if not quiet:
                element._dst_model = dst_obj  # the sync will visit it: no lookup then
            if children is None:
                add(element)
            else:  # Diff.add, inline: every element of this list has the same type
                if group is None:
                    group = children[model_name]
                if name in group:
                    raise ObjectAlreadyExists(f"Already storing a {model_name} named {name}", element)
                group[name] = element
            if not quiet:
                quiet_all = False
        self.elements += built
        self.processed += 2 * built
        return quiet_all, matched

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
                    quiet = True
                    if all(map(operator.is_, map(type, source), map(type, dest))):
                        dest = source  # one immutable tuple serves both sides (not for 1 and 1.0)
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
        element._dst_model = dst_obj
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
        if element._quiet:
            element._dst_model = None  # a sync skips it: no model to keep alive for it
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
                child_diff = element._child_diff = self.new_diff()
            if not self.diff_lists(src_children, dst_children, child_diff):
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

"""`Diff` and `DiffElement`: what differs between two adapters, as a tree people can read.

A `Diff` groups elements by model type; each `DiffElement` pairs one object's attributes on
the source and destination side and holds the diff of its children. The renderings (`str()`,
`dict()`, `summary()`) are part of the public contract: users parse and print them.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Iterator
from functools import total_ordering
from typing import Any

from diffsync import _handed_out
from diffsync._element_values import AsGiven, layout_for, stored, view
from diffsync._typing import Attrs
from diffsync.enum import DiffSyncActions
from diffsync.exceptions import ObjectAlreadyExists
from diffsync.utils import OrderedDefaultDict, intersection

# `intersection` is importable from here, as upstream's module imports it.
__all__ = ["Diff", "DiffElement", "intersection"]

# What copy and pickle keep of an element: its instance dict (subclasses), its slots.
_ElementState = tuple["builtins.dict[builtins.str, Any] | None", "builtins.dict[builtins.str, Any]"]
_SUMMARY_KEYS = (DiffSyncActions.CREATE, DiffSyncActions.UPDATE, DiffSyncActions.DELETE, "no-change")


class Diff:
    """The diff between two adapters: elements grouped by model type, in insertion order.

    Subclasses may define `order_children_<type>` (or `order_children_default`) to choose the
    order in which `get_children()`, `dict()` and a sync visit the elements of one type.
    """

    # Slots: every diff element holds a child Diff; subclasses (diff_class) still get a dict.
    # `_built` is what the differ knows about the diff it built (`diffsync._quiet_sync.Built`).
    __slots__ = ("_built", "_children", "models_processed")

    def __init__(self) -> None:
        self._children: OrderedDefaultDict = OrderedDefaultDict(dict)
        self.models_processed = 0
        self._built: Any = None

    @property
    def children(self) -> OrderedDefaultDict:
        """`{type: {name: element}}`, in insertion order."""
        _handed_out.note()
        return self._children

    @children.setter
    def children(self, value: OrderedDefaultDict) -> None:
        _handed_out.note()
        self._children = value

    def __len__(self) -> int:
        built = self._built
        if built is not None and built.untouched():
            return built.size  # type: ignore[no-any-return]
        total = 0
        for group in self._children.values():
            for element in group.values():
                total += len(element)
        return total

    def complete(self) -> None:
        """Called once when the differ has finished; a hook for subclasses."""

    def add(self, element: DiffElement) -> None:
        _handed_out.note()
        group = self._children[element.type]
        if element.name in group:
            raise ObjectAlreadyExists(f"Already storing a {element.type} named {element.name}", element)
        group[element.name] = element

    def groups(self) -> list[builtins.str]:
        return list(self._children.keys())

    def has_diffs(self) -> bool:
        return any(
            element.has_diffs(include_children=True)
            for group in self._children.values()
            for element in group.values()
        )

    def summary(self) -> builtins.dict[builtins.str, int]:
        """Counts per action, plus `skip`: the objects the differ looked at but did not pair."""
        totals = dict.fromkeys(_SUMMARY_KEYS, 0)
        for group in self._children.values():
            for element in group.values():
                for key, count in element.summary().items():
                    totals[key] += count
        totals["skip"] = (
            self.models_processed
            - totals[DiffSyncActions.CREATE]
            - 2 * totals[DiffSyncActions.UPDATE]
            - totals[DiffSyncActions.DELETE]
            - 2 * totals["no-change"]
        )
        return totals

    @classmethod
    def order_children_default(
        cls, children: builtins.dict[builtins.str, DiffElement]
    ) -> Iterator[DiffElement]:
        """Visit one group's elements in insertion order."""
        yield from children.values()

    def get_children(self) -> Iterator[DiffElement]:
        """Every top-level element, group by group, in the order the order methods choose."""
        children = self._children
        for group in list(children.keys()):
            order = getattr(self, f"order_children_{group}", self.order_children_default)
            yield from order(children[group])

    def str(self, indent: int = 0) -> builtins.str:
        """The elements that have diffs, as an indented tree; `(no diffs)` when there are none."""
        margin = " " * indent
        lines = []
        for group, elements in self._children.items():
            heading_written = False
            for element in elements.values():
                if element.has_diffs(include_children=True):
                    if not heading_written:
                        lines.append(f"{margin}{group}")
                        heading_written = True
                    lines.append(element.str(indent + 2))
        return "\n".join(lines) if lines else "(no diffs)"

    def dict(self) -> builtins.dict[builtins.str, Attrs]:
        result: builtins.dict[builtins.str, Attrs] = {}
        for element in self.get_children():
            if element.has_diffs(include_children=True):
                result.setdefault(element.type, {})[element.name] = element.dict()
        return result


@total_ordering
class DiffElement:
    """One object's attributes on both sides of a diff, and the diff of its children.

    `source_attrs`/`dest_attrs` are None when the object is absent on that side, and `{}` when
    it is present but has no attributes.
    """

    # Slots: a large diff holds one element per object, so each element's own attribute dict
    # would be a third of its memory and of the collector's work. Subclasses still get a dict.
    # `type`, `name`, `keys`, `source_attrs`, `dest_attrs` and `child_diff` are properties over
    # the underscored slots: an element the differ built holds value tuples (see
    # `ElementLayout`) and no child diff until it has children. `_quiet` is True when the
    # differ found nothing to do for the element and everything under it; `_dst_model` is the
    # destination model it paired, kept for elements a sync visits (see _quiet_sync.py).
    __slots__ = (
        "_child_diff",
        "_dest",
        "_dst_model",
        "_keys",
        "_layout",
        "_name",
        "_quiet",
        "_source",
        "_type",
        "dest_name",
        "source_name",
    )

    def __init__(
        self,
        obj_type: builtins.str,
        name: builtins.str,
        keys: Attrs,
        source_name: builtins.str = "source",
        dest_name: builtins.str = "dest",
        diff_class: builtins.type[Diff] = Diff,
    ) -> None:
        if not isinstance(obj_type, str):
            raise ValueError(f"obj_type must be a string (not {type(obj_type)})")
        if not isinstance(name, str):
            raise ValueError(f"name must be a string (not {type(name)})")
        self._type = obj_type
        self._name = name
        self._keys = stored(keys)
        self.source_name = source_name
        self.dest_name = dest_name
        self._source: Any = None
        self._dest: Any = None
        self._layout = layout_for(diff_class)
        self._child_diff: Diff | None = diff_class()
        self._quiet = False
        self._dst_model: Any = None

    # A copy or an unpickled element does not refer to the destination model the differ paired.
    def __getstate__(
        self,
    ) -> tuple[builtins.dict[builtins.str, Any] | None, builtins.dict[builtins.str, Any]]:
        slots = {
            name: getattr(self, name)
            for name in DiffElement.__slots__
            if name != "_dst_model" and hasattr(self, name)
        }
        return getattr(self, "__dict__", None) or None, slots

    def __setstate__(
        self, state: tuple[builtins.dict[builtins.str, Any] | None, builtins.dict[builtins.str, Any]]
    ) -> None:
        instance_dict, slots = state
        if instance_dict:
            self.__dict__.update(instance_dict)
        for name, value in slots.items():
            object.__setattr__(self, name, value)
        self._dst_model = None

    # -- the public attributes, over raw slots -----------------------------------------------

    @property
    def type(self) -> builtins.str:
        return self._type

    @type.setter
    def type(self, value: builtins.str) -> None:
        _handed_out.note()
        self._type = value

    @property
    def name(self) -> builtins.str:
        return self._name

    @name.setter
    def name(self, value: builtins.str) -> None:
        _handed_out.note()
        self._name = value

    @property
    def keys(self) -> Attrs:
        _handed_out.note()
        return self._keys_dict()

    @keys.setter
    def keys(self, value: Attrs) -> None:
        _handed_out.note()
        self._keys = stored(value)

    @property
    def source_attrs(self) -> Attrs | None:
        _handed_out.note()
        raw = self._source
        if type(raw) is tuple:
            raw = self._source = dict(zip(self._layout.source_names, raw, strict=True))
        elif type(raw) is AsGiven:
            return raw.value  # type: ignore[no-any-return]
        return raw  # type: ignore[no-any-return]

    @source_attrs.setter
    def source_attrs(self, value: Attrs | None) -> None:
        _handed_out.note()
        self._source = stored(value)

    @property
    def dest_attrs(self) -> Attrs | None:
        _handed_out.note()
        raw = self._dest
        if type(raw) is tuple:
            raw = self._dest = dict(zip(self._layout.dest_names, raw, strict=True))
        elif type(raw) is AsGiven:
            return raw.value  # type: ignore[no-any-return]
        return raw  # type: ignore[no-any-return]

    @dest_attrs.setter
    def dest_attrs(self, value: Attrs | None) -> None:
        _handed_out.note()
        self._dest = stored(value)

    @property
    def child_diff(self) -> Diff:
        _handed_out.note()
        child_diff = self._child_diff
        if child_diff is None:
            child_diff = self._child_diff = self._layout.diff_class()
        return child_diff

    @child_diff.setter
    def child_diff(self, value: Diff) -> None:
        _handed_out.note()
        self._child_diff = value

    def _keys_dict(self) -> Attrs:
        """`keys`, made a dict and kept if it was a value tuple (the syncer's own read)."""
        raw = self._keys
        if type(raw) is tuple:
            raw = self._keys = dict(zip(self._layout.key_names, raw, strict=True))
        elif type(raw) is AsGiven:
            return raw.value  # type: ignore[no-any-return]
        return raw  # type: ignore[no-any-return]

    def _attr_views(self) -> tuple[Any, Any]:
        """Both sides' attrs as dicts (None when absent), read without being stored."""
        layout = self._layout
        return view(self._source, layout.source_names), view(self._dest, layout.dest_names)

    # -- comparison --------------------------------------------------------------------------

    def __lt__(self, other: DiffElement) -> bool:
        return (self.type, self.name) < (other.type, other.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DiffElement):
            return NotImplemented
        return (
            self.type == other.type
            and self.name == other.name
            and view(self._keys, self._layout.key_names) == view(other._keys, other._layout.key_names)
            and self._attr_views() == other._attr_views()
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __str__(self) -> builtins.str:
        return (
            f'{self.type} "{self.name}" : {view(self._keys, self._layout.key_names)} : '
            f"{self.source_name} → {self.dest_name} : {self.get_attrs_diffs()}"
        )

    def __len__(self) -> int:
        child_diff = self._child_diff
        return 1 if child_diff is None else 1 + len(child_diff)

    def _attrs_differ(self) -> bool:
        """True when a key present on both sides has different values (both sides present)."""
        source, dest = self._source, self._dest
        if type(source) is tuple and type(dest) is tuple and self._layout.same_names:
            # Built by the differ: the same names in the same order on both sides.
            return source is not dest and any(map(operator.ne, source, dest))
        source, dest = self._attr_views()
        return any(key in source and source[key] != dest[key] for key in dest)

    @property
    def action(self) -> builtins.str | None:
        """`create`, `update`, `delete`, or None when nothing changes."""
        source, dest = self._source, self._dest
        if source is None:
            return None if dest is None else DiffSyncActions.DELETE
        if dest is None:
            return DiffSyncActions.CREATE
        return DiffSyncActions.UPDATE if self._attrs_differ() else DiffSyncActions.NO_CHANGE

    def add_attrs(
        self,
        source: Attrs | None = None,
        dest: Attrs | None = None,
    ) -> None:
        if source is not None:
            self.source_attrs = source
        if dest is not None:
            self.dest_attrs = dest

    def get_attrs_keys(self) -> Any:
        """The attribute names to compare: shared ones when both sides exist."""
        if self._source is not None and self._dest is not None:
            source, dest = self._attr_views()
            return [key for key in dest if key in source]
        if self._source is not None:
            return self.source_attrs.keys()  # type: ignore[union-attr]  # a live view, as upstream
        if self._dest is not None:
            return self.dest_attrs.keys()  # type: ignore[union-attr]
        return []

    def get_attrs_diffs(self) -> builtins.dict[builtins.str, Attrs]:
        """`{"+": new values, "-": old values}` for the attributes that differ."""
        raw_source, raw_dest = self._source, self._dest
        if raw_dest is None and type(raw_source) is tuple:  # a create the differ built
            return {"+": dict(zip(self._layout.source_names, raw_source, strict=True))}
        if raw_source is None and type(raw_dest) is tuple:  # a delete the differ built
            return {"-": dict(zip(self._layout.dest_names, raw_dest, strict=True))}
        source, dest = self._attr_views()
        if source is not None and dest is not None:
            changed = [key for key in dest if key in source and source[key] != dest[key]]
            return {"-": {key: dest[key] for key in changed}, "+": {key: source[key] for key in changed}}
        if source is not None:
            return {"+": dict(source)}
        if dest is not None:
            return {"-": dict(dest)}
        return {}

    def has_diffs(self, include_children: bool = True) -> bool:
        source, dest = self._source, self._dest
        if (source is None) != (dest is None):
            return True
        if source is not None and self._attrs_differ():
            return True
        child_diff = self._child_diff
        return include_children and child_diff is not None and child_diff.has_diffs()

    def add_child(self, element: DiffElement) -> None:
        self.child_diff.add(element)  # both note the change

    def get_children(self) -> Iterator[DiffElement]:
        child_diff = self._child_diff
        if child_diff is not None:
            yield from child_diff.get_children()

    def summary(self) -> builtins.dict[builtins.str, int]:
        totals = dict.fromkeys(_SUMMARY_KEYS, 0)
        totals[self.action or "no-change"] += 1
        child_diff = self._child_diff
        if child_diff is not None:
            child_summary = child_diff.summary()
            for key in totals:
                totals[key] += child_summary[key]
        return totals

    def str(self, indent: int = 0) -> builtins.str:
        margin = " " * indent
        first_line = f"{margin}{self.type}: {self.name}"
        detail_lines = []
        if self._source is not None and self._dest is not None:
            diffs = self.get_attrs_diffs()
            for attr, new_value in diffs["+"].items():
                detail_lines.append(
                    f"{margin}  {attr}    {self.source_name}({new_value})    "
                    f"{self.dest_name}({diffs['-'][attr]})"
                )
        elif self._dest is not None:
            first_line += f" MISSING in {self.source_name}"
        elif self._source is not None:
            first_line += f" MISSING in {self.dest_name}"
        child_diff = self._child_diff
        if child_diff is not None and child_diff.has_diffs():
            detail_lines.append(child_diff.str(indent + 2))
        elif self._source is None and self._dest is None:
            first_line += " (no diffs)"
        return "\n".join([first_line, *detail_lines])

    def dict(self) -> Attrs:
        result: Attrs = {}
        diffs = self.get_attrs_diffs()
        if "-" in diffs:
            result["-"] = diffs["-"]
        if "+" in diffs:
            result["+"] = diffs["+"]
        child_diff = self._child_diff
        if child_diff is not None and child_diff.has_diffs():
            result.update(child_diff.dict())
        return result

"""`Diff` and `DiffElement`: what differs between two adapters, as a tree people can read.

A `Diff` groups elements by model type; each `DiffElement` pairs one object's attributes on
the source and destination side and holds the diff of its children. The renderings (`str()`,
`dict()`, `summary()`) are part of the public contract: users parse and print them.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from functools import total_ordering
from typing import Any

from diffsync._typing import Attrs
from diffsync.enum import DiffSyncActions
from diffsync.exceptions import ObjectAlreadyExists
from diffsync.utils import OrderedDefaultDict, intersection

# `intersection` is importable from here, as upstream's module imports it.
__all__ = ["Diff", "DiffElement", "intersection"]

_SUMMARY_KEYS = (DiffSyncActions.CREATE, DiffSyncActions.UPDATE, DiffSyncActions.DELETE, "no-change")


class Diff:
    """The diff between two adapters: elements grouped by model type, in insertion order.

    Subclasses may define `order_children_<type>` (or `order_children_default`) to choose the
    order in which `get_children()`, `dict()` and a sync visit the elements of one type.
    """

    # Slots: every diff element holds a child Diff; subclasses (diff_class) still get a dict.
    __slots__ = ("children", "models_processed")

    def __init__(self) -> None:
        self.children: OrderedDefaultDict = OrderedDefaultDict(dict)
        self.models_processed = 0

    def __len__(self) -> int:
        total = 0
        for group in self.children.values():
            for element in group.values():
                total += len(element)
        return total

    def complete(self) -> None:
        """Called once when the differ has finished; a hook for subclasses."""

    def add(self, element: DiffElement) -> None:
        group = self.children[element.type]
        if element.name in group:
            raise ObjectAlreadyExists(f"Already storing a {element.type} named {element.name}", element)
        group[element.name] = element

    def groups(self) -> list[builtins.str]:
        return list(self.children.keys())

    def has_diffs(self) -> bool:
        return any(
            element.has_diffs(include_children=True)
            for group in self.children.values()
            for element in group.values()
        )

    def summary(self) -> builtins.dict[builtins.str, int]:
        """Counts per action, plus `skip`: the objects the differ looked at but did not pair."""
        totals = dict.fromkeys(_SUMMARY_KEYS, 0)
        for group in self.children.values():
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
        for group in list(self.children.keys()):
            order = getattr(self, f"order_children_{group}", self.order_children_default)
            yield from order(self.children[group])

    def str(self, indent: int = 0) -> builtins.str:
        """The elements that have diffs, as an indented tree; `(no diffs)` when there are none."""
        margin = " " * indent
        lines = []
        for group, elements in self.children.items():
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
    __slots__ = (
        "child_diff",
        "dest_attrs",
        "dest_name",
        "keys",
        "name",
        "source_attrs",
        "source_name",
        "type",
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
        self.type = obj_type
        self.name = name
        self.keys = keys
        self.source_name = source_name
        self.dest_name = dest_name
        self.source_attrs: Attrs | None = None
        self.dest_attrs: Attrs | None = None
        self.child_diff = diff_class()

    def __lt__(self, other: DiffElement) -> bool:
        return (self.type, self.name) < (other.type, other.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DiffElement):
            return NotImplemented
        return (
            self.type == other.type
            and self.name == other.name
            and self.keys == other.keys
            and self.source_attrs == other.source_attrs
            and self.dest_attrs == other.dest_attrs
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __str__(self) -> builtins.str:
        return (
            f'{self.type} "{self.name}" : {self.keys} : '
            f"{self.source_name} → {self.dest_name} : {self.get_attrs_diffs()}"
        )

    def __len__(self) -> int:
        return 1 + len(self.child_diff)

    @property
    def action(self) -> builtins.str | None:
        """`create`, `update`, `delete`, or None when nothing changes."""
        source, dest = self.source_attrs, self.dest_attrs
        if source is not None and dest is None:
            return DiffSyncActions.CREATE
        if source is None and dest is not None:
            return DiffSyncActions.DELETE
        if source is not None and dest is not None:
            for key in dest:
                if key in source and source[key] != dest[key]:
                    return DiffSyncActions.UPDATE
        return DiffSyncActions.NO_CHANGE

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
        source, dest = self.source_attrs, self.dest_attrs
        if source is not None and dest is not None:
            return [key for key in dest if key in source]
        if source is not None:
            return source.keys()
        if dest is not None:
            return dest.keys()
        return []

    def get_attrs_diffs(self) -> builtins.dict[builtins.str, Attrs]:
        """`{"+": new values, "-": old values}` for the attributes that differ."""
        source, dest = self.source_attrs, self.dest_attrs
        if source is not None and dest is not None:
            changed = [key for key in dest if key in source and source[key] != dest[key]]
            return {"-": {key: dest[key] for key in changed}, "+": {key: source[key] for key in changed}}
        if source is not None:
            return {"+": dict(source)}
        if dest is not None:
            return {"-": dict(dest)}
        return {}

    def has_diffs(self, include_children: bool = True) -> bool:
        source, dest = self.source_attrs, self.dest_attrs
        if (source is None) != (dest is None):
            return True
        if source is not None and dest is not None:
            for key in dest:
                if key in source and source[key] != dest[key]:
                    return True
        return include_children and self.child_diff.has_diffs()

    def add_child(self, element: DiffElement) -> None:
        self.child_diff.add(element)

    def get_children(self) -> Iterator[DiffElement]:
        yield from self.child_diff.get_children()

    def summary(self) -> builtins.dict[builtins.str, int]:
        totals = dict.fromkeys(_SUMMARY_KEYS, 0)
        totals[self.action or "no-change"] += 1
        child_summary = self.child_diff.summary()
        for key in totals:
            totals[key] += child_summary[key]
        return totals

    def str(self, indent: int = 0) -> builtins.str:
        margin = " " * indent
        first_line = f"{margin}{self.type}: {self.name}"
        detail_lines = []
        if self.source_attrs is not None and self.dest_attrs is not None:
            diffs = self.get_attrs_diffs()
            for attr, new_value in diffs["+"].items():
                detail_lines.append(
                    f"{margin}  {attr}    {self.source_name}({new_value})    "
                    f"{self.dest_name}({diffs['-'][attr]})"
                )
        elif self.dest_attrs is not None:
            first_line += f" MISSING in {self.source_name}"
        elif self.source_attrs is not None:
            first_line += f" MISSING in {self.dest_name}"
        if self.child_diff.has_diffs():
            detail_lines.append(self.child_diff.str(indent + 2))
        elif self.source_attrs is None and self.dest_attrs is None:
            first_line += " (no diffs)"
        return "\n".join([first_line, *detail_lines])

    def dict(self) -> Attrs:
        result: Attrs = {}
        diffs = self.get_attrs_diffs()
        if "-" in diffs:
            result["-"] = diffs["-"]
        if "+" in diffs:
            result["+"] = diffs["+"]
        if self.child_diff.has_diffs():
            result.update(self.child_diff.dict())
        return result

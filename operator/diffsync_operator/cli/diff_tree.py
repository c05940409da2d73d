"""A stored diff printed as `Diff.str()` prints it, one element at a time.

`tree_lines` takes the element records of a stored diff (`stages.diff_codec`, in pre-order)
and yields the lines of the same indented tree `Diff.str()` gives for the rebuilt Diff,
without building it: a 100k-element diff is printed holding one element and the group
headings of its ancestors. Elements whose record says nothing changed (`changed: false`,
themselves and below) are left out, as `Diff.str()` leaves them out. The tests compare the
two on generated diffs, so a change to the library's format shows there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from diffsync_operator.stages.diff_codec import element_from_record

NO_DIFFS = "(no diffs)"


def element_lines(record: dict[str, Any], indent: int) -> list[str]:
    """An element's own lines, by `DiffElement.str()`: its name, then its changed attributes."""
    element = element_from_record(record)  # without children: its lines alone
    if element.source_attrs is None and element.dest_attrs is None:
        # Printed only for its changed children, which str() would miss here and say "(no diffs)".
        return [f"{' ' * indent}{element.type}: {element.name}"]
    return element.str(indent).split("\n")


def tree_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The lines of the tree (module docstring); `(no diffs)` when nothing changed."""
    headings: list[set[str]] = [set()]  # per depth: the groups already headed under the open parent
    printed = False
    for record in records:
        depth = int(record["depth"])
        del headings[depth + 1 :]
        if record.get("changed", True):
            group = str(record["type"])
            if group not in headings[depth]:
                headings[depth].add(group)
                yield " " * (4 * depth) + group
            yield from element_lines(record, 4 * depth + 2)
            printed = True
        headings.append(set())  # the children of this element start their own groups
    if not printed:
        yield NO_DIFFS

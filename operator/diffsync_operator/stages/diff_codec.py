"""A Diff as JSON lines and back: stored by the diff stage, replayed by the sync, paged by readers.

The format (version 2) is one JSON document per line, never pickle, so any tool can read a
job's diff, and a reader can page through it without holding more than a page:

    {"format": 2, "models_processed": 41, "elements": 7, "summary": {"create": 2, ...}}
    {"depth": 0, "type": "shelf", "name": "a1", "keys": {...}, "source_name": "yaml",
     "dest_name": "sqlite", "source_attrs": {...} | null, "dest_attrs": {...} | null,
     "changed": true}
    {"depth": 1, "type": "item", ...}                     <- a child of the line above

The first line is the header: `elements` counts the lines after it, `summary` is
`Diff.summary()`. Elements follow in pre-order (an element, then its children, each at
`depth` one more than its parent), in `get_children()` order, so a custom Diff class's
ordering is what the sync stage replays. `changed` says whether the element or anything
below it differs (`has_diffs(include_children=True)`), which a reader printing only the
changes needs before it reaches the children. Attribute values go through pydantic's JSON
conversion (dates become ISO strings, enums their values); a model's `create()` validates
them back, while `update()` receives them as JSON values.

Format 1 (one JSON document holding the whole tree) made the sync stage and every reader
load the whole diff at once; a job written by it is diffed again (its sync reads no diff).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from diffsync.diff import Diff, DiffElement

FORMAT_VERSION = 2


@dataclass(frozen=True)
class DiffHeader:
    """The first line of a stored diff."""

    models_processed: int
    elements: int
    summary: dict[str, int]

    def to_line(self) -> str:
        """The header as its JSON line."""
        return _line(
            {
                "format": FORMAT_VERSION,
                "models_processed": self.models_processed,
                "elements": self.elements,
                "summary": self.summary,
            }
        )

    @classmethod
    def from_line(cls, line: str | bytes) -> DiffHeader:
        """The header from its line; ValueError for anything else (another format, not JSON)."""
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            found = data.get("format") if isinstance(data, dict) else None
            raise ValueError(f"stored diff has format {found!r}, this version reads format {FORMAT_VERSION}")
        return cls(
            models_processed=int(data.get("models_processed", 0)),
            elements=int(data["elements"]),
            summary={str(key): int(value) for key, value in data.get("summary", {}).items()},
        )


def _line(data: dict[str, Any]) -> str:
    return json.dumps(to_jsonable_python(data), separators=(",", ":"))


def _element_record(element: DiffElement, depth: int) -> dict[str, Any]:
    return {
        "depth": depth,
        "type": element.type,
        "name": element.name,
        "keys": element.keys,
        "source_name": element.source_name,
        "dest_name": element.dest_name,
        "source_attrs": element.source_attrs,
        "dest_attrs": element.dest_attrs,
        "changed": element.has_diffs(include_children=True),
    }


def _walk(elements: Iterable[DiffElement], depth: int) -> Iterator[tuple[DiffElement, int]]:
    for element in elements:
        yield element, depth
        yield from _walk(element.get_children(), depth + 1)


def encode(diff: Diff) -> Iterator[str]:
    """The lines of `diff`: the header, then every element in pre-order (module docstring).

    A generator: the caller writes the lines in batches, never as one string.
    """
    header = DiffHeader(models_processed=diff.models_processed, elements=len(diff), summary=diff.summary())
    yield header.to_line()
    for element, depth in _walk(diff.get_children(), 0):
        yield _line(_element_record(element, depth))


def element_from_record(record: dict[str, Any], diff_class: type[Diff] = Diff) -> DiffElement:
    """One element of a stored diff, without its children."""
    element = DiffElement(
        obj_type=record["type"],
        name=record["name"],
        keys=record["keys"],
        source_name=record.get("source_name", "source"),
        dest_name=record.get("dest_name", "dest"),
        diff_class=diff_class,
    )
    element.add_attrs(source=record.get("source_attrs"), dest=record.get("dest_attrs"))
    return element


def parse_record(line: str | bytes) -> dict[str, Any]:
    """An element line as a dict; ValueError if it is not one."""
    record = json.loads(line)
    if not isinstance(record, dict) or not isinstance(record.get("depth"), int):
        raise ValueError(f"not an element of a stored diff: {str(line)[:200]!r}")
    return record


class DiffBuilder:
    """Rebuild a Diff from its element lines, fed in order (`add`), a page at a time."""

    def __init__(self, header: DiffHeader, diff_class: type[Diff] = Diff) -> None:
        self.header = header
        self.diff_class = diff_class
        self.diff = diff_class()
        self.diff.models_processed = header.models_processed
        self.added = 0
        self._parents: list[DiffElement] = []  # the open element at each depth

    def add(self, line: str | bytes) -> None:
        """Add the next element line; ValueError when its depth does not fit the lines before."""
        record = parse_record(line)
        depth = record["depth"]
        if not 0 <= depth <= len(self._parents):
            raise ValueError(
                f"element {self.added + 1} of the stored diff is at depth {depth} without a parent"
            )
        element = element_from_record(record, self.diff_class)
        del self._parents[depth:]
        if depth == 0:
            self.diff.add(element)
        else:
            self._parents[-1].add_child(element)
        self._parents.append(element)
        self.added += 1

    def finish(self) -> Diff:
        """The Diff; ValueError unless exactly the header's number of elements was added."""
        if self.added != self.header.elements:
            raise ValueError(
                f"the stored diff holds {self.added} elements, its header says {self.header.elements}"
            )
        return self.diff


def decode(lines: Iterable[str | bytes], diff_class: type[Diff] = Diff) -> Diff:
    """Rebuild a Diff from all of `encode`'s lines (header first)."""
    iterator = iter(lines)
    try:
        first = next(iterator)
    except StopIteration:
        raise ValueError("the stored diff is empty: it has no header line") from None
    builder = DiffBuilder(DiffHeader.from_line(first), diff_class)
    for line in iterator:
        builder.add(line)
    return builder.finish()

"""Store a Diff as JSON and rebuild it, so the diff stage and the sync stage can be two pods.

The format (version 1) is plain JSON, never pickle, so any tool can read a job's diff:

    {"format": 1, "models_processed": 41, "elements": [ELEMENT, ...]}
    ELEMENT = {"type": "device", "name": "r1", "keys": {...},
               "source_name": "yaml", "dest_name": "sqlite",
               "source_attrs": {...} | null, "dest_attrs": {...} | null,
               "children": [ELEMENT, ...]}

Elements are written in `get_children()` order, so a custom Diff class's ordering is what
the sync stage replays. Attribute values go through pydantic's JSON conversion (dates become
ISO strings, enums their values); a model's `create()` validates them back, while `update()`
receives them as JSON values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic_core import to_jsonable_python

from diffsync.diff import Diff, DiffElement

FORMAT_VERSION = 1


def _element_to_dict(element: DiffElement) -> dict[str, Any]:
    return {
        "type": element.type,
        "name": element.name,
        "keys": element.keys,
        "source_name": element.source_name,
        "dest_name": element.dest_name,
        "source_attrs": element.source_attrs,
        "dest_attrs": element.dest_attrs,
        "children": [_element_to_dict(child) for child in element.get_children()],
    }


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    """The JSON-ready form of `diff` (see the module docstring)."""
    return {
        "format": FORMAT_VERSION,
        "models_processed": diff.models_processed,
        "elements": [_element_to_dict(element) for element in diff.get_children()],
    }


def dumps(diff: Diff) -> str:
    """`diff` as compact JSON text."""
    return json.dumps(to_jsonable_python(diff_to_dict(diff)), separators=(",", ":"))


def _element_from_dict(data: dict[str, Any], diff_class: type[Diff]) -> DiffElement:
    element = DiffElement(
        obj_type=data["type"],
        name=data["name"],
        keys=data["keys"],
        source_name=data.get("source_name", "source"),
        dest_name=data.get("dest_name", "dest"),
        diff_class=diff_class,
    )
    element.add_attrs(source=data.get("source_attrs"), dest=data.get("dest_attrs"))
    for child in data.get("children", ()):
        element.add_child(_element_from_dict(child, diff_class))
    return element


def diff_from_dict(data: dict[str, Any], diff_class: type[Diff] = Diff) -> Diff:
    """Rebuild a Diff from `diff_to_dict` output; raises ValueError for another format."""
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"stored diff has format {data.get('format')!r}, this version reads format {FORMAT_VERSION}"
        )
    diff = diff_class()
    elements: Iterable[dict[str, Any]] = data.get("elements", ())
    for element in elements:
        diff.add(_element_from_dict(element, diff_class))
    diff.models_processed = int(data.get("models_processed", 0))
    return diff


def loads(text: str | bytes, diff_class: type[Diff] = Diff) -> Diff:
    """Rebuild a Diff from `dumps` output."""
    return diff_from_dict(json.loads(text), diff_class)

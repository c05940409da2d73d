"""A diff as a plan people approve: its id, its counts per model and action, a sample.

The plan id is the SHA-256 (hex) of the *canonical diff*, defined so that the same changes
give the same id in any process, on any store, whatever order the objects were loaded in:

1. Every element of the diff whose action is create, update or delete, at any depth, is one
   change; elements without a change (no-change parents of changed children) are not.
2. A change is the JSON array `[path, action, attributes]`:
   - `path`: `[[model, unique id, identifiers], ...]` from the top-level ancestor down to the
     element itself (identifiers as the object's `keys` mapping);
   - `action`: `"create"`, `"update"` or `"delete"`;
   - `attributes`: `DiffElement.get_attrs_diffs()`: `{"+": new values}` for a create,
     `{"-": old values}` for a delete, both (only the attributes that differ) for an update,
     i.e. exactly what the sync writes and what it overwrites or removes.
3. Values are made JSON the way the diff is stored (pydantic's JSON mode: dates as ISO
   strings, enums as their values), with every set or frozenset turned into a list sorted
   by the JSON of its items (a set's iteration order changes with the hash seed).
4. Each change is written as JSON with sorted keys, no whitespace, non-ASCII kept as UTF-8;
   the changes are sorted by that text; the canonical diff is the line `diffsync-plan/1`
   followed by one line per change, joined with `\\n`, encoded as UTF-8.

The adapters' names, `models_processed` and the order of the elements are not part of it.
The id is computed from the `Diff` object in the diff stage, never from the stored diff
text, so a change of how the diff is stored cannot move an id. The sample is the first
changes in canonical order (so it is stable for a given id), values shortened and redacted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from diffsync.diff import Diff, DiffElement
from diffsync_operator.api.spec import REDACT_ALL
from diffsync_operator.api.status import (
    OTHER_MODELS,
    PLAN_MODELS,
    PLAN_SAMPLE_ATTRIBUTES,
    PLAN_SAMPLE_SIZE,
    PLAN_VALUE_LENGTH,
    AttributeChange,
    DiffPlan,
    ModelChanges,
    PlanChange,
)

#: The first line of every canonical diff; a new definition gets a new version (and new ids).
CANONICAL_HEADER = "diffsync-plan/1"
MASK = "***"
_ACTIONS = ("create", "update", "delete")


def canonical_value(value: Any) -> Any:
    """`value` as JSON-ready data with sets sorted (see the module docstring, rule 3)."""
    if isinstance(value, (set, frozenset)):
        items = [canonical_value(item) for item in value]
        return sorted(items, key=_text)
    if isinstance(value, dict):
        return {str(key): canonical_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical_value(item) for item in value]
    return to_jsonable_python(value)


def _text(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Change:
    """One change of the canonical diff, and the element it came from (for the sample)."""

    line: str
    model: str
    name: str
    action: str
    attrs: dict[str, dict[str, Any]]


def _changes(elements: Iterator[DiffElement], parents: list[list[Any]]) -> Iterator[Change]:
    for element in elements:
        path = [*parents, [element.type, element.name, canonical_value(element.keys)]]
        action = element.action
        if action in _ACTIONS:
            attrs = canonical_value(element.get_attrs_diffs())
            yield Change(_text([path, action, attrs]), element.type, element.name, str(action), attrs)
        yield from _changes(element.get_children(), path)


def canonical_changes(diff: Diff) -> list[Change]:
    """Every change of `diff`, in canonical order."""
    return sorted(_changes(diff.get_children(), []), key=lambda change: change.line)


def canonical_bytes(changes: list[Change]) -> bytes:
    """The canonical diff of `changes` (already in canonical order)."""
    return "\n".join([CANONICAL_HEADER, *(change.line for change in changes)]).encode()


def plan_id(diff: Diff) -> str:
    """The id of `diff`'s plan: SHA-256 of its canonical diff, 64 hex digits."""
    return hashlib.sha256(canonical_bytes(canonical_changes(diff))).hexdigest()


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else _text(value)
    return text if len(text) <= PLAN_VALUE_LENGTH else text[:PLAN_VALUE_LENGTH] + "..."


def sample_change(change: Change, redact: Collection[str]) -> PlanChange:
    """`change` for the sample: deletes name the object only; values shortened and masked."""
    names = [] if change.action == "delete" else sorted(change.attrs.get("+", {}))
    masked = REDACT_ALL in redact

    def shown(side: str, name: str) -> str | None:
        values = change.attrs.get(side, {})
        if name not in values:
            return None
        return MASK if masked or name in redact else _shown(values[name])

    attributes = [
        AttributeChange(name=name[:128], before=shown("-", name), after=shown("+", name))
        for name in names[:PLAN_SAMPLE_ATTRIBUTES]
    ]
    omitted = len(names) - len(attributes)
    return PlanChange(
        model=change.model[:128],
        id=change.name[:256],
        action=change.action,
        attributes=attributes,
        omitted_attributes=omitted or None,
    )


def _model_counts(changes: list[Change]) -> list[ModelChanges]:
    counts: dict[str, dict[str, int]] = {}
    for change in changes:
        row = counts.setdefault(change.model, dict.fromkeys(_ACTIONS, 0))
        row[change.action] += 1
    models = [ModelChanges(model=name[:128], **row) for name, row in sorted(counts.items())]
    if len(models) <= PLAN_MODELS:
        return models
    rest = models[PLAN_MODELS:]
    other = ModelChanges(
        model=OTHER_MODELS,
        create=sum(m.create for m in rest),
        update=sum(m.update for m in rest),
        delete=sum(m.delete for m in rest),
    )
    return [*models[:PLAN_MODELS], other]


def plan_of(diff: Diff, *, sample_size: int = PLAN_SAMPLE_SIZE, redact: Collection[str] = ()) -> DiffPlan:
    """The plan of `diff`: id, counts per model and action, and up to `sample_size` changes."""
    changes = canonical_changes(diff)
    size = max(0, min(sample_size, PLAN_SAMPLE_SIZE))
    return DiffPlan(
        id=hashlib.sha256(canonical_bytes(changes)).hexdigest(),
        changes=len(changes),
        models=_model_counts(changes),
        sample=[sample_change(change, set(redact)) for change in changes[:size]],
    )

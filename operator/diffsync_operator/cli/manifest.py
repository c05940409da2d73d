"""Read a SyncJob manifest and check it against the same pydantic models the CRD is made of.

Every problem becomes one line that starts with the field's path in the manifest
(`spec.source.adapter: ...`), says what is wrong and, where we can tell, how to fix it.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from diffsync_operator.api.resource import SyncJob
from diffsync_operator.cli.errors import InvalidInput

# Friendlier wording for the string patterns of the models, keyed by the field's name.
_PATTERN_HINTS = {
    "adapter": 'must be "package.module:Class" (e.g. examples.directory.hr_source:HrSource)',
    "name": 'must be a lowercase DNS name: letters, digits, "-" and ".", starting and ending alphanumeric',
    "url": "must start with redis://, rediss:// or unix://",
    "storeId": 'must start with a letter or digit and hold only letters, digits, ".", "_", "/" and "-"',
}


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(manifest)"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at `loc` (for suggesting known field names)."""
    current: Any = SyncJob
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next(
            (f for n, f in current.model_fields.items() if part in (n, f.alias)),
            None,
        )
        if field is None:
            return None
        current = field.annotation
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X, `list[X]` -> X."""
    while True:
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if (origin in (typing.Union, types.UnionType) and len(args) == 1) or (origin is list and args):
            annotation = args[0]
        else:
            return annotation


def _known_fields(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def describe(error: dict[str, Any]) -> str:
    """One line for one pydantic error: `field.path: what is wrong; how to fix it`."""
    loc: tuple[int | str, ...] = tuple(error["loc"])
    kind = error["type"]
    where = _path(loc)
    got = error.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        known = _known_fields(parent) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = (
            f'; did you mean "{close[0]}"?'
            if close
            else (f"; known fields: {', '.join(known)}" if known else "")
        )
        return f"{where}: unknown field{hint}"
    if kind == "missing":
        return f"{where}: required field is missing"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(loc[-1]), f"must match {error.get('ctx', {}).get('pattern')}")
        return f"{where}: {hint}; got {got!r}"
    if kind == "literal_error" and loc and loc[-1] in ("apiVersion", "kind"):
        expected = "diffsync.io/v1alpha1" if loc[-1] == "apiVersion" else "SyncJob"
        return f"{where}: must be {expected!r}; got {got!r}"
    shows_input = kind.endswith(("_type", "_parsing")) or kind in ("enum", "literal_error")
    return f"{where}: {error['msg']}" + (f"; got {got!r}" if shows_input else "")


def problems(error: ValidationError) -> list[str]:
    """Every problem of a failed validation, one line each, in manifest order."""
    return [describe(dict(item)) for item in error.errors()]


def parse_yaml(text: str, source: str) -> dict[str, Any]:
    """The one mapping document in `text`; InvalidInput naming the line for anything else."""
    import yaml

    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(error, "problem", None) or str(error)
        raise InvalidInput(f"{where}: not valid YAML: {problem}") from error
    if len(documents) != 1:
        raise InvalidInput(f"{source}: expected one SyncJob document, found {len(documents)}")
    if not isinstance(documents[0], dict):
        raise InvalidInput(
            f"{source}: expected a mapping (apiVersion, kind, metadata, spec), got {documents[0]!r}"
        )
    return documents[0]


def load(path: str | Path) -> SyncJob:
    """Read and validate the manifest at `path`; InvalidInput with one line per problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"{file}: cannot read the manifest: {error.strerror or error}") from error
    manifest = parse_yaml(text, str(file))
    try:
        job = SyncJob.from_manifest(manifest)
    except ValidationError as error:
        raise InvalidInput(*problems(error)) from error
    beyond = beyond_schema(job)
    if beyond:
        raise InvalidInput(*beyond)
    return job


def beyond_schema(job: SyncJob) -> list[str]:
    """Problems the schema cannot express that matter wherever the job runs (the operator
    refuses them too); the cluster-only ones (no image, no Redis) are left to the operator."""
    found = []
    for side in ("source", "target"):
        for index, var in enumerate(getattr(job.spec, side).env):
            if var.value is not None and var.value_from is not None:
                found.append(f"spec.{side}.env[{index}] ({var.name}): set value or valueFrom, not both")
    return found

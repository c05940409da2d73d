"""Read a SyncJob (or SyncSchedule) manifest and check it against the models the CRDs are made of.

Every problem becomes one line that starts with the field's path in the manifest
(`spec.source.adapter: ...`), says what is wrong and, where we can tell, how to fix it.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from diffsync_operator.api.corev1 import FIELD_PATH, RESOURCE_FIELD
from diffsync_operator.api.formats import CONFIG_KEY, DNS_SUBDOMAIN, ENV_VAR_NAME, LABEL_VALUE, anchored
from diffsync_operator.api.resource import ObjectMeta, SyncJob, SyncSchedule
from diffsync_operator.api.spec import ADAPTER_PATH_PATTERN, REDIS_URL_PATTERN, STORE_ID_PATTERN
from diffsync_operator.cli import yaml_text
from diffsync_operator.cli.errors import InvalidInput

#: The kinds `diffsync validate` and `diffsync run` read.
KINDS: dict[str, type[SyncJob] | type[SyncSchedule]] = {"SyncJob": SyncJob, "SyncSchedule": SyncSchedule}

# Friendlier wording for the string patterns of the models, keyed by the pattern.
_PATTERN_HINTS = {
    ADAPTER_PATH_PATTERN: 'must be "package.module:Class" (e.g. examples.directory.hr_source:HrSource)',
    anchored(DNS_SUBDOMAIN): 'must be a lowercase DNS name: letters, digits, "-" and ".", '
    "each part starting and ending alphanumeric",
    REDIS_URL_PATTERN: "must start with redis://, rediss://, unix:// or redis+cluster://",
    STORE_ID_PATTERN: "must start with a letter or digit and hold only letters, digits, "
    '".", "_", "/" and "-"',
    anchored(LABEL_VALUE): 'must be empty or at most 63 of A-Z a-z 0-9 "-" "_" ".", '
    "starting and ending alphanumeric",
    anchored(ENV_VAR_NAME): 'must be letters, digits, "_", "-" and ".", not starting with a digit',
    anchored(f"({ENV_VAR_NAME})?"): 'must be letters, digits, "_", "-" and ".", not starting with a digit',
    anchored(CONFIG_KEY): 'must be letters, digits, "-", "_" and "."',
    anchored(RESOURCE_FIELD): "must be limits.<resource> or requests.<resource> (cpu, memory, ...)",
    anchored(FIELD_PATH): "must be a pod field the downward API offers, e.g. metadata.name",
}


_PLAIN_KEY = re.compile(r"[!-~]+")  # printable ASCII without spaces: shown as it is


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            text += f"[{part!r}]"  # a key with spaces, newlines or non-ASCII: quoted
        else:
            text += f".{part}" if text else part
    return text or "(manifest)"


def _model_at(loc: tuple[int | str, ...], root: type[BaseModel] = SyncJob) -> type[BaseModel] | None:
    """The model class that holds the field at `loc` (for suggesting known field names)."""
    current: Any = root
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


def _short(value: Any) -> str:
    """`repr(value)`, cut to a length one line can show."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe(error: dict[str, Any], root: type[BaseModel] = SyncJob) -> str:
    """One line for one pydantic error: `field.path: what is wrong; how to fix it`."""
    loc: tuple[int | str, ...] = tuple(error["loc"])
    kind = error["type"]
    where = _path(loc)
    got = error.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1], root)
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
        pattern = str(error.get("ctx", {}).get("pattern"))
        hint = _PATTERN_HINTS.get(pattern, f"must match {pattern}")
        return f"{where}: {hint}; got {_short(got)}"
    if kind == "literal_error" and loc and loc[-1] in ("apiVersion", "kind"):
        expected = "diffsync.io/v1alpha1" if loc[-1] == "apiVersion" else root.__name__
        return f"{where}: must be {expected!r}; got {_short(got)}"
    if kind == "value_error":  # our own validators' messages say what is wrong and how to fix it
        return f"{where}: {error.get('ctx', {}).get('error', error['msg'])}"
    shows_input = kind.endswith(("_type", "_parsing")) or kind in ("enum", "literal_error")
    return f"{where}: {error['msg']}" + (f"; got {_short(got)}" if shows_input else "")


def problems(error: ValidationError, root: type[BaseModel] = SyncJob) -> list[str]:
    """Every problem of a failed validation, one line each, in manifest order."""
    return [describe(dict(item), root) for item in error.errors()]


def parse_yaml(text: str, source: str) -> dict[str, Any]:
    """The one mapping document in `text`; InvalidInput naming the line for anything else."""
    documents = yaml_text.load_documents(text, source)
    if len(documents) != 1:
        raise InvalidInput(f"{source}: expected one SyncJob or SyncSchedule document, found {len(documents)}")
    if not isinstance(documents[0], dict):
        raise InvalidInput(
            f"{source}: expected a mapping (apiVersion, kind, metadata, spec), got {documents[0]!r:.80}"
        )
    return documents[0]


def validate(manifest: dict[str, Any]) -> SyncJob | SyncSchedule:
    """The SyncJob or SyncSchedule in `manifest` (data as kubectl would send it), by its `kind`;
    InvalidInput, one line a problem.

    Validation is strict, the way the API server reads JSON: `true` is no integer and "5" no
    number, and every rule of the CRD (`api.rules`) is checked here too.
    """
    problem = yaml_text.json_problem(manifest)
    if problem:
        raise InvalidInput(problem)
    model = KINDS.get(str(manifest.get("kind")), SyncJob)
    try:
        return model.model_validate_json(json.dumps(manifest), strict=True)
    except ValidationError as error:
        raise InvalidInput(*problems(error, model)) from error


def load_resource(path: str | Path) -> SyncJob | SyncSchedule:
    """Read and validate the manifest at `path`; InvalidInput with one line per problem."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{file}: cannot read the manifest: {error.strerror or error}") from error
    return validate(parse_yaml(yaml_text.decode(data, str(file)), str(file)))


def load(path: str | Path) -> SyncJob:
    """The SyncJob at `path`; for a SyncSchedule, one run of its template (as the schedule makes)."""
    resource = load_resource(path)
    if isinstance(resource, SyncJob):
        return resource
    template = resource.spec.job_template
    meta = ObjectMeta(
        name=resource.metadata.name,
        namespace=resource.metadata.namespace,
        labels=template.metadata.labels if template.metadata else None,
    )
    return SyncJob(api_version=resource.api_version, kind="SyncJob", metadata=meta, spec=template.spec)

"""Manifest text to data, the way kubectl reads it, or one line saying what is wrong.

PyYAML's safe loader differs from kubectl's YAML (YAML 1.2 numbers, JSON values) in ways
that would let a manifest mean one thing here and another on the cluster, so the loader
here:

- refuses a key given twice in one mapping (`mode:` twice: PyYAML keeps the last silently);
- reads `1e30` and `1E+3` as numbers, as kubectl does (PyYAML wants a dot: `1.0e+30`); a
  number too large for a float stays text, as kubectl leaves it;
- keeps timestamps as text (kubectl sends them as strings) and refuses values JSON has no
  form for (binary, sets, infinities), naming where they are;
- refuses bytes that are not UTF-8, naming the line and column of the first;
- refuses a document whose aliases expand it beyond `MAX_EXPANDED_VALUES` (a "billion laughs"
  manifest): PyYAML shares an aliased node, but every reader after it (the JSON check, pydantic,
  the JSON sent to the API server) walks the expanded tree, exponential in the nesting.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from diffsync_operator.cli.errors import InvalidInput

# Far beyond any real manifest (a SyncJob has a few hundred values), far below what hurts.
MAX_EXPANDED_VALUES = 1_000_000

# A YAML 1.2 float: digits with a dot and/or an exponent (the sign of the exponent optional).
_FLOAT_1_2 = re.compile(
    r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(?:inf|Inf|INF)|[-+]\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class ManifestLoader(yaml.SafeLoader):
    """SafeLoader with kubectl's numbers, no timestamps and no repeated keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"a mapping key must be text, not {type(key).__name__}", key_node.start_mark
                )
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line {first})", key_node.start_mark
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_kubectl_float(self, node: yaml.ScalarNode) -> Any:
        text = self.construct_scalar(node)
        value = self.construct_yaml_float(node)
        if math.isinf(value) and "inf" not in str(text).lower():
            return str(text)  # too large for a float: kubectl keeps such a number as text
        return value


# The resolvers are class-level lists shared with SafeLoader: copy before changing ours.
ManifestLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ManifestLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_1_2, list("-+0123456789."))
ManifestLoader.add_constructor("tag:yaml.org,2002:float", ManifestLoader.construct_kubectl_float)
ManifestLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    ManifestLoader.construct_yaml_str,  # type: ignore[type-var]  # the stubs' bound is too narrow
)


def decode(data: bytes, source: str) -> str:
    """`data` as UTF-8 text; InvalidInput naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise InvalidInput(
            f"{source}:{line}:{column}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the manifest as UTF-8"
        ) from error


def _where(path: str) -> str:
    return path or "(manifest)"


def json_problem(node: Any, path: str = "") -> str | None:
    """The first value JSON (and so the API server) has no form for, as `path: what`."""
    if isinstance(node, dict):
        for key, value in node.items():
            found = json_problem(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(node, list):
        for index, value in enumerate(node):
            found = json_problem(value, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(node, float) and not math.isfinite(node):
        return f"{_where(path)}: {node} is not a number JSON can carry"
    if node is None or isinstance(node, (str, int, float, bool)):
        return None
    return f"{_where(path)}: a YAML {type(node).__name__} has no JSON form; write it as text"


def expanded_size(node: Any, limit: int = MAX_EXPANDED_VALUES) -> int:
    """How many values `node` holds once its aliases are expanded; stops counting past `limit`.

    Linear in the loaded (shared) nodes: each container's size is computed once, by identity.
    """
    sizes: dict[int, int] = {}

    def size(value: Any) -> int:
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            return 1
        known = sizes.get(id(value))
        if known is None:
            known = 1
            for child in children:
                known += size(child)
                if known > limit:
                    break
            sizes[id(value)] = known
        return known

    return size(node)


def load_documents(text: str, source: str) -> list[Any]:
    """Every non-empty YAML document of `text`; InvalidInput naming the line for anything else."""
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=ManifestLoader) if doc is not None]
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, e.g. NUL
        before = text[: error.position]
        where = f"{source}:{before.count(chr(10)) + 1}:{error.position - (before.rfind(chr(10)) + 1) + 1}"
        raise InvalidInput(
            f"{where}: not valid YAML: character {error.character!r} is not allowed ({error.reason})"
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise InvalidInput(f"{where}: not valid YAML: {problem}") from error
    except RecursionError as error:  # a document nested thousands deep
        raise InvalidInput(f"{source}: not valid YAML: nested too deeply") from error
    for number, document in enumerate(documents, start=1):
        if expanded_size(document) > MAX_EXPANDED_VALUES:
            raise InvalidInput(
                f"{source}: document {number}: its YAML aliases (*name) expand to more than "
                f"{MAX_EXPANDED_VALUES:,} values; write the repeated parts out, or alias fewer times"
            )
    return documents

"""Hypothesis strategies: SyncJob manifests drawn from the CRD's own schema, then mutated.

`manifests()` walks the generated CRD's spec schema: strings from their patterns, integers
within their bounds, enums, maps with keys in the formats their CEL rules ask for, and
quantities. Most of what it draws is valid. `mutated()` then damages one or two places:
another type, an integer past a bound or far past int64, unicode or very long text, a
missing required field, an unknown field, a bad name. `yaml_texts()` renders a manifest as
YAML and may repeat a key or put bytes in that are not UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from diffsync_operator.api import crd, formats
from diffsync_operator.api.corev1 import RESOURCE_NAMES
from hypothesis import strategies as st

SPEC_SCHEMA: dict[str, Any] = crd.build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"][
    "properties"
]["spec"]

_KEYS = {"limits": st.sampled_from([*RESOURCE_NAMES, "hugepages-2Mi", "example.com/gpu"])}
_KEYS["requests"] = _KEYS["limits"]
_QUALIFIED = st.one_of(
    st.sampled_from(["app", "example.com/team", "a.b-c_d", "kubernetes.io/os", "x" * 63]),
    st.from_regex(formats.anchored(formats.QUALIFIED_NAME), fullmatch=True).filter(lambda k: len(k) < 120),
)
_QUANTITY = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["500m", "1", "1.5Gi", "2e3", "1Ki", "0", ".5", "1."]),
    st.from_regex(formats.anchored(formats.QUANTITY), fullmatch=True).filter(lambda q: len(q) <= 20),
)
_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))
_FREE_FORM = st.dictionaries(st.text(min_size=1, max_size=8), _JSON_LEAF, max_size=3)


def _string(node: dict[str, Any]) -> st.SearchStrategy[str]:
    low, high = node.get("minLength", 0), node.get("maxLength", 40)
    if "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: low <= len(s) <= high)
    return st.text(min_size=low, max_size=min(high, 40))


def from_schema(node: dict[str, Any], name: str = "") -> st.SearchStrategy[Any]:
    """Values of one structural schema node (mostly valid; CEL rules are not solved for)."""
    if node.get("x-kubernetes-int-or-string"):
        return _QUANTITY
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return _FREE_FORM
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "object" and "properties" in node:
        required = set(node.get("required", []))
        props = node["properties"]
        return st.fixed_dictionaries(
            {key: from_schema(props[key], key) for key in sorted(required)},
            optional={key: from_schema(sub, key) for key, sub in props.items() if key not in required},
        )
    if kind == "object":
        keys = _KEYS.get(name, _QUALIFIED)
        return st.dictionaries(keys, from_schema(node["additionalProperties"], ""), max_size=3)
    if kind == "array":
        return st.lists(from_schema(node["items"], name), max_size=2)
    if kind == "integer":
        low = node.get("minimum", -(2**63))
        high = node.get("maximum", 2**63 - 1)
        edges = [value for value in (low, low + 1, high - 1, high, 0, 1) if low <= value <= high]
        return st.one_of(st.sampled_from(edges), st.integers(min_value=low, max_value=high))
    if kind == "number":
        low, high = node.get("minimum", -1e9), node.get("maximum", 1e9)
        return st.one_of(st.sampled_from([low, high]), st.floats(min_value=low, max_value=high))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _string(node)
    raise AssertionError(f"schema node without a strategy: {node}")


_NAMES = st.one_of(
    st.just("prop"),
    st.from_regex(formats.anchored(formats.DNS_SUBDOMAIN), fullmatch=True).filter(lambda n: len(n) <= 253),
    st.text(max_size=20),
)

BAD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30, -(2**63) - 1, 10**14]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e30, 1e14, 2.0, 0.5, -0.0]),
    st.text(max_size=30),
    st.text(min_size=64, max_size=400),
    st.sampled_from(
        ["", " x", "x ", "500m", "-1", "1e30", "1Gi", "Exists", "NoExecute", "a.b:C", "é", "a b"]
    ),
    st.lists(_JSON_LEAF, max_size=2),
    _FREE_FORM,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        root = root[part]
    return root


_SPECS = from_schema(SPEC_SCHEMA)  # built once: building it is most of a draw's cost


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    """A SyncJob manifest drawn from the schema (valid apart from what only CEL says)."""
    return {
        "apiVersion": "diffsync.io/v1alpha1",
        "kind": "SyncJob",
        "metadata": {"name": "prop"},
        "spec": draw(_SPECS),
    }


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A manifest from `manifests()`, usually with one or two places damaged."""
    manifest = json.loads(json.dumps(draw(manifests())))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        paths = [("spec", *path) for path in _paths(manifest["spec"])]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "name"]))
        if action == "name":
            manifest["metadata"]["name"] = draw(_NAMES)
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(manifest, path)
        if action == "replace":
            parent[path[-1]] = draw(BAD_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(BAD_VALUES)
    return manifest


@st.composite
def yaml_texts(draw: st.DrawFn) -> bytes:
    """A mutated manifest as YAML bytes; sometimes a line repeated or bytes that are not UTF-8."""
    text = yaml.safe_dump(draw(mutated()), sort_keys=False, allow_unicode=True)
    lines = text.splitlines(keepends=True)
    action = draw(st.sampled_from(["none", "none", "repeat", "bytes", "cut"]))
    if action == "repeat" and len(lines) > 1:  # the same key twice, most of the time
        index = draw(st.integers(min_value=1, max_value=len(lines) - 1))
        lines.insert(index, lines[index])
    data = "".join(lines).encode()
    if action == "bytes":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + data[at:]
    if action == "cut":
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    return data

"""The committed CRD is what the models generate, and it is a structural schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from diffsync_operator.api import crd

ROOT = Path(__file__).resolve().parents[2]


def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            found.extend(_walk(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_walk(value, f"{path}[{index}]"))
    return found


def _schema() -> dict[str, Any]:
    return crd.build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_committed_crd_files_match_the_models():
    stale = crd.stale_files(ROOT)
    assert stale == [], f"run `make generate`: {stale}"


def test_check_mode_reports_a_changed_file(tmp_path):
    for path, text in crd.expected_files().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert crd.main(["--root", str(tmp_path), "--check"]) == 0
    target = tmp_path / crd.CRD_DIRS[1] / crd.SYNCJOB.file_name
    target.write_text(target.read_text().replace("default: 2", "default: 3"))
    assert crd.main(["--root", str(tmp_path), "--check"]) == 1


def test_schema_has_no_json_schema_only_keywords():
    forbidden = {"$ref", "$defs", "anyOf", "allOf", "oneOf", "title", "const", "additionalProperties"}
    for path, node in _walk(_schema()):
        bad = forbidden & set(node) - ({"additionalProperties"} if "properties" not in node else set())
        assert not bad, f"{path} uses {bad}"


def test_every_schema_node_with_properties_is_typed_object():
    for path, node in _walk(_schema()):
        if "properties" in node and isinstance(node["properties"], dict) and not path.endswith(".properties"):
            assert node.get("type") == "object", path


def test_preserve_unknown_fields_only_on_free_form_fields():
    preserved = sorted(
        path for path, node in _walk(_schema()) if node.get("x-kubernetes-preserve-unknown-fields")
    )
    assert preserved == [
        ".properties.spec.properties.affinity",
        ".properties.spec.properties.source.properties.params",
        ".properties.spec.properties.target.properties.params",
    ]


def test_spec_defaults_minimums_and_required_are_in_the_schema():
    spec = _schema()["properties"]["spec"]
    props = spec["properties"]
    assert spec["required"] == ["source", "target"]
    assert props["mode"] == {**props["mode"], "default": "diff", "enum": ["diff", "sync"]}
    assert props["backoffLimit"]["default"] == 2
    assert props["backoffLimit"]["minimum"] == 0
    assert props["activeDeadlineSeconds"]["minimum"] == 1
    assert props["ttlSecondsAfterFinished"]["minimum"] == 0
    assert props["source"]["required"] == ["adapter"]


def test_flags_enum_lists_every_diffsyncflags_member():
    from diffsync.enum import DiffSyncFlags

    flags = _schema()["properties"]["spec"]["properties"]["flags"]["items"]["enum"]
    assert flags == list(DiffSyncFlags.__members__)


def test_status_schema_carries_no_defaults():
    status = _schema()["properties"]["status"]
    assert [path for path, node in _walk(status) if "default" in node] == []


def test_resource_names_and_printer_columns():
    spec = crd.build_crd()["spec"]
    assert spec["group"] == "diffsync.io"
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["shortNames"] == ["sj"]
    version = spec["versions"][0]
    assert version["name"] == "v1alpha1"
    assert version["subresources"] == {"status": {}}
    assert [c["name"] for c in version["additionalPrinterColumns"]] == [
        "Phase",
        "Mode",
        "Plan",
        "Approval",
        "Stage",
        "Objects",
        "Create",
        "Update",
        "Delete",
        "Age",
    ]


def test_committed_yaml_parses_to_the_built_crd():
    text = (ROOT / crd.CRD_DIRS[0] / crd.SYNCJOB.file_name).read_text()
    assert yaml.safe_load(text) == crd.build_crd()


def test_the_rules_declared_on_the_models_are_in_the_crd():
    from diffsync_operator.api.corev1 import EnvVar, Toleration

    spec = _schema()["properties"]["spec"]
    ruled = sorted(path for path, node in _walk(spec) if "x-kubernetes-validations" in node)
    for expected in (
        ".properties.podLabels",
        ".properties.podAnnotations",
        ".properties.nodeSelector",
        ".properties.resources",
        ".properties.resources.properties.limits",
        ".properties.resources.properties.limits.additionalProperties",
        ".properties.tolerations.items",
        ".properties.source.properties.env.items",
        ".properties.image",
    ):
        assert expected in ruled, (expected, ruled)
    tolerations = spec["properties"]["tolerations"]["items"]["x-kubernetes-validations"]
    assert tolerations == [rule.schema_entry() for rule in Toleration.object_rules]
    env = spec["properties"]["source"]["properties"]["env"]["items"]["x-kubernetes-validations"]
    assert env == [rule.schema_entry() for rule in EnvVar.object_rules]


@pytest.mark.parametrize("resource", crd.RESOURCES, ids=lambda r: r.kind)
def test_every_integer_of_the_spec_is_bounded(resource):
    spec = crd.build_crd(resource)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    integers = [(path, node) for path, node in _walk(spec) if node.get("type") == "integer"]
    assert integers
    for path, node in integers:
        assert "maximum" in node or node.get("format") == "int64", path

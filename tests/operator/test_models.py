"""SyncJob spec and status models: defaults, validation messages and camelCase."""

from __future__ import annotations

import pytest
from diffsync_operator.api.resource import SyncJob, SyncJobSpec, SyncJobStatus
from pydantic import ValidationError

from diffsync.enum import DiffSyncFlags

MINIMAL = {
    "source": {"adapter": "examples.network.adapters:YamlInventory"},
    "target": {"adapter": "examples.network.adapters:JsonInventory"},
}


def _errors(spec: dict) -> list[str]:
    with pytest.raises(ValidationError) as error:
        SyncJobSpec.model_validate(spec)
    return [".".join(str(part) for part in e["loc"]) for e in error.value.errors()]


def test_minimal_spec_gets_the_documented_defaults():
    spec = SyncJobSpec.model_validate(MINIMAL)
    assert (spec.mode, spec.backoff_limit, spec.suspend, spec.retain_store) == ("diff", 2, False, False)
    assert spec.flags == []
    assert spec.source.params == {}


def test_flags_combine_into_diffsyncflags():
    spec = SyncJobSpec.model_validate({**MINIMAL, "flags": ["CONTINUE_ON_FAILURE", "SKIP_UNMATCHED_DST"]})
    assert spec.flag_value() == DiffSyncFlags.CONTINUE_ON_FAILURE | DiffSyncFlags.SKIP_UNMATCHED_DST


def test_unknown_flag_is_refused_naming_the_field():
    assert _errors({**MINIMAL, "flags": ["SKIP_EVERYTHING"]}) == ["flags.0"]


def test_malformed_adapter_path_is_refused_naming_the_field():
    assert _errors({**MINIMAL, "source": {"adapter": "examples.network.adapters.YamlInventory"}}) == [
        "source.adapter"
    ]


def test_negative_backoff_limit_is_refused():
    assert _errors({**MINIMAL, "backoffLimit": -1}) == ["backoffLimit"]


def test_misspelled_field_is_refused():
    assert _errors({**MINIMAL, "backofLimit": 1}) == ["backofLimit"]


def test_camel_case_round_trip():
    spec = SyncJobSpec.model_validate(
        {
            **MINIMAL,
            "mode": "sync",
            "storeId": "inventory",
            "ttlSecondsAfterFinished": 60,
            "redis": {
                "url": "redis://redis:6379/0",
                "passwordSecretRef": {"name": "redis", "key": "password"},
            },
            "target": {
                "adapter": "examples.network.adapters:JsonInventory",
                "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "token"}}}],
                "envFrom": [{"secretRef": {"name": "creds"}}],
            },
        }
    )
    manifest = spec.to_manifest()
    assert manifest["ttlSecondsAfterFinished"] == 60
    assert manifest["redis"]["passwordSecretRef"] == {"name": "redis", "key": "password"}
    assert manifest["target"]["env"][0]["valueFrom"]["secretKeyRef"]["key"] == "token"
    assert SyncJobSpec.model_validate(manifest) == spec


def test_whole_manifest_validates_with_api_version_and_kind():
    job = SyncJob.from_manifest(
        {
            "apiVersion": "diffsync.io/v1alpha1",
            "kind": "SyncJob",
            "metadata": {"name": "inv"},
            "spec": MINIMAL,
        }
    )
    assert job.metadata.name == "inv"


def test_wrong_kind_is_refused():
    with pytest.raises(ValidationError) as error:
        SyncJob.from_manifest(
            {
                "apiVersion": "diffsync.io/v1alpha1",
                "kind": "Job",
                "metadata": {"name": "inv"},
                "spec": MINIMAL,
            }
        )
    assert [e["loc"] for e in error.value.errors()] == [("kind",)]


def test_status_reads_what_the_api_server_returns():
    status = SyncJobStatus.model_validate(
        {
            "phase": "Running",
            "stages": [
                {"name": "load-source", "phase": "Running", "attempts": 1, "pod": "inv-load-source-1"}
            ],
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "Running",
                    "lastTransitionTime": "2026-01-01T00:00:00Z",
                }
            ],
        }
    )
    assert status.stages[0].pod == "inv-load-source-1"
    assert status.to_manifest()["conditions"][0]["lastTransitionTime"] == "2026-01-01T00:00:00Z"

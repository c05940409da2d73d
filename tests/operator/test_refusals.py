"""Which answers to a pod creation fail the job (a refusal) and which are retried."""

from __future__ import annotations

import json

import pytest
from diffsync_operator.controller.refusals import refusal, syncjob_field
from kubernetes.client.exceptions import ApiException
from pydantic import BaseModel, ValidationError


def _answer(status: int, message: str) -> ApiException:
    error = ApiException(status=status, reason="Unprocessable Entity")
    error.body = json.dumps({"kind": "Status", "message": message})
    return error


def test_an_invalid_pod_names_the_syncjob_field_and_the_api_servers_words():
    message = (
        'Pod "job-load-source-1" is invalid: spec.affinity.nodeAffinity.requiredDuringScheduling'
        "IgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"
    )
    text = refusal(_answer(422, message))
    assert text is not None
    assert text.startswith("spec.affinity: the API server refused the stage pod (422): Pod ")
    assert "must have at least one node selector term" in text


def test_a_forbidden_pod_is_a_refusal_but_an_exceeded_quota_is_retried():
    assert refusal(_answer(403, 'pods "x" is forbidden: violates PodSecurity "restricted"')) is not None
    assert refusal(_answer(403, 'pods "x" is forbidden: exceeded quota: q, requested: cpu=1')) is None


@pytest.mark.parametrize("status", [500, 503, 504, 429, 409, 408])
def test_server_errors_throttling_and_conflicts_are_retried(status):
    assert refusal(_answer(status, "etcdserver: request timed out")) is None


def test_errors_without_an_answer_are_retried():
    assert refusal(TimeoutError("read timed out")) is None
    assert refusal(ApiException(status=None, reason="connection reset")) is None


def test_a_body_the_clients_models_refuse_is_a_refusal():
    class Pod(BaseModel):
        spec: dict[str, int]

    with pytest.raises(ValidationError) as refused:
        Pod.model_validate({"spec": {"affinity": "x"}})
    text = refusal(refused.value)
    assert text is not None and text.startswith("the stage pod is not a valid Pod:")


def test_pod_fields_map_to_the_syncjob_fields_that_set_them():
    assert syncjob_field("spec.containers[0].resources.requests") == "spec.resources"
    assert syncjob_field("metadata.labels") == "spec.podLabels"
    assert syncjob_field("spec.volumes[0]") is None

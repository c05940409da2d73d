"""Pod Security admission enforces a namespace's `enforce` level."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from envtest import Cluster
from envtest.manifests import python_pod

RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted"}


def test_restricted_namespace_refuses_privileged_pod(cluster: Cluster) -> None:
    ns = cluster.create_namespace(labels=RESTRICTED)
    pod = python_pod("privileged", "pass", securityContext={"privileged": True})
    with cluster.api_client() as api, pytest.raises(ApiException) as refused:
        client.CoreV1Api(api).create_namespaced_pod(ns, pod)
    assert refused.value.status == 403
    assert "violates PodSecurity" in refused.value.body


def test_restricted_namespace_admits_compliant_pod(cluster: Cluster) -> None:
    ns = cluster.create_namespace(labels=RESTRICTED)
    with cluster.api_client() as api:
        created = client.CoreV1Api(api).create_namespaced_pod(ns, python_pod("compliant", "pass"))
    assert created.metadata.uid

"""The API server enforces a CustomResourceDefinition's structural schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from envtest import Cluster, wait_for

GROUP = f"t{uuid.uuid4().hex[:6]}.envtest.diffsync.dev"


@pytest.fixture(scope="module")
def widget_crd(cluster: Cluster) -> Iterator[str]:
    """A namespaced `Widget` kind whose spec.size must be an integer from 1 to 10."""
    crd: dict[str, Any] = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "required": ["size"],
                                    "properties": {"size": {"type": "integer", "minimum": 1, "maximum": 10}},
                                }
                            },
                        }
                    },
                }
            ],
        },
    }
    with cluster.api_client() as api:
        ext = client.ApiextensionsV1Api(api)
        ext.create_custom_resource_definition(crd)

        def established() -> bool:
            status = ext.read_custom_resource_definition(f"widgets.{GROUP}").status
            return any(c.type == "Established" and c.status == "True" for c in (status.conditions or []))

        wait_for(established, what=f"CRD widgets.{GROUP} to be Established")
        yield GROUP
        ext.delete_custom_resource_definition(f"widgets.{GROUP}")


def _widget(size: object) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": size}}


def test_custom_object_violating_schema_is_refused_with_422(cluster: Cluster, widget_crd: str) -> None:
    ns = cluster.create_namespace()
    with cluster.api_client() as api, pytest.raises(ApiException) as refused:
        client.CustomObjectsApi(api).create_namespaced_custom_object(
            widget_crd, "v1", ns, "widgets", _widget(99)
        )
    assert refused.value.status == 422
    assert "spec.size" in refused.value.body


def test_custom_object_matching_schema_is_stored(cluster: Cluster, widget_crd: str) -> None:
    ns = cluster.create_namespace()
    with cluster.api_client() as api:
        objects = client.CustomObjectsApi(api)
        objects.create_namespaced_custom_object(widget_crd, "v1", ns, "widgets", _widget(3))
        stored = objects.get_namespaced_custom_object(widget_crd, "v1", ns, "widgets", "w")
    assert stored["spec"]["size"] == 3

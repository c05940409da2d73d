"""RBAC is enforced: a ServiceAccount can do only what a binding grants it."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from envtest import Cluster, wait_for


def _service_account(cluster: Cluster, ns: str, name: str = "reader") -> None:
    with cluster.api_client() as api:
        client.CoreV1Api(api).create_namespaced_service_account(ns, {"metadata": {"name": name}})


def test_serviceaccount_without_role_is_denied_listing_pods(cluster: Cluster) -> None:
    ns = cluster.create_namespace()
    _service_account(cluster, ns)
    with (
        cluster.api_client(cluster.token_kubeconfig(ns, "reader")) as api,
        pytest.raises(ApiException) as denied,
    ):
        client.CoreV1Api(api).list_namespaced_pod(ns)
    assert denied.value.status == 403
    assert f"system:serviceaccount:{ns}:reader" in denied.value.body


def test_serviceaccount_is_allowed_listing_pods_once_bound(cluster: Cluster) -> None:
    ns = cluster.create_namespace()
    _service_account(cluster, ns)
    cluster.kubectl("-n", ns, "create", "role", "pod-reader", "--verb=list", "--resource=pods")
    cluster.kubectl(
        "-n", ns, "create", "rolebinding", "reader", "--role=pod-reader", f"--serviceaccount={ns}:reader"
    )
    with cluster.api_client(cluster.token_kubeconfig(ns, "reader")) as api:
        pods = client.CoreV1Api(api)

        def allowed() -> bool:
            try:
                pods.list_namespaced_pod(ns)
                return True
            except ApiException as exc:
                if exc.status != 403:
                    raise
                return False

        assert wait_for(allowed, timeout=10, what="the RoleBinding to take effect")

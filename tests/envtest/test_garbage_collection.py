"""The controller manager's garbage collector deletes dependents of a deleted owner."""

from __future__ import annotations

from kubernetes import client

from envtest import Cluster, wait_for
from envtest.manifests import python_pod


def test_deleting_owner_deletes_its_pods(cluster: Cluster) -> None:
    ns = cluster.create_namespace()
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        owner = core.create_namespaced_config_map(ns, {"metadata": {"name": "owner"}})
        reference = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.metadata.uid}
        for name in ("dependent-a", "dependent-b"):
            pod = python_pod(name, "pass")
            pod["metadata"]["ownerReferences"] = [reference]
            core.create_namespaced_pod(ns, pod)
        core.delete_namespaced_config_map("owner", ns)

        def pods_gone() -> bool:
            return not core.list_namespaced_pod(ns).items

        assert wait_for(pods_gone, timeout=60, what="the garbage collector to delete the owned pods")

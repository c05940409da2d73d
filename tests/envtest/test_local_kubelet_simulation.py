"""Limits of the local kubelet that a real node does not have: they fail loudly, not silently.

These Pods name a scheduler that does not exist, so on an external cluster no real scheduler
takes them and the local kubelet started here is the one that runs them.
"""

from __future__ import annotations

import sys
from typing import Any

from kubernetes import client

from envtest import Cluster, LocalKubelet, wait_for
from envtest.manifests import python_pod

LABELS = {"diffsync.dev/test-kubelet": "simulation"}


def _local_only(pod: dict[str, Any]) -> dict[str, Any]:
    pod["spec"]["schedulerName"] = "diffsync-local-kubelet"
    return pod


def test_container_without_command_fails_as_unsupported(cluster: Cluster) -> None:
    ns = cluster.create_namespace()
    pod = _local_only(python_pod("no-command", "pass", labels=LABELS))
    del pod["spec"]["containers"][0]["command"]
    with LocalKubelet(cluster.kubeconfig, LABELS, namespace=ns), cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(ns, pod)
        failed = wait_for(
            lambda: (p := core.read_namespaced_pod("no-command", ns)).status.phase == "Failed" and p,
            what="pod no-command to fail",
        )
    assert failed.status.reason == "LocalKubeletUnsupported"
    assert "set `command`" in failed.status.message


def test_process_runs_with_the_test_python(cluster: Cluster) -> None:
    ns = cluster.create_namespace()
    code = "import os, sys\nopen(os.environ['DIFFSYNC_TERMINATION_MESSAGE_PATH'], 'w').write(sys.prefix)\n"
    pod = _local_only(python_pod("which-python", code, labels=LABELS))
    with LocalKubelet(cluster.kubeconfig, LABELS, namespace=ns), cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(ns, pod)
        done = wait_for(
            lambda: (p := core.read_namespaced_pod("which-python", ns)).status.phase == "Succeeded" and p,
            what="pod which-python to succeed",
        )
    assert done.status.container_statuses[0].state.terminated.message == sys.prefix

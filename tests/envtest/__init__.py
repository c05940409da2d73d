"""Test harness: a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager)
plus a test-only local kubelet, the one simulated piece. See docs/testing.md.

Fixtures (registered by tests/conftest.py): `cluster` (session) and `local_kubelet` (per test).
Helpers other test folders import: `from envtest import Cluster, LocalKubelet, wait_for, helm_path`.
"""

from .binaries import binary_path, helm_path, kubectl_path
from .cluster import Cluster
from .controlplane import ControlPlane
from .kubelet import LocalKubelet
from .waiting import wait_for

__all__ = [
    "Cluster",
    "ControlPlane",
    "LocalKubelet",
    "binary_path",
    "helm_path",
    "kubectl_path",
    "wait_for",
]

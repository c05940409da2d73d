"""Pytest fixtures for the test cluster; registered from tests/conftest.py.

- `cluster` (session): a `Cluster` on a fresh local control plane, or on the existing cluster
  named by the kubeconfig in `DIFFSYNC_TEST_KUBECONFIG`.
- `local_kubelet` (function): runs the Pods labelled with `local_kubelet.labels` as local
  processes (see kubelet.py: the one simulated piece). On an external cluster the real nodes
  run them instead, so the same test works there with a real image.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .cluster import Cluster
from .controlplane import ControlPlane
from .kubelet import LocalKubelet

KUBECONFIG_ENV = "DIFFSYNC_TEST_KUBECONFIG"
_summary: list[str] = []


@pytest.fixture(scope="session")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A running cluster with admin access; namespaces it creates are yours to use."""
    external = os.environ.get(KUBECONFIG_ENV)
    if external:
        handle = Cluster(Path(external), external=True)
        try:
            yield handle
        finally:
            handle.delete_created_namespaces()
            shutil.rmtree(handle.scratch_dir, ignore_errors=True)
        return
    plane = ControlPlane().start()
    _summary.append(
        f"envtest: control plane started in {plane.startup_seconds:.1f} s at {plane.server} "
        f"(work dir {plane.workdir})"
    )
    try:
        yield Cluster(plane.kubeconfig, external=False, scratch_dir=plane.workdir / "scratch")
    finally:
        plane.stop()
        failed = request.session.testsfailed > 0
        kept = plane.cleanup(keep_logs=failed)
        if kept is not None:
            _summary.append(f"envtest: tests failed; control-plane logs kept in {kept}")


class ExternalNodes:
    """Stand-in for `LocalKubelet` on an external cluster, whose real nodes run the Pods."""

    def __init__(self, cluster: Cluster, labels: dict[str, str]) -> None:
        self.cluster = cluster
        self.labels = labels

    def logs(self, namespace: str, name: str, container: str | None = None) -> str:
        args = ["logs", "-n", namespace, name] + ([f"--container={container}"] if container else [])
        return self.cluster.kubectl(*args).stdout


@pytest.fixture
def local_kubelet(cluster: Cluster) -> Iterator[LocalKubelet | ExternalNodes]:
    """Runs Pods carrying `local_kubelet.labels`; put those labels on the Pods a test creates."""
    labels = {"diffsync.dev/test-kubelet": uuid.uuid4().hex[:10]}
    if cluster.external:
        yield ExternalNodes(cluster, labels)
        return
    kubelet = LocalKubelet(cluster.kubeconfig, labels).start()
    try:
        yield kubelet
    finally:
        kubelet.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the control plane (directly or through a fixture) `cluster`.

    Derived from the fixture closure rather than written on each test, so a new test that asks
    for the cluster can never be missed by `pytest -m "not cluster"`.
    """
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _summary:
        terminalreporter.write_line(line)

"""Fixtures of the install tests: restricted namespaces, Helm releases, the chart's operator.

They reuse the operator tests' harness (tests/operator), so that folder goes on sys.path.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "operator"))

from install_helpers import CHART, RESTRICTED, helm, unique


@pytest.fixture(scope="session")
def syncjob_crd(cluster):
    """The generated CRD, installed and established (as the operator tests install it)."""
    from operator_harness import install_crd

    install_crd(cluster)
    return cluster


@pytest.fixture
def restricted_namespace(syncjob_crd):
    """A fresh namespace enforcing Pod Security `restricted`."""
    return syncjob_crd.create_namespace(labels=dict(RESTRICTED), prefix="inst-")


@pytest.fixture
def release(cluster, restricted_namespace):
    """`install(*set_args)` installs the chart once into the restricted namespace as a new release;
    the release is uninstalled at the end of the test if it still exists."""
    installed: list[str] = []

    def install(*args: str) -> str:
        name = unique("ds-")
        helm(cluster, "install", name, str(CHART), "-n", restricted_namespace, "--wait=false", *args)
        installed.append(name)
        return name

    yield install
    for name in installed:
        helm(cluster, "uninstall", name, "-n", restricted_namespace, "--ignore-not-found", check=False)

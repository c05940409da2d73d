"""Where the control-plane binaries built by `make envtest` live.

The versions are read from `tests/tooling/envtest/versions.env`, the same file the build script
reads, so the tests can never pick up binaries of a different release than the one pinned.
"""

from __future__ import annotations

import os
from pathlib import Path

TOOLING_DIR = Path(__file__).resolve().parent.parent / "tooling" / "envtest"
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "helm")


def pinned_versions() -> dict[str, str]:
    """The `NAME=value` pairs of versions.env (KUBERNETES_VERSION, ETCD_VERSION, HELM_VERSION)."""
    versions: dict[str, str] = {}
    for line in (TOOLING_DIR / "versions.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            versions[name.strip()] = value.strip()
    return versions


def binary_dir() -> Path:
    """The cache folder build.sh writes to; `DIFFSYNC_ENVTEST_DIR` overrides it, as for build.sh."""
    override = os.environ.get("DIFFSYNC_ENVTEST_DIR")
    if override:
        return Path(override)
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "diffsync" / "envtest" / pinned_versions()["KUBERNETES_VERSION"]


def binary_path(name: str) -> Path:
    """Absolute path of one built binary, e.g. `binary_path("helm")`.

    Raises FileNotFoundError naming the command that builds it, rather than falling back to
    whatever happens to be on PATH (which could be another Kubernetes release).
    """
    if name not in BINARIES:
        raise ValueError(f"unknown envtest binary {name!r}: expected one of {', '.join(BINARIES)}")
    path = binary_dir() / name
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"{path} is missing: run `make envtest` (tests/tooling/envtest/build.sh) to build it"
        )
    return path


def kubectl_path() -> Path:
    """The pinned kubectl."""
    return binary_path("kubectl")


def helm_path() -> Path:
    """The pinned helm."""
    return binary_path("helm")

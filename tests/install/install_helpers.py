"""Render, install and run what users install: the Helm chart and `kubectl apply -k deploy/`.

The operator tests' harness (tests/operator/operator_harness.py) is reused for the CRD,
SyncJobs and the operator process; this module adds Helm, kustomize and the operator started
exactly as the chart's Deployment starts it (`python -m diffsync_operator` with that env).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml
from envtest import helm_path, kubectl_path
from operator_harness import ROOT, OperatorProcess

CHART = ROOT / "charts/diffsync-operator"
DEPLOY = ROOT / "deploy"
RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted"}


def helm(cluster: Any, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The pinned helm against the test cluster; raises with helm's stderr when `check`."""
    argv = [str(helm_path()), f"--kubeconfig={cluster.kubeconfig}", *args]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, argv, result.stdout, result.stderr)
    return result


def helm_template(
    *args: str, namespace: str = "diffsync-system", check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`helm template` of the chart (no cluster needed)."""
    argv = [str(helm_path()), "template", "diffsync", str(CHART), "-n", namespace, *args]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, argv, result.stdout, result.stderr)
    return result


def render(*args: str, namespace: str = "diffsync-system") -> list[dict[str, Any]]:
    """The chart's objects for these `--set ...` arguments."""
    return documents(helm_template(*args, namespace=namespace).stdout)


def kustomize_build(path: Path = DEPLOY) -> str:
    """`kubectl kustomize` of a directory (no cluster needed)."""
    argv = [str(kubectl_path()), "kustomize", str(path)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True).stdout


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def operator_container(docs: list[dict[str, Any]]) -> dict[str, Any]:
    deployment = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"].endswith("operator"))
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == "operator")


def container_env(container: dict[str, Any]) -> dict[str, str]:
    """The literal env values of a container (references are left out)."""
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DeploymentOperator(OperatorProcess):
    """The operator as the chart's Deployment runs it: `python -m diffsync_operator` and its env.

    Only the literal env of the rendered container is used (as the kubelet would set it), with
    the test's overrides (e.g. DIFFSYNC_LIVENESS on a free local port) on top.
    """

    def __init__(self, kubeconfig: Path, namespace: str, env: dict[str, str], log_dir: Path) -> None:
        super().__init__(kubeconfig, namespace, env, log_dir)
        self.log_path = log_dir / f"operator-{namespace}-{uuid.uuid4().hex[:4]}.log"

    def start(self) -> DeploymentOperator:
        import os

        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig), **self.env}
        argv = [sys.executable, "-m", "diffsync_operator"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        return self


def run_sample(cluster: Any, namespace: str, pod_labels: dict[str, str], tmp_path: Path) -> str:
    """Apply the diff sample (made runnable by the test kubelet) as the README says; its phase
    once finished."""
    from envtest.waiting import wait_for

    body = local_sample("network-inventory-diff.yaml", tmp_path, pod_labels)
    cluster.kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(body))
    args = ("get", "sj", "network-inventory-diff", "-n", namespace, "-o", "jsonpath={.status.phase}")
    phase: str = wait_for(
        lambda: p if (p := cluster.kubectl(*args).stdout.strip()) in {"Succeeded", "Failed"} else None,
        timeout=120,
        what="the sample SyncJob to finish",
    )
    return phase


def release_objects(cluster: Any, release: str, namespace: str) -> list[dict[str, Any]]:
    """The objects Helm installed for a release (`helm get manifest`)."""
    return documents(helm(cluster, "get", "manifest", release, "-n", namespace).stdout)


def local_sample(name: str, tmp_path: Path, pod_labels: dict[str, str]) -> dict[str, Any]:
    """A deploy/samples SyncJob made runnable by the test kubelet, which runs stage commands as
    local processes instead of the image: repository paths made absolute, the repository on
    PYTHONPATH (the image's /app), the target database in tmp_path, the kubelet's pod labels."""
    body: dict[str, Any] = yaml.safe_load((DEPLOY / "samples" / name).read_text())
    spec = body["spec"]
    spec["source"]["params"]["path"] = str(ROOT / spec["source"]["params"]["path"])
    spec["target"]["params"]["path"] = str(tmp_path / "inventory.db")
    spec["target"]["params"]["seed_sql"] = str(ROOT / spec["target"]["params"]["seed_sql"])
    for side in (spec["source"], spec["target"]):
        side.setdefault("env", []).append({"name": "PYTHONPATH", "value": str(ROOT)})
    spec["podLabels"] = dict(pod_labels)
    return body

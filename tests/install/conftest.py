"""Fixtures of the install tests: restricted namespaces, Helm releases, the chart's operator.

They reuse the operator tests' harness (tests/operator), so that folder goes on sys.path.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

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


@pytest.fixture
def watched_release(cluster, release, restricted_namespace, redis_url):
    """A release watching only the restricted namespace, pointed at the test's real Redis:
    (release name, its objects, its ServiceAccount)."""
    from install_helpers import of_kind, release_objects

    name = release(
        "--set", f"watchNamespaces={{{restricted_namespace}}}",
        "--set", "redis.enabled=false", "--set", f"redis.url={redis_url}",
        "--set", "pollSeconds=2",
    )  # fmt: skip
    objects = release_objects(cluster, name, restricted_namespace)
    (account,) = of_kind(objects, "ServiceAccount")
    return name, objects, account["metadata"]["name"]


@pytest.fixture
def run_operator(cluster, restricted_namespace, tmp_path):
    """`run(objects, account, namespace, **env)`: the operator as the rendered Deployment runs it,
    as a local process authenticated with a token of that ServiceAccount (in `namespace`, by
    default the test's), `env` on top, its liveness endpoint on a free local port
    (`.liveness_port`). Stopped at the end of the test."""
    from install_helpers import DeploymentOperator, container_env, free_port, operator_container

    started = []

    def run(objects, account, namespace=restricted_namespace, **overrides):
        port = free_port()
        env = {
            **container_env(operator_container(objects)),
            "DIFFSYNC_LIVENESS": f"http://127.0.0.1:{port}/healthz",
            "POD_ID": f"operator-{len(started)}",
            **overrides,
        }
        kubeconfig = cluster.token_kubeconfig(namespace, account)
        process = DeploymentOperator(kubeconfig, namespace, env, tmp_path).start()
        process.liveness_port = port
        started.append(process)
        return process

    yield run
    for process in started:
        process.stop()
        if "Traceback" in (log := process.log()):
            print(log[-20000:])


@pytest.fixture
def chart_operator(watched_release, run_operator):
    """The operator of `watched_release`, running."""
    _, objects, account = watched_release
    return run_operator(objects, account)


@pytest.fixture
def kustomize_install(cluster, syncjob_crd):
    """`kubectl apply -k deploy/` for real: (namespace, rendered objects). Everything but the CRD
    is deleted at the end. On an external cluster an existing namespace is never replaced."""
    from install_helpers import DEPLOY, documents, kustomize_build, of_kind

    docs = documents(kustomize_build())
    namespace = of_kind(docs, "Namespace")[0]["metadata"]["name"]
    existing = cluster.kubectl("get", "namespace", namespace, "--ignore-not-found", "-o", "name").stdout
    if cluster.external and existing.strip():
        pytest.fail(f"namespace {namespace} exists on this cluster: this test would replace and delete it")
    cluster.kubectl("apply", "-k", str(DEPLOY))
    # The install guide's other step: the bundled Redis's admin password (pods wait for it).
    cluster.kubectl(
        "create",
        "secret",
        "generic",
        "diffsync-redis",
        "-n",
        namespace,
        "--from-literal=password=test-admin-pw",
    )
    yield namespace, docs
    # With the operator gone, the SyncJobs' cleanup finalizer would hold the namespace forever.
    for job in cluster.kubectl("get", "syncjobs", "-n", namespace, "-o", "name").stdout.split():
        patch = '{"metadata":{"finalizers":null}}'
        cluster.kubectl("patch", job, "-n", namespace, "--type=merge", "-p", patch)
    rest = [d for d in docs if d["kind"] != "CustomResourceDefinition"]
    cluster.kubectl("delete", "--ignore-not-found", "--wait=false", "-f", "-", input=yaml.safe_dump_all(rest))
    from envtest.waiting import wait_for

    wait_for(
        lambda: not cluster.kubectl("get", "namespace", namespace, "--ignore-not-found", "-o", "name").stdout,
        timeout=120,
        what=f"namespace {namespace} to be deleted",
    )

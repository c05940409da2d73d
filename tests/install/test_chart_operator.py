"""The chart's RBAC is enough, and no more: the operator, run with a token of the chart's
ServiceAccount, completes the sample SyncJob; the same token cannot read Secrets or change
Deployments."""

from __future__ import annotations

import urllib.request

import yaml
from envtest.waiting import wait_for
from install_helpers import container_env, local_sample, operator_container, release_objects


def _can(cluster, kubeconfig, *args: str) -> bool:
    done = cluster.kubectl("auth", "can-i", *args, kubeconfig=kubeconfig, check=False)
    return done.stdout.strip() == "yes"


def _phase(cluster, namespace: str, name: str) -> str:
    args = ("get", "sj", name, "-n", namespace, "-o", "jsonpath={.status.phase}")
    return cluster.kubectl(*args, check=False).stdout.strip()


def _run_sample(cluster, namespace: str, labels: dict[str, str], tmp_path) -> tuple[str, list[str]]:
    """Apply the sample as the README says; its phase once finished and `kubectl get sj`."""
    body = local_sample("network-inventory-diff.yaml", tmp_path, labels)
    cluster.kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(body))
    finished = {"Succeeded", "Failed"}
    phase = wait_for(
        lambda: p if (p := _phase(cluster, namespace, "network-inventory-diff")) in finished else None,
        timeout=120,
        what="the sample SyncJob to finish",
    )
    return phase, cluster.kubectl("get", "sj", "-n", namespace).stdout.splitlines()


def test_operator_with_the_chart_token_completes_the_sample_syncjob(
    cluster, chart_operator, local_kubelet, restricted_namespace, tmp_path
):
    phase, table = _run_sample(cluster, restricted_namespace, local_kubelet.labels, tmp_path)
    assert phase == "Succeeded", chart_operator.log()[-5000:]
    assert table[1].split()[:3] == ["network-inventory-diff", "Succeeded", "diff"]
    selector = "diffsync.io/job=network-inventory-diff"
    pods = cluster.kubectl(
        "get", "pods", "-n", restricted_namespace, "-o", "name", "-l", selector
    ).stdout.split()
    assert len(pods) == 3, "load-source, load-target and diff pods, admitted under enforce=restricted"


def test_operator_serves_kopfs_liveness_endpoint(chart_operator):
    url = f"http://127.0.0.1:{chart_operator.liveness_port}/healthz"

    def probe() -> int | None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except OSError:
            return None

    assert wait_for(probe, timeout=60, what="kopf's /healthz to answer") == 200


def test_chart_token_cannot_read_secrets_or_change_deployments(
    cluster, watched_release, restricted_namespace
):
    name, _, account = watched_release
    token = cluster.token_kubeconfig(restricted_namespace, account)
    ns = ("-n", restricted_namespace)
    wait_for(lambda: _can(cluster, token, "watch", "syncjobs.diffsync.io", *ns), timeout=30, what="RBAC")
    secrets = cluster.kubectl("get", "secrets", *ns, kubeconfig=token, check=False)
    scale = cluster.kubectl(
        "scale", "deployment", f"{name}-diffsync-operator", "--replicas=0", *ns, kubeconfig=token, check=False
    )
    assert secrets.returncode != 0 and "forbidden" in secrets.stderr
    assert scale.returncode != 0 and "forbidden" in scale.stderr
    assert not _can(cluster, token, "get", "secrets", *ns)
    assert not _can(cluster, token, "patch", "deployments.apps", *ns)
    assert not _can(cluster, token, "create", "pods", "-n", "default"), (
        "a namespaced release stays in its namespaces"
    )


def test_cluster_wide_release_reaches_syncjobs_everywhere_but_not_secrets(
    cluster, release, restricted_namespace
):
    name = release()
    token = cluster.token_kubeconfig(restricted_namespace, f"{name}-diffsync-operator")
    elsewhere = cluster.create_namespace(prefix="other-")
    wait_for(
        lambda: _can(cluster, token, "watch", "syncjobs.diffsync.io", "-n", elsewhere),
        timeout=30,
        what="the ClusterRoleBinding to take effect",
    )
    assert _can(cluster, token, "create", "pods", "-n", elsewhere)
    assert not _can(cluster, token, "get", "secrets", "-n", elsewhere)
    assert not _can(cluster, token, "update", "deployments.apps", "-n", restricted_namespace)


def test_cluster_wide_operator_with_the_chart_token_completes_the_sample_syncjob(
    cluster, release, run_operator, local_kubelet, restricted_namespace, redis_url, tmp_path
):
    name = release(
        "--set", "redis.enabled=false", "--set", f"redis.url={redis_url}", "--set", "pollSeconds=2"
    )
    objects = release_objects(cluster, name, restricted_namespace)
    assert container_env(operator_container(objects))["DIFFSYNC_WATCH_NAMESPACES"] == ""
    operator = run_operator(objects, f"{name}-diffsync-operator")
    phase, table = _run_sample(cluster, restricted_namespace, local_kubelet.labels, tmp_path)
    assert phase == "Succeeded", operator.log()[-5000:]
    assert table[1].split()[:3] == ["network-inventory-diff", "Succeeded", "diff"]

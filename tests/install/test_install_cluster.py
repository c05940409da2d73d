"""The chart and the kustomize manifests on the real API server: dry runs, real installs in a
namespace enforcing Pod Security `restricted`, upgrade and uninstall."""

from __future__ import annotations

import yaml
from envtest.waiting import wait_for
from install_helpers import (
    CHART,
    DEPLOY,
    RESTRICTED,
    container_env,
    documents,
    helm,
    helm_template,
    kustomize_build,
    local_sample,
    of_kind,
    operator_container,
    release_objects,
    run_sample,
)


def _pods(cluster, namespace: str, selector: str) -> list[dict]:
    out = cluster.kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "yaml").stdout
    return list(yaml.safe_load(out)["items"])


def _leftovers(cluster, namespace: str) -> list[str]:
    """Every namespaced object in `namespace` except what Kubernetes itself puts in each one."""
    kinds = cluster.kubectl("api-resources", "--namespaced=true", "--verbs=list", "-o", "name").stdout.split()
    kinds = [k for k in kinds if k not in {"events", "events.events.k8s.io"}]
    names = cluster.kubectl("get", ",".join(kinds), "-n", namespace, "-o", "name").stdout.split()
    builtin = {"serviceaccount/default", "configmap/kube-root-ca.crt"}
    return [n for n in names if n not in builtin]


def test_helm_template_passes_a_server_side_dry_run(cluster, restricted_namespace):
    for args in ((), ("--set", f"watchNamespaces={{{restricted_namespace}}}")):
        manifest = helm_template("--include-crds", *args, namespace=restricted_namespace).stdout
        done = cluster.kubectl("apply", "--dry-run=server", "-f", "-", input=manifest)
        assert "deployment.apps/diffsync-diffsync-operator created (server dry run)" in done.stdout


def test_kustomize_build_passes_a_server_side_dry_run(cluster, restricted_namespace):
    """The build's objects, moved into a fresh restricted namespace (the dry run cannot create one)."""
    docs = [d for d in documents(kustomize_build()) if d["kind"] != "Namespace"]
    text = yaml.safe_dump_all(docs).replace("diffsync-system", restricted_namespace)
    done = cluster.kubectl("apply", "--dry-run=server", "-f", "-", input=text)
    assert "deployment.apps/diffsync-operator created (server dry run)" in done.stdout
    assert "networkpolicy.networking.k8s.io/diffsync-redis created (server dry run)" in done.stdout


def test_kubectl_apply_k_deploy_installs_pods_admitted_under_restricted(cluster, kustomize_install):
    namespace, _ = kustomize_install
    labels = cluster.kubectl("get", "namespace", namespace, "-o", "yaml").stdout
    assert yaml.safe_load(labels)["metadata"]["labels"].items() >= RESTRICTED.items()
    for name in ("diffsync-operator", "diffsync-redis"):
        pods = wait_for(
            lambda n=name: _pods(cluster, namespace, f"app.kubernetes.io/name={n}"),
            timeout=60,
            what=f"the ReplicaSet of {name} to create its pod (admitted under restricted)",
        )
        assert len(pods) == 1


def test_kubectl_apply_k_deploy_runs_the_sample_with_its_service_account(
    cluster, kustomize_install, run_operator, local_kubelet, redis_url, tmp_path
):
    namespace, docs = kustomize_install
    (account,) = of_kind(docs, "ServiceAccount")
    operator = run_operator(docs, account["metadata"]["name"], namespace, DIFFSYNC_REDIS_URL=redis_url)
    body = local_sample("network-inventory-diff.yaml", tmp_path, local_kubelet.labels)
    cluster.kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(body))
    args = ("get", "sj", "network-inventory-diff", "-n", namespace, "-o", "jsonpath={.status.phase}")
    phase = wait_for(
        lambda: p if (p := cluster.kubectl(*args).stdout.strip()) in {"Succeeded", "Failed"} else None,
        timeout=120,
        what="the sample SyncJob to finish",
    )
    assert phase == "Succeeded", operator.log()[-5000:]
    table = cluster.kubectl("get", "sj", "-n", namespace).stdout.splitlines()
    assert table[1].split()[:3] == ["network-inventory-diff", "Succeeded", "diff"]


def test_chart_pods_are_admitted_under_restricted(cluster, release, restricted_namespace):
    name = release()
    for component in ("operator", "redis"):
        selector = f"app.kubernetes.io/instance={name},app.kubernetes.io/component={component}"
        pods = wait_for(
            lambda s=selector: _pods(cluster, restricted_namespace, s),
            timeout=60,
            what=f"the {component} pod to be created (admitted under restricted)",
        )
        assert pods[0]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True


def test_helm_upgrade_with_changed_values_updates_the_release(cluster, release, restricted_namespace):
    name = release()
    helm(
        cluster, "upgrade", name, str(CHART), "-n", restricted_namespace, "--reuse-values",
        "--set", "replicas=2", "--set", "podLabels.team=network", "--set", "logLevel=DEBUG",
    )  # fmt: skip
    deployment = yaml.safe_load(
        cluster.kubectl(
            "get",
            "deployment",
            "-n",
            restricted_namespace,
            "-o",
            "yaml",
            "-l",
            f"app.kubernetes.io/instance={name},app.kubernetes.io/component=operator",
        ).stdout
    )["items"][0]
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["template"]["metadata"]["labels"]["team"] == "network"
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DIFFSYNC_LOG_LEVEL"] == "DEBUG"
    peering = cluster.kubectl("get", "clusterkopfpeering", env["DIFFSYNC_PEERING"], "-o", "name").stdout
    assert peering.strip() == f"clusterkopfpeering.kopf.dev/{env['DIFFSYNC_PEERING']}"
    history = helm(cluster, "history", name, "-n", restricted_namespace, "-o", "yaml").stdout
    assert [r["status"] for r in yaml.safe_load(history)] == ["superseded", "deployed"]


def test_helm_uninstall_leaves_nothing_namespaced_behind_and_keeps_the_crd(
    cluster, release, restricted_namespace
):
    name = release("--set", "replicas=2")
    objects = release_objects(cluster, name, restricted_namespace)
    cluster_roles = [d["metadata"]["name"] for d in of_kind(objects, "ClusterRole")]
    wait_for(
        lambda: _pods(cluster, restricted_namespace, f"app.kubernetes.io/instance={name}"),
        timeout=60,
        what="the release's pods",
    )
    helm(cluster, "uninstall", name, "-n", restricted_namespace, "--wait", "--timeout=120s")
    wait_for(
        lambda: _leftovers(cluster, restricted_namespace) == [],
        timeout=90,
        what="every object of the release to be deleted",
    )
    assert _leftovers(cluster, restricted_namespace) == []
    gone = cluster.kubectl("get", "clusterrole", *cluster_roles, "--ignore-not-found", "-o", "name")
    assert gone.stdout.strip() == ""
    assert cluster.kubectl("get", "crd", "syncjobs.diffsync.io", "-o", "name").stdout.strip()


def test_namespaced_kustomize_install_runs_the_sample_with_a_role_only_in_its_namespace(
    cluster, syncjob_crd, restricted_namespace, run_operator, local_kubelet, redis_url, tmp_path
):
    """deploy/namespaced with its two namespaces renamed to fresh ones: the operator's token can
    run the sample in the watched namespace and nothing anywhere else."""
    home = cluster.create_namespace(labels=dict(RESTRICTED), prefix="home-")
    text = kustomize_build(DEPLOY / "namespaced").replace("sync-jobs", restricted_namespace)
    docs = [
        d
        for d in documents(text.replace("diffsync-system", home))
        if d["kind"] not in ("Namespace", "CustomResourceDefinition")
    ]
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    (account,) = of_kind(docs, "ServiceAccount")
    name = account["metadata"]["name"]
    token = cluster.token_kubeconfig(home, name)

    def can(*args: str) -> bool:
        return cluster.kubectl("auth", "can-i", *args, kubeconfig=token, check=False).stdout.strip() == "yes"

    wait_for(
        lambda: can("watch", "syncjobs.diffsync.io", "-n", restricted_namespace), timeout=30, what="RBAC"
    )
    assert can("create", "secrets", "-n", restricted_namespace)
    assert not can("get", "secrets", "-n", restricted_namespace)
    assert not can("update", "syncjobs.diffsync.io", "-n", restricted_namespace)
    assert not can("create", "pods", "-n", home) and not can("create", "pods", "-n", "default")
    operator = run_operator(docs, name, home, DIFFSYNC_REDIS_URL=redis_url)
    assert container_env(operator_container(docs))["DIFFSYNC_WATCH_NAMESPACES"] == restricted_namespace
    phase = run_sample(cluster, restricted_namespace, local_kubelet.labels, tmp_path)
    assert phase == "Succeeded", operator.log()[-5000:]

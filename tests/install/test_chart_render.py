"""The chart as rendered by `helm template`: lint, schema, RBAC scope, peering, labels, security."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from envtest import helm_path
from install_helpers import (
    CHART,
    DEPLOY,
    container_env,
    helm,
    helm_template,
    of_kind,
    operator_container,
    render,
)


def _rules(role: dict) -> list[dict]:
    return [{k: rule[k] for k in ("apiGroups", "resources", "verbs")} for rule in role["rules"]]


def _job_roles(docs: list[dict], kind: str = "Role") -> list[dict]:
    """The Roles (or RoleBindings) for SyncJobs: all but the one for the target locks."""
    return [r for r in of_kind(docs, kind) if not r["metadata"]["name"].endswith("-locks")]


@pytest.mark.parametrize(
    "values",
    [(), ("--set", "replicas=2", "--set", "watchNamespaces={team-a}", "--set", "redis.enabled=false",
          "--set", "redis.url=redis://cache:6379/0", "--set", "redis.existingSecret=cache-auth")],
    ids=["defaults", "ha-namespaced-external-redis"],
)  # fmt: skip
def test_helm_lint_strict_is_clean(values):
    done = subprocess.run(
        [str(helm_path()), "lint", "--strict", str(CHART), *values],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[WARNING]" not in done.stdout and "[ERROR]" not in done.stdout


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("replicas=-1", "/replicas"),
        ("replica=2", "'replica'"),
        ("watchNamespaces={Not_A_Namespace}", "/watchNamespaces/0"),
        ("image.pullPolicy=Sometimes", "/image/pullPolicy"),
        ("redis.enabled=false", "/redis/url"),
        ("redis.url=http://redis:6379", "/redis/url"),
        ("pollSeconds=0", "/pollSeconds"),
        ("claimTTLSeconds=5", "/claimTTLSeconds"),
        ("liveness.port=70000", "/liveness/port"),
    ],
)
def test_schema_refuses_a_bad_value_naming_it(setting, named):
    done = helm_template("--set", setting, check=False)
    assert done.returncode != 0
    assert "schema" in done.stderr and named in done.stderr, done.stderr


def test_bundled_redis_and_redis_url_together_are_refused_naming_both():
    done = helm_template("--set", "redis.url=redis://mine:6379/0", check=False)
    assert done.returncode != 0
    assert "redis.url" in done.stderr and "redis.enabled=false" in done.stderr, done.stderr


def test_default_install_grants_exactly_the_rules_of_deploy_rbac():
    expected = _rules(yaml.safe_load((DEPLOY / "rbac/role.yaml").read_text()))
    (role,) = of_kind(render(), "ClusterRole")
    assert _rules(role) == expected
    assert _job_roles(render()) == []


@pytest.mark.parametrize("values", [(), ("--set", "watchNamespaces={team-a}")], ids=["all", "listed"])
def test_target_locks_get_exactly_the_lease_rights_of_deploy_in_the_release_namespace_only(values):
    docs = render(*values, namespace="ops")
    expected = next(iter(yaml.safe_load_all((DEPLOY / "operator/lock_role.yaml").read_text())))
    (role,) = [r for r in of_kind(docs, "Role") if r["metadata"]["name"].endswith("-locks")]
    (binding,) = [b for b in of_kind(docs, "RoleBinding") if b["metadata"]["name"].endswith("-locks")]
    assert _rules(role) == _rules(expected)
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == "ops"
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    env = {e["name"]: e for e in operator_container(docs)["env"]}
    assert env["DIFFSYNC_LOCK_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}


def test_watched_namespaces_get_a_role_each_with_the_same_rules_and_no_cluster_role():
    expected = _rules(yaml.safe_load((DEPLOY / "rbac/role.yaml").read_text()))
    docs = render("--set", "watchNamespaces={team-a,team-b}")
    roles = _job_roles(docs)
    bindings = _job_roles(docs, "RoleBinding")
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["team-a", "team-b"]
    assert all(_rules(r) == expected for r in roles)
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["team-a", "team-b"]
    assert of_kind(docs, "ClusterRole") == [] and of_kind(docs, "ClusterRoleBinding") == []
    assert container_env(operator_container(docs))["DIFFSYNC_WATCH_NAMESPACES"] == "team-a,team-b"


def test_one_replica_runs_standalone_without_peering():
    docs = render()
    assert "DIFFSYNC_PEERING" not in container_env(operator_container(docs))
    assert not [d for d in docs if d["apiVersion"].startswith("kopf.dev/")]
    deployment = of_kind(docs, "Deployment")[0]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_several_replicas_run_kopf_peering_with_its_object_and_rights():
    docs = render("--set", "replicas=3")
    env = container_env(operator_container(docs))
    (peering,) = of_kind(docs, "ClusterKopfPeering")
    assert env["DIFFSYNC_PEERING"] == peering["metadata"]["name"]
    (role,) = of_kind(docs, "ClusterRole")
    assert {"apiGroups": ["kopf.dev"], "resources": ["clusterkopfpeerings"],
            "verbs": ["get", "list", "watch", "patch"]} in _rules(role)  # fmt: skip


def test_several_replicas_in_listed_namespaces_peer_in_each_namespace():
    docs = render("--set", "replicas=2", "--set", "watchNamespaces={team-a,team-b}")
    assert sorted(p["metadata"]["namespace"] for p in of_kind(docs, "KopfPeering")) == ["team-a", "team-b"]
    assert all(
        {"apiGroups": ["kopf.dev"], "resources": ["kopfpeerings"], "verbs": ["get", "list", "watch", "patch"]}
        in _rules(role)
        for role in _job_roles(docs)
    )


def test_every_object_carries_the_app_kubernetes_io_labels():
    for doc in render("--set", "replicas=2"):
        labels = doc["metadata"]["labels"]
        for key in ("name", "instance", "version", "managed-by", "part-of"):
            assert f"app.kubernetes.io/{key}" in labels, (doc["kind"], doc["metadata"]["name"], key)


def test_pod_labels_annotations_and_extra_env_reach_the_operator_pod():
    docs = render(
        "--set", "podLabels.team=net", "--set", "podAnnotations.owner=ops",
        "--set", "extraEnv[0].name=HTTPS_PROXY", "--set", "extraEnv[0].value=http://proxy:3128",
    )  # fmt: skip
    template = of_kind(docs, "Deployment")[0]["spec"]["template"]
    assert template["metadata"]["labels"]["team"] == "net"
    assert template["metadata"]["annotations"] == {"owner": "ops"}
    assert container_env(operator_container(docs))["HTTPS_PROXY"] == "http://proxy:3128"


def test_external_redis_takes_its_password_by_secret_reference():
    docs = render(
        "--set", "redis.enabled=false", "--set", "redis.url=rediss://cache.example:6380/2",
        "--set", "redis.existingSecret=cache-auth",
    )  # fmt: skip
    container = operator_container(docs)
    env = {e["name"]: e for e in container["env"]}
    assert env["DIFFSYNC_REDIS_URL"]["value"] == "rediss://cache.example:6380/2"
    assert env["DIFFSYNC_REDIS_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "cache-auth", "key": "password"}
    }
    assert "DIFFSYNC_REDIS_PASSWORD_SECRET" not in env, "stage pods get their job's own user instead"
    assert [d["metadata"]["name"] for d in of_kind(docs, "Deployment")] == ["diffsync-diffsync-operator"]
    assert of_kind(docs, "Secret") == []


def test_external_redis_over_tls_gives_the_operator_its_ca_and_client_certificate_by_reference():
    docs = render(
        "--set", "redis.enabled=false", "--set", "redis.url=rediss://cache.example:6380/0",
        "--set", "redis.username=diffsync-operator", "--set", "redis.tls.existingSecret=cache-tls",
        "--set", "redis.tls.clientCertificate=true",
    )  # fmt: skip
    env = {e["name"]: e for e in operator_container(docs)["env"]}
    assert env["DIFFSYNC_REDIS_USERNAME"]["value"] == "diffsync-operator"
    refs = {
        name: env[name]["valueFrom"]["secretKeyRef"] for name in env if name.startswith("DIFFSYNC_REDIS_C")
    }
    assert refs == {
        "DIFFSYNC_REDIS_CA_CERT": {"name": "cache-tls", "key": "ca.crt"},
        "DIFFSYNC_REDIS_CLIENT_CERT": {"name": "cache-tls", "key": "tls.crt"},
        "DIFFSYNC_REDIS_CLIENT_KEY": {"name": "cache-tls", "key": "tls.key"},
    }
    ca_only = render(
        "--set", "redis.enabled=false", "--set", "redis.url=rediss://cache.example:6380/0",
        "--set", "redis.tls.existingSecret=cache-tls",
    )  # fmt: skip
    assert [e["name"] for e in operator_container(ca_only)["env"] if "CLIENT" in e["name"]] == []


def test_tls_for_a_plain_redis_url_is_refused_naming_both():
    done = helm_template(
        "--set", "redis.enabled=false", "--set", "redis.url=redis://cache:6379/0",
        "--set", "redis.tls.existingSecret=cache-tls", check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "redis.tls.existingSecret" in done.stderr and "rediss://" in done.stderr, done.stderr


def test_a_password_in_the_redis_url_is_refused_by_the_schema():
    done = helm_template(
        "--set", "redis.enabled=false", "--set", "redis.url=redis://:pw@cache:6379/0", check=False
    )
    assert done.returncode != 0
    assert "/redis/url" in done.stderr, done.stderr


def test_no_password_or_key_is_a_literal_value_anywhere():
    for values in ((), ("--set", "redis.enabled=false", "--set", "redis.url=rediss://c:1/0",
                        "--set", "redis.existingSecret=a", "--set", "redis.tls.existingSecret=t",
                        "--set", "redis.tls.clientCertificate=true")):  # fmt: skip
        for deployment in of_kind(render(*values), "Deployment"):
            for container in deployment["spec"]["template"]["spec"]["containers"]:
                for var in container.get("env", []):
                    if any(word in var["name"] for word in ("PASSWORD", "_KEY", "AUTH")):
                        assert set(var) == {"name", "valueFrom"}, var


def test_the_operator_may_create_secrets_but_read_none_and_never_uses_update():
    (role,) = of_kind(render(), "ClusterRole")
    by_resource = {rule["resources"][0]: rule["verbs"] for rule in role["rules"]}
    assert by_resource["secrets"] == ["create"]
    assert "update" not in by_resource["syncjobs"] and "update" not in by_resource["syncjobs/status"]
    assert by_resource["syncjobs/finalizers"] == ["update"], "owner references with blockOwnerDeletion"


def test_known_redis_urls_reach_the_operator_only_by_secret_reference():
    docs = render(
        "--set", "knownRedis.existingSecret=shared-redis", "--set", "claimTTLSeconds=120",
    )  # fmt: skip
    env = {e["name"]: e for e in operator_container(docs)["env"]}
    assert env["DIFFSYNC_KNOWN_REDIS_URLS"]["valueFrom"] == {
        "secretKeyRef": {"name": "shared-redis", "key": "urls"}
    }
    assert env["DIFFSYNC_CLAIM_TTL_SECONDS"]["value"] == "120"
    assert "DIFFSYNC_KNOWN_REDIS_URLS" not in container_env(operator_container(render()))


def test_bundled_redis_is_addressed_by_its_cluster_wide_name():
    docs = render(namespace="ops")
    env = container_env(operator_container(docs))
    (redis,) = [
        s["metadata"]["name"] for s in of_kind(docs, "Service") if s["metadata"]["name"].endswith("-redis")
    ]
    assert env["DIFFSYNC_REDIS_URL"] == f"redis://{redis}.ops.svc.cluster.local:6379/0"


def test_the_liveness_probe_targets_kopfs_health_endpoint():
    container = operator_container(render("--set", "liveness.port=9090"))
    assert container_env(container)["DIFFSYNC_LIVENESS"] == "http://0.0.0.0:9090/healthz"
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert {"name": "health", "containerPort": 9090} in container["ports"]


def test_stage_pods_default_to_the_operator_image():
    env = container_env(operator_container(render("--set", "image.tag=9.9.9")))
    assert env["DIFFSYNC_DEFAULT_IMAGE"] == "diffsync-operator:9.9.9"


def test_install_notes_give_the_next_step_in_the_watched_namespace(cluster):
    done = helm(
        cluster, "install", "diffsync", str(CHART), "-n", "default", "--dry-run=client",
        "--set", "watchNamespaces={team-a}",
    )  # fmt: skip
    notes = done.stdout.split("NOTES:", 1)[1]
    assert "It runs the SyncJobs of: team-a." in notes
    assert "kubectl apply -n team-a -f deploy/samples/network-inventory-diff.yaml" in notes


def test_an_existing_service_account_must_be_named():
    done = helm_template("--set", "serviceAccount.create=false", check=False)
    assert done.returncode != 0
    assert "serviceAccount.name" in done.stderr, done.stderr
    docs = render("--set", "serviceAccount.create=false", "--set", "serviceAccount.name=ops-bot")
    assert of_kind(docs, "ServiceAccount") == []
    assert of_kind(docs, "ClusterRoleBinding")[0]["subjects"][0]["name"] == "ops-bot"


def test_pod_labels_cannot_override_the_labels_the_selector_needs():
    docs = render("--set", "podLabels.app\\.kubernetes\\.io/name=other", "--set", "podLabels.team=net")
    deployment = of_kind(docs, "Deployment")[0]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert labels["team"] == "net"

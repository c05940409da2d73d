"""The Dockerfile (hadolint, shape) and `kubectl kustomize deploy/` as rendered (no cluster)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from install_helpers import DEPLOY, container_env, documents, kustomize_build, of_kind, operator_container
from operator_harness import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def _final_stage() -> str:
    return re.split(r"(?m)^FROM ", DOCKERFILE.read_text())[-1]


def test_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run([str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_image_runs_as_a_numeric_non_root_user():
    users = re.findall(r"(?m)^USER\s+(\S+)", _final_stage())
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"


def test_final_image_is_slim_python_with_no_compilers():
    final = _final_stage()
    assert final.split()[0] == "${PYTHON_IMAGE}"
    assert re.search(r"(?m)^ARG PYTHON_IMAGE=python:3\.\d+-slim$", DOCKERFILE.read_text())
    assert not re.search(r"\b(gcc|g\+\+|build-essential|apt-get install)\b", final)
    assert "COPY --from=build /opt/diffsync /opt/diffsync" in final


def test_image_holds_the_examples_the_samples_use_and_runs_the_operator():
    final = _final_stage()
    assert re.search(r"(?m)^WORKDIR /app$", final) and re.search(r"(?m)^COPY .*examples \./examples$", final)
    assert 'ENTRYPOINT ["python", "-m", "diffsync_operator"]' in final
    for sample in (DEPLOY / "samples").glob("network-*.yaml"):
        manifest = yaml.safe_load(sample.read_text())
        spec = (
            manifest["spec"]["jobTemplate"]["spec"]
            if manifest["kind"] == "SyncSchedule"
            else manifest["spec"]
        )
        assert spec["source"]["adapter"].startswith("examples.")
        assert (ROOT / spec["source"]["params"]["path"]).is_file()


def test_dockerignore_keeps_the_build_context_to_the_package_and_examples():
    lines = [x for x in (ROOT / ".dockerignore").read_text().splitlines() if x and not x.startswith("#")]
    assert lines[0] == "*"
    assert {"!pyproject.toml", "!README.md", "!diffsync/", "!operator/", "!examples/"} <= set(lines)


def test_kustomize_installs_crd_rbac_operator_and_redis_in_a_restricted_namespace():
    docs = documents(kustomize_build())
    kinds = sorted({d["kind"] for d in docs})
    assert kinds == sorted(
        {"Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
         "Role", "RoleBinding", "Deployment", "Service", "NetworkPolicy"}
    )  # fmt: skip
    (namespace,) = of_kind(docs, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    namespaced = [d for d in docs if d["kind"] not in {"Namespace", "CustomResourceDefinition"}]
    namespaced = [d for d in namespaced if not d["kind"].startswith("Cluster")]
    assert {d["metadata"]["namespace"] for d in namespaced} == {namespace["metadata"]["name"]}


def test_kustomize_image_entry_sets_the_operator_and_default_stage_image():
    images = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["images"]
    wanted = f"{images[0]['newName']}:{images[0]['newTag']}"
    container = operator_container(documents(kustomize_build()))
    assert container["image"] == wanted
    assert container_env(container)["DIFFSYNC_DEFAULT_IMAGE"] == wanted


def test_kustomize_operator_has_a_liveness_probe_on_kopfs_health_endpoint():
    container = operator_container(documents(kustomize_build()))
    assert container_env(container)["DIFFSYNC_LIVENESS"] == "http://0.0.0.0:8080/healthz"
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}


def test_kustomize_and_chart_run_the_operator_with_the_same_security_context():
    from install_helpers import render

    kustomized = operator_container(documents(kustomize_build()))
    charted = operator_container(render())
    assert kustomized["securityContext"] == charted["securityContext"]
    assert kustomized["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def test_kustomize_default_redis_url_names_the_bundled_service_in_its_namespace():
    docs = documents(kustomize_build())
    (service,) = [s for s in of_kind(docs, "Service") if s["metadata"]["name"] == "diffsync-redis"]
    host = f"{service['metadata']['name']}.{service['metadata']['namespace']}.svc.cluster.local"
    url = container_env(operator_container(docs))["DIFFSYNC_REDIS_URL"]
    assert url == f"redis://{host}:{service['spec']['ports'][0]['port']}/0"


def test_kustomize_binds_the_cluster_role_to_the_operators_service_account():
    docs = documents(kustomize_build())
    (account,) = of_kind(docs, "ServiceAccount")
    (binding,) = of_kind(docs, "ClusterRoleBinding")
    deployment = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "diffsync-operator")
    assert binding["subjects"] == [
        {
            "kind": "ServiceAccount",
            "name": account["metadata"]["name"],
            "namespace": account["metadata"]["namespace"],
        }
    ]
    assert binding["roleRef"]["name"] == of_kind(docs, "ClusterRole")[0]["metadata"]["name"]
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == account["metadata"]["name"]


def _rules(role: dict) -> list[dict]:
    return [{k: rule[k] for k in ("apiGroups", "resources", "verbs")} for rule in role["rules"]]


LOCKS = "diffsync-operator-locks"


def _named(docs: list[dict], kind: str, locks: bool) -> list[dict]:
    return [d for d in of_kind(docs, kind) if (d["metadata"]["name"] == LOCKS) == locks]


@pytest.mark.parametrize("overlay", ["", "namespaced"])
def test_kustomize_gives_the_operator_lease_rights_in_its_own_namespace_only(overlay):
    docs = documents(kustomize_build(DEPLOY / overlay))
    (role,) = _named(docs, "Role", locks=True)
    (binding,) = _named(docs, "RoleBinding", locks=True)
    (account,) = of_kind(docs, "ServiceAccount")
    namespace = account["metadata"]["namespace"]
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == namespace
    verbs = ["get", "create", "update", "delete"]
    assert _rules(role) == [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": verbs}]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": namespace}
    ]
    env = {e["name"]: e for e in operator_container(docs)["env"]}
    assert env["DIFFSYNC_LOCK_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}


def test_kustomize_operator_and_redis_read_the_one_admin_secret_by_reference():
    docs = documents(kustomize_build())
    env = {e["name"]: e for e in operator_container(docs)["env"]}
    redis = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "diffsync-redis")
    redis_env = {e["name"]: e for e in redis["spec"]["template"]["spec"]["containers"][0]["env"]}
    wanted = {"secretKeyRef": {"name": "diffsync-redis", "key": "password"}}
    assert env["DIFFSYNC_REDIS_PASSWORD"]["valueFrom"] == wanted
    assert redis_env["REDIS_PASSWORD"]["valueFrom"] == wanted
    assert "$(REDIS_PASSWORD)" in redis["spec"]["template"]["spec"]["containers"][0]["args"]


def test_namespaced_kustomize_install_has_a_role_in_the_watched_namespace_and_no_cluster_rights():
    base = documents(kustomize_build())
    docs = documents(kustomize_build(DEPLOY / "namespaced"))
    assert of_kind(docs, "ClusterRole") == [] and of_kind(docs, "ClusterRoleBinding") == []
    (role,) = _named(docs, "Role", locks=False)
    (binding,) = _named(docs, "RoleBinding", locks=False)
    (account,) = of_kind(docs, "ServiceAccount")
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == "sync-jobs"
    assert _rules(role) == _rules(yaml.safe_load((DEPLOY / "rbac/role.yaml").read_text()))
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": "diffsync-system"}
    ]
    env = container_env(operator_container(docs))
    assert env["DIFFSYNC_WATCH_NAMESPACES"] == "sync-jobs"
    assert operator_container(docs)["image"] == operator_container(base)["image"]
    assert env["DIFFSYNC_DEFAULT_IMAGE"] == container_env(operator_container(base))["DIFFSYNC_DEFAULT_IMAGE"]


def test_redis_tls_component_gives_the_operator_ca_and_optional_client_certificate(tmp_path):
    import os

    relative = os.path.relpath(DEPLOY, tmp_path)  # kustomize refuses absolute paths to bases
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": [relative],
                "components": [f"{relative}/components/redis-tls"],
            }
        )
    )
    env = {e["name"]: e for e in operator_container(documents(kustomize_build(tmp_path)))["env"]}
    refs = {
        name: env[name]["valueFrom"]["secretKeyRef"] for name in env if name.startswith("DIFFSYNC_REDIS_C")
    }
    assert refs == {
        "DIFFSYNC_REDIS_CA_CERT": {"name": "diffsync-redis-tls", "key": "ca.crt"},
        "DIFFSYNC_REDIS_CLIENT_CERT": {"name": "diffsync-redis-tls", "key": "tls.crt", "optional": True},
        "DIFFSYNC_REDIS_CLIENT_KEY": {"name": "diffsync-redis-tls", "key": "tls.key", "optional": True},
    }

"""The bundled Redis as rendered (kustomize `deploy/` and the Helm chart), run for real.

The Redis container of each render is started as a kubelet would start it: its environment
resolved from the Secret it references (the chart's generated Secret; for kustomize the Secret
the install guide has you create), `$(VAR)` expanded in its args, then `redis-server` with
exactly those args. Only the data directory, port and bind address are changed, to run on
this machine. The operator's rendered environment logs in the same way.
"""

from __future__ import annotations

import base64
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from diffsync_operator.controller.redis_acl import job_username, new_password, password_hash, set_job_user
from diffsync_operator.controller.settings import OperatorSettings
from envtest.podenv import expand, resolve_env
from fixtures.redis_server import find_redis_server, free_port
from install_helpers import DEPLOY, documents, kustomize_build, of_kind, operator_container, render

KUSTOMIZE_PASSWORD = "the-password-you-created"  # kubectl create secret generic diffsync-redis ...


def _quantity_bytes(text: str) -> int:
    units = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return int(text[: -len(suffix)]) * factor
    return int(text)


class Rendered:
    """One install's rendered objects and the Secrets its pods would read."""

    def __init__(self, docs: list[dict[str, Any]], user_secrets: dict[str, dict[str, str]]) -> None:
        self.docs = docs
        self.secrets = dict(user_secrets)
        for secret in of_kind(docs, "Secret"):
            data = {k: base64.b64decode(v).decode() for k, v in (secret.get("data") or {}).items()}
            self.secrets[secret["metadata"]["name"]] = {**data, **(secret.get("stringData") or {})}

    def lookup(self, kind: str, namespace: str, name: str) -> dict[str, str] | None:
        return self.secrets.get(name) if kind == "Secret" else None

    def redis_deployment(self) -> dict[str, Any]:
        return next(
            d for d in of_kind(self.docs, "Deployment")
            if d["metadata"]["labels"]["app.kubernetes.io/component"] == "redis"
        )  # fmt: skip

    def pod(self, deployment: dict[str, Any]) -> dict[str, Any]:
        return {"metadata": {"name": "pod", "namespace": deployment["metadata"]["namespace"]},
                "spec": deployment["spec"]["template"]["spec"]}  # fmt: skip

    def redis_env(self) -> dict[str, str]:
        deployment = self.redis_deployment()
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return resolve_env(self.pod(deployment), container, self.lookup)

    def redis_command(self, workdir: Path, port: int) -> list[str]:
        """The container's command line as the kubelet runs it, moved to `workdir` and `port`."""
        container = self.redis_deployment()["spec"]["template"]["spec"]["containers"][0]
        args = [expand(arg, self.redis_env()) for arg in container["args"]]
        args[args.index("--dir") + 1] = str(workdir)
        assert container["command"] == ["redis-server"]
        return [find_redis_server(), *args, "--port", str(port), "--bind", "127.0.0.1"]

    def operator_env(self) -> dict[str, str]:
        deployment = next(
            d for d in of_kind(self.docs, "Deployment") if d["metadata"]["name"].endswith("operator")
        )
        return resolve_env(self.pod(deployment), operator_container(self.docs), self.lookup)


RENDERS = {
    "kustomize": lambda: Rendered(
        documents(kustomize_build()), {"diffsync-redis": {"password": KUSTOMIZE_PASSWORD}}
    ),
    "kustomize-namespaced": lambda: Rendered(
        documents(kustomize_build(DEPLOY / "namespaced")),
        {"diffsync-redis": {"password": KUSTOMIZE_PASSWORD}},
    ),
    "helm": lambda: Rendered(render(), {}),
}


@pytest.fixture(params=sorted(RENDERS))
def rendered(request) -> Rendered:
    return RENDERS[request.param]()


@pytest.fixture
def running(rendered, tmp_path):
    """The rendered Redis, running: (rendered, port)."""
    port = free_port()
    process = subprocess.Popen(
        rendered.redis_command(tmp_path, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            redis.Redis(port=port, socket_timeout=1).ping()
            break
        except redis.exceptions.AuthenticationError:
            break  # it answers: with a refusal, which is what it should do
        except redis.exceptions.ConnectionError:
            assert process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield rendered, port
    process.terminate()
    process.wait(timeout=15)


def test_the_bundled_redis_refuses_unauthenticated_clients(running):
    rendered, port = running
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:  # any client, no library
        raw.sendall(b"PING\r\nGET diffsync-job:{a}:diff\r\n")
        time.sleep(0.2)
        assert raw.recv(4096).split(b"\r\n")[:2] == [
            b"-NOAUTH Authentication required.",
            b"-NOAUTH Authentication required.",
        ]
    with pytest.raises(redis.exceptions.AuthenticationError):  # NOAUTH
        redis.Redis(port=port).ping()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port, password="guessed").ping()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port).set("k", "v")
    assert redis.Redis(port=port, password=rendered.redis_env()["REDIS_PASSWORD"]).ping()


def test_the_bundled_redis_is_protected_and_full_before_its_memory_limit_without_evicting(running):
    rendered, port = running
    admin = redis.Redis(port=port, password=rendered.redis_env()["REDIS_PASSWORD"], decode_responses=True)
    config = admin.config_get("*")
    limit = rendered.redis_deployment()["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert config["protected-mode"] == "yes"
    assert config["maxmemory-policy"] == "noeviction"
    assert 0 < int(config["maxmemory"]) <= 0.8 * _quantity_bytes(limit["memory"]), (
        config["maxmemory"],
        limit,
    )
    assert config["appendonly"] == "no" and config["save"] == ""


def test_the_readiness_probe_logs_in_with_the_password_from_the_secret(running):
    rendered, port = running
    container = rendered.redis_deployment()["spec"]["template"]["spec"]["containers"][0]
    probe = container["readinessProbe"]["exec"]["command"]
    assert probe == ["redis-cli", "ping"]
    env = {"REDISCLI_AUTH": rendered.redis_env()["REDISCLI_AUTH"], "PATH": "/usr/bin:/bin"}
    argv = [probe[0], "-p", str(port), *probe[1:]]  # the probe's command, at this port
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "PONG", done.stdout + done.stderr
    without = subprocess.run(argv, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
    assert "NOAUTH" in without.stdout + without.stderr


def test_the_operator_logs_in_with_the_rendered_secret_reference_and_makes_job_users(running):
    rendered, port = running
    env = rendered.operator_env()
    assert "DIFFSYNC_REDIS_PASSWORD" in env, "the operator's own login"
    env["DIFFSYNC_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"  # the cluster address, moved here
    admin = OperatorSettings.from_env(env).redis_login().connect()
    name, password = job_username("rendered-1"), new_password()
    set_job_user(admin, name, "team-a/inv", password_hash(password))
    job = redis.Redis(port=port, username=name, password=password)
    job.set("diffsync-job:{team-a/inv}:diff", "{}")
    with pytest.raises(redis.exceptions.NoPermissionError):
        job.flushall()


def test_only_the_operator_and_the_watched_namespaces_pods_may_connect(rendered):
    (policy,) = of_kind(rendered.docs, "NetworkPolicy")
    stage_pods, operator = policy["spec"]["ingress"][0]["from"]
    assert "namespaceSelector" not in operator, "the operator only from its own namespace"
    assert operator["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "operator"
    assert stage_pods["podSelector"] == {"matchLabels": {"app.kubernetes.io/managed-by": "diffsync-operator"}}
    watched = [n for n in rendered.operator_env()["DIFFSYNC_WATCH_NAMESPACES"].split(",") if n]
    if watched:
        assert stage_pods["namespaceSelector"] == {
            "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": watched}]
        }
    else:
        assert stage_pods["namespaceSelector"] == {}, "all namespaces are watched"


def test_the_chart_narrows_the_network_policy_to_its_watched_namespaces():
    rendered = Rendered(render("--set", "watchNamespaces={team-a,team-b}"), {})
    test_only_the_operator_and_the_watched_namespaces_pods_may_connect(rendered)
    (policy,) = of_kind(rendered.docs, "NetworkPolicy")
    selector = policy["spec"]["ingress"][0]["from"][0]["namespaceSelector"]
    assert selector["matchExpressions"][0]["values"] == ["team-a", "team-b"]


def test_the_chart_keeps_a_given_admin_secret_and_makes_none():
    docs = render("--set", "redis.auth.existingSecret=my-redis-admin")
    assert of_kind(docs, "Secret") == []
    env = {e["name"]: e for e in operator_container(docs)["env"]}
    assert env["DIFFSYNC_REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "my-redis-admin",
        "key": "password",
    }


def test_the_charts_generated_password_is_long_and_random():
    first, second = (Rendered(render(), {}) for _ in range(2))
    one, two = (r.redis_env()["REDIS_PASSWORD"] for r in (first, second))
    assert len(one) >= 32 and one != two

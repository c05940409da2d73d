"""Writing kubeconfig files: one for the admin certificate, others for service-account tokens."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def write_kubeconfig(
    path: Path,
    *,
    server: str,
    ca_data: bytes,
    user: dict[str, str],
    namespace: str = "default",
    name: str = "envtest",
) -> Path:
    """Write a single-context kubeconfig with `user` (kubeconfig user fields) and return its path.

    Credentials are embedded rather than referenced so the file stays valid when copied or
    handed to a subprocess with another working directory.
    """
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": name, "cluster": {"server": server, "certificate-authority-data": _b64(ca_data)}}
        ],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}],
        "current-context": name,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    path.chmod(0o600)
    return path


def cert_user(cert: Path, key: Path) -> dict[str, str]:
    """Kubeconfig user fields for a client certificate."""
    return {"client-certificate-data": _b64(cert.read_bytes()), "client-key-data": _b64(key.read_bytes())}


def token_user(token: str) -> dict[str, str]:
    """Kubeconfig user fields for a bearer token."""
    return {"token": token}


def read_cluster(kubeconfig: Path) -> tuple[str, bytes, str]:
    """The (server URL, CA bundle, context name) of a kubeconfig's current context.

    Used to derive token kubeconfigs from an existing cluster's kubeconfig, so they point at
    the same server with the same trust as the admin one.
    """
    config = yaml.safe_load(kubeconfig.read_text())
    context_name = config["current-context"]
    context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
    if "certificate-authority-data" in cluster:
        ca = base64.b64decode(cluster["certificate-authority-data"])
    elif "certificate-authority" in cluster:
        ca_path = Path(cluster["certificate-authority"])
        if not ca_path.is_absolute():
            ca_path = kubeconfig.parent / ca_path
        ca = ca_path.read_bytes()
    else:
        raise ValueError(
            f"{kubeconfig}: cluster {context['cluster']!r} has no certificate-authority(-data); "
            "token kubeconfigs need the server's CA"
        )
    return cluster["server"], ca, context_name

"""Small manifest builders shared by the harness tests (and usable by other test folders)."""

from __future__ import annotations

from typing import Any

#: An image that has Python, so the same Pod also runs on a real node (DIFFSYNC_TEST_KUBECONFIG).
PYTHON_IMAGE = "python:3.12-slim"

#: The container securityContext the `restricted` Pod Security level asks for.
RESTRICTED_CONTAINER_SECURITY: dict[str, Any] = {
    "runAsNonRoot": True,
    "runAsUser": 65534,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def python_pod(
    name: str,
    code: str,
    *,
    labels: dict[str, str] | None = None,
    env: list[dict[str, Any]] | None = None,
    env_from: list[dict[str, Any]] | None = None,
    restart_policy: str = "Never",
    **container_fields: Any,
) -> dict[str, Any]:
    """A Pod running `python -c code` in one container named `main`."""
    container: dict[str, Any] = {
        "name": "main",
        "image": PYTHON_IMAGE,
        "command": ["python", "-c", code],
        "securityContext": RESTRICTED_CONTAINER_SECURITY,
        **container_fields,
    }
    if env:
        container["env"] = env
    if env_from:
        container["envFrom"] = env_from
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": dict(labels or {})},
        "spec": {"restartPolicy": restart_policy, "containers": [container]},
    }


#: Python that writes its argument to the termination-message file, wherever the node put it.
WRITE_TERMINATION_MESSAGE = (
    "import os\n"
    "path = os.environ.get('DIFFSYNC_TERMINATION_MESSAGE_PATH', '/dev/termination-log')\n"
    "open(path, 'w').write({message})\n"
)

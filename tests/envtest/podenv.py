"""Resolving a container's declared environment the way the kubelet does.

Works on API-shaped dicts (camelCase, as the API server returns them). Values come from the
real Secrets and ConfigMaps in the cluster, so a test that forgets to create one sees the same
`CreateContainerConfigError` a real node would report.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any

Pod = dict[str, Any]
#: (kind, namespace, name) -> the object's `data` map (Secret values already base64-decoded),
#: or None when it does not exist.
DataLookup = Callable[[str, str, str], "dict[str, str] | None"]


class EnvResolutionError(Exception):
    """The container cannot start yet: a non-optional reference is missing (the message says which)."""


class UnsupportedByLocalKubelet(Exception):
    """The Pod asks for something the local kubelet does not simulate; it fails the Pod at once."""


_EXPANSION = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand(text: str, variables: Mapping[str, str]) -> str:
    """Expand `$(NAME)` from `variables`; `$$` is a literal `$`; unknown names stay as written."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return variables.get(name, match.group(0))

    return _EXPANSION.sub(replace, text)


_LABEL_PATH = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


def field_value(pod: Pod, field_path: str, pod_ip: str) -> str:
    """The value of a downward-API `fieldRef` path for this pod."""
    meta = pod.get("metadata", {})
    spec = pod.get("spec", {})
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": pod_ip,
        "status.hostIPs": pod_ip,
        "status.podIP": pod_ip,
        "status.podIPs": pod_ip,
    }
    if field_path in simple:
        return str(simple[field_path])
    match = _LABEL_PATH.match(field_path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    raise UnsupportedByLocalKubelet(
        f"fieldRef.fieldPath {field_path!r} is not supported by the local kubelet"
    )


def _key_ref(ref: dict[str, Any], kind: str, namespace: str, lookup: DataLookup) -> str | None:
    data = lookup(kind, namespace, ref["name"])
    optional = bool(ref.get("optional"))
    if data is None:
        if optional:
            return None
        raise EnvResolutionError(f'{kind.lower()} "{ref["name"]}" not found')
    if ref["key"] not in data:
        if optional:
            return None
        raise EnvResolutionError(f"couldn't find key {ref['key']} in {kind} {namespace}/{ref['name']}")
    return data[ref["key"]]


def resolve_env(
    pod: Pod, container: dict[str, Any], lookup: DataLookup, *, pod_ip: str = "127.0.0.1"
) -> dict[str, str]:
    """The environment the container would see: `envFrom` first, then `env` in order.

    Later entries override earlier ones and may refer to them with `$(NAME)`, as in Kubernetes.
    """
    namespace = pod["metadata"]["namespace"]
    result: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = source.get(key)
            if ref is None:
                continue
            data = lookup(kind, namespace, ref["name"])
            if data is None:
                if ref.get("optional"):
                    continue
                raise EnvResolutionError(f'{kind.lower()} "{ref["name"]}" not found')
            for key, text in data.items():
                result[prefix + key] = text
    for var in container.get("env") or []:
        name = var["name"]
        if "valueFrom" not in var:
            result[name] = expand(var.get("value", ""), result)
            continue
        source = var["valueFrom"]
        value: str | None
        if "secretKeyRef" in source:
            value = _key_ref(source["secretKeyRef"], "Secret", namespace, lookup)
        elif "configMapKeyRef" in source:
            value = _key_ref(source["configMapKeyRef"], "ConfigMap", namespace, lookup)
        elif "fieldRef" in source:
            value = field_value(pod, source["fieldRef"]["fieldPath"], pod_ip)
        else:
            raise UnsupportedByLocalKubelet(
                f"env {name}: only value, secretKeyRef, configMapKeyRef and fieldRef are supported "
                f"by the local kubelet, got {sorted(source)}"
            )
        if value is not None:
            result[name] = value
    return result


def decode_secret_data(data: Mapping[str, str] | None) -> dict[str, str]:
    """Secret `data` values as text (the API returns them base64-encoded)."""
    return {k: base64.b64decode(v).decode("utf-8", errors="replace") for k, v in (data or {}).items()}

"""Tell a pod the API server refuses (the job cannot run) from a failure worth retrying.

A 4xx answer to creating a stage pod means the spec asks for something the cluster will not
run (an affinity term it rejects, a value Pod Security forbids): trying again cannot help,
so the job fails naming the field. The kubernetes client refuses some such pods itself,
before sending them, when a value does not fit its typed models: the same. A 5xx, a 429, a
quota not yet free or a timeout is temporary: the next pass tries again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kubernetes.client.exceptions import ApiException
from pydantic import ValidationError

# The SyncJob field behind each part of a stage pod, for the message (longest prefix first).
_POD_FIELDS = (
    ("spec.containers[0].resources", "spec.resources"),
    ("spec.containers[0].image", "spec.image"),
    ("spec.containers[0].env", "spec.source.env or spec.target.env"),
    ("spec.containers[0].envFrom", "spec.source.envFrom or spec.target.envFrom"),
    ("spec.affinity", "spec.affinity"),
    ("spec.nodeSelector", "spec.nodeSelector"),
    ("spec.tolerations", "spec.tolerations"),
    ("spec.serviceAccountName", "spec.serviceAccountName"),
    ("metadata.labels", "spec.podLabels"),
    ("metadata.annotations", "spec.podAnnotations"),
)


def syncjob_field(pod_field: str) -> str | None:
    """The SyncJob field that set `pod_field` of the stage pod, if one did."""
    return next((ours for prefix, ours in _POD_FIELDS if pod_field.startswith(prefix)), None)


def _fields_of(text: str) -> list[str]:
    named = re.findall(r"(?:spec|metadata)\.[A-Za-z0-9_.\[\]]+", text)
    return list(dict.fromkeys(f for f in (syncjob_field(n) for n in named) if f))


def _with_fields(what: str, text: str) -> str:
    fields = _fields_of(text)
    prefix = f"{', '.join(fields)}: " if fields else ""
    return f"{prefix}{what}: {text}"


def refusal(error: BaseException) -> str | None:
    """Why the API server (or the client) will never create the pod, or None to retry."""
    if isinstance(error, ValidationError):  # the client's own models refused the body
        problems = "; ".join(
            ".".join(str(part) for part in item["loc"][1:]) + f": {item['msg']}" for item in error.errors()
        )
        return _with_fields("the stage pod is not a valid Pod", problems)
    if not isinstance(error, ApiException) or error.status is None:
        return None
    status = int(error.status)
    if not 400 <= status < 500 or status in (408, 409, 429):
        return None
    message = _message(error.body) or str(error.reason)
    if status == 403 and "exceeded quota" in message:
        return None  # a ResourceQuota: room may free up, as a Job keeps trying
    return _with_fields(f"the API server refused the stage pod ({status})", message)


def _message(body: Any) -> str | None:
    try:
        document = json.loads(body) if isinstance(body, (str, bytes)) else None
    except ValueError:
        return None
    return document.get("message") if isinstance(document, dict) else None

"""Build the manifest of one stage pod (pure: no API calls).

A stage pod runs `python -m diffsync_operator.worker <stage>` in `spec.image` with the
restricted Pod Security profile: non-root, read-only root filesystem (an emptyDir is mounted
at /tmp for libraries that need scratch space), no privilege escalation, all capabilities
dropped, RuntimeDefault seccomp, and no service account token (workers never call the API).

Environment, in order (Kubernetes keeps the last of duplicate names, so ours win):
the source side's `env`/`envFrom` for load-source, the target side's for load-target, both
(source first) for diff and sync; then the variables of `stages.config`, the Redis ones from
`redis_access.PodRedisAccess` (passwords and keys only by `secretKeyRef`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diffsync_operator.api.corev1 import WORKER_CONTAINER, EnvFromSource, EnvVar
from diffsync_operator.api.resource import API_VERSION, KIND
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import Stage
from diffsync_operator.controller.naming import cleanup_pod_name, pod_labels, pod_name
from diffsync_operator.controller.redis_access import PodRedisAccess, redis_problems
from diffsync_operator.controller.redis_servers import operator_server
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.claims import ClaimOwner
from diffsync_operator.stages.config import (
    CLEANUP_COMMAND,
    ENV_ATTEMPT,
    ENV_JOB,
    WORKER_MODULE,
    AdapterRef,
    JobConfig,
)

CONTAINER_NAME = WORKER_CONTAINER


@dataclass(frozen=True)
class JobRef:
    """The identity of a SyncJob object."""

    name: str
    namespace: str
    uid: str

    @property
    def owner(self) -> ClaimOwner:
        """The job as a store claimant: its uid, and `<namespace>/<name>` for messages."""
        return ClaimOwner(self.uid, f"{self.namespace}/{self.name}")

    def owner_reference(self) -> dict[str, Any]:
        """The reference that makes the job the controller of an object it owns (pods, its
        Secret): garbage-collected with it, and its deletion waits for theirs."""
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "name": self.name,
            "uid": self.uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }


def job_config(job: JobRef, spec: SyncJobSpec, store_id: str, settings: OperatorSettings) -> JobConfig:
    """What the job's pods get in DIFFSYNC_JOB: the spec's stage view, the claim owner and TTLs."""
    return JobConfig.from_spec(
        spec,
        store_id,
        owner=job.owner,
        claim_ttl_seconds=settings.claim_ttl_seconds,
        operator_claims=operator_server(spec, settings) is not None,
    )


def spec_problems(spec: SyncJobSpec, settings: OperatorSettings) -> list[str]:
    """Problems of the operator's configuration for this spec (the schema checked the rest)."""
    problems = []
    if not (spec.image or settings.default_image):
        problems.append(
            "spec.image: no image given and the operator has no DIFFSYNC_DEFAULT_IMAGE; set spec.image"
        )
    problems += redis_problems(spec, settings)
    return problems


def _stage_env(spec: SyncJobSpec, stage: Stage) -> tuple[list[EnvVar], list[EnvFromSource]]:
    sides = [side for _, side in spec.sides_for(stage)]
    return [v for s in sides for v in s.env], [f for s in sides for f in s.env_from]


def build_pod(
    job: JobRef,
    spec: SyncJobSpec,
    store_id: str,
    stage: Stage,
    attempt: int,
    settings: OperatorSettings,
    access: PodRedisAccess,
) -> dict[str, Any]:
    """The Pod manifest for `attempt` of `stage` (call `spec_problems` first)."""
    env, env_from = _stage_env(spec, stage)
    config = job_config(job, spec, store_id, settings)
    ours = [
        {"name": ENV_JOB, "value": config.model_dump_json(by_alias=True)},
        {"name": ENV_ATTEMPT, "value": str(attempt)},
    ]
    return _pod(
        job,
        spec,
        settings,
        name=pod_name(job.name, stage, attempt),
        command=stage.value,
        labels=pod_labels(job.name, job.uid, stage, attempt),
        env=[v.to_manifest() for v in env] + ours + access.env(),
        env_from=[f.to_manifest() for f in env_from],
    )


def build_cleanup_pod(
    job: JobRef, spec: SyncJobSpec, store_id: str, settings: OperatorSettings, access: PodRedisAccess
) -> dict[str, Any]:
    """The pod that deletes a job's Redis state when only a pod can read the Redis password.

    It gets the job (store id, claim owner; the adapters' paths but not their `params`) and the
    job's Redis login, nothing else of the adapters (no `env`, `envFrom` or `params`: those may
    hold the systems' credentials), and runs `python -m diffsync_operator.worker cleanup`.
    """
    config = job_config(job, spec, store_id, settings)
    config = config.model_copy(
        update={
            "source": AdapterRef(adapter=config.source.adapter),
            "target": AdapterRef(adapter=config.target.adapter),
        }
    )
    return _pod(
        job,
        spec,
        settings,
        name=cleanup_pod_name(job.name),
        command=CLEANUP_COMMAND,
        labels=pod_labels(job.name, job.uid, CLEANUP_COMMAND, 1),
        env=[{"name": ENV_JOB, "value": config.model_dump_json(by_alias=True)}, *access.env()],
        env_from=[],
    )


def _pod(
    job: JobRef,
    spec: SyncJobSpec,
    settings: OperatorSettings,
    *,
    name: str,
    command: str,
    labels: dict[str, str],
    env: list[dict[str, Any]],
    env_from: list[dict[str, Any]],
) -> dict[str, Any]:
    ours: list[dict[str, Any]] = [
        {"name": "PYTHONUNBUFFERED", "value": "1"},
        {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
    ]
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": spec.image or settings.default_image,
        "command": [settings.worker_python, "-m", WORKER_MODULE, command],
        "env": env + ours,
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108 - an emptyDir
    }
    if env_from:
        container["envFrom"] = env_from
    if spec.image_pull_policy:
        container["imagePullPolicy"] = spec.image_pull_policy
    if spec.resources is not None:
        container["resources"] = spec.resources.to_manifest()
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }
    if spec.service_account_name:
        pod_spec["serviceAccountName"] = spec.service_account_name
    if spec.node_selector:
        pod_spec["nodeSelector"] = dict(spec.node_selector)
    if spec.tolerations:
        pod_spec["tolerations"] = [t.to_manifest() for t in spec.tolerations]
    if spec.affinity:
        pod_spec["affinity"] = dict(spec.affinity)
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": job.namespace,
        "labels": {**(spec.pod_labels or {}), **labels},
        "ownerReferences": [job.owner_reference()],
    }
    if spec.pod_annotations:
        metadata["annotations"] = dict(spec.pod_annotations)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": pod_spec}

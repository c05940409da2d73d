"""The few Kubernetes core shapes a SyncJob embeds (EnvVar, EnvFromSource, tolerations...).

Declared here rather than borrowed from the `kubernetes` client because the CRD schema is
generated from these models: they must be pydantic and must say exactly what the API server
accepts. Field names follow the core/v1 API so users can paste what they already write in
Pods and Deployments.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema

from diffsync_operator.api.base import CamelModel

#: A Kubernetes quantity ("500m", "1Gi" or 2): the schema marks it int-or-string.
Quantity = Annotated[int | str, WithJsonSchema({"x-kubernetes-int-or-string": True})]

#: An object the API server keeps as given (affinity and similar large core types).
FreeForm = Annotated[
    dict[str, Any], WithJsonSchema({"type": "object", "x-kubernetes-preserve-unknown-fields": True})
]


class SecretKeySelector(CamelModel):
    """One key of a Secret in the SyncJob's namespace."""

    name: str = Field(min_length=1)
    key: str = Field(min_length=1)
    optional: bool | None = None


class ConfigMapKeySelector(CamelModel):
    """One key of a ConfigMap in the SyncJob's namespace."""

    name: str = Field(min_length=1)
    key: str = Field(min_length=1)
    optional: bool | None = None


class ObjectFieldSelector(CamelModel):
    """A field of the pod itself (downward API), e.g. `metadata.namespace`."""

    field_path: str = Field(min_length=1)
    api_version: str | None = None


class ResourceFieldSelector(CamelModel):
    """A resource limit or request of a container (downward API)."""

    resource: str = Field(min_length=1)
    container_name: str | None = None
    divisor: Quantity | None = None


class EnvVarSource(CamelModel):
    """Where an environment variable's value comes from; exactly one member should be set."""

    secret_key_ref: SecretKeySelector | None = None
    config_map_key_ref: ConfigMapKeySelector | None = None
    field_ref: ObjectFieldSelector | None = None
    resource_field_ref: ResourceFieldSelector | None = None


class EnvVar(CamelModel):
    """core/v1 EnvVar: a literal `value` or a `valueFrom` reference (for credentials)."""

    name: str = Field(min_length=1)
    value: str | None = None
    value_from: EnvVarSource | None = None


class LocalObjectReference(CamelModel):
    """A Secret or ConfigMap by name, used by envFrom."""

    name: str = Field(min_length=1)
    optional: bool | None = None


class EnvFromSource(CamelModel):
    """core/v1 EnvFromSource: every key of a Secret or ConfigMap becomes a variable."""

    prefix: str | None = None
    secret_ref: LocalObjectReference | None = None
    config_map_ref: LocalObjectReference | None = None


class ResourceRequirements(CamelModel):
    """CPU and memory for the stage pods (`limits`, `requests`)."""

    limits: dict[str, Quantity] | None = None
    requests: dict[str, Quantity] | None = None


class Toleration(CamelModel):
    """core/v1 Toleration."""

    key: str | None = None
    operator: Literal["Exists", "Equal"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None

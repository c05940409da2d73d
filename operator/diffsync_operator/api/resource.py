"""The SyncJob resource: names, the manifest model, and the spec and status models.

The package re-exports everything here (`from diffsync_operator.api import SyncJob`); the
pieces live in `spec`, `status` and `corev1` only to keep each module small.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.formats import DNS_SUBDOMAIN, anchored
from diffsync_operator.api.schedule import SyncScheduleSpec, SyncScheduleStatus
from diffsync_operator.api.spec import AdapterSpec, FlagName, RedisSpec, SyncJobSpec
from diffsync_operator.api.status import (
    Condition,
    DiffSummary,
    JobPhase,
    Stage,
    StagePhase,
    StageStatus,
    SyncFailure,
    SyncJobStatus,
    SyncOutcome,
)

GROUP = "diffsync.io"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "SyncJob"
PLURAL = "syncjobs"
SINGULAR = "syncjob"
SHORT_NAMES = ("sj",)
CRD_NAME = f"{PLURAL}.{GROUP}"


class ObjectMeta(BaseModel):
    """The metadata a manifest needs here; the rest is the API server's business."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=253, pattern=anchored(DNS_SUBDOMAIN))
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class SyncJob(CamelModel):
    """A whole SyncJob manifest, as applied with kubectl or run by the local CLI."""

    api_version: Literal["diffsync.io/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["SyncJob"]
    metadata: ObjectMeta
    spec: SyncJobSpec
    status: SyncJobStatus | None = None

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> SyncJob:
        """Validate a manifest dict (e.g. from yaml.safe_load); raises pydantic.ValidationError."""
        return cls.model_validate(manifest)


class SyncSchedule(CamelModel):
    """A whole SyncSchedule manifest: SyncJobs made from a template on a schedule."""

    api_version: Literal["diffsync.io/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["SyncSchedule"]
    metadata: ObjectMeta
    spec: SyncScheduleSpec
    status: SyncScheduleStatus | None = None

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> SyncSchedule:
        """Validate a manifest dict; raises pydantic.ValidationError."""
        return cls.model_validate(manifest)


__all__ = [
    "API_VERSION",
    "CRD_NAME",
    "GROUP",
    "KIND",
    "PLURAL",
    "SHORT_NAMES",
    "SINGULAR",
    "VERSION",
    "AdapterSpec",
    "Condition",
    "DiffSummary",
    "FlagName",
    "JobPhase",
    "ObjectMeta",
    "RedisSpec",
    "Stage",
    "StagePhase",
    "StageStatus",
    "SyncFailure",
    "SyncJob",
    "SyncJobSpec",
    "SyncJobStatus",
    "SyncOutcome",
    "SyncSchedule",
    "SyncScheduleSpec",
    "SyncScheduleStatus",
]

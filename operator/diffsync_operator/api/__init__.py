"""The SyncJob resource as pydantic models: the one definition of its schema.

`spec` (what to run), `status` (what happened), `corev1` (the Kubernetes core shapes a spec
embeds), `schedule` and `cron` (SyncSchedule: SyncJobs on a schedule), `resource` (the whole
manifests and the API names), `crd` (the CRDs generated from them). Pure data: this package
imports pydantic, cronsim (the schedule syntax is part of the schema), the library's enums
and nothing of the operator's, so the CLI, the stages and the controller can all depend on it.
"""

from diffsync_operator.api.resource import (
    API_VERSION,
    CRD_NAME,
    GROUP,
    KIND,
    PLURAL,
    SHORT_NAMES,
    SINGULAR,
    VERSION,
    AdapterSpec,
    Condition,
    DiffSummary,
    FlagName,
    JobPhase,
    ObjectMeta,
    RedisSpec,
    Stage,
    StagePhase,
    StageStatus,
    SyncFailure,
    SyncJob,
    SyncJobSpec,
    SyncJobStatus,
    SyncOutcome,
    SyncSchedule,
    SyncScheduleSpec,
    SyncScheduleStatus,
)

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

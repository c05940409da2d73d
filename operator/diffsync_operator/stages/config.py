"""The part of a SyncJob a stage needs, and how it travels to a stage pod.

A stage pod gets its whole job in environment variables (set by `pods.build_pod`):

| variable | content |
|---|---|
| `DIFFSYNC_JOB` | JSON of `JobConfig` (adapters, params, mode, flags, storeId, claim, TTLs, guard, |
|   | approval: the approved plan id, the plan's sample size and redacted attributes) |
| `DIFFSYNC_ATTEMPT` | attempt number of this stage (1-based) |
| `DIFFSYNC_REDIS_URL` | Redis holding the job's state (never with a password in it) |
| `DIFFSYNC_REDIS_USERNAME` | the Redis ACL user: the job's own user on the operator's Redis |
| `DIFFSYNC_REDIS_PASSWORD` | its password (from a Secret by `secretKeyRef`), optional |
| `DIFFSYNC_REDIS_CA_CERT` | PEM of the CA to trust for `rediss://`, optional |
| `DIFFSYNC_REDIS_CLIENT_CERT`, `..._KEY` | PEM of a TLS client certificate and its key, optional |
| `DIFFSYNC_TERMINATION_LOG` | where the result goes (default `/dev/termination-log`) |
| `DIFFSYNC_TERMINATION_MESSAGE_PATH` | read when the above is unset: the test kubelet's name |

The local CLI builds a `JobConfig` from a manifest with `JobConfig.from_spec` and passes it
to `stages.run_stage` directly.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from diffsync.enum import DiffSyncFlags
from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.spec import (
    ADAPTER_PATH_PATTERN,
    DEFAULT_STORE_TTL_SECONDS,
    PLAN_ID_PATTERN,
    DeletionGuard,
    FlagName,
    SyncJobSpec,
    combine_flags,
)
from diffsync_operator.api.status import PLAN_SAMPLE_SIZE
from diffsync_operator.stages.claims import DEFAULT_CLAIM_TTL_SECONDS, ClaimOwner

ENV_JOB = "DIFFSYNC_JOB"
ENV_ATTEMPT = "DIFFSYNC_ATTEMPT"
ENV_REDIS_URL = "DIFFSYNC_REDIS_URL"
ENV_REDIS_USERNAME = "DIFFSYNC_REDIS_USERNAME"
ENV_REDIS_PASSWORD = "DIFFSYNC_REDIS_PASSWORD"  # noqa: S105 - a variable name, not a password
ENV_REDIS_CA_CERT = "DIFFSYNC_REDIS_CA_CERT"
ENV_REDIS_CLIENT_CERT = "DIFFSYNC_REDIS_CLIENT_CERT"
ENV_REDIS_CLIENT_KEY = "DIFFSYNC_REDIS_CLIENT_KEY"
ENV_TERMINATION_LOG = "DIFFSYNC_TERMINATION_LOG"
ENV_TERMINATION_LOG_FALLBACK = "DIFFSYNC_TERMINATION_MESSAGE_PATH"
DEFAULT_TERMINATION_LOG = "/dev/termination-log"

#: A stage pod runs `python -m WORKER_MODULE <stage>`; the finalizer's pod runs `... CLEANUP_COMMAND`.
WORKER_MODULE = "diffsync_operator.worker"
CLEANUP_COMMAND = "cleanup"


def local_owner() -> ClaimOwner:
    """The claimant of a run outside the cluster: a fresh uid, never a SyncJob's."""
    return ClaimOwner(f"local-{uuid.uuid4()}", "(local run)")


class AdapterRef(CamelModel):
    """An adapter class path and its constructor keyword arguments."""

    adapter: str = Field(pattern=ADAPTER_PATH_PATTERN)
    params: dict[str, Any] = Field(default_factory=dict)


class JobConfig(CamelModel):
    """Everything the stage code needs to know about the job (no Kubernetes in here).

    `job_uid` and `job_name` identify the job in store claims (see `claims`): every pod of a
    job gets the same JSON, hence the same uid (required: a default made in each pod would
    make a job's stages block each other). A local run uses a fresh uid of its own.
    `final_stage_releases_claim` is False when the operator holds the claim itself: it
    releases it when it sees the job finished; a pod releasing it first could let another
    job take the store before the operator saw this one succeed.
    """

    store_id: str = Field(min_length=1)
    source: AdapterRef
    target: AdapterRef
    mode: Literal["diff", "sync"] = "diff"
    flags: list[FlagName] = Field(default_factory=list)
    job_uid: str = Field(min_length=1)
    job_name: str = "(local run)"
    store_ttl_seconds: int = Field(default=DEFAULT_STORE_TTL_SECONDS, ge=1, alias="storeTTLSeconds")
    claim_ttl_seconds: int = Field(default=DEFAULT_CLAIM_TTL_SECONDS, ge=1, alias="claimTTLSeconds")
    final_stage_releases_claim: bool = True
    deletion_guard: DeletionGuard = Field(default_factory=DeletionGuard)
    approval_required: bool = False  # approval: Manual in sync mode
    approved_plan: str | None = Field(default=None, pattern=PLAN_ID_PATTERN)
    plan_sample_size: int = Field(default=0, ge=0, le=PLAN_SAMPLE_SIZE)
    redact_attributes: list[str] = Field(default_factory=list)

    @classmethod
    def from_spec(
        cls,
        spec: SyncJobSpec,
        store_id: str,
        *,
        owner: ClaimOwner | None = None,
        claim_ttl_seconds: int = DEFAULT_CLAIM_TTL_SECONDS,
        operator_claims: bool = False,
    ) -> JobConfig:
        """The stage view of a validated SyncJob spec; `owner` is the SyncJob (default: a local run)."""
        owner = owner or local_owner()
        manual = spec.mode == "sync" and spec.approval == "Manual"
        reviewed = spec.mode == "diff" or manual  # the sample's values are for a reviewer only
        return cls(
            store_id=store_id,
            source=AdapterRef(adapter=spec.source.adapter, params=spec.source.params),
            target=AdapterRef(adapter=spec.target.adapter, params=spec.target.params),
            mode=spec.mode,
            flags=spec.flags,
            store_ttl_seconds=spec.store_ttl_seconds,
            claim_ttl_seconds=claim_ttl_seconds,
            final_stage_releases_claim=not operator_claims,
            job_uid=owner.uid,
            job_name=owner.job,
            deletion_guard=spec.deletion_guard,
            approval_required=manual,
            approved_plan=spec.approved_plan if manual else None,
            plan_sample_size=PLAN_SAMPLE_SIZE if reviewed else 0,
            redact_attributes=list(spec.redact_attributes),
        )

    @property
    def owner(self) -> ClaimOwner:
        """The job as a store claimant."""
        return ClaimOwner(self.job_uid, self.job_name)

    def flag_value(self) -> DiffSyncFlags:
        """The flags combined into one DiffSyncFlags value."""
        return combine_flags(self.flags)

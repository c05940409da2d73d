"""`SyncJob.spec`: what to sync, how, and the limits of the run.

The models are the single definition of the resource: the CRD schema is generated from them
(`python -m diffsync_operator.api.crd`), the operator validates with them, and the local CLI
checks manifests with them. Choices beyond the issue's wording:

- pod overrides sit flat in the spec (`resources`, `serviceAccountName`, `nodeSelector`,
  `tolerations`, `affinity`); the pod's extra labels and annotations are `podLabels` and
  `podAnnotations` so they cannot be mistaken for the SyncJob's own metadata;
- `image` is optional in the schema because the operator may be configured with a default
  image (`DIFFSYNC_DEFAULT_IMAGE`); a job with neither fails with a condition naming
  `spec.image`;
- `target` is an `AdapterSpec` with one more field, `lockKey`: the name of the target system
  for the one-writer-per-target lock (`target_lock_key` gives the default);
- `approval`, `approvedPlan`, `approvalDeadlineSeconds` and `redactAttributes` make a sync
  wait for a person to approve its plan (see `api.status.PlanStatus`); like `suspend`,
  `approvedPlan` is meant to be changed while the job runs.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from diffsync.enum import DiffSyncFlags
from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.corev1 import (
    AnnotationMap,
    Count,
    EnvFromSource,
    EnvVar,
    FreeForm,
    LabelMap,
    ObjectName,
    ResourceRequirements,
    SecretKeySelector,
    Toleration,
)
from diffsync_operator.api.formats import INT32_MAX
from diffsync_operator.api.rules import Rule
from diffsync_operator.api.status import Stage

#: "package.module:Class" (dotted module path, a colon, a dotted attribute path).
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
ADAPTER_PATH_PATTERN = f"^{_DOTTED}:{_DOTTED}$"

#: A day: long enough to read a diff the morning after, short enough not to keep job data around.
DEFAULT_STORE_TTL_SECONDS = 86400
#: Shorter lifetimes could expire a store between two stages (a pod waiting for its image).
MIN_STORE_TTL_SECONDS = 300

#: A plan id: the SHA-256 of the canonical diff, 64 lowercase hex digits (`stages.plans`).
PLAN_ID_PATTERN = r"^[0-9a-f]{64}$"
#: Lock keys name a target system; they appear in Lease annotations and conditions.
LOCK_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$"
#: The attribute name that masks every value of a plan's sample.
REDACT_ALL = "*"

#: Store ids become part of Redis keys (inside a `{...}` hash tag), so braces and spaces are out.
STORE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"

#: What a Redis URL starts with (the CLI checks the rest of a URL it is given). A Redis Cluster
#: is named by `redis+cluster://` or `rediss+cluster://` and its seed nodes (docs/redis-store.md).
REDIS_URL_PATTERN = r"^(redis|rediss|unix|redis\+cluster|rediss\+cluster)://"

# The flag names come from the library's enum so the schema can never drift from it.
FlagName = enum.Enum(  # type: ignore[misc]
    "FlagName", {name: name for name in DiffSyncFlags.__members__}, type=str
)
FlagName.__doc__ = "A member name of diffsync.DiffSyncFlags."

#: An image reference as the API server takes it: not empty, no surrounding whitespace.
Image = Annotated[
    str,
    Field(min_length=1, max_length=4096),
    Rule(
        cel="self == self.trim()",
        check=lambda image: None if image == image.strip() else repr(image),
        message="must not begin or end with whitespace",
    ),
]

#: Bounds of the time limits. A Job allows int64 for activeDeadlineSeconds, but a deadline
#: past year 9999 cannot be computed (Python datetimes end there), Redis refuses an expiry
#: that overflows in milliseconds, and 68 years is no limit in practice; so they are all
#: int32, as a Job's ttlSecondsAfterFinished and backoffLimit are.
Seconds = Annotated[StrictInt, Field(le=INT32_MAX)]


def combine_flags(flags: Iterable[FlagName]) -> DiffSyncFlags:
    """Flag names combined into one DiffSyncFlags value (for the spec and the stages alike)."""
    value = DiffSyncFlags.NONE
    for flag in flags:
        value |= DiffSyncFlags[flag.value]
    return value


class AdapterSpec(CamelModel):
    """One side of the sync: the adapter class, its keyword arguments and its environment."""

    adapter: str = Field(
        pattern=ADAPTER_PATH_PATTERN,
        description='The Adapter subclass as "package.module:Class", importable in the image.',
    )
    params: FreeForm = Field(
        default_factory=dict,
        description="Keyword arguments for the adapter's constructor (free-form).",
    )
    env: list[EnvVar] = Field(
        default_factory=list,
        max_length=128,
        description="Environment of the pods that build this adapter.",
    )
    env_from: list[EnvFromSource] = Field(
        default_factory=list,
        max_length=32,
        description="Secrets or ConfigMaps exported as environment variables.",
    )


class TargetSpec(AdapterSpec):
    """The target side: an adapter like the source, and the name of the system it writes into."""

    lock_key: str | None = Field(
        default=None,
        pattern=LOCK_KEY_PATTERN,
        max_length=200,
        description="Names the target system: the operator never runs two syncs with one lock key at "
        "once, across namespaces. Default: the target adapter path and a hash of its params "
        "(status.targetLock.key shows it).",
    )


def target_lock_key(target: AdapterSpec) -> str:
    """The lock key of `target`: its `lockKey`, else `<adapter>#<hash of its params>`.

    The default says "the same adapter configured the same way writes into the same system":
    two jobs in any namespaces with equal target adapter and params share one lock. Params are
    hashed (SHA-256 of their canonical JSON, 16 hex digits) so the key stays short and shows no
    value. Jobs that configure one system differently (another page size, say) must name it
    with the same explicit `lockKey` to be kept apart.
    """
    explicit = getattr(target, "lock_key", None)
    if explicit:
        return str(explicit)
    canonical = json.dumps(target.params, sort_keys=True, separators=(",", ":"), default=str)
    return f"{target.adapter}#{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


class RedisTLS(CamelModel):
    """TLS material for a `rediss://` spec.redis.url, from Secrets in the job's namespace."""

    ca_secret_ref: SecretKeySelector | None = Field(
        default=None,
        description="Secret key holding the PEM CA certificate(s) to trust; default: the image's CAs.",
    )
    client_certificate_secret_name: ObjectName | None = Field(
        default=None,
        description="A kubernetes.io/tls Secret (keys tls.crt and tls.key): the client certificate "
        "for a Redis that asks for one.",
    )


class RedisSpec(CamelModel):
    """The Redis holding the job's shared state; empty means the operator's default Redis.

    On the operator's Redis each job gets its own Redis user, limited to the job's keys (see
    docs/security.md): `username`, `passwordSecretRef` and `tls` are then not used and are
    refused. They are for a Redis the job names itself in `url`.
    """

    url: str | None = Field(
        default=None,
        pattern=REDIS_URL_PATTERN,
        description="redis://, rediss:// or unix:// URL, or redis+cluster://host:port[,host:port...] "
        "(rediss+cluster:// for TLS) for a Redis Cluster, without a password; "
        "default: the operator's configured Redis.",
    )
    username: str | None = Field(
        default=None, min_length=1, description="Redis ACL user to log in as at url (default: default)."
    )
    password_secret_ref: SecretKeySelector | None = Field(
        default=None, description="Secret key holding the Redis password for url."
    )
    tls: RedisTLS | None = Field(
        default=None, description="CA and client certificate for a rediss:// or rediss+cluster:// url."
    )


#: The default share of the target's objects one sync may delete (see DeletionGuard).
DEFAULT_MAX_DELETE_FRACTION = 0.5


class DeletionGuard(CamelModel):
    """How much of the target one sync may delete: a sync whose diff deletes more is stopped.

    A source that comes back empty or half-read (an API outage answering with an empty list, a
    filter that matches nothing) makes a diff that deletes most of the target. Sync tools that
    manage identities refuse such exports by default; so does a SyncJob. Both limits apply when
    both are set; `maxDeleteFraction: 1` turns the fraction off.
    """

    max_deletes: Count | None = Field(
        default=None, description="At most this many deletes in one sync (unset: no count limit)."
    )
    max_delete_fraction: float = Field(
        default=DEFAULT_MAX_DELETE_FRACTION,
        ge=0,
        le=1,
        description="At most this fraction of the target's loaded objects deleted in one sync "
        "(default 0.5; 1 allows deleting everything).",
    )


class SyncJobSpec(CamelModel):
    """The desired run: source, target, mode, flags, Redis state and limits."""

    source: AdapterSpec
    target: TargetSpec
    mode: Literal["diff", "sync"] = Field(
        default="diff", description="diff: load, diff and report (dry run); sync: also apply the diff."
    )
    flags: list[FlagName] = Field(
        default_factory=list, description="diffsync.DiffSyncFlags member names, combined."
    )
    store_id: str | None = Field(
        default=None,
        pattern=STORE_ID_PATTERN,
        max_length=200,
        description="Names the Redis state within the job's namespace: the effective id is "
        "<namespace>/<storeId> (status.storeId); default <namespace>/<name>.<uid prefix>.",
    )
    store_ttl_seconds: Seconds = Field(
        default=DEFAULT_STORE_TTL_SECONDS,
        alias="storeTTLSeconds",  # as Kubernetes spells acronyms (podIP); to_camel would say storeTtl
        ge=MIN_STORE_TTL_SECONDS,
        description="Every Redis key of the job expires this long after its last stage finished "
        "(refreshed while the job runs), also with retainStore.",
    )
    redis: RedisSpec = Field(default_factory=RedisSpec)
    image: Image | None = Field(default=None, description="Image with our package and the adapters.")
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = None
    resources: ResourceRequirements | None = None
    service_account_name: ObjectName | None = None
    node_selector: LabelMap | None = None
    tolerations: list[Toleration] | None = Field(default=None, max_length=64)
    affinity: FreeForm | None = None
    pod_labels: LabelMap | None = None
    pod_annotations: AnnotationMap | None = None
    backoff_limit: Seconds = Field(default=2, ge=0, description="Retries per stage after a failure.")
    active_deadline_seconds: Seconds | None = Field(
        default=None, ge=1, description="Fail the job (and stop its pods) after this long running."
    )
    ttl_seconds_after_finished: Seconds | None = Field(
        default=None, ge=0, description="Delete the SyncJob this long after it finished."
    )
    suspend: bool = Field(default=False, description="Start no new stage pods while true.")
    retain_store: bool = Field(default=False, description="Keep the Redis state when the SyncJob is deleted.")
    deletion_guard: DeletionGuard = Field(
        default_factory=DeletionGuard,
        description="Stops a sync that would delete more of the target than this allows.",
    )
    approval: Literal["Automatic", "Manual"] = Field(
        default="Automatic",
        description="Manual: a sync job stops after its diff (phase AwaitingApproval) and publishes "
        "status.plan; it syncs only once spec.approvedPlan names that plan and a fresh diff matches it.",
    )
    approved_plan: str | None = Field(
        default=None,
        pattern=PLAN_ID_PATTERN,
        description="The status.plan.id a person approved (approval: Manual). The operator reloads "
        "both sides, diffs again and syncs only if the new diff has this id. May be set at any time.",
    )
    approval_deadline_seconds: int | None = Field(
        default=None,
        ge=1,
        le=INT32_MAX,
        description="Fail the job when its published plan was not approved within this long.",
    )
    redact_attributes: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list,
        max_length=100,
        description='Attribute names whose values status.plan.sample shows as "***"; "*" masks every value.',
    )

    def flag_value(self) -> DiffSyncFlags:
        """The flags combined into one DiffSyncFlags value."""
        return combine_flags(self.flags)

    def sides_for(self, stage: Stage) -> list[tuple[str, AdapterSpec]]:
        """("source", spec) and/or ("target", spec): the adapters `stage` builds, in that order."""
        return [(side, self.source if side == "source" else self.target) for side in stage.sides]

"""The part of a SyncJob a stage needs, and how it travels to a stage pod.

A stage pod gets its whole job in environment variables (set by `pods.build_pod`):

| variable | content |
|---|---|
| `DIFFSYNC_JOB` | JSON of `JobConfig` (adapters, params, mode, flags, storeId) |
| `DIFFSYNC_ATTEMPT` | attempt number of this stage (1-based) |
| `DIFFSYNC_REDIS_URL` | Redis holding the job's state |
| `DIFFSYNC_REDIS_PASSWORD` | its password (from a Secret by `secretKeyRef`), optional |
| `DIFFSYNC_TERMINATION_LOG` | where the result goes (default `/dev/termination-log`) |
| `DIFFSYNC_TERMINATION_MESSAGE_PATH` | read when the above is unset: the test kubelet's name |

The local CLI builds a `JobConfig` from a manifest with `JobConfig.from_spec` and passes it
to `stages.run_stage` directly.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from diffsync.enum import DiffSyncFlags
from diffsync_operator.api.base import CamelModel
from diffsync_operator.api.spec import ADAPTER_PATH_PATTERN, FlagName, SyncJobSpec, combine_flags

ENV_JOB = "DIFFSYNC_JOB"
ENV_ATTEMPT = "DIFFSYNC_ATTEMPT"
ENV_REDIS_URL = "DIFFSYNC_REDIS_URL"
ENV_REDIS_PASSWORD = "DIFFSYNC_REDIS_PASSWORD"  # noqa: S105 - a variable name, not a password
ENV_TERMINATION_LOG = "DIFFSYNC_TERMINATION_LOG"
ENV_TERMINATION_LOG_FALLBACK = "DIFFSYNC_TERMINATION_MESSAGE_PATH"
DEFAULT_TERMINATION_LOG = "/dev/termination-log"

#: A stage pod runs `python -m WORKER_MODULE <stage>`; the finalizer's pod runs `... CLEANUP_COMMAND`.
WORKER_MODULE = "diffsync_operator.worker"
CLEANUP_COMMAND = "cleanup"


class AdapterRef(CamelModel):
    """An adapter class path and its constructor keyword arguments."""

    adapter: str = Field(pattern=ADAPTER_PATH_PATTERN)
    params: dict[str, Any] = Field(default_factory=dict)


class JobConfig(CamelModel):
    """Everything the stage code needs to know about the job (no Kubernetes in here)."""

    store_id: str = Field(min_length=1)
    source: AdapterRef
    target: AdapterRef
    mode: Literal["diff", "sync"] = "diff"
    flags: list[FlagName] = Field(default_factory=list)

    @classmethod
    def from_spec(cls, spec: SyncJobSpec, store_id: str) -> JobConfig:
        """The stage view of a validated SyncJob spec."""
        return cls(
            store_id=store_id,
            source=AdapterRef(adapter=spec.source.adapter, params=spec.source.params),
            target=AdapterRef(adapter=spec.target.adapter, params=spec.target.params),
            mode=spec.mode,
            flags=spec.flags,
        )

    def flag_value(self) -> DiffSyncFlags:
        """The flags combined into one DiffSyncFlags value."""
        return combine_flags(self.flags)

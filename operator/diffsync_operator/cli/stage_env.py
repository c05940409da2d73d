"""The environment a manifest gives each stage, as far as it can exist off the cluster.

In a pod, a stage gets `env`/`envFrom` of the side(s) it builds: load-source the source's,
load-target the target's, diff and sync both (see `controller.pods`). Locally, literal `value`s are set
the same way; values a pod would read from a Secret, ConfigMap or the pod itself cannot be,
so they are taken from your environment, and the ones it lacks are reported as notes (the
adapter then fails with its own message if it really needs them).
"""

from __future__ import annotations

import os

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import Stage

StageEnv = dict[Stage, dict[str, str]]


def stage_environments(spec: SyncJobSpec) -> tuple[StageEnv, list[str]]:
    """Literal variables per stage, and one note per value only a cluster can provide."""
    environments: StageEnv = {}
    notes: list[str] = []
    for stage in Stage:
        environments[stage] = {}
        for _, side in spec.sides_for(stage):
            environments[stage].update({var.name: var.value for var in side.env if var.value is not None})
    for side_name, side in (("source", spec.source), ("target", spec.target)):
        for index, var in enumerate(side.env):
            if var.value is None and var.value_from is not None and var.name not in os.environ:
                notes.append(
                    f"spec.{side_name}.env[{index}] {var.name}: comes from the cluster in a pod; "
                    f"export {var.name} to give it a value in a local run"
                )
        for index, source in enumerate(side.env_from):
            ref = source.secret_ref or source.config_map_ref
            kind = "Secret" if source.secret_ref else "ConfigMap"
            notes.append(
                f"spec.{side_name}.envFrom[{index}]: the keys of {kind} {ref.name if ref else '?'} "
                "are set in a pod only; export the ones the adapter needs for a local run"
            )
    return environments, notes


def merged(environments: StageEnv) -> dict[str, str]:
    """Every stage's literal variables together, for a run where all stages share one process."""
    result: dict[str, str] = {}
    for stage in Stage:
        result.update(environments.get(stage, {}))
    return result

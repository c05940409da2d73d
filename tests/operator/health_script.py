"""Run the Argo CD health script of SyncJob (deploy/argocd/...) in Lua 5.1, as Argo CD does.

Argo CD hands the script the live object as the global `obj` and reads the table it returns;
`lupa.lua51` is the same language version as Argo CD's gopher-lua.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHECK_DIR = ROOT / "deploy/argocd/diffsync.io/SyncJob"
SCRIPT = CHECK_DIR / "health.lua"
TESTS = CHECK_DIR / "health_test.yaml"
TESTDATA = CHECK_DIR / "testdata"
CONFIGMAP_PATCH = ROOT / "deploy/argocd/argocd-cm-health.yaml"
CONFIGMAP_KEY = "resource.customizations.health.diffsync.io_SyncJob"


def argocd_health(obj: dict[str, Any]) -> dict[str, str]:
    """{"status": ..., "message": ...} as Argo CD would show for the SyncJob `obj`."""
    from lupa.lua51 import LuaRuntime

    lua = LuaRuntime()
    lua.globals().obj = lua.table_from(obj, recursive=True)
    result = lua.execute(SCRIPT.read_text())
    return {"status": str(result["status"]), "message": str(result["message"] or "")}


def recorded_document(job: dict[str, Any]) -> dict[str, Any]:
    """A SyncJob as read from the API server, kept to what the script reads and people need."""
    spec = job["spec"]
    kept_spec = {key: spec[key] for key in ("mode", "approval", "suspend") if key in spec}
    kept_spec["source"] = {"adapter": spec["source"]["adapter"]}
    kept_spec["target"] = {"adapter": spec["target"]["adapter"]}
    meta = job["metadata"]
    return {
        "apiVersion": job["apiVersion"],
        "kind": job["kind"],
        "metadata": {"name": meta["name"], "namespace": meta["namespace"], "generation": meta["generation"]},
        "spec": kept_spec,
        "status": job["status"],
    }


def record(documents: dict[str, dict[str, Any]]) -> None:
    """Write testdata/<phase>.yaml and health_test.yaml from live documents (by phase)."""
    TESTDATA.mkdir(parents=True, exist_ok=True)
    tests = []
    for phase, document in sorted(documents.items()):
        path = TESTDATA / f"{phase}.yaml"
        path.write_text(
            "# Recorded from the operator by tests/operator/test_health_cluster.py "
            "(DIFFSYNC_RECORD_HEALTH_TESTDATA=1)\n" + yaml.safe_dump(document, sort_keys=False, width=100)
        )
        tests.append({"healthStatus": argocd_health(document), "inputPath": f"testdata/{path.name}"})
    TESTS.write_text(
        "# Argo CD's layout for health checks (resource_customizations/<group>/<kind>/health_test.yaml);\n"
        "# written with testdata/ by tests/operator/test_health_cluster.py,\n"
        "# checked by tests/operator/test_health_script.py.\n"
        + yaml.safe_dump({"tests": tests}, sort_keys=False, width=100)
    )

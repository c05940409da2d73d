"""Run the worker as its own process, as a stage pod does, for the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from diffsync_operator.stages.redis_login import login_variables
from diffsync_operator.stages.result import StageResult

HERE = Path(__file__).resolve().parent


def job_json(source, target, store_id, *, source_params=None, target_params=None, **extra) -> str:
    """DIFFSYNC_JOB for the sample adapters over `source` and `target` (one uid per store id)."""
    return json.dumps(
        {
            "storeId": store_id,
            "jobUid": f"uid-of-{store_id}",
            "source": {
                "adapter": "sample_adapters:FileInventory",
                "params": {"path": str(source), **(source_params or {})},
            },
            "target": {
                "adapter": "sample_adapters:FileTarget",
                "params": {"path": str(target), **(target_params or {})},
            },
            **extra,
        }
    )


def start_worker(
    stage: str, job: str, redis_url: str, tmp_path: Path, attempt: int = 1, extra_env: dict | None = None
):
    """Start one stage as its own process; returns (process, path of its termination log).

    A password in `redis_url` travels in DIFFSYNC_REDIS_PASSWORD, as a pod gets it (never in the URL)."""
    log = tmp_path / f"{stage}-{attempt}.termination-log"
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(HERE),
        "DIFFSYNC_JOB": job,
        "DIFFSYNC_ATTEMPT": str(attempt),
        **login_variables(redis_url),
        "DIFFSYNC_TERMINATION_LOG": str(log),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "diffsync_operator.worker", stage],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, log


def finish_worker(process: subprocess.Popen, log: Path, timeout: float = 120):
    """Wait for a started stage process; returns (exit code, result from the termination log, run)."""
    stdout, stderr = process.communicate(timeout=timeout)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    text = log.read_text() if log.exists() else ""
    return done.returncode, StageResult.parse(text), done


def run_worker(stage: str, job: str, redis_url: str, tmp_path: Path, attempt: int = 1):
    """Run one stage as its own process; returns (exit code, result from the termination log, run)."""
    return finish_worker(*start_worker(stage, job, redis_url, tmp_path, attempt))

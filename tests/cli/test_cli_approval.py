"""`diffsync run` of a job with `approval: Manual`: it syncs only the plan its manifest approves."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cli_helpers import Maker, run_cli


def test_a_manual_job_without_an_approved_plan_writes_nothing_and_names_the_plan(
    directory_manifest: Maker, directory_data: Path
) -> None:
    before = (directory_data / "directory.json").read_bytes()
    process = run_cli("run", str(directory_manifest(mode="sync", approval="Manual")))
    assert process.returncode == 1
    plan = re.search(r"^plan: ([0-9a-f]{64})$", process.stdout, re.MULTILINE)
    assert plan is not None, process.stdout
    assert "not the approved plan none: nothing was changed" in process.stdout
    assert (directory_data / "directory.json").read_bytes() == before


def test_a_manual_job_approving_its_plan_syncs_and_another_plan_is_refused(
    directory_manifest: Maker, directory_data: Path
) -> None:
    first = run_cli("run", "-o", "json", str(directory_manifest(mode="sync", approval="Manual")))
    stages = json.loads(first.stdout)["stages"]
    plan_id = next(stage for stage in stages if stage["stage"] == "diff")["plan"]["id"]
    other = run_cli("run", str(directory_manifest(mode="sync", approval="Manual", approvedPlan="0" * 64)))
    assert other.returncode == 1 and f"the stored diff is plan {plan_id}" in other.stdout
    approved = run_cli("run", str(directory_manifest(mode="sync", approval="Manual", approvedPlan=plan_id)))
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert "sync: applied 11, failed 0" in approved.stdout


def test_mode_sync_on_the_command_line_keeps_a_manual_jobs_approval(directory_manifest: Maker) -> None:
    process = run_cli("run", "--mode", "sync", str(directory_manifest(approval="Manual")))
    assert process.returncode == 1 and "not the approved plan none" in process.stdout

"""`diffsync validate` and `diffsync run` on SyncSchedule manifests."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from cli_helpers import REPO, run_cli

SAMPLE = REPO / "deploy/samples/network-inventory-drift.yaml"


def _errors(stderr: str) -> list[str]:
    return [line.removeprefix("error: ") for line in stderr.splitlines() if line.startswith("error: ")]


def _write(tmp_path: Path, **changes: object) -> Path:
    manifest = yaml.safe_load(SAMPLE.read_text())
    manifest["spec"].update(changes)
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(manifest))
    return path


def test_a_valid_schedule_is_described_with_its_schedule_and_zone():
    process = run_cli("validate", str(SAMPLE.relative_to(REPO)))
    assert process.returncode == 0, process.stderr
    assert 'valid SyncSchedule network-inventory-drift ("*/15 * * * *" in UTC, diff mode' in process.stdout


def test_schedule_problems_name_the_field_and_the_fix(tmp_path):
    path = _write(tmp_path, schedule="@every 5 min", timeZone="Mars/Base", concurencyPolicy="Forbid")
    process = run_cli("validate", str(path))
    assert process.returncode == 2
    assert sorted(_errors(process.stderr)) == [
        'spec.concurencyPolicy: unknown field; did you mean "concurrencyPolicy"?',
        "spec.schedule: '@every 5 min': '5 min' is not a duration: use a number and a unit h, m, s or ms, "
        "e.g. 90s or 1h30m",
        "spec.timeZone: unknown time zone 'Mars/Base': use an IANA name such as Europe/Berlin or UTC",
    ]


def test_a_template_problem_is_named_under_job_template(tmp_path):
    manifest = yaml.safe_load(SAMPLE.read_text())
    manifest["spec"]["jobTemplate"]["spec"]["mode"] = "mirror"
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(manifest))
    process = run_cli("validate", str(path))
    assert process.returncode == 2
    assert _errors(process.stderr)[0].startswith("spec.jobTemplate.spec.mode:")


def test_run_executes_one_run_of_the_template(tmp_path):
    process = run_cli("run", str(SAMPLE.relative_to(REPO)), "-q", "-o", "json")
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout)
    assert report["name"] == "SyncJob network-inventory-drift"
    assert report["summary"] == {"create": 6, "update": 3, "delete": 7, "no-change": 8, "skip": 0}

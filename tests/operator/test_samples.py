"""The samples in deploy/samples (SyncJobs, a SyncSchedule) are valid manifests for the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from diffsync_operator.api.resource import SyncJob, SyncSchedule
from diffsync_operator.stages.run import import_adapter

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "deploy/samples").glob("*.yaml"))
MANIFESTS = [p for p in SAMPLES if p.name != "kustomization.yaml"]
JOBS = [p for p in MANIFESTS if yaml.safe_load(p.read_text())["kind"] == "SyncJob"]
SCHEDULES = [p for p in MANIFESTS if yaml.safe_load(p.read_text())["kind"] == "SyncSchedule"]


def test_there_are_samples_in_diff_and_sync_mode():
    modes = {yaml.safe_load(p.read_text())["spec"]["mode"] for p in JOBS}
    assert modes == {"diff", "sync"}


@pytest.mark.parametrize("path", JOBS, ids=lambda p: p.name)
def test_sample_validates_against_the_models(path):
    job = SyncJob.from_manifest(yaml.safe_load(path.read_text()))
    assert job.kind == "SyncJob"


@pytest.mark.parametrize("path", JOBS, ids=lambda p: p.name)
def test_sample_adapters_import(path):
    job = SyncJob.from_manifest(yaml.safe_load(path.read_text()))
    assert import_adapter(job.spec.source.adapter).__name__
    assert import_adapter(job.spec.target.adapter).__name__


def test_kustomization_lists_every_sample():
    listed = yaml.safe_load((SAMPLES[0].parent / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in MANIFESTS)


@pytest.mark.parametrize("path", SCHEDULES, ids=lambda p: p.name)
def test_sample_schedule_validates_and_its_template_adapters_import(path):
    schedule = SyncSchedule.from_manifest(yaml.safe_load(path.read_text()))
    template = schedule.spec.job_template.spec
    assert import_adapter(template.source.adapter).__name__
    assert import_adapter(template.target.adapter).__name__

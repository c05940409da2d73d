"""The operator against a real API server and a real Redis, running as `kopf run`."""

from __future__ import annotations

from operator_harness import condition


def test_diff_job_succeeds_with_the_expected_summary(operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("inv-diff", *inventory_sides))
    job = jobs.wait_phase("inv-diff", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert job["status"]["diff"] == {"create": 2, "update": 1, "delete": 2, "noChange": 2, "skip": 0}
    assert condition(job, "Ready")["status"] == "True"
    assert condition(job, "Complete")["status"] == "True"
    assert [s["name"] for s in job["status"]["stages"]] == ["load-source", "load-target", "diff"]

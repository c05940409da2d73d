"""`diffsync rerun` against a real operator on the test cluster (stage pods run by the test
kubelet, a simulation): a fresh run, owned by the finished original, one per request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from envtest.waiting import wait_for

DIFFSYNC = Path(sys.executable).parent / "diffsync"


def _cli(cluster, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig)}
    return subprocess.run([str(DIFFSYNC), *args], env=env, capture_output=True, text=True, timeout=300)


def test_rerun_runs_a_finished_job_again_once_per_request(cluster, operator, jobs, inventory_sides):
    jobs.create(jobs.manifest("nightly", *inventory_sides))
    jobs.wait_phase("nightly", "Succeeded")

    def reruns() -> list[str]:
        listed = jobs.custom.list_namespaced_custom_object(
            "diffsync.io", "v1alpha1", jobs.namespace, "syncjobs"
        )
        return [
            j["metadata"]["name"]
            for j in listed["items"]
            if j["metadata"]["name"].startswith("nightly-rerun-")
        ]

    done = _cli(cluster, "rerun", "nightly", "-n", jobs.namespace, "--wait", "--timeout", "180")
    assert done.returncode == 0, done.stdout + done.stderr
    fresh = done.stdout.split("runs as SyncJob ")[1].split()[0]
    assert fresh.startswith("nightly-rerun-") and reruns() == [fresh]
    rerun = jobs.get(fresh)
    assert rerun["status"]["phase"] == "Succeeded"
    assert rerun["spec"]["source"] == jobs.get("nightly")["spec"]["source"]

    def recorded() -> dict | None:
        job = jobs.get("nightly")
        return job if job and job["status"].get("lastRerun") == fresh else None

    original = wait_for(recorded, timeout=30, what="the original to record its rerun")
    assert original["status"]["phase"] == "Succeeded"
    assert "Rerun" in [event.reason for event in jobs.events("nightly")]

    # The same value again, and another event on the job: still one rerun. (An absence can only be
    # checked after a while: the operator handles an event within milliseconds; 3 s is plenty.)
    token = original["metadata"]["annotations"]["diffsync.io/rerun"]
    cluster.kubectl(
        "annotate", "sj", "nightly", "-n", jobs.namespace, f"diffsync.io/rerun={token}", "--overwrite"
    )
    cluster.kubectl("label", "sj", "nightly", "-n", jobs.namespace, "poke=1")
    time.sleep(3)
    assert reruns() == [fresh]

    jobs.delete("nightly")
    wait_for(lambda: reruns() == [], timeout=90, what="the rerun to be deleted with its original")

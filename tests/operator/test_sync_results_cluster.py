"""A sync of 100k changes with 1k refused, on a real API server: a small status, every result readable.

The operator runs the job (stage pods on the test kubelet, state in a real Redis under the
job's own Redis user); `diffsync show-results` and `show-diff` then read it back as a user
would, with the admin kubeconfig and the Redis URL without a password (the job's user, from
its Secret). Each command's peak memory is compared with the same command stopping right
after it connected: streaming adds a page, never the whole diff or result log. The peak is the
command's own `VmHWM`, read by the process at exit: `ru_maxrss` of a child counts the memory of
the parent that spawned it (here the test, holding a 100k-element JSON document), exec or not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from operator_harness import condition
from sample_adapters import part_sku

PARTS = 100_000
UPDATES = 10_000  # parts 0..9999 exist on the target with another qty
DELETES, FIRST_DELETE = 99, 100_001  # parts only the target has; none of them a multiple of 100
REFUSE_EVERY = 100  # the target refuses every change to a part whose index is a multiple of 100
CHANGES = PARTS + DELETES
REFUSED = {part_sku(index) for index in range(0, PARTS, REFUSE_EVERY)}

STATUS_LIMIT = 64 * 1024
#: What streaming may add to a command's peak memory over the same command stopping at once.
STREAMING_HEADROOM = 10 * 2**20

#: `diffsync ARGS` that writes its peak resident memory (`VmHWM`, KiB) as the last line of stderr.
_MEASURED_CLI = """
import atexit, sys

def _peak():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\npeak-kib {peak}\\n")

atexit.register(_peak)
from diffsync_operator.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _manifest(jobs, name: str) -> dict:
    source = {"adapter": "sample_adapters:GeneratedParts", "params": {"parts": PARTS}}
    target = {
        "adapter": "sample_adapters:RefusingTarget",
        "params": {
            "updates": UPDATES,
            "deletes": DELETES,
            "first_delete": FIRST_DELETE,
            "refuse_every": REFUSE_EVERY,
        },
    }
    return jobs.manifest(name, source, target, mode="sync", flags=["CONTINUE_ON_FAILURE"])


def _measured(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str, str, int]:
    """`diffsync ARGS` as a user runs it: (exit status, stdout, stderr, peak RSS in bytes)."""
    out = tmp_path / "stdout"  # a file: the test need not hold the output while the command runs
    with out.open("w") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED_CLI, *args], stdout=stdout, stderr=subprocess.PIPE, env=env,
            text=True, timeout=300,
        )  # fmt: skip
    stderr, _, peak = done.stderr.rstrip().rpartition("\npeak-kib ")
    return done.returncode, out.read_text(), stderr, int(peak) * 1024


def test_a_sync_of_100k_changes_with_1k_failures_keeps_a_small_status_and_every_result(
    cluster, operator, jobs, redis_url, tmp_path
):
    jobs.create(_manifest(jobs, "parts"))
    job = jobs.wait_phase("parts", "Succeeded", "Failed", timeout=600)

    # The status: counts per model and action and the first failures, far below the limit.
    status = job["status"]
    assert status["phase"] == "Succeeded", status
    assert condition(job, "Complete")["reason"] == "CompletedWithFailures"
    assert len(json.dumps(job).encode()) < STATUS_LIMIT
    sync = status["sync"]
    assert (sync["succeeded"], sync["failed"], sync["skipped"]) == (CHANGES - len(REFUSED), len(REFUSED), 0)
    assert sync["counts"] == [
        {"model": "part", "action": "create", "succeeded": 89_100, "failed": 900, "skipped": 0},
        {"model": "part", "action": "update", "succeeded": 9_900, "failed": 100, "skipped": 0},
        {"model": "part", "action": "delete", "succeeded": DELETES, "failed": 0, "skipped": 0},
    ]
    assert 1 <= len(sync["failures"]) <= 10 and {f["id"] for f in sync["failures"]} <= REFUSED
    stages = {stage["name"]: stage.get("durationSeconds") for stage in status["stages"]}
    sizes = f"status {len(json.dumps(status).encode())} bytes, SyncJob {len(json.dumps(job).encode())} bytes"
    print(f"{sizes}; stage seconds: {stages}")

    # Every failure, read back from Redis as the job's own user.
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig)}
    options = ("-n", jobs.namespace, "--redis-url", redis_url)
    code, stdout, stderr, failed_peak = _measured(
        tmp_path, env, "show-results", "parts", *options, "--failed", "-o", "json"
    )
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["total"] == CHANGES
    assert {result["id"] for result in document["results"]} == REFUSED
    assert len(document["results"]) == len(REFUSED)
    assert {result["outcome"] for result in document["results"]} == {"failure"}
    assert all(result["message"].startswith("the target refuses to") for result in document["results"])

    # Every result and the whole diff, each in about the memory of a command that stops at once.
    _, _, stderr, baseline = _measured(tmp_path, env, "show-results", "parts", *options, "--attempt", "99")
    assert "--attempt 99: no sync results stored for it" in stderr
    code, stdout, stderr, results_peak = _measured(tmp_path, env, "show-results", "parts", *options)
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].endswith(f"sync attempt 1: {CHANGES} results")
    assert lines[-1] == f"{CHANGES} results" and len(lines) == CHANGES + 2
    assert sum(line.startswith("failure ") for line in lines) == len(REFUSED)
    code, stdout, stderr, diff_peak = _measured(tmp_path, env, "show-diff", "parts", *options, "-o", "json")
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["summary"] == {
        "create": 90_000,
        "update": UPDATES,
        "delete": DELETES,
        "no-change": 0,
        "skip": 0,
    }
    assert len(document["elements"]) == CHANGES
    code, stdout, stderr, tree_peak = _measured(tmp_path, env, "show-diff", "parts", *options)
    assert code == 0, stderr
    assert stdout.count("\n  part: ") == CHANGES
    print(
        f"peak RSS (MiB): stopping at once {baseline / 2**20:.1f}, show-results --failed -o json "
        f"{failed_peak / 2**20:.1f}, show-results {results_peak / 2**20:.1f}, show-diff -o json "
        f"{diff_peak / 2**20:.1f}, show-diff {tree_peak / 2**20:.1f}"
    )
    for peak in (failed_peak, results_peak, diff_peak, tree_peak):
        assert peak - baseline < STREAMING_HEADROOM

    # A reader that stops early (`| head -1`) ends the command quietly, without a traceback.
    reader = subprocess.Popen(
        [sys.executable, "-m", "diffsync_operator.cli", "show-diff", "parts", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    assert reader.stdout is not None and reader.stdout.readline().startswith("SyncJob ")
    reader.stdout.close()
    _, stderr = reader.communicate(timeout=120)
    assert (reader.returncode, stderr) == (0, "")

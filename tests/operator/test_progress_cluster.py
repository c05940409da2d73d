"""Live progress on the test cluster: a slow load's count rises in the SyncJob status while the
stage runs (stage pods run by the test kubelet, a simulation: local processes)."""

from __future__ import annotations

import time

from sample_adapters import write_inventory


def test_a_running_load_shows_a_rising_count_in_status_and_in_kubectl_get(
    cluster, operator, jobs, inventory_sides
):
    source, target = inventory_sides
    items = {f"i{n:02d}": n for n in range(16)}
    write_inventory(source["params"]["path"], {"shelves": {"s": {"zone": "z", "items": items}}})
    source["params"]["load_delay"] = 0.6  # about 10 s of loading
    source["env"] = [{"name": "DIFFSYNC_PROGRESS_SECONDS", "value": "0.5"}]
    jobs.create(jobs.manifest("slow-load", source, target))

    seen: list[int] = []
    printed: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = jobs.get("slow-load") or {}
        entry = next(
            (s for s in (job.get("status") or {}).get("stages", []) if s["name"] == "load-source"), {}
        )
        count = entry.get("objects") if entry.get("phase") == "Running" else None
        if count is not None and (not seen or count != seen[-1]):
            seen.append(count)
            printed.append(
                cluster.kubectl("get", "sj", "slow-load", "-n", jobs.namespace, "--no-headers").stdout
            )
        if entry.get("phase") in ("Succeeded", "Failed"):
            break
        time.sleep(0.3)
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] < 17, seen  # rose twice, before the end
    assert any(
        "load-source" in line and str(count) in line for line, count in zip(printed, seen, strict=True)
    )
    done = jobs.wait_phase("slow-load", "Succeeded", "Failed")
    assert done["status"]["phase"] == "Succeeded"
    assert next(s for s in done["status"]["stages"] if s["name"] == "load-source")["objects"] == 17

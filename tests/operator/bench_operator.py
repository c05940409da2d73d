"""Operator benchmark (not a test): `python tests/operator/bench_operator.py` (make bench-operator).

On the test control plane (real API server, the test kubelet running stage pods as local
processes) with a real redis-server and the operator as a `kopf run` process, it measures:

1. apply -> first stage pod: time from the create call returning to the first pod of the
   job being visible in the API (median and max over N small jobs, one at a time);
2. one diff job on the generated ~36k-object network inventory (per side), against the same
   four stage functions run one after another in this process over the same Redis, and over
   LocalStore; the operator's per-job overhead is the wall time minus the critical path of
   the stages as measured inside the pods (pod start, scheduling, status round trips);
3. 50 small SyncJobs applied at once: how many succeed and how long until all finished.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parents[1])]

from diffsync_operator.api.status import Stage  # noqa: E402
from diffsync_operator.stages.config import JobConfig  # noqa: E402
from diffsync_operator.stages.handover import MemoryJobState, RedisJobState  # noqa: E402
from diffsync_operator.stages.run import local_store_factory, run_stage  # noqa: E402
from envtest.cluster import Cluster  # noqa: E402
from envtest.controlplane import ControlPlane  # noqa: E402
from envtest.kubelet import LocalKubelet  # noqa: E402
from envtest.waiting import wait_for  # noqa: E402
from fixtures.redis_server import RedisServer  # noqa: E402
from operator_harness import Jobs, OperatorProcess, install_crd, install_rbac  # noqa: E402
from sample_adapters import write_inventory  # noqa: E402

from examples.network.generate import generate_pair  # noqa: E402

SMALL = {"shelves": {"a1": {"zone": "north", "items": {"bolt": 1}}}}
STAGES = [Stage.LOAD_SOURCE, Stage.LOAD_TARGET, Stage.DIFF]


def _small_sides(work: Path, name: str) -> tuple[dict, dict]:
    source, target = work / f"{name}-src.json", work / f"{name}-dst.json"
    write_inventory(source, SMALL)
    write_inventory(target, {"shelves": {}})
    return (
        {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
        {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
    )


def first_pod_latency(jobs: Jobs, work: Path, count: int) -> list[float]:
    latencies = []
    for index in range(count):
        name = f"lat-{index}-{time.monotonic_ns() % 100000}"
        jobs.create(jobs.manifest(name, *_small_sides(work, name)))
        started = time.monotonic()
        wait_for(lambda name=name: jobs.pods(name), timeout=60, interval=0.01, what=f"first pod of {name}")
        latencies.append(time.monotonic() - started)
        jobs.wait_phase(name, "Succeeded", "Failed", timeout=120)
    return latencies


def big_inventory(work: Path, devices_per_site: int) -> tuple[dict, dict, int]:
    pair = generate_pair(devices_per_site)
    paths = {}
    for side, inventory in (("desired", pair.desired), ("current", pair.current)):
        paths[side] = work / f"{side}.json"
        paths[side].write_text(json.dumps(inventory))
    source = {"adapter": "examples.network.jobs:YamlFileSource", "params": {"path": str(paths["desired"])}}
    target = {"adapter": "examples.network.jobs:YamlFileSource", "params": {"path": str(paths["current"])}}
    return source, target, 0


def local_run(source: dict, target: dict, redis: RedisServer | None) -> tuple[float, int]:
    job = JobConfig.model_validate(
        {"storeId": f"bench-local-{time.time_ns()}", "jobUid": "bench", "source": source, "target": target}
    )
    if redis is None:
        factory, state = local_store_factory(), MemoryJobState()
    else:
        from diffsync.store.redis import RedisStore

        client = redis.client()
        factory = lambda store_id: RedisStore(client=client, store_id=store_id)  # noqa: E731
        state = RedisJobState(client, job.store_id)
    started = time.monotonic()
    results = [run_stage(stage, job, factory, state) for stage in STAGES]
    elapsed = time.monotonic() - started
    if not all(r.ok for r in results):
        raise RuntimeError([r.error for r in results if not r.ok])
    return elapsed, results[0].objects


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-jobs", type=int, default=10)
    parser.add_argument("--devices-per-site", type=int, default=400, help="400 gives ~36k objects per side")
    parser.add_argument("--parallel-jobs", type=int, default=50)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-operator-") as tmp:
        work = Path(tmp)
        plane = ControlPlane().start()
        redis = RedisServer(work / "redis")
        (work / "redis").mkdir()
        redis.start()
        kubelet = None
        operator = None
        try:
            cluster = Cluster(plane.kubeconfig, external=False, scratch_dir=work / "scratch")
            install_crd(cluster)
            namespace = cluster.create_namespace(prefix="bench-")
            account = install_rbac(cluster, namespace)
            operator = OperatorProcess(
                cluster.token_kubeconfig(namespace, account),
                namespace,
                {"DIFFSYNC_REDIS_URL": redis.url, "DIFFSYNC_DEFAULT_IMAGE": "bench:local"},
                work,
            ).start()
            kubelet = LocalKubelet(plane.kubeconfig, {"diffsync.dev/bench": "1"}).start()
            with cluster.api_client() as api:
                jobs = Jobs(api, namespace, kubelet.labels)
                first_pod_latency(jobs, work, 1)  # warm-up: the operator has just started
                latencies = first_pod_latency(jobs, work, args.latency_jobs)
                rows.append(("apply -> first pod, median", f"{statistics.median(latencies):.2f} s"))
                rows.append(("apply -> first pod, max", f"{max(latencies):.2f} s"))

                source, target, _ = big_inventory(work, args.devices_per_site)
                local_redis, objects = local_run(source, target, redis)
                local_memory, _ = local_run(source, target, None)
                started = time.monotonic()
                jobs.create(jobs.manifest("big", dict(source), dict(target)))
                job = jobs.wait_phase("big", "Succeeded", "Failed", timeout=1800)
                cluster_time = time.monotonic() - started
                durations = {s["name"]: s.get("durationSeconds", 0.0) for s in job["status"]["stages"]}
                stage_sum = sum(durations.values())
                critical = max(durations["load-source"], durations["load-target"]) + durations["diff"]
                rows.append(("big job objects per side", str(objects)))
                rows.append(("big job phase", job["status"]["phase"]))
                rows.append(("big job on the cluster (apply -> Succeeded)", f"{cluster_time:.1f} s"))
                rows.append(("  sum of its stage durations (in the pods)", f"{stage_sum:.1f} s"))
                rows.append(("same stages in one process, RedisStore", f"{local_redis:.1f} s"))
                rows.append(("same stages in one process, LocalStore", f"{local_memory:.1f} s"))
                rows.append(("  critical path of its stages (max load + diff)", f"{critical:.1f} s"))
                overhead = cluster_time - critical
                rows.append(("per-job overhead: wall time minus critical path", f"{overhead:.1f} s"))
                versus = cluster_time - local_redis
                rows.append(("cluster minus one process (RedisStore)", f"{versus:+.1f} s"))

                started = time.monotonic()
                names = [f"many-{i}" for i in range(args.parallel_jobs)]
                for name in names:
                    jobs.create(jobs.manifest(name, *_small_sides(work, name)))
                finals = [
                    jobs.wait_phase(n, "Succeeded", "Failed", timeout=1800)["status"]["phase"] for n in names
                ]
                rows.append(
                    (
                        f"{args.parallel_jobs} jobs at once: succeeded",
                        f"{finals.count('Succeeded')}/{len(names)}",
                    )
                )
                rows.append(
                    (
                        f"{args.parallel_jobs} jobs at once: all finished after",
                        f"{time.monotonic() - started:.1f} s",
                    )
                )
        finally:
            if kubelet is not None:
                kubelet.stop()
            if operator is not None:
                operator.stop()
            redis.stop()
            plane.stop()
            plane.cleanup(keep_logs=False)
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

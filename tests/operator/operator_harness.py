"""Run the operator for real against the test cluster: CRD, RBAC, a ServiceAccount token, `kopf run`.

The operator process authenticates with a token of the ServiceAccount bound by the RBAC in
deploy/rbac (applied with its namespace and names made unique), so a permission missing
there fails the tests. Stage pods run on the test kubelet, which starts their command as a
local process of this virtualenv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from envtest.controlplane import free_port
from envtest.waiting import wait_for
from kubernetes import client
from kubernetes.client.rest import ApiException

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CRD_DIR = ROOT / "deploy/crd"
RBAC_DIR = ROOT / "deploy/rbac"
GROUP, VERSION, PLURAL = "diffsync.io", "v1alpha1", "syncjobs"


def install_crd(cluster: Any) -> None:
    """Apply the generated CRDs (SyncJob, SyncSchedule) and wait until they are established."""
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-k", str(CRD_DIR))
    for name in ("syncjobs.diffsync.io", "syncschedules.diffsync.io"):
        cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s", f"crd/{name}")


def install_rbac(cluster: Any, namespace: str) -> str:
    """Apply deploy/rbac for the ServiceAccount of deploy/operator, made in `namespace`; returns its name.

    The lock Role of deploy/operator (Leases) goes into `namespace` too: the test's operator
    lives there, so its target locks do.
    """
    suffix = uuid.uuid4().hex[:6]
    docs = []
    for path in (
        ROOT / "deploy/operator/service_account.yaml",
        RBAC_DIR / "role.yaml",
        RBAC_DIR / "role_binding.yaml",
    ):
        doc = yaml.safe_load(path.read_text())
        if doc["kind"] == "ServiceAccount":
            doc["metadata"]["namespace"] = namespace
        else:
            doc["metadata"]["name"] = f"{doc['metadata']['name']}-{suffix}"
        if doc["kind"] == "ClusterRoleBinding":
            doc["roleRef"]["name"] = f"{doc['roleRef']['name']}-{suffix}"
            for subject in doc["subjects"]:
                subject["namespace"] = namespace
        docs.append(doc)
    for doc in yaml.safe_load_all((ROOT / "deploy/operator/lock_role.yaml").read_text()):
        doc["metadata"]["namespace"] = namespace
        for subject in doc.get("subjects", ()):
            subject["namespace"] = namespace
        docs.append(doc)
    cluster.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    return docs[0]["metadata"]["name"]


class OperatorProcess:
    """`kopf run -m diffsync_operator.controller.handlers` as a child process, restartable and killable."""

    def __init__(
        self,
        kubeconfig: Path,
        namespace: str,
        env: dict[str, str],
        log_dir: Path,
        *,
        module_main: bool = False,
        also_watch: tuple[str, ...] = (),
    ) -> None:
        self.module_main = module_main
        self.also_watch = also_watch
        self.kubeconfig = kubeconfig
        self.namespace = namespace
        self.env = env
        self.log_path = log_dir / f"operator-{namespace}.log"
        self.process: subprocess.Popen[bytes] | None = None
        # Its own metrics port: several operators (tests, people) may run on one machine.
        self.metrics_url = f"http://127.0.0.1:{free_port()}/metrics"

    def start(self) -> OperatorProcess:
        kopf = Path(sys.executable).parent / "kopf"
        env = {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "DIFFSYNC_POLL_SECONDS": "2",
            "DIFFSYNC_METRICS_ADDRESS": self.metrics_url.removeprefix("http://").removesuffix("/metrics"),
            "DIFFSYNC_LOCK_NAMESPACE": self.namespace,  # beside the operator, as in a Deployment
            **self.env,
        }
        argv = [
            str(kopf),
            "run",
            "--standalone",
            *(arg for ns in (self.namespace, *self.also_watch) for arg in ("-n", ns)),
            "-m",
            "diffsync_operator.controller.handlers",
        ]
        if self.module_main:  # python -m diffsync_operator: namespaces from DIFFSYNC_WATCH_NAMESPACES
            argv = [sys.executable, "-m", "diffsync_operator"]
            env["DIFFSYNC_WATCH_NAMESPACES"] = ",".join((self.namespace, *self.also_watch))
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        return self

    def kill(self) -> None:
        """SIGKILL: the operator dies mid-whatever, as in a node crash."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def scrape(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of the metrics endpoint, parsed with prometheus_client's own parser.

        Waits (up to 30 s) for the endpoint to answer: the operator opens it at start-up.
        """
        from urllib.error import URLError
        from urllib.request import urlopen

        from prometheus_client.parser import text_string_to_metric_families

        def fetch() -> str | None:
            try:
                with urlopen(self.metrics_url, timeout=5) as response:
                    return str(response.read().decode())
            except URLError:
                return None

        text = wait_for(fetch, timeout=30, interval=0.5, what=f"the metrics endpoint {self.metrics_url}")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


class Jobs:
    """Create and read SyncJobs in one namespace as the test user (admin)."""

    def __init__(self, api: client.ApiClient, namespace: str, pod_labels: dict[str, str]) -> None:
        self.custom = client.CustomObjectsApi(api)
        self.core = client.CoreV1Api(api)
        self.namespace = namespace
        self.pod_labels = pod_labels

    def manifest(self, name: str, source: dict, target: dict, **spec: Any) -> dict[str, Any]:
        env = [{"name": "PYTHONPATH", "value": f"{HERE}{os.pathsep}{ROOT}"}]
        for side in (source, target):
            side.setdefault("env", []).extend(env)
        return {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "SyncJob",
            "metadata": {"name": name, "namespace": self.namespace},
            "spec": {"source": source, "target": target, "podLabels": dict(self.pod_labels), **spec},
        }

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.custom.create_namespaced_custom_object(
            GROUP, VERSION, self.namespace, PLURAL, body
        )
        return created

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.custom.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, PLURAL, name
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return found

    def patch_spec(self, name: str, spec: dict[str, Any]) -> None:
        self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, PLURAL, name, {"spec": spec}
        )

    def delete(self, name: str) -> None:
        self.custom.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURAL, name)

    def wait_phase(self, name: str, *phases: str, timeout: float = 150.0) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            job = self.get(name)
            return job if job and (job.get("status") or {}).get("phase") in phases else None

        try:
            return wait_for(probe, timeout=timeout, what=f"SyncJob {name} to reach {phases}")
        except TimeoutError as error:
            job = self.get(name) or {}
            raise TimeoutError(f"{error}; its status: {json.dumps(job.get('status'), indent=1)}") from None

    def wait_gone(self, name: str, timeout: float = 120.0) -> None:
        wait_for(lambda: self.get(name) is None, timeout=timeout, what=f"SyncJob {name} to be deleted")

    def pods(self, name: str | None = None) -> list[client.V1Pod]:
        selector = "app.kubernetes.io/managed-by=diffsync-operator"
        if name:
            selector += f",diffsync.io/job={name}"
        return list(self.core.list_namespaced_pod(self.namespace, label_selector=selector).items)

    def events(self, name: str) -> list[client.CoreV1Event]:
        items = self.core.list_namespaced_event(
            self.namespace, field_selector=f"involvedObject.name={name}"
        ).items
        return list(items)


def state_keys(client: Any, store_id: str) -> set[str]:
    """Every Redis key of a job's state, found by its patterns (its store keys hold the id escaped)."""
    from diffsync_operator.stages.state_keys import job_key_patterns

    found: set[str] = set()
    for pattern in job_key_patterns(store_id):
        found |= {key.decode() for key in client.scan_iter(match=pattern, count=1000)}
    return found


def condition(job: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in job["status"]["conditions"] if c["type"] == kind)


def eventually(probe: Callable[[], Any], *, timeout: float = 60.0, what: str) -> Any:
    return wait_for(probe, timeout=timeout, what=what)


def elapsed(since: float) -> float:
    return time.monotonic() - since


class Schedules:
    """Create and read SyncSchedules (and the SyncJobs they make) in one namespace, as admin."""

    PLURAL = "syncschedules"

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs
        self.custom = jobs.custom
        self.namespace = jobs.namespace

    def manifest(self, name: str, schedule: str, job_spec: dict[str, Any], **spec: Any) -> dict[str, Any]:
        """A SyncSchedule whose jobTemplate is `job_spec` (e.g. `Jobs.manifest(...)["spec"]`)."""
        return {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "SyncSchedule",
            "metadata": {"name": name, "namespace": self.namespace},
            "spec": {"schedule": schedule, "jobTemplate": {"spec": job_spec}, **spec},
        }

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.custom.create_namespaced_custom_object(
            GROUP, VERSION, self.namespace, self.PLURAL, body
        )
        return created

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.custom.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, self.PLURAL, name
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return found

    def patch_spec(self, name: str, spec: dict[str, Any]) -> None:
        self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, self.PLURAL, name, {"spec": spec}
        )

    def delete(self, name: str) -> None:
        self.custom.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, self.PLURAL, name)

    def runs(self, schedule_uid: str) -> list[dict[str, Any]]:
        """The SyncJobs the schedule made that still exist, oldest tick first."""
        listed = self.custom.list_namespaced_custom_object(
            GROUP, VERSION, self.namespace, PLURAL, label_selector=f"diffsync.io/schedule-uid={schedule_uid}"
        )
        items = [job for job in listed["items"] if not job["metadata"].get("deletionTimestamp")]
        return sorted(items, key=lambda job: job["metadata"]["name"])

    def condition(self, name: str, kind: str) -> dict[str, Any] | None:
        schedule = self.get(name) or {}
        conditions = (schedule.get("status") or {}).get("conditions") or []
        return next((c for c in conditions if c["type"] == kind), None)

    def events(self, name: str) -> list[str]:
        """The reasons of the schedule's Events, oldest first (the API lists them in no set order)."""

        def when(event: Any) -> Any:
            return event.event_time or event.first_timestamp or event.metadata.creation_timestamp

        return [event.reason for event in sorted(self.jobs.events(name), key=when)]

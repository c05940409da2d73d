"""The test-only local kubelet (the one simulated piece) reports Pods the way a kubelet does."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from envtest import Cluster, wait_for
from envtest.kubelet import LocalKubelet
from envtest.manifests import WRITE_TERMINATION_MESSAGE, python_pod
from envtest.plugin import ExternalNodes

Kubelet = LocalKubelet | ExternalNodes


def _run(cluster: Cluster, ns: str, pod: dict[str, Any], timeout: float = 60) -> Any:
    """Create `pod` and return it once it has reached a terminal phase."""
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(ns, pod)

        def finished() -> Any:
            current = core.read_namespaced_pod(pod["metadata"]["name"], ns)
            return current if current.status.phase in ("Succeeded", "Failed") else None

        return wait_for(finished, timeout=timeout, what=f"pod {pod['metadata']['name']} to finish")


def test_pod_exiting_3_ends_failed_with_exit_code_3(cluster: Cluster, local_kubelet: Kubelet) -> None:
    ns = cluster.create_namespace()
    pod = _run(cluster, ns, python_pod("exit3", "import sys; sys.exit(3)", labels=local_kubelet.labels))
    assert pod.status.phase == "Failed"
    assert pod.status.container_statuses[0].state.terminated.exit_code == 3


def test_pod_writing_termination_message_ends_succeeded_with_it(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    code = WRITE_TERMINATION_MESSAGE.format(message=repr("synced 42 records"))
    pod = _run(cluster, ns, python_pod("message", code, labels=local_kubelet.labels))
    assert pod.status.phase == "Succeeded"
    assert pod.status.container_statuses[0].state.terminated.message == "synced 42 records"


def test_failed_pod_falls_back_to_log_tail_under_fallback_policy(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    code = "import sys; print('boom: no such table'); sys.exit(1)"
    pod = _run(
        cluster,
        ns,
        python_pod(
            "fallback", code, labels=local_kubelet.labels, terminationMessagePolicy="FallbackToLogsOnError"
        ),
    )
    assert pod.status.container_statuses[0].state.terminated.message.strip() == "boom: no such table"


def test_pod_is_bound_to_the_kubelets_node(cluster: Cluster, local_kubelet: Kubelet) -> None:
    ns = cluster.create_namespace()
    pod = _run(cluster, ns, python_pod("bound", "pass", labels=local_kubelet.labels))
    assert pod.spec.node_name
    if isinstance(local_kubelet, LocalKubelet):
        assert pod.spec.node_name == local_kubelet.node_name


def test_declared_env_is_resolved_from_secrets_configmaps_and_fields(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_secret(
            ns, {"metadata": {"name": "creds"}, "stringData": {"password": "s3cret"}}
        )
        core.create_namespaced_config_map(ns, {"metadata": {"name": "settings"}, "data": {"MODE": "dry-run"}})
    env = [
        {"name": "PLAIN", "value": "v-$(CFG_MODE)"},
        {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
        {"name": "MODE_AGAIN", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "MODE"}}},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
    ]
    names = ("PLAIN", "PASSWORD", "MODE_AGAIN", "POD_NAME", "POD_NAMESPACE", "CFG_MODE")
    code = WRITE_TERMINATION_MESSAGE.format(message=f"' '.join(os.environ[k] for k in {names!r})")
    pod = python_pod(
        "env",
        code,
        labels=local_kubelet.labels,
        env=env,
        env_from=[{"configMapRef": {"name": "settings"}, "prefix": "CFG_"}],
    )
    finished = _run(cluster, ns, pod)
    assert (
        finished.status.container_statuses[0].state.terminated.message
        == f"v-dry-run s3cret dry-run env {ns} dry-run"
    )


def test_deleting_running_pod_kills_it_and_completes_deletion(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(
            ns, python_pod("sleeper", "import time; time.sleep(600)", labels=local_kubelet.labels)
        )
        running = wait_for(
            lambda: _if_running(core.read_namespaced_pod("sleeper", ns)), what="pod sleeper to run"
        )
        container_id = running.status.container_statuses[0].container_id
        core.delete_namespaced_pod("sleeper", ns)

        def gone() -> bool:
            try:
                core.read_namespaced_pod("sleeper", ns)
                return False
            except ApiException as exc:
                return exc.status == 404

        assert wait_for(gone, timeout=60, what="pod sleeper to be deleted")
    if isinstance(local_kubelet, LocalKubelet):
        pid = int(container_id.removeprefix("local://"))
        assert not _process_exists(pid), f"process {pid} of the deleted pod is still alive"


#: A process that shuts down gracefully: on SIGTERM it takes 3 s, leaves a message and exits 7.
GRACEFUL_STOP = (
    "import os, signal, sys, time\n"
    "path = os.environ.get('DIFFSYNC_TERMINATION_MESSAGE_PATH', '/dev/termination-log')\n"
    "def stop(signum, frame):\n"
    "    time.sleep(3)\n"
    "    open(path, 'w').write('stopped cleanly after ' + signal.Signals(signum).name)\n"
    "    sys.exit(7)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)
#: A process that ignores SIGTERM: only SIGKILL at the end of the grace period stops it.
IGNORES_SIGTERM = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)


class _PodEvents(threading.Thread):
    """Every watch event of one Pod until it is deleted: (seconds since start, type, pod)."""

    def __init__(self, core: client.CoreV1Api, namespace: str, name: str, resource_version: str) -> None:
        super().__init__(daemon=True)
        self.core, self.namespace, self.name, self.version = core, namespace, name, resource_version
        self.started = time.monotonic()
        self.events: list[tuple[float, str, Any]] = []

    def run(self) -> None:
        stream = watch.Watch().stream(
            self.core.list_namespaced_pod,
            self.namespace,
            field_selector=f"metadata.name={self.name}",
            resource_version=self.version,
            timeout_seconds=90,
        )
        for event in stream:
            self.events.append((time.monotonic() - self.started, event["type"], event["object"]))
            if event["type"] == "DELETED":
                return

    def deleted_after(self) -> float:
        return next(when for when, kind, _ in self.events if kind == "DELETED")

    def last_status_before_deletion(self) -> Any:
        return [pod for _, kind, pod in self.events if kind == "MODIFIED"][-1]


def _delete_when_ready(cluster: Cluster, kubelet: Kubelet, ns: str, pod: dict[str, Any]) -> _PodEvents:
    """Run `pod` until its process says `ready`, delete it, and return its events until it is gone."""
    name = pod["metadata"]["name"]
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(ns, pod)
        wait_for(lambda: "ready" in _logs(kubelet, ns, name), timeout=60, what=f"pod {name} to be ready")
        events = _PodEvents(core, ns, name, core.read_namespaced_pod(name, ns).metadata.resource_version)
        events.start()
        core.delete_namespaced_pod(name, ns)
        events.join(timeout=90)
    return events


def _logs(kubelet: Kubelet, ns: str, name: str) -> str:
    try:
        return kubelet.logs(ns, name)
    except Exception:  # not started yet: no log file (local) or kubectl logs refuses (real nodes)
        return ""


def test_deleted_pod_stays_until_its_process_stopped_gracefully(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    events = _delete_when_ready(
        cluster, local_kubelet, ns, python_pod("graceful", GRACEFUL_STOP, labels=local_kubelet.labels)
    )
    # The Pod is removed only after its process finished its 3 s shutdown ...
    assert events.deleted_after() >= 2.9, events.events
    # ... and shows, meanwhile, that it is being deleted and then how its process ended.
    final = events.last_status_before_deletion()
    assert final.metadata.deletion_timestamp is not None
    assert final.status.phase == "Failed"
    terminated = final.status.container_statuses[0].state.terminated
    assert (terminated.exit_code, terminated.message) == (7, "stopped cleanly after SIGTERM")


def test_process_ignoring_sigterm_is_killed_after_the_grace_period(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    pod = python_pod("stubborn", IGNORES_SIGTERM, labels=local_kubelet.labels)
    pod["spec"]["terminationGracePeriodSeconds"] = 3
    events = _delete_when_ready(cluster, local_kubelet, ns, pod)
    assert 2.9 <= events.deleted_after() < 20, events.events
    terminated = events.last_status_before_deletion().status.container_statuses[0].state.terminated
    assert terminated.exit_code == 137  # 128 + SIGKILL


def test_force_deleted_pod_still_gets_the_minimum_grace_period(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    if not isinstance(local_kubelet, LocalKubelet):
        return  # a property of the simulation: real nodes are the reference it copies
    ns = cluster.create_namespace()
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(ns, python_pod("forced", IGNORES_SIGTERM, labels=local_kubelet.labels))
        wait_for(lambda: "ready" in _logs(local_kubelet, ns, "forced"), timeout=60, what="pod forced ready")
        pid = int(core.read_namespaced_pod("forced", ns).status.container_statuses[0].container_id[8:])
        core.delete_namespaced_pod("forced", ns, grace_period_seconds=0)
        time.sleep(0.5)
        assert _process_exists(pid), "a force delete must still give the process its 2 s"
        wait_for(lambda: not _process_exists(pid), timeout=15, what="the process to be killed")


def _if_running(pod: Any) -> Any:
    return pod if pod.status.phase == "Running" else None


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_active_deadline_fails_pod_with_deadline_exceeded(cluster: Cluster, local_kubelet: Kubelet) -> None:
    ns = cluster.create_namespace()
    pod = python_pod("slow", "import time; time.sleep(600)", labels=local_kubelet.labels)
    pod["spec"]["activeDeadlineSeconds"] = 2
    finished = _run(cluster, ns, pod)
    assert finished.status.phase == "Failed"
    assert finished.status.reason == "DeadlineExceeded"


def test_pod_waits_for_missing_secret_then_runs(cluster: Cluster, local_kubelet: Kubelet) -> None:
    ns = cluster.create_namespace()
    env = [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "late", "key": "token"}}}]
    pod = python_pod(
        "patient", "import os; assert os.environ['TOKEN'] == 'abc'", labels=local_kubelet.labels, env=env
    )
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod(ns, pod)

        def config_error() -> bool:
            statuses = core.read_namespaced_pod("patient", ns).status.container_statuses or []
            waiting = statuses[0].state.waiting if statuses else None
            return bool(waiting and waiting.reason == "CreateContainerConfigError")

        assert wait_for(config_error, what="CreateContainerConfigError for the missing secret")
        core.create_namespaced_secret(ns, {"metadata": {"name": "late"}, "stringData": {"token": "abc"}})
        finished = wait_for(
            lambda: _if_finished(core.read_namespaced_pod("patient", ns)), what="pod patient to finish"
        )
    assert finished.status.phase == "Succeeded"


def _if_finished(pod: Any) -> Any:
    return pod if pod.status.phase in ("Succeeded", "Failed") else None


def test_container_output_is_readable_as_logs(cluster: Cluster, local_kubelet: Kubelet) -> None:
    ns = cluster.create_namespace()
    _run(cluster, ns, python_pod("talker", "print('hello from the pod')", labels=local_kubelet.labels))
    assert "hello from the pod" in local_kubelet.logs(ns, "talker")


def test_failing_init_container_fails_pod_without_starting_main(
    cluster: Cluster, local_kubelet: Kubelet
) -> None:
    ns = cluster.create_namespace()
    pod = python_pod("guarded", "print('main ran')", labels=local_kubelet.labels)
    init = dict(pod["spec"]["containers"][0], name="check", command=["python", "-c", "raise SystemExit(2)"])
    pod["spec"]["initContainers"] = [init]
    finished = _run(cluster, ns, pod)
    assert finished.status.phase == "Failed"
    assert finished.status.init_container_statuses[0].state.terminated.exit_code == 2
    assert finished.status.container_statuses[0].state.waiting.reason == "PodInitializing"

"""A test-only local kubelet: THE ONE SIMULATED PIECE of the test cluster.

The API server, etcd, RBAC, admission and the controllers are real; a real kubelet needs a
container runtime, which these machines lack. This stand-in watches the Pods matching a label
selector, binds them to a Node it registers (through the real `pods/binding` subresource), runs
each container's `command` + `args` as a local process of the test's Python environment (the
image is recorded, never pulled), and reports the Pod's phase, exit codes and termination
messages through the real `pods/status` subresource. When a Pod is deleted it stops the
processes gracefully (SIGTERM, the grace period, SIGKILL), reports the terminal status and only
then completes the deletion, as a kubelet does.

Differences from a real node, on purpose: no images, volumes, probes, resource limits or
network isolation; the working directory is a private temp dir (not `workingDir`); the
termination-message file is named by `$DIFFSYNC_TERMINATION_MESSAGE_PATH`; `kubectl logs` does
not work (use `LocalKubelet.logs`); the process gets `KUBECONFIG` holding a token of the Pod's
ServiceAccount bound to the Pod, instead of a mounted token.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from .binaries import kubectl_path
from .kubeconfig import read_cluster, token_user, write_kubeconfig
from .podenv import DataLookup, Pod, decode_secret_data
from .podrunner import PodRunner, now_rfc3339

log = logging.getLogger(__name__)

NODE_TAINT = {"key": "diffsync.dev/local-kubelet", "value": "true", "effect": "NoSchedule"}
LEASE_RENEW_S = 10.0
#: A kubelet gives every container at least this long between SIGTERM and SIGKILL
#: (`minimumGracePeriodInSeconds` in pkg/kubelet/kuberuntime), even on a force delete.
MINIMUM_GRACE_S = 2.0
#: How long the deletion waits for the runner to report the terminal status.
STATUS_REPORT_S = 30.0
_MERGE = "application/strategic-merge-patch+json"


class LocalKubelet:
    """Run the Pods matching `labels` (in `namespace`, or all) as local processes.

    Example::

        with LocalKubelet(cluster.kubeconfig, {"app": "demo"}) as kubelet:
            ...create a Pod labelled app=demo, poll its status...
            print(kubelet.logs(ns, "my-pod"))
    """

    def __init__(
        self,
        kubeconfig: Path,
        labels: dict[str, str],
        *,
        namespace: str | None = None,
        node_name: str | None = None,
    ) -> None:
        if not labels:
            raise ValueError("labels must select something: an empty selector would run every Pod")
        self.kubeconfig = kubeconfig
        self.labels = dict(labels)
        self.namespace = namespace
        self.node_name = node_name or f"local-kubelet-{uuid.uuid4().hex[:6]}"
        self.workdir = Path(tempfile.mkdtemp(prefix="diffsync-kubelet-"))
        self._selector = ",".join(f"{k}={v}" for k, v in self.labels.items())
        self._api = client.ApiClient()
        self._runners: dict[str, PodRunner] = {}
        self._finalising: set[str] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._watch = watch.Watch()
        self._threads: list[threading.Thread] = []

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> LocalKubelet:
        from kubernetes import config

        self._api = config.new_client_from_config(config_file=str(self.kubeconfig))
        self._core = client.CoreV1Api(self._api)
        self._register_node()
        for target in (self._renew_lease, self._watch_pods):
            thread = threading.Thread(target=target, name=f"{self.node_name}-{target.__name__}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Kill every process, unregister the Node and remove the pod directories."""
        self._stopped.set()
        self._watch.stop()
        with self._lock:
            runners = list(self._runners.values())
        for runner in runners:
            runner.kill(grace_seconds=2)
        for runner in runners:  # each reports its containers' end from files in its pod directory
            runner.join(timeout=35)
        for thread in self._threads:
            thread.join(timeout=35)
        with contextlib.suppress(ApiException):
            self._core.delete_node(self.node_name)
        with contextlib.suppress(ApiException):
            client.CoordinationV1Api(self._api).delete_namespaced_lease(self.node_name, "kube-node-lease")
        self._api.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalKubelet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def logs(self, namespace: str, name: str, container: str | None = None) -> str:
        """The combined stdout/stderr of a container (the first one when `container` is None)."""
        pod_dir = self.workdir / f"{namespace}_{name}"
        candidates = sorted(pod_dir.glob(f"{container or '*'}.log"))
        if not candidates:
            raise FileNotFoundError(
                f"no logs for pod {namespace}/{name} container {container or '(any)'} here"
            )
        return candidates[0].read_text(errors="replace")

    # --- the Node -------------------------------------------------------------------------------
    def _register_node(self) -> None:
        """Create a Ready Node tainted NoSchedule, so a real scheduler never places Pods on it.

        The Node must exist: the controller manager's pod GC deletes Pods bound to unknown nodes.
        """
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": self.node_name, "labels": {"kubernetes.io/hostname": self.node_name}},
            "spec": {"taints": [NODE_TAINT]},
        }
        _request(self._api, "POST", "/api/v1/nodes", node)
        stamp = now_rfc3339()
        status = {
            "status": {
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True",
                        "reason": "LocalKubeletReady",
                        "message": "test-only local kubelet",
                        "lastHeartbeatTime": stamp,
                        "lastTransitionTime": stamp,
                    }
                ],
                "addresses": [
                    {"type": "InternalIP", "address": "127.0.0.1"},
                    {"type": "Hostname", "address": self.node_name},
                ],
                "capacity": {"cpu": "2", "memory": "8Gi", "pods": "110"},
                "allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"},
            }
        }
        self._core.patch_node_status(self.node_name, status, _content_type=_MERGE)

    def _renew_lease(self) -> None:
        """Renew the node Lease so the node-lifecycle controller keeps the Node Ready."""
        coordination = client.CoordinationV1Api(self._api)
        while not self._stopped.is_set():
            renew = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self.node_name, "namespace": "kube-node-lease"},
                "spec": {"holderIdentity": self.node_name, "leaseDurationSeconds": 40, "renewTime": renew},
            }
            try:
                try:
                    coordination.patch_namespaced_lease(
                        self.node_name, "kube-node-lease", body, _content_type=_MERGE
                    )
                except ApiException as exc:
                    if exc.status != 404:
                        raise
                    _request(
                        self._api,
                        "POST",
                        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                        body,
                    )
            except Exception:
                log.exception("local kubelet %s: lease renewal failed", self.node_name)
            self._stopped.wait(LEASE_RENEW_S)

    # --- watching Pods --------------------------------------------------------------------------
    def _list_func(self) -> Any:
        if self.namespace:
            return lambda **kw: self._core.list_namespaced_pod(self.namespace, **kw)
        return self._core.list_pod_for_all_namespaces

    def _watch_pods(self) -> None:
        list_pods = self._list_func()
        while not self._stopped.is_set():
            try:
                listing = json.loads(list_pods(label_selector=self._selector, _preload_content=False).data)
                for pod in listing["items"]:
                    self._handle("ADDED", pod)
                for event in self._watch.stream(
                    list_pods,
                    label_selector=self._selector,
                    resource_version=listing["metadata"]["resourceVersion"],
                    timeout_seconds=30,
                ):
                    if self._stopped.is_set():
                        return
                    if event["type"] == "ERROR":
                        break  # typically 410 Gone: list again
                    self._handle(event["type"], event["raw_object"])
            except Exception:
                if self._stopped.is_set():
                    return
                log.exception("local kubelet %s: pod watch failed; listing again", self.node_name)
                self._stopped.wait(1.0)

    def _handle(self, event_type: str, pod: Pod) -> None:
        uid = pod["metadata"]["uid"]
        node = pod["spec"].get("nodeName")
        if node and node != self.node_name:
            return
        if event_type == "DELETED":
            # Gone from the API without us (a force delete, grace 0): a kubelet still stops the
            # containers with its minimum grace period, in the background.
            with self._lock:
                runner = self._runners.pop(uid, None)
            if runner is not None:
                threading.Thread(target=runner.kill, args=(MINIMUM_GRACE_S,), daemon=True).start()
            return
        if pod["metadata"].get("deletionTimestamp"):
            if node:
                self._finalise_deletion(pod)
            return
        if not node:
            self._bind(pod)
            return
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return
        with self._lock:
            if uid in self._runners:
                return
            pod_dir = self.workdir / f"{pod['metadata']['namespace']}_{pod['metadata']['name']}"
            pod_dir.mkdir(parents=True, exist_ok=True)
            runner = PodRunner(pod, pod_dir, self)
            self._runners[uid] = runner
        runner.start()

    def _bind(self, pod: Pod) -> None:
        meta = pod["metadata"]
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"]},
            "target": {"apiVersion": "v1", "kind": "Node", "name": self.node_name},
        }
        try:
            _request(
                self._api,
                "POST",
                f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/binding",
                binding,
            )
        except ApiException as exc:
            if exc.status not in (404, 409):  # deleted meanwhile, or bound by someone else
                raise

    def _finalise_deletion(self, pod: Pod) -> None:
        """Stop the Pod as a kubelet does, then delete it for good (grace 0).

        SIGTERM, then SIGKILL once the Pod's grace period (`deletionGracePeriodSeconds`, at
        least the kubelet's minimum of 2 s) has passed; the runner then reports the terminal
        phase (Failed, or Succeeded if every container exited 0) with the exit codes and
        termination messages; only then is the Pod object removed. Until then it stays, with
        its deletion timestamp, so a controller can wait for the old process to be gone.
        """
        uid = pod["metadata"]["uid"]
        with self._lock:
            if uid in self._finalising:
                return
            self._finalising.add(uid)
            runner = self._runners.get(uid)
        grace = max(float(pod["metadata"].get("deletionGracePeriodSeconds") or 0), MINIMUM_GRACE_S)

        def finalise() -> None:
            if runner is not None:
                runner.kill(grace_seconds=grace)
                if runner.is_alive():
                    runner.join(timeout=STATUS_REPORT_S)  # the terminal status, before the object goes
            body = {"gracePeriodSeconds": 0, "preconditions": {"uid": uid}}
            meta = pod["metadata"]
            with contextlib.suppress(ApiException):
                _request(
                    self._api, "DELETE", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}", body
                )

        threading.Thread(target=finalise, daemon=True).start()

    # --- StatusSink for the runners -------------------------------------------------------------
    def patch_status(self, pod: Pod, status: dict[str, Any]) -> None:
        if self._stopped.is_set():
            return  # the node is going away with the test: no more status writes
        meta = pod["metadata"]
        body = {"metadata": {"uid": meta["uid"]}, "status": status}
        try:
            self._core.patch_namespaced_pod_status(
                meta["name"], meta["namespace"], body, _content_type=_MERGE
            )
        except ApiException as exc:
            if exc.status not in (404, 409):  # the Pod is gone or was replaced: nothing to report
                raise

    def lookup(self) -> DataLookup:
        def read(kind: str, namespace: str, name: str) -> dict[str, str] | None:
            try:
                if kind == "Secret":
                    return decode_secret_data(self._core.read_namespaced_secret(name, namespace).data)
                return dict(self._core.read_namespaced_config_map(name, namespace).data or {})
            except ApiException as exc:
                if exc.status == 404:
                    return None
                raise

        return read

    def extra_env(self, pod: Pod) -> dict[str, str]:
        """What a Pod's process needs to reach the API server: its address and a bound SA token."""
        server, ca, _ = read_cluster(self.kubeconfig)
        host, _, port = server.removeprefix("https://").rpartition(":")
        env = {"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port}
        if pod["spec"].get("automountServiceAccountToken") is False:
            return env
        meta = pod["metadata"]
        argv = [
            str(kubectl_path()),
            f"--kubeconfig={self.kubeconfig}",
            "create",
            "token",
            pod["spec"].get("serviceAccountName", "default"),
            "-n",
            meta["namespace"],
            "--bound-object-kind=Pod",
            f"--bound-object-name={meta['name']}",
            f"--bound-object-uid={meta['uid']}",
        ]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            path = self.workdir / f"{meta['namespace']}_{meta['name']}" / "serviceaccount.kubeconfig"
            write_kubeconfig(
                path,
                server=server,
                ca_data=ca,
                user=token_user(result.stdout.strip()),
                namespace=meta["namespace"],
            )
            env["KUBECONFIG"] = str(path)
        return env


def _request(api: client.ApiClient, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One JSON request for calls the generated client has no convenient method for (e.g. binding)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    response = api.call_api(
        *api.param_serialize(method, path, header_params=headers, body=body, auth_settings=["BearerToken"])
    )
    data = response.read()
    if not 200 <= response.status < 300:
        raise ApiException(status=response.status, reason=response.reason, body=data.decode(errors="replace"))
    return dict(json.loads(data)) if data else {}

"""Running one bound Pod as local processes and reporting its status, like a kubelet's pod worker.

Each Pod gets a private directory (its working directory and HOME). Each container's output
goes to `<pod dir>/<container>.log`, and its termination-message file is
`<pod dir>/<container>.termination-log`, whose path the process receives in the environment
variable `DIFFSYNC_TERMINATION_MESSAGE_PATH` (a local process cannot see the container path
`terminationMessagePath`, which is recorded but not used).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .podenv import DataLookup, EnvResolutionError, Pod, UnsupportedByLocalKubelet, expand, resolve_env
from .processes import die_with_parent

TERMINATION_ENV = "DIFFSYNC_TERMINATION_MESSAGE_PATH"
MAX_MESSAGE_BYTES = 4096  # what a real kubelet keeps of the termination-message file
FALLBACK_LOG_LINES = 80  # FallbackToLogsOnError: the kubelet's tail length ...
FALLBACK_LOG_BYTES = 2048  # ... and size cap
POD_IP = "127.0.0.1"


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StatusSink(Protocol):
    """Where a runner reports: the kubelet patches pods/status and finalises deletions."""

    def patch_status(self, pod: Pod, status: dict[str, Any]) -> None: ...

    def lookup(self) -> DataLookup: ...

    def extra_env(self, pod: Pod) -> dict[str, str]: ...


@dataclass
class _ContainerState:
    name: str
    image: str
    restart_count: int = 0
    state: dict[str, Any] = field(default_factory=lambda: {"waiting": {"reason": "ContainerCreating"}})

    def status(self) -> dict[str, Any]:
        running = "running" in self.state
        return {
            "name": self.name,
            "image": self.image,
            "imageID": "",
            "containerID": self.state.get("running", self.state.get("terminated", {})).get("containerID", ""),
            "ready": running,
            "started": running,
            "restartCount": self.restart_count,
            "state": self.state,
        }


class PodRunner(threading.Thread):
    """Runs the containers of one Pod, in its own thread, until they end or the Pod is deleted."""

    def __init__(self, pod: Pod, pod_dir: Path, sink: StatusSink) -> None:
        super().__init__(name=f"pod-{pod['metadata']['namespace']}/{pod['metadata']['name']}", daemon=True)
        self.pod = pod
        self.pod_dir = pod_dir
        self.sink = sink
        self.stop_requested = threading.Event()
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        spec = pod["spec"]
        self._containers = {
            c["name"]: _ContainerState(c["name"], c.get("image", "")) for c in spec.get("containers", [])
        }
        if spec.get("initContainers"):
            for waiting in self._containers.values():
                waiting.state = {"waiting": {"reason": "PodInitializing"}}
        self._init_containers = {
            c["name"]: _ContainerState(c["name"], c.get("image", ""))
            for c in spec.get("initContainers") or []
        }
        self._container_errors: list[Exception] = []
        self._attempt_failed = threading.Event()
        self._start_time = now_rfc3339()
        self._started_monotonic = time.monotonic()

    # --- status -----------------------------------------------------------------------------
    def _report(self, phase: str, *, reason: str | None = None, message: str | None = None) -> None:
        ready = (
            "True"
            if phase == "Running" and all("running" in c.state for c in self._containers.values())
            else "False"
        )
        initialized = (
            "True" if all("terminated" in c.state for c in self._init_containers.values()) else "False"
        )
        stamp = now_rfc3339()
        status: dict[str, Any] = {
            "phase": phase,
            "hostIP": POD_IP,
            "hostIPs": [{"ip": POD_IP}],
            "podIP": POD_IP,
            "podIPs": [{"ip": POD_IP}],
            "startTime": self._start_time,
            "conditions": [
                {"type": "Initialized", "status": initialized, "lastTransitionTime": stamp},
                {"type": "ContainersReady", "status": ready, "lastTransitionTime": stamp},
                {"type": "Ready", "status": ready, "lastTransitionTime": stamp},
            ],
            "containerStatuses": [c.status() for c in self._containers.values()],
        }
        if self._init_containers:
            status["initContainerStatuses"] = [c.status() for c in self._init_containers.values()]
        if reason:
            status["reason"] = reason
        if message:
            status["message"] = message
        self.sink.patch_status(self.pod, status)

    # --- processes --------------------------------------------------------------------------
    def _environment(self, container: dict[str, Any], message_path: Path) -> dict[str, str]:
        declared = resolve_env(self.pod, container, self.sink.lookup(), pod_ip=POD_IP)
        venv_bin = str(Path(sys.executable).parent)
        base = {
            "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "/usr/bin:/bin")]),
            "HOME": str(self.pod_dir),
            "HOSTNAME": self.pod["metadata"]["name"],
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            TERMINATION_ENV: str(message_path),
        }
        return {**base, **self.sink.extra_env(self.pod), **declared}

    def _run_container(self, container: dict[str, Any], state: _ContainerState) -> int:
        """Start one container process and wait for it; returns the exit code (128+N if signalled)."""
        name = container["name"]
        message_path = self.pod_dir / f"{name}.termination-log"
        message_path.write_bytes(b"")
        log_path = self.pod_dir / f"{name}.log"
        if not container.get("command"):
            raise UnsupportedByLocalKubelet(
                f"container {name}: the local kubelet cannot run the image's entrypoint; set `command`"
            )
        env = self._environment(container, message_path)
        argv = [expand(a, env) for a in container["command"] + (container.get("args") or [])]
        started_at = now_rfc3339()
        with log_path.open("ab") as log:
            try:
                process = subprocess.Popen(
                    argv,
                    cwd=self.pod_dir,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group, so a kill reaches its children
                    preexec_fn=die_with_parent,
                )
            except OSError as exc:
                log.write(f"local kubelet: cannot start {argv[0]!r}: {exc}\n".encode())
                state.state = {
                    "terminated": {
                        "exitCode": 128,
                        "reason": "StartError",
                        "message": str(exc),
                        "startedAt": started_at,
                        "finishedAt": now_rfc3339(),
                    }
                }
                return 128
        container_id = f"local://{process.pid}"
        with self._lock:
            self._processes[name] = process
        state.state = {"running": {"startedAt": started_at}}
        state.state["running"]["containerID"] = container_id
        self._report("Running" if container["name"] in self._containers else "Pending")
        code = process.wait()
        with self._lock:
            self._processes.pop(name, None)
        exit_code = code if code >= 0 else 128 - code
        terminated: dict[str, Any] = {
            "exitCode": exit_code,
            "reason": "Completed" if exit_code == 0 else "Error",
            "startedAt": started_at,
            "finishedAt": now_rfc3339(),
            "containerID": container_id,
        }
        message = self._termination_message(container, message_path, log_path, exit_code)
        if message:
            terminated["message"] = message
        state.state = {"terminated": terminated}
        return exit_code

    @staticmethod
    def _termination_message(container: dict[str, Any], message_path: Path, log_path: Path, code: int) -> str:
        message = message_path.read_bytes()[:MAX_MESSAGE_BYTES].decode("utf-8", errors="replace")
        if not message and code != 0 and container.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            lines = log_path.read_bytes().splitlines(keepends=True)[-FALLBACK_LOG_LINES:]
            message = b"".join(lines)[-FALLBACK_LOG_BYTES:].decode("utf-8", errors="replace")
        return message

    def _keeps_running(self, code: int) -> bool:
        policy = self.pod["spec"].get("restartPolicy", "Always")
        if self.stop_requested.is_set() or self._attempt_failed.is_set():
            return False
        return policy == "Always" or (policy == "OnFailure" and code != 0)

    def _container_loop(
        self, container: dict[str, Any], state: _ContainerState, codes: dict[str, int]
    ) -> None:
        backoff = 0.5
        while True:
            try:
                codes[container["name"]] = self._run_container(container, state)
            except Exception as exc:  # handed to the pod thread, which reports it on the Pod
                self._container_errors.append(exc)
                self._attempt_failed.set()  # siblings stop too: this attempt at the Pod is over
                self._signal_all(signal.SIGKILL)
                return
            if not self._keeps_running(codes[container["name"]]):
                return
            self._report("Running")
            if self.stop_requested.wait(backoff):
                return
            backoff = min(backoff * 2, 10.0)
            state.restart_count += 1

    # --- lifecycle --------------------------------------------------------------------------
    def kill(self, grace_seconds: float) -> None:
        """SIGTERM every process group, then SIGKILL whatever outlives the grace period."""
        self.stop_requested.set()
        processes = self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for process in processes:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def _signal_all(self, sig: signal.Signals) -> list[subprocess.Popen[bytes]]:
        with self._lock:
            processes = list(self._processes.values())
        for process in processes:
            _signal_group(process, sig)
        return processes

    def _deadline_watch(self) -> None:
        seconds = self.pod["spec"].get("activeDeadlineSeconds")
        if seconds is None:
            return
        if not self.stop_requested.wait(max(0.0, seconds - (time.monotonic() - self._started_monotonic))):
            self.deadline_exceeded = True
            self.kill(grace_seconds=0)

    deadline_exceeded = False

    def run(self) -> None:
        threading.Thread(target=self._deadline_watch, daemon=True).start()
        try:
            while True:
                try:
                    self._run_pod()
                    return
                except EnvResolutionError as exc:
                    # Like a kubelet: report, then retry, since the Secret may be created later.
                    for state in {**self._init_containers, **self._containers}.values():
                        if "waiting" in state.state:
                            state.state = {
                                "waiting": {"reason": "CreateContainerConfigError", "message": str(exc)}
                            }
                    self._report("Pending", reason="CreateContainerConfigError", message=str(exc))
                    if self.stop_requested.wait(1.0):
                        return
        except UnsupportedByLocalKubelet as exc:
            self._report("Failed", reason="LocalKubeletUnsupported", message=str(exc))
        except Exception as exc:
            # A kubelet bug must show up on the Pod, not vanish in a thread.
            self._report("Failed", reason="LocalKubeletError", message=f"{type(exc).__name__}: {exc}")
            raise

    def _run_pod(self) -> None:
        self._container_errors.clear()
        self._attempt_failed.clear()
        self._report("Pending")
        for spec in self.pod["spec"].get("initContainers") or []:
            state = self._init_containers[spec["name"]]
            while True:
                code = self._run_container(spec, state)
                if (
                    code == 0
                    or self.pod["spec"].get("restartPolicy") == "Never"
                    or self.stop_requested.is_set()
                ):
                    break
                state.restart_count += 1
                if self.stop_requested.wait(0.5):
                    break
            if code != 0:
                self._finish({spec["name"]: code})
                return
        codes: dict[str, int] = {}
        threads = [
            threading.Thread(
                target=self._container_loop, args=(spec, self._containers[spec["name"]], codes), daemon=True
            )
            for spec in self.pod["spec"]["containers"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self._container_errors:
            raise self._container_errors[0]
        self._finish(codes)

    def _finish(self, codes: dict[str, int]) -> None:
        self.stop_requested.set()
        if self.deadline_exceeded:
            self._report(
                "Failed",
                reason="DeadlineExceeded",
                message="Pod was active on the node longer than the specified deadline",
            )
        else:
            # Also for a Pod being deleted: a kubelet moves it to a terminal phase (with the exit
            # codes and messages) before it lets the API server remove it.
            self._report("Succeeded" if all(c == 0 for c in codes.values()) else "Failed")


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)

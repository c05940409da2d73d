"""Starting and stopping a real etcd + kube-apiserver + kube-controller-manager on loopback.

Nothing here is simulated: these are the upstream binaries built by `make envtest`, configured
like a small production control plane (TLS everywhere the API is served, RBAC, PodSecurity
admission, signed service-account tokens). Only etcd talks plain HTTP, on 127.0.0.1, because
nothing but the API server ever connects to it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from . import certs as certs_mod
from .binaries import binary_path
from .kubeconfig import cert_user, write_kubeconfig
from .processes import die_with_parent

SERVICE_CIDR = "10.0.0.0/24"
SERVICE_IP = "10.0.0.1"
START_TIMEOUT_S = 90.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ControlPlaneError(RuntimeError):
    """A component failed to start; the message names its log file."""


@dataclass
class _Component:
    name: str
    argv: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None

    def start(self) -> None:
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.argv,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise ControlPlaneError(
                f"{self.name} exited with code {self.process.returncode}; log {self.log_path}:\n{tail}"
            )

    def stop(self, grace_s: float = 10.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log_file is not None:
            self.log_file.close()


@dataclass
class ControlPlane:
    """One running control plane. Use `start()` / `stop()` or it as a context manager.

    `workdir` holds certificates, etcd data, the admin kubeconfig and `logs/<component>.log`.
    """

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="diffsync-envtest-")))
    kubeconfig: Path = field(init=False)
    server: str = field(init=False)
    startup_seconds: float = field(init=False, default=0.0)
    _components: list[_Component] = field(init=False, default_factory=list)

    @property
    def log_dir(self) -> Path:
        return self.workdir / "logs"

    def start(self) -> ControlPlane:
        """Start etcd, then the API server, then the controller manager; wait for /readyz."""
        began = time.monotonic()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        creds = certs_mod.generate(self.workdir / "pki", service_ip=SERVICE_IP)
        try:
            etcd_url = self._start_etcd()
            api_port = free_port()
            self.server = f"https://127.0.0.1:{api_port}"
            self._start_apiserver(creds, etcd_url, api_port)
            self.kubeconfig = write_kubeconfig(
                self.workdir / "admin.kubeconfig",
                server=self.server,
                ca_data=creds.server_ca.cert.read_bytes(),
                user=cert_user(creds.admin.cert, creds.admin.key),
            )
            self._wait_ready(creds)
            self._start_controller_manager(creds)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def _spawn(self, name: str, argv: list[str]) -> _Component:
        component = _Component(name, argv, self.log_dir / f"{name}.log")
        component.start()
        self._components.append(component)
        return component

    def _start_etcd(self) -> str:
        client_port, peer_port = free_port(), free_port()
        client_url = f"http://127.0.0.1:{client_port}"
        peer_url = f"http://127.0.0.1:{peer_port}"
        self._spawn(
            "etcd",
            [
                str(binary_path("etcd")),
                "--name=envtest",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={client_url}",
                f"--advertise-client-urls={client_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=envtest={peer_url}",
                "--unsafe-no-fsync=true",  # test data is thrown away; fsync only costs time
                "--log-level=warn",
            ],
        )
        return client_url

    def _start_apiserver(self, creds: certs_mod.ControlPlaneCerts, etcd_url: str, port: int) -> None:
        self._spawn(
            "kube-apiserver",
            [
                str(binary_path("kube-apiserver")),
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={port}",
                f"--cert-dir={self.workdir / 'apiserver-certs'}",
                f"--tls-cert-file={creds.apiserver.cert}",
                f"--tls-private-key-file={creds.apiserver.key}",
                f"--client-ca-file={creds.client_ca.cert}",
                "--authorization-mode=RBAC",
                "--enable-admission-plugins=PodSecurity",
                "--allow-privileged=true",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={creds.sa_public_key}",
                f"--service-account-signing-key-file={creds.sa_private_key}",
                "--profiling=false",
                "--v=1",
            ],
        )

    def _start_controller_manager(self, creds: certs_mod.ControlPlaneCerts) -> None:
        kcm_kubeconfig = write_kubeconfig(
            self.workdir / "kube-controller-manager.kubeconfig",
            server=self.server,
            ca_data=creds.server_ca.cert.read_bytes(),
            user=cert_user(creds.controller_manager.cert, creds.controller_manager.key),
        )
        self._spawn(
            "kube-controller-manager",
            [
                str(binary_path("kube-controller-manager")),
                f"--kubeconfig={kcm_kubeconfig}",
                "--leader-elect=false",
                "--secure-port=0",  # nothing scrapes it; one port fewer to allocate
                "--use-service-account-credentials=true",
                f"--service-account-private-key-file={creds.sa_private_key}",
                f"--root-ca-file={creds.server_ca.cert}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--v=1",
            ],
        )

    def _wait_ready(self, creds: certs_mod.ControlPlaneCerts) -> None:
        context = ssl.create_default_context(cafile=str(creds.server_ca.cert))
        context.load_cert_chain(str(creds.admin.cert), str(creds.admin.key))
        deadline = time.monotonic() + START_TIMEOUT_S
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            for component in self._components:
                component.check_alive()
            try:
                with urllib.request.urlopen(f"{self.server}/readyz", context=context, timeout=5) as resp:
                    if resp.status == 200:
                        return
                    last_error = f"HTTP {resp.status}"
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.25)
        raise ControlPlaneError(
            f"kube-apiserver not ready after {START_TIMEOUT_S:.0f} s ({last_error}); logs in {self.log_dir}"
        )

    def stop(self) -> None:
        """Stop the components in reverse start order (controller manager first, etcd last)."""
        for component in reversed(self._components):
            component.stop()
        self._components.clear()

    def cleanup(self, *, keep_logs: bool) -> Path | None:
        """Remove the work dir; with `keep_logs`, keep only `logs/` and return its path."""
        if keep_logs:
            for child in self.workdir.iterdir():
                if child != self.log_dir:
                    if child.is_dir():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink(missing_ok=True)
            return self.log_dir
        shutil.rmtree(self.workdir, ignore_errors=True)
        return None

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self.cleanup(keep_logs=exc[0] is not None)

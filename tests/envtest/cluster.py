"""The object tests receive from the `cluster` fixture: a handle on a running cluster.

It is the same whether the cluster is the local control plane or an existing one named by
`DIFFSYNC_TEST_KUBECONFIG`, so tests never branch on where they run.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from kubernetes import client, config
from kubernetes.client.rest import ApiException

from .binaries import kubectl_path
from .kubeconfig import read_cluster, token_user, write_kubeconfig

NAMESPACE_READY_TIMEOUT_S = 30.0


class Cluster:
    """A cluster reachable with an admin kubeconfig.

    Example::

        def test_something(cluster):
            ns = cluster.create_namespace(labels={"pod-security.kubernetes.io/enforce": "restricted"})
            cluster.kubectl("-n", ns, "get", "pods")
            v1 = client.CoreV1Api(cluster.api_client())
    """

    def __init__(self, kubeconfig: Path, *, external: bool, scratch_dir: Path | None = None) -> None:
        self.kubeconfig = kubeconfig
        self.external = external
        """True when the cluster is an existing one (DIFFSYNC_TEST_KUBECONFIG), not ours."""
        self.scratch_dir = scratch_dir or Path(tempfile.mkdtemp(prefix="diffsync-envtest-scratch-"))
        self.scratch_dir.mkdir(parents=True, exist_ok=True)
        self._namespaces: list[str] = []

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True, kubeconfig: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the pinned kubectl against this cluster (or `kubeconfig`); raise on failure if `check`.

        The CalledProcessError raised carries stderr, so a failing test shows kubectl's reason.
        """
        argv = [str(kubectl_path()), f"--kubeconfig={kubeconfig or self.kubeconfig}", *args]
        result = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, argv, result.stdout, result.stderr)
        return result

    def api_client(self, kubeconfig: Path | None = None) -> client.ApiClient:
        """A kubernetes-client ApiClient for this cluster (or for another kubeconfig of it)."""
        return config.new_client_from_config(config_file=str(kubeconfig or self.kubeconfig))

    def create_namespace(self, labels: dict[str, str] | None = None, prefix: str = "t-") -> str:
        """Create a uniquely named namespace and wait until its `default` ServiceAccount exists.

        Pods are refused until the service-account controller has created `default`, so
        returning earlier would make the first pod of a test fail at random.
        """
        name = f"{prefix}{uuid.uuid4().hex[:8]}"
        with self.api_client() as api:
            core = client.CoreV1Api(api)
            core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=labels)))
            self._namespaces.append(name)
            deadline = time.monotonic() + NAMESPACE_READY_TIMEOUT_S
            while True:
                try:
                    core.read_namespaced_service_account("default", name)
                    return name
                except ApiException as exc:
                    if exc.status != 404 or time.monotonic() > deadline:
                        raise
                time.sleep(0.1)

    def token_kubeconfig(self, namespace: str, serviceaccount: str, duration: str = "1h") -> Path:
        """Write a kubeconfig that authenticates as `namespace/serviceaccount` with a bound token.

        The token comes from `kubectl create token` (the TokenRequest API), so it is signed by
        the API server exactly as a pod's projected token is.
        """
        token = self.kubectl(
            "create", "token", serviceaccount, "-n", namespace, f"--duration={duration}"
        ).stdout.strip()
        server, ca, _ = read_cluster(self.kubeconfig)
        path = self.scratch_dir / f"{namespace}-{serviceaccount}-{uuid.uuid4().hex[:6]}.kubeconfig"
        return write_kubeconfig(path, server=server, ca_data=ca, user=token_user(token), namespace=namespace)

    def delete_created_namespaces(self) -> None:
        """Delete the namespaces this object created (matters on a shared, external cluster)."""
        with self.api_client() as api:
            core = client.CoreV1Api(api)
            for name in self._namespaces:
                try:
                    core.delete_namespace(name)
                except ApiException as exc:
                    if exc.status != 404:
                        raise
        self._namespaces.clear()

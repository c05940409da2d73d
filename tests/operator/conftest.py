"""Fixtures of the operator tests: inventory files for the sample adapters."""

from __future__ import annotations

import pytest
from sample_adapters import SOURCE, TARGET, write_inventory


@pytest.fixture
def inventory_files(tmp_path):
    """(source path, target path) holding SOURCE and TARGET."""
    source, target = tmp_path / "source.json", tmp_path / "target.json"
    write_inventory(source, SOURCE)
    write_inventory(target, TARGET)
    return source, target


# --- cluster fixtures (real API server, real Redis, the operator as a real process) --------


@pytest.fixture(scope="session")
def syncjob_crd(cluster):
    """The generated CRD, installed and established."""
    from operator_harness import install_crd

    install_crd(cluster)
    return cluster


@pytest.fixture
def operator_namespace(syncjob_crd):
    """A namespace of the test's own, with the operator's ServiceAccount and RBAC."""
    from operator_harness import install_rbac

    # Restricted Pod Security: every stage pod the operator creates must be admitted under it.
    namespace = syncjob_crd.create_namespace(
        prefix="sj-", labels={"pod-security.kubernetes.io/enforce": "restricted"}
    )
    account = install_rbac(syncjob_crd, namespace)
    return namespace, account


@pytest.fixture
def operator_env(redis_url):
    """Environment of the operator process: the default Redis, a placeholder image, and a
    2 s retry backoff (not a Job's 10 s) so tests of retries stay short."""
    return {
        "DIFFSYNC_REDIS_URL": redis_url,
        "DIFFSYNC_DEFAULT_IMAGE": "diffsync-test:local",
        "DIFFSYNC_RETRY_BASE_SECONDS": "2",
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def operator(cluster, operator_namespace, operator_env, tmp_path, request):
    """The operator, `kopf run` under the ServiceAccount token, watching the test namespace."""
    from operator_harness import OperatorProcess

    namespace, account = operator_namespace
    kubeconfig = cluster.token_kubeconfig(namespace, account)
    process = OperatorProcess(kubeconfig, namespace, operator_env, tmp_path).start()
    yield process
    process.stop()
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:  # what the operator saw, for the failure report
        print(process.log()[-30000:])
        for pod in cluster.kubectl(
            "get", "pods", "-n", namespace, "-o", "wide", check=False
        ).stdout.splitlines():
            print(pod)


@pytest.fixture
def jobs(cluster, operator_namespace, local_kubelet, request):
    """SyncJobs in the test namespace whose stage pods the test kubelet runs."""
    from operator_harness import Jobs

    namespace, _ = operator_namespace
    with cluster.api_client() as api:
        handle = Jobs(api, namespace, local_kubelet.labels)
        yield handle
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:  # the stage pods' output, for the failure report
            for pod in handle.pods():
                print(f"--- pod {pod.metadata.name}: {pod.status.phase}")
                print(local_kubelet.logs(namespace, pod.metadata.name)[-3000:])


@pytest.fixture
def inventory_sides(inventory_files):
    """source and target specs of the sample adapters over the inventory files."""
    source, target = inventory_files
    return (
        {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
        {"adapter": "sample_adapters:FileTarget", "params": {"path": str(target)}},
    )


@pytest.fixture
def schedules(jobs):
    """SyncSchedules in the test namespace; their jobs' pods run on the test kubelet."""
    from operator_harness import Schedules

    return Schedules(jobs)

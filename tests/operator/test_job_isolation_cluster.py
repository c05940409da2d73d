"""Each job's pods reach only that job's Redis state: the operator's per-job Redis users, on a
real API server, a real redis-server with ACLs and the test kubelet (a simulation of a node
that runs pod commands as local processes; Secrets reach env by secretKeyRef as on a node).
"""

from __future__ import annotations

import base64
import copy
import json

from envtest.waiting import wait_for
from kubernetes.client.rest import ApiException
from operator_harness import OperatorProcess, condition


def _keys(admin, store_id: str) -> list[str]:
    """Every Redis key of the store id (the test holds the admin login)."""
    encoded = store_id.replace("/", "%2F")
    keys = [k.decode() for k in admin.scan_iter(count=1000)]
    return sorted(k for k in keys if f"{{{store_id}}}" in k or f"{{{encoded}%2F" in k)


def _secret(jobs, name: str) -> dict[str, str]:
    secret = jobs.core.read_namespaced_secret(name, jobs.namespace)
    return {k: base64.b64decode(v).decode() for k, v in secret.data.items()}


def _probe(jobs, kubelet, template, name: str, keys: dict[str, str], *, write: bool) -> dict:
    """Run `redis_probe` (in this folder, on the pods' PYTHONPATH) in a pod with exactly the
    environment of the stage pod `template`: the Redis login the operator gave that job."""
    body = jobs.core.api_client.sanitize_for_serialization(template)
    container = body["spec"]["containers"][0]
    container["command"] = [container["command"][0], "-m", "redis_probe"]
    container["env"] = [
        *container["env"],
        {"name": "PROBE_KEYS", "value": json.dumps(keys)},
        {"name": "PROBE_WRITE", "value": "1" if write else "0"},
    ]
    labels = {k: v for k, v in body["metadata"]["labels"].items() if not k.startswith("diffsync.io/")}
    body["metadata"] = {"name": name, "namespace": jobs.namespace, "labels": labels}
    body["spec"].pop("nodeName", None)
    body.pop("status", None)
    jobs.core.create_namespaced_pod(jobs.namespace, body)

    def finished():
        phase = jobs.core.read_namespaced_pod(name, jobs.namespace).status.phase
        return phase if phase in ("Succeeded", "Failed") else None

    phase = wait_for(finished, timeout=90, what=f"probe pod {name}")
    output = kubelet.logs(jobs.namespace, name)
    assert phase == "Succeeded", output[-3000:]
    return json.loads(output.strip().splitlines()[-1])


def _diff_job(jobs, name: str, sides) -> dict:
    source, target = copy.deepcopy(sides)
    jobs.create(jobs.manifest(name, source, target))
    job = jobs.wait_phase(name, "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    return job


def test_each_job_logs_in_as_its_own_user_whose_secret_it_owns(operator, jobs, inventory_sides, redis_server):
    job = _diff_job(jobs, "inv-user", inventory_sides)
    user = job["status"]["redisUser"]
    assert user["name"] == f"diffsync-job-{job['metadata']['uid']}"
    assert condition(job, "RedisUser")["status"] == "True"
    assert condition(job, "RedisUser")["reason"] == "JobUser"
    secret = jobs.core.read_namespaced_secret(user["secretName"], jobs.namespace)
    assert secret.type == "kubernetes.io/basic-auth" and secret.immutable is True
    (owner,) = secret.metadata.owner_references
    assert (owner.kind, owner.name, owner.uid, owner.controller) == (
        "SyncJob", "inv-user", job["metadata"]["uid"], True,
    )  # fmt: skip
    login = _secret(jobs, user["secretName"])
    assert login["username"] == user["name"]
    for pod in jobs.pods("inv-user"):
        env = {e.name: e for e in pod.spec.containers[0].env}
        assert env["DIFFSYNC_REDIS_USERNAME"].value == user["name"]
        ref = env["DIFFSYNC_REDIS_PASSWORD"].value_from.secret_key_ref
        assert (ref.name, ref.key, env["DIFFSYNC_REDIS_PASSWORD"].value) == (
            user["secretName"],
            "password",
            None,
        )
        assert not [e.name for e in env.values() if e.value and login["password"] in e.value]
    rules = redis_server.client().acl_getuser(user["name"])
    assert rules["enabled"] and "allkeys" not in rules["flags"]
    assert rules["passwords"] == [user["passwordHash"]]


def test_a_pod_of_job_b_with_its_credentials_gets_noperm_on_every_key_of_job_a(
    operator, jobs, inventory_sides, redis_server, local_kubelet
):
    job_a = _diff_job(jobs, "inv-a", inventory_sides)
    job_b = _diff_job(jobs, "inv-b", inventory_sides)
    admin = redis_server.client()
    keys_a = _keys(admin, job_a["status"]["storeId"])
    assert len(keys_a) >= 10, keys_a
    before = {key: admin.dump(key) for key in keys_a}
    (diff_b,) = [p for p in jobs.pods("inv-b") if p.metadata.name.startswith("inv-b-diff")]
    types = {key: admin.type(key).decode() for key in keys_a}
    report = _probe(jobs, local_kubelet, diff_b, "probe-b-on-a", types, write=True)
    server_wide = ("FLUSHALL", "FLUSHDB", "KEYS *", "CONFIG GET *", "ACL LIST")
    assert report.pop("server") == dict.fromkeys(server_wide, "NOPERM")
    assert report == {
        key: {"read": "NOPERM", "exists": "NOPERM", "write": "NOPERM", "delete": "NOPERM"} for key in keys_a
    }
    assert {key: admin.dump(key) for key in keys_a} == before, "job A's state is untouched"
    (diff_a,) = [p for p in jobs.pods("inv-a") if p.metadata.name.startswith("inv-a-diff")]
    own = _probe(jobs, local_kubelet, diff_a, "probe-a-on-a", types, write=False)
    assert own == {key: {"read": "ok", "exists": "ok"} for key in keys_a}
    assert job_b["status"]["redisUser"]["name"] != job_a["status"]["redisUser"]["name"]


def test_deleting_the_job_removes_its_redis_user_and_its_secret(
    operator, jobs, inventory_sides, redis_server
):
    job = _diff_job(jobs, "inv-gone", inventory_sides)
    user = job["status"]["redisUser"]
    admin = redis_server.client()
    assert admin.acl_getuser(user["name"]) is not None
    jobs.delete("inv-gone")
    jobs.wait_gone("inv-gone")
    assert admin.acl_getuser(user["name"]) is None

    def secret_gone() -> bool:
        try:
            jobs.core.read_namespaced_secret(user["secretName"], jobs.namespace)
        except ApiException as error:
            return error.status == 404
        return False

    wait_for(secret_gone, timeout=60, what="the garbage collector to delete the job's Secret")


def test_retain_store_keeps_the_keys_but_not_the_user(operator, jobs, inventory_sides, redis_server):
    source, target = copy.deepcopy(inventory_sides)
    jobs.create(jobs.manifest("inv-kept", source, target, retainStore=True))
    job = jobs.wait_phase("inv-kept", "Succeeded")
    jobs.delete("inv-kept")
    jobs.wait_gone("inv-kept")
    admin = redis_server.client()
    assert _keys(admin, job["status"]["storeId"])
    assert admin.acl_getuser(job["status"]["redisUser"]["name"]) is None


def test_a_job_naming_its_own_redis_is_told_it_gets_no_user(
    operator, jobs, inventory_sides, redis_server_factory
):
    server = redis_server_factory(password="own-pw")
    jobs.core.create_namespaced_secret(
        jobs.namespace, {"metadata": {"name": "own-redis"}, "stringData": {"password": "own-pw"}}
    )
    redis = {
        "url": f"redis://127.0.0.1:{server.port}/0",
        "passwordSecretRef": {"name": "own-redis", "key": "password"},
    }
    source, target = copy.deepcopy(inventory_sides)
    jobs.create(jobs.manifest("inv-own", source, target, redis=redis))
    job = jobs.wait_phase("inv-own", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    found = condition(job, "RedisUser")
    assert (found["status"], found["reason"]) == ("False", "JobCredentials")
    assert "redisUser" not in job["status"]
    assert server.client().acl_list() == [server.client().acl_list()[0]], "the operator made no user there"


def test_an_operator_login_without_acl_rights_says_so_and_starts_no_pod_until_granted(
    cluster, operator_namespace, jobs, inventory_sides, redis_server_factory, tmp_path
):
    server = redis_server_factory(password="admin-pw")
    admin = server.client()
    admin.acl_setuser("operator", enabled=True, passwords=["+op-pw"], keys=["*"], commands=["+@all", "-acl"])
    namespace, account = operator_namespace
    env = {
        "DIFFSYNC_REDIS_URL": f"redis://127.0.0.1:{server.port}/0",
        "DIFFSYNC_REDIS_USERNAME": "operator",
        "DIFFSYNC_REDIS_PASSWORD": "op-pw",
        "DIFFSYNC_DEFAULT_IMAGE": "diffsync-test:local",
    }
    process = OperatorProcess(cluster.token_kubeconfig(namespace, account), namespace, env, tmp_path).start()
    try:
        source, target = copy.deepcopy(inventory_sides)
        jobs.create(jobs.manifest("inv-norights", source, target))

        def refused():
            job = jobs.get("inv-norights")
            found = [c for c in (job.get("status") or {}).get("conditions", []) if c["type"] == "RedisUser"]
            return found[0] if found else None

        found = wait_for(refused, timeout=60, what="the RedisUser condition")
        assert (found["status"], found["reason"]) == ("False", "UserNotCreated")
        assert "NOPERM" in found["message"] or "no permissions" in found["message"]
        assert jobs.pods("inv-norights") == []
        assert "RedisUserNotCreated" in {e.reason for e in jobs.events("inv-norights")}
        admin.acl_setuser("operator", commands=["+acl"])  # the admin grants the right
        job = jobs.wait_phase("inv-norights", "Succeeded", "Failed")
        assert job["status"]["phase"] == "Succeeded", job["status"]
        assert condition(job, "RedisUser")["reason"] == "JobUser"
    finally:
        process.stop()


def test_jobs_on_a_tls_default_redis_get_its_ca_and_succeed(
    cluster, operator_namespace, jobs, inventory_sides, redis_server_factory, tmp_path
):
    server = redis_server_factory(tls=True)
    namespace, account = operator_namespace
    env = {
        "DIFFSYNC_REDIS_URL": server.url,
        "DIFFSYNC_REDIS_CA_CERT": server.tls.ca.read_text(),
        "DIFFSYNC_DEFAULT_IMAGE": "diffsync-test:local",
    }
    process = OperatorProcess(cluster.token_kubeconfig(namespace, account), namespace, env, tmp_path).start()
    try:
        job = _diff_job(jobs, "inv-tls", inventory_sides)
    finally:
        process.stop()
    assert job["status"]["diff"]["create"] == 2
    assert _keys(server.client(), job["status"]["storeId"])


def test_a_job_on_its_own_mutual_tls_redis_reads_ca_and_client_certificate_from_secrets(
    operator, jobs, inventory_sides, redis_server_factory
):
    server = redis_server_factory(client_certificates=True)
    tls = server.tls
    jobs.core.create_namespaced_secret(
        jobs.namespace,
        {
            "metadata": {"name": "redis-client"},
            "type": "kubernetes.io/tls",
            "stringData": {"ca.crt": tls.ca.read_text(), "tls.crt": tls.client_cert.read_text(),
                           "tls.key": tls.client_key.read_text()},
        },
    )  # fmt: skip
    redis = {
        "url": server.url,
        "tls": {
            "caSecretRef": {"name": "redis-client", "key": "ca.crt"},
            "clientCertificateSecretName": "redis-client",
        },
    }
    source, target = copy.deepcopy(inventory_sides)
    jobs.create(jobs.manifest("inv-mtls", source, target, redis=redis))
    job = jobs.wait_phase("inv-mtls", "Succeeded", "Failed")
    assert job["status"]["phase"] == "Succeeded", job["status"]
    for pod in jobs.pods("inv-mtls"):
        env = {e.name: e for e in pod.spec.containers[0].env}
        assert env["DIFFSYNC_REDIS_CLIENT_KEY"].value is None
        assert env["DIFFSYNC_REDIS_CLIENT_KEY"].value_from.secret_key_ref.name == "redis-client"
    store_id = job["status"]["storeId"]
    assert _keys(server.client(), store_id)
    jobs.delete("inv-mtls")  # cleaned by a pod: only pods can read the job's TLS Secrets
    jobs.wait_gone("inv-mtls", timeout=90)
    assert _keys(server.client(), store_id) == []


def test_the_operators_redis_restarting_mid_job_forgets_the_user_and_the_job_still_succeeds(
    cluster, operator_namespace, jobs, inventory_sides, redis_server_factory, tmp_path
):
    server = redis_server_factory()  # not durable: a restart forgets the keys and the users
    namespace, account = operator_namespace
    env = {"DIFFSYNC_REDIS_URL": server.url, "DIFFSYNC_DEFAULT_IMAGE": "diffsync-test:local"}
    process = OperatorProcess(cluster.token_kubeconfig(namespace, account), namespace, env, tmp_path).start()
    release = tmp_path / "release"
    source, target = copy.deepcopy(inventory_sides)
    target["params"]["hold_diff_until"] = str(release)
    try:
        jobs.create(jobs.manifest("inv-restart", source, target, backoffLimit=3))
        wait_for(
            lambda: (tmp_path / "release.waiting").exists(), timeout=120, what="the diff pod at its hold"
        )
        server.restart()
        release.touch()
        job = jobs.wait_phase("inv-restart", "Succeeded", "Failed", timeout=180)
    finally:
        process.stop()
    assert job["status"]["phase"] == "Succeeded", job["status"]
    assert server.client().acl_getuser(job["status"]["redisUser"]["name"]) is not None, "set again"
    assert job["status"]["diff"]["create"] == 2

"""Building stage pods: names, labels, ownership, security and environment."""

from __future__ import annotations

import json

import pytest
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import RedisUserStatus, Stage
from diffsync_operator.controller.finalizer import BY_POD, NOTHING, CleanupTarget, cleanup_target
from diffsync_operator.controller.naming import pod_name
from diffsync_operator.controller.pods import JobRef, build_cleanup_pod, spec_problems
from diffsync_operator.controller.pods import build_pod as build_pod_with_access
from diffsync_operator.controller.redis_access import pod_redis_access
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.redis_login import RedisLogin
from pydantic import ValidationError

JOB = JobRef(name="inventory", namespace="team-a", uid="0b5c4a8e-1111-2222-3333-444455556666")
SETTINGS = OperatorSettings(redis_url="redis://redis:6379/0", default_image="ghcr.io/x/diffsync:1")
USER = RedisUserStatus(
    name=f"diffsync-job-{JOB.uid}", secret_name="inventory-redis-x7k2p", password_hash="0" * 64
)


def build_pod(job, spec, store_id, stage, attempt, settings):
    """A stage pod as the operator builds it, with the job's user when it uses the operator's Redis."""
    return build_pod_with_access(
        job, spec, store_id, stage, attempt, settings, pod_redis_access(spec, settings, USER)
    )


def _spec(**extra) -> SyncJobSpec:
    return SyncJobSpec.model_validate(
        {
            "source": {
                "adapter": "examples.network.adapters:YamlInventory",
                "params": {"path": "/data/inv.yaml"},
                "env": [
                    {"name": "SRC_TOKEN", "valueFrom": {"secretKeyRef": {"name": "src", "key": "token"}}}
                ],
            },
            "target": {
                "adapter": "examples.network.adapters:JsonInventory",
                "env": [{"name": "DST_TOKEN", "value": "plain"}],
                "envFrom": [{"secretRef": {"name": "dst-creds"}}],
            },
            **extra,
        }
    )


def _env(pod: dict) -> dict[str, dict]:
    return {v["name"]: v for v in pod["spec"]["containers"][0]["env"]}


def test_pod_name_is_job_stage_attempt():
    pod = build_pod(JOB, _spec(), "sid", Stage.LOAD_SOURCE, 2, SETTINGS)
    assert pod["metadata"]["name"] == "inventory-load-source-2"


def test_overlong_job_name_gives_a_valid_unique_pod_name():
    first = pod_name("a" * 250, Stage.LOAD_TARGET, 1)
    second = pod_name("a" * 249 + "b", Stage.LOAD_TARGET, 1)
    assert len(first) <= 253 and first.endswith("-load-target-1")
    assert first != second


def test_pod_is_controlled_by_the_syncjob():
    owner = build_pod(JOB, _spec(), "sid", Stage.DIFF, 1, SETTINGS)["metadata"]["ownerReferences"]
    assert owner == [
        {
            "apiVersion": "diffsync.io/v1alpha1",
            "kind": "SyncJob",
            "name": "inventory",
            "uid": JOB.uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def test_pod_labels_name_job_stage_and_attempt_and_keep_user_labels():
    labels = build_pod(JOB, _spec(podLabels={"team": "a"}), "sid", Stage.DIFF, 3, SETTINGS)["metadata"][
        "labels"
    ]
    assert labels["diffsync.io/job"] == "inventory"
    assert labels["diffsync.io/job-uid"] == JOB.uid
    assert labels["diffsync.io/stage"] == "diff"
    assert labels["diffsync.io/attempt"] == "3"
    assert labels["team"] == "a"


def test_pod_runs_the_worker_once_with_the_restricted_security_context():
    pod = build_pod(JOB, _spec(), "sid", Stage.SYNC, 1, SETTINGS)
    container = pod["spec"]["containers"][0]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert container["command"] == ["python", "-m", "diffsync_operator.worker", "sync"]
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert pod["spec"]["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["securityContext"] == {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_load_source_pod_gets_only_the_source_environment():
    env = _env(build_pod(JOB, _spec(), "sid", Stage.LOAD_SOURCE, 1, SETTINGS))
    assert env["SRC_TOKEN"]["valueFrom"] == {"secretKeyRef": {"name": "src", "key": "token"}}
    assert "DST_TOKEN" not in env


def test_diff_pod_gets_both_environments_and_env_from():
    pod = build_pod(JOB, _spec(), "sid", Stage.DIFF, 1, SETTINGS)
    assert {"SRC_TOKEN", "DST_TOKEN"} <= set(_env(pod))
    assert pod["spec"]["containers"][0]["envFrom"] == [{"secretRef": {"name": "dst-creds"}}]


def test_job_config_travels_in_the_environment():
    env = _env(
        build_pod(JOB, _spec(mode="sync", flags=["CONTINUE_ON_FAILURE"]), "sid", Stage.SYNC, 2, SETTINGS)
    )
    config = json.loads(env["DIFFSYNC_JOB"]["value"])
    assert config["storeId"] == "sid"
    assert config["source"] == {
        "adapter": "examples.network.adapters:YamlInventory",
        "params": {"path": "/data/inv.yaml"},
    }
    assert (config["mode"], config["flags"]) == ("sync", ["CONTINUE_ON_FAILURE"])
    assert env["DIFFSYNC_ATTEMPT"]["value"] == "2"
    assert env["DIFFSYNC_REDIS_URL"]["value"] == "redis://redis:6379/0"


def test_pods_carry_the_claim_owner_and_the_state_ttl():
    pod = build_pod(JOB, _spec(storeTTLSeconds=600), "sid", Stage.DIFF, 1, SETTINGS)
    config = json.loads(_env(pod)["DIFFSYNC_JOB"]["value"])
    assert (config["jobUid"], config["jobName"]) == (JOB.uid, "team-a/inventory")
    assert (config["storeTTLSeconds"], config["claimTTLSeconds"]) == (600, SETTINGS.claim_ttl_seconds)
    assert config["finalStageReleasesClaim"] is False  # the operator knows this Redis and releases it


def test_pods_release_the_claim_themselves_on_a_redis_the_operator_does_not_know():
    spec = _spec(redis={"url": "redis://elsewhere:6379/0"})
    config = json.loads(_env(build_pod(JOB, spec, "sid", Stage.DIFF, 1, SETTINGS))["DIFFSYNC_JOB"]["value"])
    assert config["finalStageReleasesClaim"] is True


def test_pods_on_the_operators_redis_log_in_as_the_jobs_own_user():
    env = _env(build_pod(JOB, _spec(), "sid", Stage.DIFF, 1, SETTINGS))
    assert env["DIFFSYNC_REDIS_URL"]["value"] == "redis://redis:6379/0"
    assert env["DIFFSYNC_REDIS_USERNAME"]["value"] == f"diffsync-job-{JOB.uid}"
    assert env["DIFFSYNC_REDIS_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "inventory-redis-x7k2p", "key": "password"}
    }


def test_pods_get_the_ca_of_a_tls_default_redis_as_a_value_and_no_client_key():
    settings = OperatorSettings(
        redis_url="rediss://redis:6380/0", redis_ca_cert="-----BEGIN CERTIFICATE-----\n...",
        redis_client_cert="CERT", redis_client_key="KEY", default_image="img",
    )  # fmt: skip
    env = _env(build_pod(JOB, _spec(), "sid", Stage.DIFF, 1, settings))
    assert env["DIFFSYNC_REDIS_CA_CERT"]["value"].startswith("-----BEGIN CERTIFICATE-----")
    assert not {"DIFFSYNC_REDIS_CLIENT_CERT", "DIFFSYNC_REDIS_CLIENT_KEY"} & set(env)


def test_own_redis_login_comes_from_the_jobs_secrets_by_reference():
    spec = _spec(
        redis={
            "url": "rediss://other:6380/0",
            "username": "team-a",
            "passwordSecretRef": {"name": "r", "key": "pw"},
            "tls": {"caSecretRef": {"name": "ca", "key": "ca.crt"}, "clientCertificateSecretName": "client"},
        }
    )
    env = _env(build_pod(JOB, spec, "sid", Stage.DIFF, 1, SETTINGS))
    assert env["DIFFSYNC_REDIS_URL"]["value"] == "rediss://other:6380/0"
    assert env["DIFFSYNC_REDIS_USERNAME"]["value"] == "team-a"
    refs = {name: env[name]["valueFrom"]["secretKeyRef"] for name in env if "valueFrom" in env[name]}
    assert refs["DIFFSYNC_REDIS_PASSWORD"] == {"name": "r", "key": "pw"}
    assert refs["DIFFSYNC_REDIS_CA_CERT"] == {"name": "ca", "key": "ca.crt"}
    assert refs["DIFFSYNC_REDIS_CLIENT_CERT"] == {"name": "client", "key": "tls.crt"}
    assert refs["DIFFSYNC_REDIS_CLIENT_KEY"] == {"name": "client", "key": "tls.key"}


def test_passwords_and_keys_reach_pods_only_by_secret_reference():
    specs = [
        _spec(),
        _spec(redis={"url": "redis://other:6379", "passwordSecretRef": {"name": "r", "key": "pw"}}),
        _spec(redis={"url": "rediss://o:1", "tls": {"clientCertificateSecretName": "c"}}),
    ]
    for spec in specs:
        for stage in Stage:
            env = _env(build_pod(JOB, spec, "sid", stage, 1, SETTINGS))
            for name in ("DIFFSYNC_REDIS_PASSWORD", "DIFFSYNC_REDIS_CLIENT_KEY"):
                assert name not in env or set(env[name]) == {"name", "valueFrom"}
            assert "@" not in env["DIFFSYNC_REDIS_URL"]["value"]


def test_a_password_in_a_redis_url_is_a_problem_naming_the_field():
    spec = _spec(redis={"url": "redis://:hunter2@other:6379/0"})
    (problem,) = spec_problems(spec, SETTINGS)
    assert problem.startswith("spec.redis.url: the URL holds a password")
    assert "hunter2" not in problem


def test_credentials_for_the_operators_redis_are_refused_naming_them():
    spec = _spec(redis={"username": "x", "passwordSecretRef": {"name": "r", "key": "pw"}})
    (problem,) = spec_problems(spec, SETTINGS)
    assert problem.startswith("spec.redis.username, spec.redis.passwordSecretRef:")
    assert "a user of its own" in problem


def test_tls_needs_a_rediss_url():
    spec = _spec(redis={"url": "redis://other:6379", "tls": {"caSecretRef": {"name": "ca", "key": "c"}}})
    assert spec_problems(spec, SETTINGS) == [
        "spec.redis.tls: needs a rediss:// (or rediss+cluster://) spec.redis.url"
    ]


def test_tls_is_accepted_for_a_rediss_cluster_url():
    spec = _spec(
        redis={"url": "rediss+cluster://a:6380,b:6380", "tls": {"caSecretRef": {"name": "ca", "key": "c"}}}
    )
    assert spec_problems(spec, SETTINGS) == []


def test_pod_overrides_are_applied():
    spec = _spec(
        image="img:2",
        imagePullPolicy="Always",
        serviceAccountName="sync",
        nodeSelector={"pool": "batch"},
        tolerations=[{"key": "batch", "operator": "Exists"}],
        resources={"limits": {"memory": "1Gi"}},
        podAnnotations={"a": "b"},
    )
    pod = build_pod(JOB, spec, "sid", Stage.LOAD_TARGET, 1, SETTINGS)
    container = pod["spec"]["containers"][0]
    assert (container["image"], container["imagePullPolicy"]) == ("img:2", "Always")
    assert container["resources"] == {"limits": {"memory": "1Gi"}}
    assert pod["spec"]["serviceAccountName"] == "sync"
    assert pod["spec"]["nodeSelector"] == {"pool": "batch"}
    assert pod["spec"]["tolerations"] == [{"key": "batch", "operator": "Exists"}]
    assert pod["metadata"]["annotations"] == {"a": "b"}


def test_missing_image_and_redis_are_problems_naming_the_field():
    problems = spec_problems(_spec(), OperatorSettings())
    assert [p.split(":")[0] for p in problems] == ["spec.image", "spec.redis.url"]


def test_env_var_with_value_and_value_from_is_refused_by_the_spec_model():
    manifest = _spec().to_manifest()
    manifest["target"]["env"][0]["valueFrom"] = manifest["source"]["env"][0]["valueFrom"]
    with pytest.raises(ValidationError) as refused:
        SyncJobSpec.model_validate(manifest)
    (error,) = refused.value.errors()
    assert error["loc"] == ("target", "env", 0)
    assert error["msg"] == "set value or valueFrom, not both"


def test_complete_spec_has_no_problems():
    assert spec_problems(_spec(), SETTINGS) == []


def test_cleanup_pod_gets_the_job_and_redis_login_but_nothing_of_the_adapters():
    spec = _spec(redis={"url": "redis://r:6379", "passwordSecretRef": {"name": "r", "key": "pw"}})
    pod = build_cleanup_pod(JOB, spec, "sid", SETTINGS, pod_redis_access(spec, SETTINGS, None))
    env = _env(pod)
    assert pod["metadata"]["name"] == "inventory-cleanup"
    assert pod["spec"]["containers"][0]["command"][-1] == "cleanup"
    config = json.loads(env["DIFFSYNC_JOB"]["value"])
    assert (config["storeId"], config["jobUid"]) == ("sid", JOB.uid)
    assert config["source"] == {"adapter": "examples.network.adapters:YamlInventory", "params": {}}
    assert env["DIFFSYNC_REDIS_PASSWORD"]["valueFrom"] == {"secretKeyRef": {"name": "r", "key": "pw"}}
    assert not {"SRC_TOKEN", "DST_TOKEN"} & set(env), "no adapter env"
    assert "envFrom" not in pod["spec"]["containers"][0]


def test_operator_cleans_its_default_redis_itself_with_its_own_login():
    settings = OperatorSettings(redis_url="redis://redis:6379/0", redis_username="op", redis_password="pw")
    target = cleanup_target(_spec(), settings)
    assert target == CleanupTarget("redis://redis:6379/0", "pw", username="op")
    assert target.login() == RedisLogin("redis://redis:6379/0", username="op", password="pw")


def test_redis_password_or_tls_in_a_secret_is_cleaned_by_a_pod():
    with_password = _spec(redis={"url": "redis://r:6379", "passwordSecretRef": {"name": "r", "key": "pw"}})
    with_tls = _spec(redis={"url": "rediss://r:6379", "tls": {"caSecretRef": {"name": "ca", "key": "c"}}})
    assert cleanup_target(with_password, SETTINGS) == BY_POD
    assert cleanup_target(with_tls, SETTINGS) == BY_POD


def test_job_without_any_redis_has_nothing_to_clean():
    assert cleanup_target(_spec(), OperatorSettings()) == NOTHING

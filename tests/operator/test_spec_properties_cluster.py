"""Property test (hypothesis) on a real API server: what `diffsync validate` accepts, it accepts.

Manifests from the CRD's schema, mutated (tests/operator/manifest_strategies.py), go to
`diffsync validate`'s checks and, as a server-side dry run, to the API server with the
generated CRD. Whatever validate accepts the API server must store; the stage pods the
operator would build from it must be accepted too (dry run), so a SyncJob that passes both
never fails at pod creation for a field the schema covers. The other direction is allowed to
differ where validate is deliberately stricter (it reads JSON strictly: `2.0` is no integer
to it); those cases are counted in the output, not failed.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import RedisUserStatus, Stage
from diffsync_operator.cli import manifest
from diffsync_operator.cli.errors import InvalidInput
from diffsync_operator.controller.pods import JobRef, build_pod
from diffsync_operator.controller.redis_access import pod_redis_access
from diffsync_operator.controller.settings import OperatorSettings
from hypothesis import HealthCheck, given, settings
from kubernetes import client
from kubernetes.client.rest import ApiException
from manifest_strategies import mutated
from pydantic import ValidationError

GROUP, VERSION, PLURAL = "diffsync.io", "v1alpha1", "syncjobs"
SETTINGS = OperatorSettings(redis_url="redis://redis:6379/0", default_image="diffsync:test")
#: The job's own Redis user, as the operator makes it for a job on its Redis.
USER = RedisUserStatus(name="diffsync-job-prop", secret_name="prop-redis", password_hash="0" * 64)


def _dry_run(call, *args) -> tuple[bool, str]:
    """(accepted, the API server's message) for a server-side dry run."""
    try:
        call(*args, dry_run="All")
    except ApiException as error:
        assert error.status is not None and error.status < 500, (
            f"API server error {error.status}: {error.body}"
        )
        return False, str(error.body)
    return True, ""


def _verb(accepted: bool) -> str:
    return "accepts" if accepted else "refuses"


@pytest.fixture
def dry_run_target(cluster, syncjob_crd):
    namespace = cluster.create_namespace(prefix="prop-")
    with cluster.api_client() as api:
        yield namespace, client.CustomObjectsApi(api), client.CoreV1Api(api)


def test_what_validate_accepts_the_api_server_accepts(dry_run_target) -> None:
    namespace, custom, core = dry_run_target
    verdicts: Counter[str] = Counter()
    stricter: list[str] = []  # what validate refused and the API server took, for the output

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(mutated())
    def agree(document: dict) -> None:
        try:
            manifest.validate(document)
            ours, problems = True, []
        except InvalidInput as error:
            ours, problems = False, error.problems
        body = json.loads(json.dumps(document))
        server, why = _dry_run(
            custom.create_namespaced_custom_object, GROUP, VERSION, namespace, PLURAL, body
        )
        verdicts[
            f"validate {'accepts' if ours else 'refuses'}, server {'accepts' if server else 'refuses'}"
        ] += 1
        assert server or not ours, f"validate accepted what the API server refused: {why}\n{body}"
        if server and not ours and len(stricter) < 5:
            stricter.append(problems[0])
        if not ours:
            return
        spec = SyncJobSpec.model_validate(body["spec"])  # the operator's parsing of the same spec
        spec.affinity = None  # free-form on purpose: the API server checks it at pod creation
        ref = JobRef(document["metadata"]["name"], namespace, "0b5c4a8e-1111-2222-3333-444455556666")
        for stage in (Stage.LOAD_SOURCE, Stage.DIFF):
            access = pod_redis_access(spec, SETTINGS, USER)
            pod = build_pod(ref, spec, "prop.store", stage, 1, SETTINGS, access)
            pod.pop("metadata")["ownerReferences"]
            pod["metadata"] = {"name": f"prop-{stage.value}", "namespace": namespace, "labels": {"a": "b"}}
            pod["spec"].pop("serviceAccountName", None)  # need not exist for this check
            accepted, reason = _dry_run(core.create_namespaced_pod, namespace, pod)
            assert accepted, f"the stage pod of an accepted SyncJob was refused: {reason}\n{body}"

    try:
        agree()
    except ValidationError as error:  # pragma: no cover - would be a bug in the models
        raise AssertionError(f"the operator could not parse a spec validate accepted: {error}") from error
    finally:
        print(dict(verdicts), *stricter, sep="\n  ")
    assert verdicts["validate accepts, server accepts"] >= 20, verdicts

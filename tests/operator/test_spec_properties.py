"""Property tests (hypothesis): malformed manifests only ever meet the documented errors.

`diffsync validate` reads any bytes as InvalidInput or a SyncJob; the operator's spec parsing
gives a ValidationError or a spec that planning, the TTL and the pod builder take without an
exception (no OverflowError from a huge deadline). Agreement with the API server itself is
checked in test_spec_properties_cluster.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import JobPhase, RedisUserStatus, Stage, SyncJobStatus
from diffsync_operator.cli import manifest, yaml_text
from diffsync_operator.cli.errors import InvalidInput
from diffsync_operator.controller.planning import JobView, plan_next_step, ttl_expiry
from diffsync_operator.controller.pods import JobRef, build_pod
from diffsync_operator.controller.redis_access import pod_redis_access
from diffsync_operator.controller.settings import OperatorSettings
from hypothesis import HealthCheck, given, settings
from manifest_strategies import mutated, yaml_texts
from pydantic import ValidationError

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
SETTINGS = OperatorSettings(redis_url="redis://redis:6379/0", default_image="diffsync:test")
#: The job's own Redis user, as the operator makes it for a job on its Redis.
USER = RedisUserStatus(name="diffsync-job-prop", secret_name="prop-redis", password_hash="0" * 64)
QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(yaml_texts())
def test_validate_meets_any_bytes_with_a_syncjob_or_invalid_input(data: bytes) -> None:
    try:
        manifest.validate(manifest.parse_yaml(yaml_text.decode(data, "job.yaml"), "job.yaml"))
    except InvalidInput as error:
        assert error.problems and all(problem.strip() for problem in error.problems)
        assert all("\n" not in problem for problem in error.problems)


@QUICK
@given(mutated())
def test_the_operator_parses_any_spec_into_a_plan_or_a_validation_error(document: dict) -> None:
    try:
        spec = SyncJobSpec.model_validate(document["spec"])
    except ValidationError:
        return
    started = SyncJobStatus(phase=JobPhase.RUNNING, start_time=NOW - timedelta(days=365 * 50))
    for status in (SyncJobStatus(), started):
        plan_next_step(JobView("prop", "ns", "uid-1", 1, spec, status), [], NOW)
    finished = SyncJobStatus(phase=JobPhase.SUCCEEDED, completion_time=NOW)
    ttl_expiry(finished, spec)
    for stage in Stage:
        access = pod_redis_access(spec, SETTINGS, USER)
        build_pod(JobRef("prop", "ns", "uid-1"), spec, "ns.prop", stage, 1, SETTINGS, access)

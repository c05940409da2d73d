"""Which Redis servers the operator connects to itself: only those its configuration names."""

from __future__ import annotations

import pytest
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.finalizer import BY_POD, CleanupTarget, cleanup_target
from diffsync_operator.controller.redis_servers import KnownRedis, operator_server, server_identity
from diffsync_operator.controller.settings import OperatorSettings

SETTINGS = OperatorSettings.from_env(
    {
        "DIFFSYNC_REDIS_URL": "redis://redis.diffsync-system:6379/0",
        "DIFFSYNC_REDIS_PASSWORD": "operator-pw",
        "DIFFSYNC_KNOWN_REDIS_URLS": "rediss://:admin-pw@shared.example.com:6380/2",
    }
)


def _spec(url: str | None = None, **redis) -> SyncJobSpec:
    body = {"source": {"adapter": "a.b:C"}, "target": {"adapter": "a.b:D"}}
    if url or redis:
        body["redis"] = {"url": url, **redis} if url else redis
    return SyncJobSpec.model_validate(body)


def test_a_job_on_the_default_redis_is_cleaned_with_the_operators_login():
    assert operator_server(_spec(), SETTINGS) == KnownRedis(
        "redis://redis.diffsync-system:6379/0", "operator-pw"
    )
    assert cleanup_target(_spec(), SETTINGS) == CleanupTarget(
        "redis://redis.diffsync-system:6379/0", "operator-pw"
    )


@pytest.mark.parametrize(
    "url",
    [
        "rediss://shared.example.com:6380/2",
        "rediss://SHARED.example.com:6380/2",
        "rediss://job-user:job-pw@shared.example.com:6380/2",  # the job's own login does not matter
    ],
)
def test_a_job_naming_a_listed_server_gets_the_operators_url_and_login_not_its_own(url):
    server = operator_server(_spec(url), SETTINGS)
    assert server == KnownRedis("rediss://:admin-pw@shared.example.com:6380/2")
    assert "admin-pw" not in str(server) and "admin-pw" not in repr(server)


@pytest.mark.parametrize(
    "url",
    [
        "redis://attacker.example.com:6379/0",
        "redis://shared.example.com:6380/2",  # plain where the known server speaks TLS
        "rediss://shared.example.com:6380/3",  # another database
        "rediss://shared.example.com:6379/2",  # another port
        "redis://redis.diffsync-system.svc.cluster.local:6379/0",  # another spelling: not matched
    ],
)
def test_any_other_url_is_cleaned_by_a_pod_never_by_the_operator(url):
    assert operator_server(_spec(url), SETTINGS) is None
    assert cleanup_target(_spec(url), SETTINGS) == BY_POD


def test_the_default_redis_is_the_operators_with_its_whole_login():
    settings = OperatorSettings(
        redis_url="rediss://r:6380/0", redis_username="op", redis_password="pw", redis_ca_cert="CA"
    )
    server = operator_server(_spec(), settings)
    login = server.login()
    assert (login.url, login.username, login.password, login.ca_cert) == (
        "rediss://r:6380/0",
        "op",
        "pw",
        "CA",
    )
    assert cleanup_target(_spec(), settings) == server


def test_server_identity_reads_scheme_host_port_and_database():
    assert server_identity("redis://H:6379") == ("redis", "h", 6379, 0)
    assert server_identity("redis://h/4") == ("redis", "h", 6379, 4)
    assert server_identity("unix:///run/r.sock?db=2") == ("unix", "/run/r.sock", 0, 2)
    assert server_identity("http://h") is None
    assert server_identity("redis://h:6379/x") is None


def test_a_deleted_job_that_keeps_its_state_frees_its_running_claim(redis_url, redis_server, redis_store_id):
    from diffsync_operator.controller.redis_servers import OperatorRedis
    from diffsync_operator.controller.store_claims import claim_store, free_store
    from diffsync_operator.stages.claims import ClaimOwner, StoreClaim

    servers = OperatorRedis(OperatorSettings(redis_url=redis_url))
    store_id, owner = f"team-a/{redis_store_id}", ClaimOwner("uid-a", "team-a/a")
    spec = _spec().model_copy(update={"retain_store": True})
    try:
        assert claim_store(servers, spec, store_id, owner, 300).holder is None
        assert claim_store(servers, spec, store_id, ClaimOwner("uid-b", "team-a/b"), 300).holder
        free_store(servers, spec, store_id, owner)
        assert claim_store(servers, spec, store_id, ClaimOwner("uid-b", "team-a/b"), 300).holder is None
        free_store(servers, spec, store_id, owner)  # no longer its claim: nothing changes
        assert StoreClaim(redis_server.client(), store_id).holds("uid-b")
    finally:
        redis_server.client().delete(f"diffsync-job:{{{store_id}}}:claim")
        servers.close()

"""TLS to Redis (`rediss://`) for stage pods and the operator, against a real redis-server
started with `--tls-port` and certificates the test makes (a CA, a server and a client
certificate; tests/fixtures/redis_server.py). PEM text travels in the environment exactly as
a pod receives it from a Secret by `secretKeyRef`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.controller.redis_acl import job_username, new_password, password_hash, set_job_user
from diffsync_operator.controller.redis_servers import OperatorRedis
from diffsync_operator.controller.settings import OperatorSettings
from diffsync_operator.stages.redis_login import RedisLogin

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def mutual_tls(redis_server_factory):
    """A server on a TLS-only port that also demands a client certificate signed by its CA."""
    return redis_server_factory(tls=True, client_certificates=True)


@pytest.fixture(scope="module")
def server_tls(redis_server_factory):
    """A server on a TLS-only port that asks for no client certificate."""
    return redis_server_factory(tls=True)


def _pem(server) -> dict[str, str]:
    return {
        "DIFFSYNC_REDIS_CA_CERT": server.tls.ca.read_text(),
        "DIFFSYNC_REDIS_CLIENT_CERT": server.tls.client_cert.read_text(),
        "DIFFSYNC_REDIS_CLIENT_KEY": server.tls.client_key.read_text(),
    }


def _load_source(server, tmp_path: Path, source: Path, store_id: str, **login: str):
    log = tmp_path / "load-source.termination-log"
    job = {
        "storeId": store_id,
        "jobUid": f"uid-of-{store_id}",
        "source": {"adapter": "sample_adapters:FileInventory", "params": {"path": str(source)}},
        "target": {"adapter": "sample_adapters:FileTarget", "params": {"path": str(source)}},
    }
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(HERE),
        "DIFFSYNC_JOB": json.dumps(job),
        "DIFFSYNC_REDIS_URL": server.url,
        "DIFFSYNC_TERMINATION_LOG": str(log),
        **login,
    }
    argv = [sys.executable, "-m", "diffsync_operator.worker", "load-source"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(log.read_text())


def test_stage_runs_over_tls_with_the_ca_and_client_certificate_from_its_environment(
    mutual_tls, inventory_files, redis_store_id, tmp_path
):
    assert mutual_tls.url.startswith("rediss://")
    code, result = _load_source(mutual_tls, tmp_path, inventory_files[0], redis_store_id, **_pem(mutual_tls))
    assert (code, result["objects"]) == (0, 5), result
    assert mutual_tls.client().keys(f"*{redis_store_id}*")


def test_without_the_client_certificate_the_server_refuses_the_stage(
    mutual_tls, inventory_files, redis_store_id, tmp_path
):
    ca_only = {"DIFFSYNC_REDIS_CA_CERT": mutual_tls.tls.ca.read_text()}
    code, result = _load_source(mutual_tls, tmp_path, inventory_files[0], redis_store_id, **ca_only)
    assert (code, result["ok"]) == (1, False)
    assert mutual_tls.client().keys(f"*{redis_store_id}*") == []


def test_without_the_ca_the_servers_certificate_is_not_trusted(
    server_tls, inventory_files, redis_store_id, tmp_path
):
    code, result = _load_source(server_tls, tmp_path, inventory_files[0], redis_store_id)
    assert (code, result["ok"]) == (1, False)
    trusted = {"DIFFSYNC_REDIS_CA_CERT": server_tls.tls.ca.read_text()}
    code, result = _load_source(server_tls, tmp_path, inventory_files[0], redis_store_id, **trusted)
    assert (code, result["objects"]) == (0, 5), result


def test_operator_sets_a_job_user_over_tls_with_its_client_certificate(mutual_tls):
    settings = OperatorSettings.from_env({"DIFFSYNC_REDIS_URL": mutual_tls.url, **_pem(mutual_tls)})
    servers = OperatorRedis(settings)
    job = SyncJobSpec.model_validate({"source": {"adapter": "a.b:C"}, "target": {"adapter": "a.b:D"}})
    username, password = job_username("tls-1234"), new_password()
    try:
        set_job_user(servers.client_for(job), username, "team-t/inv", password_hash(password))
    finally:
        servers.close()
    user = RedisLogin(
        mutual_tls.url, username=username, password=password, **{
            "ca_cert": mutual_tls.tls.ca.read_text(),
            "client_cert": mutual_tls.tls.client_cert.read_text(),
            "client_key": mutual_tls.tls.client_key.read_text(),
        }
    ).connect()  # fmt: skip
    try:
        user.set("diffsync-job:{team-t/inv}:diff", "{}")
        assert user.get("diffsync-job:{team-t/inv}:diff") == b"{}"
        with pytest.raises(redis.exceptions.NoPermissionError):
            user.get("diffsync-job:{team-u/inv}:diff")
    finally:
        user.close()


def test_the_client_key_is_written_once_to_a_private_file(mutual_tls):
    pem = _pem(mutual_tls)
    login = RedisLogin(
        mutual_tls.url,
        ca_cert=pem["DIFFSYNC_REDIS_CA_CERT"],
        client_cert=pem["DIFFSYNC_REDIS_CLIENT_CERT"],
        client_key=pem["DIFFSYNC_REDIS_CLIENT_KEY"],
    )
    options = login.connection_kwargs()
    key = Path(options["ssl_keyfile"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert key.read_text() == pem["DIFFSYNC_REDIS_CLIENT_KEY"]
    assert login.connection_kwargs()["ssl_keyfile"] == str(key), "the same file, not one per client"
    assert options["ssl_ca_data"] == pem["DIFFSYNC_REDIS_CA_CERT"]
    assert "BEGIN" not in repr(login)


def test_tls_material_for_a_plain_url_is_refused_naming_the_variables():
    with pytest.raises(
        ValueError, match="DIFFSYNC_REDIS_CA_CERT given but DIFFSYNC_REDIS_URL is not a rediss"
    ):
        RedisLogin.from_env({"DIFFSYNC_REDIS_URL": "redis://r:6379/0", "DIFFSYNC_REDIS_CA_CERT": "PEM"})

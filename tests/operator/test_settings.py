"""Operator settings from the environment."""

from __future__ import annotations

import pytest
from diffsync_operator.controller.settings import OperatorSettings


def test_watched_namespaces_are_a_comma_list():
    assert OperatorSettings.from_env({"DIFFSYNC_WATCH_NAMESPACES": "a, b,,"}).namespaces == ("a", "b")


def test_empty_environment_watches_all_namespaces_without_redis():
    settings = OperatorSettings.from_env({})
    assert (settings.namespaces, settings.redis_url, settings.worker_python) == ((), None, "python")


def test_known_redis_urls_are_a_comma_or_space_list():
    env = {"DIFFSYNC_KNOWN_REDIS_URLS": "redis://a:6379/0, rediss://:pw@b:6380/1\nunix:///r.sock"}
    assert OperatorSettings.from_env(env).known_redis_urls == (
        "redis://a:6379/0",
        "rediss://:pw@b:6380/1",
        "unix:///r.sock",
    )


def test_a_known_redis_that_is_no_url_names_the_variable_without_its_password():
    with pytest.raises(ValueError, match="DIFFSYNC_KNOWN_REDIS_URLS") as caught:
        OperatorSettings.from_env({"DIFFSYNC_KNOWN_REDIS_URLS": "http://:hunter2@a:6379"})
    assert "hunter2" not in str(caught.value)


def test_claim_ttl_must_outlast_three_passes():
    assert OperatorSettings.from_env({"DIFFSYNC_CLAIM_TTL_SECONDS": "60"}).claim_ttl_seconds == 60
    with pytest.raises(
        ValueError, match="DIFFSYNC_CLAIM_TTL_SECONDS=10 must be at least three poll intervals"
    ):
        OperatorSettings.from_env({"DIFFSYNC_CLAIM_TTL_SECONDS": "10", "DIFFSYNC_POLL_SECONDS": "5"})


def test_settings_never_show_credentials():
    settings = OperatorSettings.from_env(
        {
            "DIFFSYNC_REDIS_URL": "redis://r:6379/0",
            "DIFFSYNC_REDIS_PASSWORD": "operator-pw",
            "DIFFSYNC_KNOWN_REDIS_URLS": "redis://:known-pw@k:6379/0",
        }
    )
    assert settings.redis_password == "operator-pw"
    assert "pw" not in repr(settings)


def test_the_retired_shared_password_secret_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"DIFFSYNC_REDIS_PASSWORD_SECRET is no longer used: jobs .* own"):
        OperatorSettings.from_env({"DIFFSYNC_REDIS_PASSWORD_SECRET": "redis/password"})


def test_a_password_in_the_redis_url_is_refused_without_echoing_it():
    with pytest.raises(ValueError, match="DIFFSYNC_REDIS_URL: the URL holds a password") as error:
        OperatorSettings.from_env({"DIFFSYNC_REDIS_URL": "redis://:s3cret@redis:6379/0"})
    assert "s3cret" not in str(error.value)


def test_tls_material_needs_a_rediss_url_and_cert_and_key_together():
    with pytest.raises(ValueError, match="DIFFSYNC_REDIS_CA_CERT given but DIFFSYNC_REDIS_URL is not"):
        OperatorSettings.from_env({"DIFFSYNC_REDIS_URL": "redis://r:6379", "DIFFSYNC_REDIS_CA_CERT": "PEM"})
    half = {"DIFFSYNC_REDIS_URL": "rediss://r:6379", "DIFFSYNC_REDIS_CLIENT_CERT": "PEM"}
    with pytest.raises(
        ValueError, match="DIFFSYNC_REDIS_CLIENT_CERT and DIFFSYNC_REDIS_CLIENT_KEY go together"
    ):
        OperatorSettings.from_env(half)


def test_the_operators_own_login_is_never_shown_in_its_repr():
    env = {
        "DIFFSYNC_REDIS_URL": "redis://r:6379",
        "DIFFSYNC_REDIS_USERNAME": "op",
        "DIFFSYNC_REDIS_PASSWORD": "pw1",
    }
    settings = OperatorSettings.from_env(env)
    login = settings.redis_login()
    assert (login.username, login.password) == ("op", "pw1")
    assert "pw1" not in repr(settings) and "pw1" not in repr(login)


def test_retry_backoff_comes_from_the_environment():
    env = {"DIFFSYNC_RETRY_BASE_SECONDS": "2", "DIFFSYNC_RETRY_MAX_SECONDS": "30"}
    settings = OperatorSettings.from_env(env)
    assert (settings.retry_base_seconds, settings.retry_max_seconds) == (2.0, 30.0)
    default = OperatorSettings.from_env({})
    assert (default.retry_base_seconds, default.retry_max_seconds) == (10.0, 360.0)


def test_a_bad_retry_setting_names_the_variable():
    with pytest.raises(ValueError, match="DIFFSYNC_RETRY_BASE_SECONDS"):
        OperatorSettings.from_env({"DIFFSYNC_RETRY_BASE_SECONDS": "soon"})
    with pytest.raises(ValueError, match="DIFFSYNC_RETRY_MAX_SECONDS"):
        OperatorSettings.from_env({"DIFFSYNC_RETRY_MAX_SECONDS": "-1"})


def test_metrics_are_served_on_port_8000_by_default_and_can_be_moved_or_turned_off():
    assert OperatorSettings.from_env({}).metrics_address == "0.0.0.0:8000"
    assert OperatorSettings.from_env({"DIFFSYNC_METRICS_ADDRESS": "127.0.0.1:9102"}).metrics_address == (
        "127.0.0.1:9102"
    )
    assert OperatorSettings.from_env({"DIFFSYNC_METRICS_ADDRESS": "off"}).metrics_address is None


@pytest.mark.parametrize("value", ["8000", "host:http", "host:0", "host:70000"])
def test_a_malformed_metrics_address_names_the_variable(value):
    with pytest.raises(ValueError, match="DIFFSYNC_METRICS_ADDRESS"):
        OperatorSettings.from_env({"DIFFSYNC_METRICS_ADDRESS": value})

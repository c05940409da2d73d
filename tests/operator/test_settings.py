"""Operator settings from the environment."""

from __future__ import annotations

import pytest
from diffsync_operator.controller.settings import OperatorSettings


def test_watched_namespaces_are_a_comma_list():
    assert OperatorSettings.from_env({"DIFFSYNC_WATCH_NAMESPACES": "a, b,,"}).namespaces == ("a", "b")


def test_empty_environment_watches_all_namespaces_without_redis():
    settings = OperatorSettings.from_env({})
    assert (settings.namespaces, settings.redis_url, settings.worker_python) == ((), None, "python")


def test_malformed_password_secret_names_the_variable():
    with pytest.raises(ValueError, match="DIFFSYNC_REDIS_PASSWORD_SECRET"):
        OperatorSettings.from_env({"DIFFSYNC_REDIS_PASSWORD_SECRET": "no-key"})

"""Messages from adapters lose their secrets before they reach a status, an Event or a log."""

from __future__ import annotations

import pytest
from diffsync_operator.stages.redaction import MESSAGE_LIMIT, redact, redact_url
from pydantic import BaseModel, ValidationError


class _Login(BaseModel):
    port: int
    user: str


def _validation_text(**values) -> str:
    with pytest.raises(ValidationError) as caught:
        _Login(**values)
    return str(caught.value)


def test_pydantic_input_values_are_removed_but_the_field_and_problem_stay():
    text = _validation_text(port="TopSecret-4242, with ] and , input_value", user=7)
    cleaned = redact(text)
    assert "TopSecret-4242" not in cleaned
    assert "port" in cleaned and "unable to parse string as an integer" in cleaned
    assert "input_value=***, input_type=str" in cleaned
    assert "input_value=***, input_type=int" in cleaned


MASKED = [
    ("connect redis://admin:hunter2@db:6379/0 failed", "connect redis://admin:***@db:6379/0 failed"),
    ("redis://:hunter2@db:6379/0", "redis://:***@db:6379/0"),
    ("clone https://ghp_token123@github.com/x", "clone https://***@github.com/x"),
    ("login with password=hunter2 as bob", "login with password=*** as bob"),
    ('{"password": "hunter2", "user": "bob"}', '{"password": "***", "user": "bob"}'),
    ("Client(api_key='hunter2', region='eu')", "Client(api_key='***', region='eu')"),
    ("DB_PASSWORD: hunter2; retrying", "DB_PASSWORD: ***; retrying"),
    ("header Authorization: Bearer abc.def-ghi", "header Authorization: Bearer ***"),
    ("oauth_token=hunter2&x=1", "oauth_token=***&x=1"),
]
UNCHANGED = [
    "load-source: FileNotFoundError: [Errno 2] No such file or directory: '/data/x.json'",
    "adapter 'a.b:C' rejected params ['colour', 'path']: TypeError: unexpected keyword",
    "the author=bob wrote to redis://db:6379/0",
    "diff: create 2, update 1, delete 2, no-change 2, skip 0",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_credentials_are_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_messages_without_secrets_are_unchanged(text):
    assert redact(text) == text


def test_long_messages_are_cut_to_the_limit():
    cleaned = redact("x" * 5000)
    assert len(cleaned) == MESSAGE_LIMIT and cleaned.endswith("...")


@pytest.mark.parametrize(
    "text", [text for text, _ in MASKED] + UNCHANGED + [_validation_text(port="s3cret", user="u")]
)
def test_redacting_twice_changes_nothing(text):
    """The operator redacts a whole status on every pass: a second pass must not alter it."""
    once = redact(text)
    assert redact(once) == once


def test_redact_url_hides_only_the_password():
    assert redact_url("rediss://user:pw@host:6380/1") == "rediss://user:***@host:6380/1"
    assert redact_url("redis://host:6379/0") == "redis://host:6379/0"

"""A job's logs (its diff, its sync results) in Redis and in memory: written and read a page at a time."""

from __future__ import annotations

import uuid

import pytest
from diffsync_operator.stages import job_logs
from diffsync_operator.stages.handover import (
    MemoryJobState,
    RedisJobState,
    delete_job_data,
    log_key,
    logs_key,
)

from diffsync.diff import Diff, DiffElement
from diffsync.exceptions import ObjectStoreException


@pytest.fixture
def store_id() -> str:
    """A store id of the test's own (test names hold characters a store id may not)."""
    return f"team-a/logs-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["memory", "redis"])
def state(request, store_id):
    """A job state of each kind; the Redis one expires its keys in an hour."""
    if request.param == "memory":
        yield MemoryJobState()
        return
    server = request.getfixturevalue("redis_server")
    client = server.client()
    yield RedisJobState(client, store_id, ttl=3600)
    delete_job_data(client, store_id)
    assert client.keys(f"*{store_id}*") == []


def test_lines_come_back_in_order_across_pages(state):
    writer = job_logs.LogWriter(state, "sync-results@2-ab", page_lines=4)
    writer.extend(f'{{"n": {n}}}' for n in range(10))
    assert writer.close() == 10
    assert state.log_length("sync-results@2-ab") == 10
    assert list(job_logs.read_lines(state, "sync-results@2-ab", page_lines=3)) == [
        f'{{"n": {n}}}' for n in range(10)
    ]
    assert state.read_log("sync-results@2-ab", 8, 5) == ['{"n": 8}', '{"n": 9}']
    assert state.read_log("sync-results@2-ab", 10, 5) == []


def test_starting_a_log_again_empties_it(state):
    state.start_log("diff@1")
    state.append_log("diff@1", ["a", "b"])
    state.start_log("diff@1")
    assert state.log_length("diff@1") == 0 and "diff@1" in state.log_names()


def test_a_dropped_log_is_gone_and_forgotten(state):
    for name in ("diff@1-aa", "diff@2-bb"):
        state.start_log(name)
        state.append_log(name, ["x"])
    state.drop_log("diff@1-aa")
    assert state.log_names() == {"diff@2-bb"}
    assert state.read_log("diff@1-aa", 0, 10) == []


@pytest.mark.parametrize("name", ["diff", "diff@", "diff@x", "../diff@1", "diff@1-a:b", "Diff@1"])
def test_a_name_that_is_not_a_log_name_is_refused(state, name):
    with pytest.raises(ValueError, match="not a log name"):
        state.start_log(name)


def test_a_diff_is_stored_and_rebuilt_a_page_at_a_time(state):
    diff = Diff()
    for n in range(2500):  # more than two pages of lines
        element = DiffElement("part", f"p{n}", {"sku": f"p{n}"})
        element.add_attrs(source={"qty": n})
        diff.add(element)
    assert job_logs.write_diff(state, "diff@1", diff) == 2501
    assert job_logs.read_diff_header(state, "diff@1").elements == 2500
    assert job_logs.read_diff(state, "diff@1").dict() == diff.dict()


def test_a_diff_missing_lines_is_refused(state):
    diff = Diff()
    for n in range(3):
        diff.add(DiffElement("part", f"p{n}", {"sku": f"p{n}"}))
    lines = list(job_logs.diff_codec.encode(diff))
    state.start_log("diff@1")
    state.append_log("diff@1", lines[:-1])
    with pytest.raises(ValueError, match="holds 2 elements, its header says 3"):
        job_logs.read_diff(state, "diff@1")
    with pytest.raises(ValueError, match="empty or gone"):
        job_logs.read_diff(state, "diff@9")


def test_redis_logs_expire_with_the_job_and_junk_in_the_registry_is_ignored(redis_server, store_id):
    client = redis_server.client()
    state = RedisJobState(client, store_id, ttl=600)
    try:
        writer = job_logs.LogWriter(state, "sync-results@1")
        writer.add("a")
        writer.close()
        assert 0 < client.ttl(log_key(store_id, "sync-results@1")) <= 600
        assert 0 < client.ttl(logs_key(store_id)) <= 600
        client.sadd(logs_key(store_id), "../../other", "diff@1:x")  # the registry is data
        assert state.log_names() == {"sync-results@1"}
    finally:
        delete_job_data(client, store_id)
    assert client.keys(f"*{store_id}*") == []


def test_an_unreachable_redis_is_a_store_error_naming_the_log():
    import redis

    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    state = RedisJobState(client, "team-a/gone")
    with pytest.raises(ObjectStoreException, match=r"log:diff@1"):
        state.read_log("diff@1", 0, 10)

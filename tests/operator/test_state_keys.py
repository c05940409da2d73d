"""Every key of a job, on a real Redis: named by its patterns, and expiring."""

from __future__ import annotations

import uuid

import pytest
from diffsync_operator.stages.state_keys import job_key_patterns, refresh_state_ttl
from worker_helpers import job_json, run_worker

STORE_TTL = 3600


@pytest.fixture
def job_name():
    """A name of the test's own, without glob characters (it goes into SCAN patterns)."""
    return f"keys-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def finished_sync_job(inventory_files, redis_url, redis_server, job_name, tmp_path):
    """A sync job's four stages run as worker processes on store `team-a/<job_name>`; its keys."""
    store_id = f"team-a/{job_name}"
    job = job_json(*inventory_files, store_id, mode="sync", storeTTLSeconds=STORE_TTL)
    for stage in ("load-source", "load-target", "diff", "sync"):
        code, _, done = run_worker(stage, job, redis_url, tmp_path)
        assert code == 0, done.stderr
    client = redis_server.client()
    keys = sorted(k.decode() for k in client.scan_iter(match=f"*{job_name}*", count=1000))
    assert keys
    yield client, store_id, keys
    client.delete(*keys)


def _matching(client, pattern: str) -> set[str]:
    return {k.decode() for k in client.scan_iter(match=pattern, count=1000)}


def test_every_key_of_a_job_carries_a_ttl_and_matches_its_patterns(finished_sync_job):
    client, store_id, keys = finished_sync_job
    assert len(keys) >= 12  # both stores (meta, data and order per model), diff, results, claim
    ttls = {key: client.ttl(key) for key in keys}
    assert all(0 < ttl <= STORE_TTL for ttl in ttls.values()), ttls
    matched = set().union(*(_matching(client, pattern) for pattern in job_key_patterns(store_id)))
    assert matched == set(keys)


def test_the_patterns_of_other_store_ids_match_none_of_them(finished_sync_job, job_name):
    client, _, keys = finished_sync_job
    # Another namespace, a longer id that starts with this one, a prefix, and the bare namespace.
    for other in (f"team-b/{job_name}", f"team-a/{job_name}/source", f"team-a/{job_name}x", "team-a"):
        found = set().union(*(_matching(client, pattern) for pattern in job_key_patterns(other)))
        assert not found & set(keys), other


def test_refresh_sets_the_ttl_of_every_key_but_the_claim(finished_sync_job):
    client, store_id, keys = finished_sync_job
    for key in keys:
        client.persist(key)
    assert refresh_state_ttl(client, store_id, 50) == len(keys) - 1
    assert {key for key in keys if client.ttl(key) == -1} == {f"diffsync-job:{{{store_id}}}:claim"}

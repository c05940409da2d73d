"""Store claims on a real Redis: one live holder per store, released and cleaned only by it."""

from __future__ import annotations

import threading
import time

import pytest
from diffsync_operator.api.status import Stage
from diffsync_operator.stages.claimed_state import ClaimedJobState
from diffsync_operator.stages.claims import ClaimKeeper, ClaimOwner, StoreClaim
from diffsync_operator.stages.cleanup import delete_state_under_claim
from diffsync_operator.stages.handover import RedisJobState
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.run import StageError

from diffsync.exceptions import ObjectStoreException

A = ClaimOwner("uid-a", "team-a/first")
B = ClaimOwner("uid-b", "team-a/second")


@pytest.fixture
def claim(redis_server, redis_store_id):
    client = redis_server.client()
    yield StoreClaim(client, f"team-a/{redis_store_id}")
    client.delete(*client.keys(f"*{redis_store_id}*") or ["-"])
    client.close()


def test_a_free_store_is_claimed_and_the_claim_expires(claim):
    assert claim.acquire(A, 30) is None
    assert claim.holds("uid-a")
    assert 0 < claim.client.ttl(claim.key) <= 30


def test_a_second_live_job_is_told_who_holds_the_store(claim):
    claim.acquire(A, 30)
    holder = claim.acquire(B, 30)
    assert holder is not None
    assert (holder.uid, holder.job, holder.state) == ("uid-a", "team-a/first", "running")
    assert holder.describe() == "team-a/first (uid uid-a)"
    assert not claim.holds("uid-b")


def test_the_holder_renews_and_nobody_else_can(claim):
    claim.acquire(A, 30)
    assert claim.renew("uid-a", 100)
    assert claim.client.ttl(claim.key) > 30
    assert not claim.renew("uid-b", 100)


def test_after_release_another_job_may_take_the_store(claim):
    claim.acquire(A, 30)
    assert claim.release("uid-a", 600)
    assert not claim.holds("uid-a")
    assert 30 < claim.client.ttl(claim.key) <= 600  # the record lives as long as the state
    assert claim.acquire(B, 30) is None
    assert claim.holds("uid-b")


def test_an_expired_claim_frees_the_store(claim):
    claim.acquire(A, 1)
    time.sleep(1.5)
    assert claim.acquire(B, 30) is None


def test_only_one_of_many_simultaneous_claimants_wins(claim):
    owners = [ClaimOwner(f"uid-{n}", f"team-a/job-{n}") for n in range(16)]
    results: dict[str, object] = {}
    start = threading.Barrier(len(owners))

    def contend(owner: ClaimOwner) -> None:
        start.wait()
        results[owner.uid] = claim.acquire(owner, 30)

    threads = [threading.Thread(target=contend, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [uid for uid, holder in results.items() if holder is None]
    assert len(winners) == 1
    assert claim.holds(winners[0])


def test_cleanup_deletes_only_under_the_jobs_own_claim(claim, redis_server):
    client = redis_server.client()
    RedisJobState(client, claim.store_id).commit(StageResult(stage=Stage.DIFF, ok=True, log="diff@1"))
    RedisJobState(client, claim.store_id).start_log("diff@1")
    RedisJobState(client, claim.store_id).append_log("diff@1", ["{}"])
    claim.acquire(A, 30)
    claim.release("uid-a", 600)
    claim.acquire(B, 30)  # B ran after A on the same store: the keys are B's now
    outcome = delete_state_under_claim(client, claim.store_id, A)
    assert outcome.left_to is not None and outcome.left_to.uid == "uid-b"
    assert "left the Redis state" in outcome.text()
    assert RedisJobState(client, claim.store_id).read_log("diff@1", 0, 10) == ["{}"]
    claim.release("uid-b", 600)  # even finished, the store stays B's for A's finalizer
    assert delete_state_under_claim(client, claim.store_id, A).left_to is not None
    assert delete_state_under_claim(client, claim.store_id, B).left_to is None
    assert client.keys(f"*{claim.store_id}*") == []


def test_the_keeper_renews_while_the_stage_runs_and_notices_a_lost_claim(claim):
    claim.acquire(A, 2)
    beats = []
    with ClaimKeeper(claim, "uid-a", 2, interval=0.2, on_beat=lambda: beats.append(1)) as keeper:
        time.sleep(2.5)  # longer than the claim's TTL: only the renewals keep it
        assert claim.holds("uid-a") and beats
        claim.client.delete(claim.key)
        claim.acquire(B, 30)
        time.sleep(0.5)
        assert keeper.lost.is_set()


def test_a_stage_cannot_record_once_its_claim_is_gone(claim, redis_server):
    state = ClaimedJobState(RedisJobState(redis_server.client(), claim.store_id), claim, "uid-a")
    claim.acquire(A, 30)
    state.commit(StageResult(stage=Stage.LOAD_SOURCE, ok=True))
    claim.release("uid-a", 60)
    claim.acquire(B, 30)
    with pytest.raises(
        StageError, match=r"no longer this job's \(job team-a/second \(uid uid-b\) holds it now\)"
    ):
        state.commit(StageResult(stage=Stage.DIFF, ok=True))
    assert state.get_result(Stage.DIFF) is None
    for write in (lambda: state.start_log("diff@2"), lambda: state.append_log("diff@2", ["{}"])):
        with pytest.raises(StageError, match="no longer this job's"):
            write()
    assert state.log_names() == set()


def test_an_unreachable_redis_is_an_object_store_exception():
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    claim = StoreClaim(
        redis.Redis(port=1, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)), "team-a/x"
    )
    with pytest.raises(
        ObjectStoreException, match="the claim on store team-a/x could not be read or written"
    ):
        claim.acquire(A, 30)

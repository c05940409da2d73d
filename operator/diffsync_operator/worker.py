"""`python -m diffsync_operator.worker <stage>`: run one stage in a stage pod.

Reads the job from the environment (see `stages.config`: DIFFSYNC_JOB, DIFFSYNC_ATTEMPT, the
Redis login of `stages.redis_login`, DIFFSYNC_TERMINATION_LOG), runs the stage over
RedisStores sharing one Redis client, and reports the `StageResult`: kept in Redis (by
`run_stage`), written as the pod's termination message, and printed as the last line of
stdout. Exit status: 0 when the stage succeeded, 1 when it failed, 143 (128 + SIGTERM) when
SIGTERM stopped it, 2 for a bad command line, and 75 (`FLUSH_FAILED_EXIT_STATUS`) when a
RedisStore still alive at interpreter exit could not write what it buffered: the result was
reported before that, so the operator counts such an attempt as failed whatever it says.

SIGTERM (the pod deleted, evicted or preempted) interrupts the stage's work, which then
fails as `interrupted` with its `finally` blocks run; its result is still committed and
reported, so the operator can tell a stopped pod from a broken adapter (`stages.interrupt`).
Each process draws a random token that, with the attempt number, names the store generation
a load stage writes, so two processes never write into one store (`stages.store_ids`).

Around the stage (see `stages.claims`): the pod takes or confirms the job's claim on its
store before anything is cleared or written (a store another live job holds fails the stage,
retryably, naming that job), renews it and the state's TTL while the stage runs, and checks
it again before recording. Every key it writes expires `storeTTLSeconds` after the stage
ended; the job's final stage, when it succeeds, releases the claim (unless the operator
holds it: then the operator releases it when it sees the job finished).

`python -m diffsync_operator.worker cleanup` deletes the job's Redis state instead, under
the job's claim (the finalizer runs it in a pod on a Redis the operator does not know, with
the job's own credentials; that pod's DIFFSYNC_JOB names the adapters without their
params). Exit status 0: deleted; 3: left alone, another job holds the store or wrote it
last; 1: failed.

Logs are structlog JSON lines on stderr at INFO; the syncer's one-line-per-object success
events are counted but not printed unless DIFFSYNC_LOG_LEVEL=debug.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import ValidationError

from diffsync.exceptions import ObjectStoreException
from diffsync_operator.api.status import Stage, stage_groups
from diffsync_operator.stages.claimed_state import ClaimedJobState
from diffsync_operator.stages.claims import ClaimKeeper, StoreClaim
from diffsync_operator.stages.cleanup import EXIT_LEFT_TO_OTHER_JOB, delete_state_under_claim
from diffsync_operator.stages.config import (
    CLEANUP_COMMAND,
    DEFAULT_TERMINATION_LOG,
    ENV_ATTEMPT,
    ENV_JOB,
    ENV_TERMINATION_LOG,
    ENV_TERMINATION_LOG_FALLBACK,
    JobConfig,
)
from diffsync_operator.stages.handover import RedisJobState
from diffsync_operator.stages.interrupt import stop_on_sigterm
from diffsync_operator.stages.progress import ProgressReporter, interval_from, progress_key
from diffsync_operator.stages.redaction import redact
from diffsync_operator.stages.redis_login import RedisLogin
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.run import classify, redis_refusal, run_stage
from diffsync_operator.stages.state_keys import refresh_state_ttl

if TYPE_CHECKING:
    from diffsync.store.redis import RedisStore


def _quiet_object_successes(logger: Any, method: str, event: MutableMapping[str, Any]) -> Any:
    if event.get("status") == "success" and event.get("action"):
        raise structlog.DropEvent
    return event


def configure_logging(env: Mapping[str, str]) -> None:
    """JSON log lines on stderr; per-object successes only at debug level."""
    debug = env.get("DIFFSYNC_LOG_LEVEL", "").lower() == "debug"
    processors: list[Any] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.processors.format_exc_info,
    ]
    if not debug:
        processors.insert(0, _quiet_object_successes)
    structlog.configure(
        processors=[*processors, structlog.processors.JSONRenderer(default=str)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if debug else logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )


def _write_termination_message(result: StageResult, env: Mapping[str, str]) -> None:
    _write_text(result.to_termination_message(), env)


def _write_text(text: str, env: Mapping[str, str]) -> None:
    path = Path(
        env.get(ENV_TERMINATION_LOG) or env.get(ENV_TERMINATION_LOG_FALLBACK) or DEFAULT_TERMINATION_LOG
    )
    try:
        path.write_text(text)
    except OSError as error:  # outside a pod the default path may not exist
        print(f"could not write the termination message to {path}: {error}", file=sys.stderr)


class StageStores:
    """The RedisStores one stage opens, all over one client; `release` ends them with the stage.

    The stores never SCAN (`allow_scan=False`): on a Redis the operator administers the pod logs
    in as the job's user, which may not, since SCAN would list every tenant's keys.

    A stage flushes what it commits itself, so what a store still buffers when the stage is
    over belongs to an attempt that failed (a sync cut short by Redis losing its data, say). It
    is dropped, as a `with store:` block that raised drops it, instead of being written by the
    interpreter's exit flush into a store nobody reads (or failing there and ending the
    process with status 75 after it reported).
    """

    def __init__(self, client: Any, ttl: int | None) -> None:
        self.client = client
        self.ttl = ttl  # every key a store writes expires that many seconds after its last write
        self.opened: list[RedisStore] = []

    def __call__(self, store_id: str, *, epoch: str | None = None) -> RedisStore:
        from diffsync.store.redis import RedisStore

        name = store_id.rsplit("/", 1)[-1]
        store = RedisStore(
            client=self.client, store_id=store_id, name=name, ttl=self.ttl, epoch=epoch, allow_scan=False
        )
        self.opened.append(store)
        return store

    def release(self, result: StageResult) -> None:
        """Close the stores after a stage that succeeded; drop what they buffer after one that failed.

        A close that cannot write what a successful stage left buffered fails the attempt
        (retryable), before its result is reported.
        """
        opened, self.opened = self.opened, []
        for store in opened:
            if not result.ok:
                store.__exit__(StageFailed, None, None)  # a `with` block's failure: nothing written
                continue
            try:
                store.close()
            except Exception as error:
                result.ok, result.retryable = False, True
                reason = f"{type(error).__name__}: {error}"
                result.error = redact(
                    f"could not write what store {store} still held after the stage: {reason}"
                )


class StageFailed(Exception):
    """Why `StageStores.release` ends a store as a failed `with` block would."""


def redis_stores(login: RedisLogin, ttl: int | None = None) -> tuple[Any, StageStores]:
    """One client (the store's timeouts and retries) and the stage's RedisStores sharing it."""
    client = login.connect()
    return client, StageStores(client, ttl)


def final_stage(job: JobConfig) -> Stage:
    """The stage whose success ends the job (diff, or sync in sync mode)."""
    return stage_groups(job.mode)[-1][-1]


def _failed(stage: Stage, attempt: int, error: str) -> StageResult:
    return StageResult(stage=stage, attempt=attempt, ok=False, retryable=True, error=redact(error))


def run_claimed(stage: Stage, job: JobConfig, attempt: int, client: Any, stores: StageStores) -> StageResult:
    """Run `stage` while holding the job's claim on its store (see the module docstring)."""
    claim = StoreClaim(client, job.store_id)
    try:
        holder = claim.acquire(job.owner, job.claim_ttl_seconds)
    except ObjectStoreException as error:
        failed = _failed(stage, attempt, f"ObjectStoreException: {error}")
        failed.retryable = classify(error)  # a refused key (NOPERM) is not tried again
        return failed
    if holder is not None:
        return _failed(
            stage,
            attempt,
            f"store {job.store_id} is in use by job {holder.describe()}; "
            "the stage is tried again while spec.backoffLimit allows",
        )

    def refresh_ttl() -> int:
        return refresh_state_ttl(client, job.store_id, job.store_ttl_seconds)

    state = ClaimedJobState(
        RedisJobState(client, job.store_id, ttl=job.store_ttl_seconds), claim, job.job_uid
    )
    with ClaimKeeper(claim, job.job_uid, job.claim_ttl_seconds, on_beat=refresh_ttl):
        result = run_stage(stage, job, stores, state, attempt=attempt, token=secrets.token_hex(4))
        stores.release(result)
    try:
        refresh_ttl()  # the state's lifetime counts from the end of this stage
        if result.ok and stage is final_stage(job) and job.final_stage_releases_claim:
            claim.release(job.job_uid, job.store_ttl_seconds)
    except Exception as error:  # every key already has a TTL from its write; the claim expires
        print(
            f"{stage.value}: after the stage: {redact(f'{type(error).__name__}: {error}')}", file=sys.stderr
        )
    return result


def run(stage: Stage, env: Mapping[str, str]) -> StageResult:
    """Run `stage` for the job described by `env`; configuration errors become a failed result."""
    attempt_text = env.get(ENV_ATTEMPT, "1")
    try:
        job = JobConfig.model_validate_json(env.get(ENV_JOB, ""))
        attempt = int(attempt_text)
        login = RedisLogin.from_env(env)
    except (ValidationError, ValueError) as error:
        return StageResult(stage=stage, ok=False, retryable=False, error=f"bad worker environment: {error}")
    client, stores = redis_stores(login, ttl=job.store_ttl_seconds)
    key = progress_key(job.store_id, stage)
    reporter = ProgressReporter(
        lambda count: client.set(key, count, ex=job.store_ttl_seconds), interval=interval_from(env)
    )
    try:
        with reporter.running():
            return run_claimed(stage, job, attempt, client, stores)
    finally:
        client.close()


def cleanup(env: Mapping[str, str]) -> int:
    """Delete the job's Redis state under its claim (the finalizer's pod; see the module docstring)."""
    try:
        job = JobConfig.model_validate_json(env.get(ENV_JOB, ""))
        login = RedisLogin.from_env(env)
    except (ValidationError, ValueError) as error:
        print(f"cleanup: bad worker environment: {error}", file=sys.stderr)
        return 1
    client = login.connect()
    try:
        outcome = delete_state_under_claim(client, job.store_id, job.owner)
    except Exception as error:  # reported to the finalizer through the exit code and message
        reason = redact(f"{type(error).__name__}: {error}")
        if (refusal := redis_refusal(error)) is not None and refusal is not error:
            reason += redact(f" (Redis refused: {type(refusal).__name__}: {refusal})")
        text = f"cleanup: could not delete the Redis state of {job.store_id}: {reason}"
        _write_text(text, env)
        print(text, file=sys.stderr)
        return 1
    finally:
        client.close()
    _write_text(outcome.text(), env)
    return 0 if outcome.left_to is None else EXIT_LEFT_TO_OTHER_JOB


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    stages = ", ".join(s.value for s in Stage)
    if argv == [CLEANUP_COMMAND]:
        return cleanup(env)
    if len(argv) != 1 or argv[0] not in {s.value for s in Stage}:
        print(
            f"usage: python -m diffsync_operator.worker <stage>   (stage: {stages}; or {CLEANUP_COMMAND})",
            file=sys.stderr,
        )
        return 2
    configure_logging(env)
    with stop_on_sigterm():
        result = run(Stage(argv[0]), env)
        _write_termination_message(result, env)
        print(result.to_json(), flush=True)
    if result.ok:
        return 0
    return 128 + signal.SIGTERM if result.interrupted else 1


if __name__ == "__main__":
    sys.exit(main())

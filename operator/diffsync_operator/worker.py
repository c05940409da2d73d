"""`python -m diffsync_operator.worker <stage>`: run one stage in a stage pod.

Reads the job from the environment (see `stages.config`: DIFFSYNC_JOB, DIFFSYNC_ATTEMPT,
DIFFSYNC_REDIS_URL, DIFFSYNC_REDIS_PASSWORD, DIFFSYNC_TERMINATION_LOG), runs the stage over
RedisStores sharing one Redis client, and reports the `StageResult`: kept in Redis (by
`run_stage`), written as the pod's termination message, and printed as the last line of
stdout. Exit status: 0 when the stage succeeded, 1 when it failed, 2 for a bad command line.

`python -m diffsync_operator.worker cleanup` deletes the job's Redis state instead (the
finalizer runs it in a pod when only pods may read the Redis password).

Logs are structlog JSON lines on stderr at INFO; the syncer's one-line-per-object success
events are counted but not printed unless DIFFSYNC_LOG_LEVEL=debug.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import structlog
from pydantic import ValidationError

from diffsync_operator.api.status import Stage
from diffsync_operator.stages.config import (
    CLEANUP_COMMAND,
    DEFAULT_TERMINATION_LOG,
    ENV_ATTEMPT,
    ENV_JOB,
    ENV_REDIS_PASSWORD,
    ENV_REDIS_URL,
    ENV_TERMINATION_LOG,
    ENV_TERMINATION_LOG_FALLBACK,
    JobConfig,
)
from diffsync_operator.stages.handover import RedisJobState, delete_job_data
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.run import StoreFactory, run_stage


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


def redis_stores(url: str, password: str | None) -> tuple[Any, StoreFactory]:
    """One client (the store's timeouts and retries) and a factory of RedisStores sharing it."""
    from diffsync.store.redis import RedisStore, client_from_url

    client = client_from_url(url, password=password)

    def factory(store_id: str) -> RedisStore:
        return RedisStore(client=client, store_id=store_id, name=store_id.rsplit("/", 1)[-1])

    return client, factory


def run(stage: Stage, env: Mapping[str, str]) -> StageResult:
    """Run `stage` for the job described by `env`; configuration errors become a failed result."""
    attempt_text = env.get(ENV_ATTEMPT, "1")
    try:
        job = JobConfig.model_validate_json(env.get(ENV_JOB, ""))
        attempt = int(attempt_text)
        url = env.get(ENV_REDIS_URL, "")
        if not url:
            raise ValueError(f"{ENV_REDIS_URL} is empty: set spec.redis.url or the operator's default")
    except (ValidationError, ValueError) as error:
        return StageResult(
            stage=stage, ok=False, retryable=False, error=f"{stage.value}: bad worker environment: {error}"
        )
    client, factory = redis_stores(url, env.get(ENV_REDIS_PASSWORD) or None)
    try:
        return run_stage(stage, job, factory, RedisJobState(client, job.store_id), attempt=attempt)
    finally:
        client.close()


def cleanup(env: Mapping[str, str]) -> int:
    """Delete the job's Redis state (the finalizer's pod, for Redis the operator cannot log in to)."""
    try:
        job = JobConfig.model_validate_json(env.get(ENV_JOB, ""))
        url = env.get(ENV_REDIS_URL, "")
        if not url:
            raise ValueError(f"{ENV_REDIS_URL} is empty")
    except (ValidationError, ValueError) as error:
        print(f"cleanup: bad worker environment: {error}", file=sys.stderr)
        return 1
    client, _ = redis_stores(url, env.get(ENV_REDIS_PASSWORD) or None)
    try:
        deleted = delete_job_data(client, job.store_id)
    except Exception as error:  # reported to the finalizer through the exit code and message
        text = f"cleanup: could not delete the Redis state of {job.store_id}: {type(error).__name__}: {error}"
        _write_text(text, env)
        print(text, file=sys.stderr)
        return 1
    finally:
        client.close()
    _write_text(f"deleted the Redis state of {job.store_id} ({deleted} job keys)", env)
    return 0


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
    result = run(Stage(argv[0]), env)
    _write_termination_message(result, env)
    print(result.to_json(), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

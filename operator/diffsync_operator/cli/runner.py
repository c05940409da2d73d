"""Run a job's stages on this machine with the cluster worker's stage code.

`run_local` runs every stage in this process over LocalStores (`stages.local_store_factory`)
and an in-memory job state: no service needed. `run_with_redis` runs each stage as its own
`python -m diffsync_operator.worker <stage>` process with the same environment a stage pod
gets, sharing RedisStores and the job state in Redis exactly as pods do; the two load stages
run at the same time, as their pods would.

Both return a `RunOutcome`; the diff is rebuilt from the log the diff stage stored, and the
sync's per-object results are read from its log, so both modes render them through the same
code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

from diffsync.diff import Diff
from diffsync_operator.api.status import Stage, SyncOutcome, stage_groups
from diffsync_operator.cli.errors import InvalidInput, RunFailed, redact_url
from diffsync_operator.cli.logsetup import ObjectCounter
from diffsync_operator.cli.progress import Probe, StageProgress
from diffsync_operator.cli.stage_env import StageEnv
from diffsync_operator.stages import job_logs
from diffsync_operator.stages.config import (
    ENV_ATTEMPT,
    ENV_JOB,
    ENV_TERMINATION_LOG,
    JobConfig,
)
from diffsync_operator.stages.handover import JobState, MemoryJobState
from diffsync_operator.stages.redis_login import login_variables
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.run import StoreFactory, local_store_factory, run_stage
from diffsync_operator.stages.store_ids import generation_store_id
from diffsync_operator.stages.sync_log import SyncRecord

_STDERR_TAIL = 2000


@dataclass
class RunOutcome:
    """What a run produced: one result per stage that ran, the diff if one was computed, and
    every per-object result of the sync (`sync_results`), if it ran."""

    job: JobConfig
    results: list[StageResult] = field(default_factory=list)
    diff: Diff | None = None
    sync_results: list[SyncRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every stage ran and succeeded and the sync (if any) applied every object."""
        if not self.results or not all(result.ok for result in self.results):
            return False
        if len(self.results) != len(planned_stages(self.job)):
            return False
        sync = self.result_sync()
        return not (sync and sync.failed)

    def result_sync(self) -> SyncOutcome | None:
        """What the sync stage applied, if it ran far enough to say."""
        result = self.result(Stage.SYNC)
        return result.sync if result else None

    def result(self, stage: Stage) -> StageResult | None:
        """The result of `stage`, if it ran."""
        return next((result for result in self.results if result.stage is stage), None)


def planned_stages(job: JobConfig) -> list[Stage]:
    """The stages `job` runs: loads and diff, plus sync in sync mode."""
    return [stage for group in stage_groups(job.mode) for stage in group]


def _read_diff(state: JobState) -> Diff | None:
    diffed = state.get_result(Stage.DIFF)
    if diffed is None or not diffed.ok or diffed.log is None:
        return None
    return job_logs.read_diff(state, diffed.log)


def _read_sync_results(state: JobState) -> list[SyncRecord]:
    synced = state.get_result(Stage.SYNC)
    if synced is None or synced.log is None:
        return []
    return [SyncRecord.model_validate_json(line) for line in job_logs.read_lines(state, synced.log)]


def _read_outputs(outcome: RunOutcome, state: JobState) -> None:
    outcome.diff = _read_diff(state)
    outcome.sync_results = _read_sync_results(state)


def _total_loaded(results: list[StageResult]) -> int:
    return sum(result.objects for result in results if result.stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET))


def _probe(
    stage: Stage, job: JobConfig, factory: StoreFactory, outcome: RunOutcome, counter: ObjectCounter
) -> tuple[int | None, Probe | None]:
    """The expected total and a live count for `stage`'s progress bar."""
    if stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET):
        side = "source" if stage is Stage.LOAD_SOURCE else "target"
        store = factory(generation_store_id(job.store_id, side, attempt=1))  # what run_stage loads into
        return None, store.count
    if stage is Stage.SYNC:
        diffed = outcome.result(Stage.DIFF)
        summary = diffed.diff if diffed else None
        start = counter.count
        total = (summary.create + summary.update + summary.delete) if summary else None
        return total, lambda: counter.count - start
    return _total_loaded(outcome.results), None


def run_local(job: JobConfig, progress: StageProgress, counter: ObjectCounter) -> RunOutcome:
    """Every stage in this process, over LocalStores; stops at the first failed stage."""
    factory = local_store_factory()
    state = MemoryJobState()
    outcome = RunOutcome(job=job)
    for stage in planned_stages(job):
        total, probe = _probe(stage, job, factory, outcome, counter)
        progress.start(stage, total=total, probe=probe)
        result = run_stage(stage, job, factory, state)
        progress.finish(result)
        outcome.results.append(result)
        if not result.ok:
            break
    _read_outputs(outcome, state)
    return outcome


def _redis_client(url: str):  # type: ignore[no-untyped-def]
    try:
        import redis

        from diffsync.store.redis import client_from_url
    except ImportError as error:
        raise InvalidInput(
            "--redis-url needs the redis client: pip install 'diffsync[redis]' (or '.[redis]' in a checkout)"
        ) from error
    client = client_from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RunFailed(f"--redis-url {redact_url(url)}: Redis is not reachable: {error}") from error
    return client


def _worker_result(stage: Stage, process: subprocess.CompletedProcess[str]) -> StageResult:
    """The result a worker printed last; a failure when it printed none, or succeeded and then
    failed (status 75: a store could not write what it buffered when the process ended)."""
    lines = process.stdout.strip().splitlines()
    parsed = StageResult.parse(lines[-1]) if lines else None
    tail = process.stderr.strip()[-_STDERR_TAIL:]
    if parsed is not None and parsed.ok and process.returncode != 0:
        parsed.ok, parsed.retryable = False, True
        parsed.error = f"reported success, then exited with status {process.returncode}" + (
            f": {tail}" if tail else ""
        )
    if parsed is not None:
        return parsed
    return StageResult(
        stage=stage,
        ok=False,
        error=f"exited without a result (worker exit status {process.returncode})"
        + (f": {tail}" if tail else ""),
    )


def _start_worker(stage: Stage, env: dict[str, str], verbose: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "diffsync_operator.worker", stage.value],
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if verbose else subprocess.PIPE,
        text=True,
    )


def run_with_redis(
    job: JobConfig,
    redis_url: str,
    progress: StageProgress,
    *,
    verbose: bool = False,
    keep_state: bool = False,
    stage_env: StageEnv | None = None,
) -> RunOutcome:
    """Each stage in its own worker process, sharing state in Redis as stage pods do.

    `stage_env` adds each stage's variables from the manifest, as its pod gets them.
    """
    from diffsync_operator.stages.claims import StoreClaim
    from diffsync_operator.stages.cleanup import delete_state_under_claim
    from diffsync_operator.stages.handover import RedisJobState

    client = _redis_client(redis_url)
    env = {
        **os.environ,
        ENV_JOB: job.model_dump_json(by_alias=True),
        **login_variables(redis_url),  # a password travels in its own variable, never in the URL
        ENV_ATTEMPT: "1",
        ENV_TERMINATION_LOG: os.devnull,
    }
    # Adapter paths resolve against the current directory, as `python -m` does in a pod.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.getcwd(), env.get("PYTHONPATH")]))
    if verbose:
        env.setdefault("DIFFSYNC_LOG_LEVEL", "debug")
    outcome = RunOutcome(job=job)
    try:
        for group in stage_groups(job.mode):
            running = []
            for stage in group:
                progress.start(stage)
                own = {**env, **(stage_env or {}).get(stage, {})}
                running.append((stage, _start_worker(stage, own, verbose)))
            for stage, process in running:
                stdout, stderr = process.communicate()
                done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr or "")
                result = _worker_result(stage, done)
                progress.finish(result)
                outcome.results.append(result)
            if not all(result.ok for result in outcome.results):
                break
        _read_outputs(outcome, RedisJobState(client, job.store_id))
    finally:
        if keep_state:  # kept for `--keep-state`, but free for the next run (even after a failure)
            StoreClaim(client, job.store_id).release(job.job_uid, job.store_ttl_seconds)
        else:
            delete_state_under_claim(client, job.store_id, job.owner)
        client.close()
    return outcome

"""The work of each stage, as plain functions over any store: the seam the CLI reuses.

    result = run_stage(stage, job, store_factory, state, attempt=1, token=None)

- `stage`: a `Stage` (load-source, load-target, diff, sync);
- `job`: a `JobConfig` (adapter paths and params, mode, flags, storeId, deletion guard);
- `store_factory(store_id, epoch=None) -> BaseStore`: the store with that id. The worker
  passes RedisStores sharing one client (with `epoch`, a RedisStore refuses to open unless
  Redis still holds that generation of the data); the local CLI passes
  `local_store_factory()`, which hands out one LocalStore per id so every stage in the process
  sees what the load stages loaded;
- `state`: a `JobState` (`stages.handover`) where the stage results are committed and the
  diff and the sync's per-object results are written as logs (`stages.job_logs`);
- `attempt`, `token`: which attempt of the stage this is; with the token (the worker passes a
  random one) they name the store generation a load writes (`store_ids.generation_store_id`)
  and the log a diff or sync writes (`job_logs.log_name`).

Each load attempt writes its own generation of its side's store and commits its result naming
it and the store's epoch; the diff and sync open the committed generations with that epoch and
check before and after reading that they are still what was loaded (`stages.verify`). So a
late flush of an interrupted or superseded attempt lands in a store nobody reads, and Redis
losing the state is seen, never taken for an empty source. A load that fails empties its own
generation; one that commits deletes the generations its side's earlier attempts wrote (best
effort: what it cannot delete expires, and the finalizer deletes every generation). The diff
works the same way with its log: the sync reads the diff log the committed diff result names;
a diff attempt that does not commit deletes its log, one that commits deletes the logs earlier
diffs wrote. Every sync attempt keeps its own results log (`stages.sync_log`), also a failed
one: they expire with the job's state.

`run_stage` never raises for a failing stage: it returns a `StageResult` with `ok=False`,
the error (side, exception type and message; the stage is the result's `stage`) and whether
trying again can help (`retryable`). Not retryable: an adapter that does not import, params
the adapter rejects, a create/update/delete the target refused (ObjectCrudException), a sync
the deletion guard stops (`deletion_blocked`), a sync of a job that needs approval whose stored
diff is not the approved plan, and a stored state that is gone or not what was
loaded (`lost_state`: run again it cannot succeed, but after the load stages ran again it can,
which is what the operator does). A store raising `StoreDataLost` (Redis lost its data) or
`StoreFormatMismatch` (another diffsync version wrote it) is that case in a diff or sync; in a
load, `StoreDataLost` is retryable (the next attempt writes a new generation). A stage stopped
by SIGTERM (`stages.interrupt`) is `interrupted` and retryable. Everything else, notably Redis
being unreachable, is retryable.
An adapter calling `sys.exit()` (even `sys.exit(0)`) fails the stage, "exited without a
result": a stage succeeds only when it wrote its result.

Adapters are built as `Class(**params, internal_storage_engine=store)`, so an adapter
that overrides `__init__` must pass extra keyword arguments on to `Adapter.__init__`.
The operator never replays a diff after a failed sync: it reloads both sides and diffs
again, so a retry applies only what is still different.
"""

from __future__ import annotations

import importlib
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from pydantic import ValidationError

from diffsync import Adapter
from diffsync.diff import Diff
from diffsync.exceptions import (
    DiffException,
    ObjectCrudException,
    ObjectStoreException,
    StoreDataLost,
    StoreFormatMismatch,
)
from diffsync.store import BaseStore
from diffsync_operator.api.status import DiffSummary, Stage, SyncOutcome
from diffsync_operator.stages import job_logs, plans, progress, verify
from diffsync_operator.stages.config import AdapterRef, JobConfig
from diffsync_operator.stages.deletion_guard import deletion_refusal
from diffsync_operator.stages.errors import StageError, lost
from diffsync_operator.stages.handover import JobState
from diffsync_operator.stages.interrupt import StageInterrupted, interruptible
from diffsync_operator.stages.redaction import redact
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import generation_store_id, is_generation_of
from diffsync_operator.stages.sync_log import recording_sync


class StoreFactory(Protocol):
    """Opens the store `store_id`; `epoch`: the generation of the data a load recorded for it."""

    def __call__(self, store_id: str, *, epoch: str | None = None) -> BaseStore: ...


__all__ = ["StageError", "StoreFactory", "build_adapter", "classify", "local_store_factory", "run_stage"]


def local_store_factory() -> StoreFactory:
    """One LocalStore per store id, kept for the life of the factory (in-process runs).

    `epoch` is not checked: a LocalStore cannot lose its data while the process lives.
    """
    from diffsync.store.local import LocalStore

    stores: dict[str, BaseStore] = {}

    def factory(store_id: str, *, epoch: str | None = None) -> BaseStore:
        if store_id not in stores:
            stores[store_id] = LocalStore(name=store_id)
        return stores[store_id]

    return factory


def import_adapter(path: str) -> type[Adapter]:
    """The Adapter subclass named "package.module:Class"; StageError (not retryable) if not."""
    module_name, _, attr_path = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr_path.split("."):
            target = getattr(target, part)
    except Exception as error:  # an import runs arbitrary module code: any error is "does not import"
        raise StageError(
            f"adapter {path!r} does not import: {type(error).__name__}: {error}", retryable=False
        ) from error
    if not (isinstance(target, type) and issubclass(target, Adapter)):
        raise StageError(f"adapter {path!r} is {target!r}, not a diffsync.Adapter subclass", retryable=False)
    return target


def build_adapter(ref: AdapterRef, store: BaseStore) -> Adapter:
    """Construct the adapter over `store`; params it rejects are a non-retryable StageError."""
    cls = import_adapter(ref.adapter)
    try:
        return cls(**ref.params, internal_storage_engine=store)
    except (TypeError, ValueError, ValidationError) as error:
        raise StageError(
            f"adapter {ref.adapter!r} rejected params {sorted(ref.params)}: {type(error).__name__}: {error}",
            retryable=False,
        ) from error


@dataclass
class _Attempt:
    """One attempt of one stage: its inputs, and the result it fills in."""

    job: JobConfig
    factory: StoreFactory
    state: JobState
    result: StageResult
    token: str | None

    def side_adapter(self, side: str, load: StageResult) -> Adapter:
        ref = self.job.source if side == "source" else self.job.target
        store = self.factory(verify.generation(self.job.store_id, load), epoch=load.epoch)
        return build_adapter(ref, store)


def _discard(run: _Attempt, store_id: str, store: BaseStore | None = None) -> None:
    """Empty a store nobody may read; a failure here must not hide the stage's own outcome.

    Best effort, opening the store included (a store of an older diffsync does not open): what
    stays expires with the job's TTL, and the finalizer deletes every generation of the job.
    """
    try:
        (run.factory(store_id) if store is None else store).clear()
    except Exception as error:
        structlog.get_logger().warning(
            "could not empty an abandoned store",
            store=store_id,
            error=redact(f"{type(error).__name__}: {error}"),
        )


def _load(side: str, run: _Attempt) -> None:
    job, result = run.job, run.result
    generation = generation_store_id(job.store_id, side, result.attempt, run.token)
    run.state.add_generation(generation)  # before any write: cleanup and the finalizer find it
    store = run.factory(generation)
    try:
        store.clear()  # a reused store id (same attempt, no token) starts clean
        progress.track(store.count)
        adapter = build_adapter(job.source if side == "source" else job.target, store)
        adapter.load()
        store.flush()
    except BaseException:
        _discard(run, generation, store)
        raise
    result.generation = generation
    result.epoch = verify.store_epoch(store)
    result.models = verify.model_counts(store)
    result.objects = sum(result.models.values())


def _drop_superseded(side: str, run: _Attempt) -> None:
    """After a load committed: delete the generations earlier attempts of its side wrote."""
    for generation in sorted(run.state.generations()):
        if generation != run.result.generation and is_generation_of(generation, run.job.store_id, side):
            _discard(run, generation)


def _diff(run: _Attempt) -> None:
    loads = verify.committed_loads(run.state)
    source = run.side_adapter("source", loads[Stage.LOAD_SOURCE])
    target = run.side_adapter("target", loads[Stage.LOAD_TARGET])
    read = {Stage.LOAD_SOURCE: source.store, Stage.LOAD_TARGET: target.store}
    try:
        for stage, store in read.items():
            verify.check_counts(store, loads[stage])
        diff = target.diff_from(source, flags=run.job.flag_value())
    except ObjectStoreException:
        verify.confirm_unchanged(run.state, loads)  # a lost state explains the error: say so
        raise
    verify.confirm_unchanged(run.state, loads, read)  # what was read is what was loaded
    run.result.inputs = verify.inputs_of(run.job.store_id, loads)
    run.result.objects = len(diff)
    run.result.diff = DiffSummary.from_counts(diff.summary())
    run.result.plan = plans.plan_of(
        diff, sample_size=run.job.plan_sample_size, redact=run.job.redact_attributes
    )
    run.result.log = job_logs.log_name(job_logs.DIFF, run.result.attempt, run.token)
    job_logs.write_diff(run.state, run.result.log, diff)


def _stored_diff(run: _Attempt) -> tuple[Diff, dict[Stage, StageResult]]:
    """The committed diff and the committed loads, checked to be the loads the diff was made of."""
    diffed = run.state.get_result(Stage.DIFF)
    missing = "the stored diff is missing (was Redis restarted or flushed?); the job must load and diff again"
    if diffed is None or not diffed.ok or diffed.log is None:
        raise StageError(missing, retryable=False, lost_state=True)
    loads = verify.committed_loads(run.state)
    if diffed.inputs != verify.inputs_of(run.job.store_id, loads):
        raise lost(f"the stored diff was computed from {diffed.inputs}, not from the loads committed now")
    _check_approval(run.job, diffed)
    try:
        return job_logs.read_diff(run.state, diffed.log), loads
    except ValueError as error:  # gone or cut short: Redis lost it, or it was written by another format
        raise StageError(f"{missing}: {error}", retryable=False, lost_state=True) from error


def _check_approval(job: JobConfig, diffed: StageResult) -> None:
    """A job that needs approval syncs only the diff whose plan was approved.

    The plan id was computed from the Diff by the diff stage and committed with the diff in
    one transaction, so the committed result's id is the id of the stored diff.
    """
    if not job.approval_required:
        return
    found = diffed.plan.id if diffed.plan is not None else None
    if job.approved_plan is None or found != job.approved_plan:
        approved = job.approved_plan or "none"
        raise StageError(
            f"the stored diff is plan {found or '(none)'}, not the approved plan {approved}: "
            "nothing was changed; approve the published plan to sync it",
            retryable=False,
        )


def _sync(run: _Attempt) -> None:
    diff, loads = _stored_diff(run)
    source = run.side_adapter("source", loads[Stage.LOAD_SOURCE])
    target = run.side_adapter("target", loads[Stage.LOAD_TARGET])
    for stage, adapter in ((Stage.LOAD_SOURCE, source), (Stage.LOAD_TARGET, target)):
        verify.check_counts(adapter.store, loads[stage])
    run.result.inputs = verify.inputs_of(run.job.store_id, loads)
    refusal = deletion_refusal(
        run.job.deletion_guard, diff.summary().get("delete", 0), loads[Stage.LOAD_TARGET].objects
    )
    if refusal:
        raise StageError(refusal, retryable=False, deletion_blocked=True)
    run.result.log = job_logs.log_name(job_logs.SYNC_RESULTS, run.result.attempt, run.token)
    writer = job_logs.LogWriter(run.state, run.result.log)  # registered even when nothing changes
    if not diff.has_diffs():
        run.result.sync = SyncOutcome()
        return
    with recording_sync(writer, target) as recorder:
        progress.track(lambda: recorder.attempted)
        try:
            target.sync_from(source, diff=diff, flags=run.job.flag_value())
            recorder.finish(diff)
        except BaseException as error:
            how = "was interrupted" if isinstance(error, StageInterrupted) else "stopped at an error"
            recorder.finish_quietly(diff, f"the sync {how} ({type(error).__name__})")
            if isinstance(error, Exception):
                # A target store read after Redis lost it makes updates fail as "not found":
                # report the lost state (reload and diff again), not a refusal by the target.
                verify.confirm_unchanged(run.state, loads)
            raise
        finally:
            run.result.sync = recorder.outcome()
            run.result.objects = run.result.sync.succeeded + run.result.sync.failed
    target.store.flush()
    verify.confirm_unchanged(run.state, loads)  # objects read for failed steps: were they there?


_STAGES: dict[Stage, Callable[[_Attempt], None]] = {
    Stage.LOAD_SOURCE: lambda run: _load("source", run),
    Stage.LOAD_TARGET: lambda run: _load("target", run),
    Stage.DIFF: _diff,
    Stage.SYNC: _sync,
}


#: Redis replies that refuse the login or a key (redis-py's names for WRONGPASS/NOAUTH, NOPERM).
#: A refused login may be retried: a Redis that restarted forgets the job users the operator
#: set, and the operator sets the user again before it starts the next attempt. A refused key
#: or command (NOPERM) is a matter of rights, which no retry changes.
_REFUSALS = ("AuthenticationError", "AuthenticationWrongNumberOfArgsError", "NoPermissionError")
_NOT_RETRYABLE_REFUSALS = ("NoPermissionError",)


def redis_refusal(error: BaseException) -> BaseException | None:
    """The Redis refusal (bad login, NOPERM) behind `error`, following its causes; None if none."""
    seen: BaseException | None = error
    while seen is not None:
        if type(seen).__name__ in _REFUSALS and type(seen).__module__.startswith("redis"):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def classify(error: BaseException) -> bool:
    """Whether a new attempt may succeed after `error`."""
    if isinstance(error, StageError):
        return error.retryable
    if isinstance(error, (StageInterrupted, StoreDataLost)):
        return True  # StoreDataLost here is a load's: its next attempt writes a new generation
    if (refusal := redis_refusal(error)) is not None:
        return type(refusal).__name__ not in _NOT_RETRYABLE_REFUSALS
    if isinstance(error, (ObjectCrudException, DiffException)):
        return False
    if isinstance(error, ObjectStoreException):
        # The base class is what a store raises when its backend is unreachable; the
        # subclasses (already exists, not found, wrong type) are data errors.
        return type(error) is ObjectStoreException
    return True


def _peak_memory_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _describe(error: BaseException) -> str:
    if isinstance(error, StageError):
        return str(error)
    if isinstance(error, StageInterrupted):
        return (
            f"interrupted: {error} (the pod was deleted, evicted or preempted, or its node is shutting down)"
        )
    text = f"{type(error).__name__}: {error}"
    if (refusal := redis_refusal(error)) is not None and refusal is not error:
        text += f" (Redis refused: {type(refusal).__name__}: {refusal})"
    return text


def state_gone(stage: Stage, error: BaseException) -> BaseException:
    """`error` as the stage should report it: in a diff or sync, a store whose data Redis lost,
    or that another diffsync version wrote, is the job's state lost (reload), not a store error."""
    if stage in verify.LOADS or not isinstance(error, (StoreDataLost, StoreFormatMismatch)):
        return error
    replaced = lost(f"{type(error).__name__}: {error}")
    replaced.__cause__ = error
    return replaced


def _fail(result: StageResult, error: BaseException) -> None:
    result.ok = False
    result.retryable = classify(error)
    result.lost_state = isinstance(error, StageError) and error.lost_state
    result.deletion_blocked = isinstance(error, StageError) and error.deletion_blocked
    result.interrupted = isinstance(error, StageInterrupted)
    result.error = redact(_describe(error))


def run_stage(
    stage: Stage,
    job: JobConfig,
    store_factory: StoreFactory,
    state: JobState,
    *,
    attempt: int = 1,
    token: str | None = None,
) -> StageResult:
    """Run one stage; see the module docstring. The result is also committed to `state`."""
    result = StageResult(stage=stage, attempt=attempt, ok=False)
    run = _Attempt(job, store_factory, state, result, token)
    started = time.monotonic()
    try:
        with interruptible():  # SIGTERM stops the work, never the commit below
            _STAGES[stage](run)
        result.ok = True
    except (Exception, StageInterrupted) as error:  # the stage's outcome, reported rather than raised
        _fail(result, state_gone(stage, error))
    except SystemExit as error:  # sys.exit() in an adapter: the stage did not finish its work
        result.retryable = False
        result.error = redact(
            f"exited without a result: the adapter called sys.exit({error.code!r}) before the stage finished"
        )
    result.duration_seconds = round(time.monotonic() - started, 3)
    result.peak_memory_bytes = _peak_memory_bytes()
    _commit(run)
    return result


def _commit(run: _Attempt) -> None:
    result, side = run.result, verify.LOADS.get(run.result.stage)
    if result.stage is Stage.DIFF and result.log is not None and not result.ok:
        job_logs.drop_quietly(run.state, result.log)  # a failed diff's log is nobody's to read
        result.log = None
    try:
        committed = run.state.commit(result)
    except StageError as error:  # refused: e.g. the store is no longer this job's (claims)
        if result.ok:  # a failure keeps its own cause: the refusal adds nothing to it
            _fail(result, error)
        committed = False
    except Exception as error:  # Redis gone while reporting: the result still reaches the pod status
        if result.ok:
            result.ok, result.retryable = False, True
            result.error = redact(f"could not record the result: {type(error).__name__}: {error}")
        committed = False
    else:
        if not committed and result.ok:
            result.ok, result.retryable = False, False
            result.error = (
                f"attempt {result.attempt} was superseded: a later attempt of {result.stage.value} "
                "committed first"
            )
    if result.stage is Stage.DIFF and result.log is not None:
        _keep_committed_diff(run, committed and result.ok)
    if side is None or result.generation is None:
        return
    if committed and result.ok:
        _drop_superseded(side, run)
    elif not result.ok:
        _discard(run, result.generation)  # nobody may read what was not committed


def _keep_committed_diff(run: _Attempt, committed: bool) -> None:
    """Keep only the committed diff's log: this one if it committed, else not this one."""
    name = run.result.log
    if not committed:  # superseded by a later attempt, or the commit failed
        run.result.log = None
        job_logs.drop_quietly(run.state, str(name))
        return
    try:
        others = run.state.log_names()
    except Exception:  # best effort, as the drops themselves: they expire with the state
        return
    for other in sorted(others):
        if other != name and job_logs.log_kind(other) == job_logs.DIFF:
            job_logs.drop_quietly(run.state, other)

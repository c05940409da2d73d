"""The work of each stage, as plain functions over any store: the seam the CLI reuses.

    result = run_stage(stage, job, store_factory, state, attempt=1)

- `stage`: a `Stage` (load-source, load-target, diff, sync);
- `job`: a `JobConfig` (adapter paths and params, mode, flags, storeId);
- `store_factory(store_id) -> BaseStore`: the store of one side, asked for
  `<storeId>/source` or `<storeId>/target`. The worker passes RedisStores sharing one
  client; the local CLI passes `local_store_factory()`, which hands out one LocalStore per
  id so every stage in the process sees what the load stages loaded;
- `state`: a `JobState` (`stages.handover`) where the diff and the stage results are kept.

`run_stage` never raises for a failing stage: it returns a `StageResult` with `ok=False`,
the error (stage, side, exception type and message) and whether trying again can help
(`retryable`). Not retryable: an adapter that does not import, params the adapter rejects,
a create/update/delete the target refused (ObjectCrudException), a stored state that is
gone or does not match what was loaded (e.g. Redis restarted without persistence: the diff
would be computed on empty stores). That last case is marked `lost_state`: run again, it
cannot succeed, but after the load stages ran again it can, which is what the operator does.
Everything else, notably Redis being unreachable, is retryable.

Adapters are built as `Class(**params, internal_storage_engine=store)`, so an adapter
that overrides `__init__` must pass extra keyword arguments on to `Adapter.__init__`.
Load stages clear their store first (a retry or a reused storeId starts clean), run
`load()` and flush. The operator never replays a diff after a failed sync: it reloads both
sides and diffs again, so a retry applies only what is still different.
"""

from __future__ import annotations

import importlib
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from diffsync import Adapter
from diffsync.exceptions import DiffException, ObjectCrudException, ObjectStoreException
from diffsync.store import BaseStore
from diffsync_operator.api.status import DiffSummary, Stage, SyncOutcome
from diffsync_operator.stages import diff_codec
from diffsync_operator.stages.config import AdapterRef, JobConfig
from diffsync_operator.stages.handover import JobState
from diffsync_operator.stages.redaction import redact
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import side_store_id
from diffsync_operator.stages.sync_log import recording_outcomes

StoreFactory = Callable[[str], BaseStore]


class StageError(Exception):
    """A stage failure with a clear message; `retryable` says whether a new attempt may help."""

    def __init__(self, message: str, *, retryable: bool, lost_state: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.lost_state = lost_state


def local_store_factory() -> StoreFactory:
    """One LocalStore per store id, kept for the life of the factory (in-process runs)."""
    from diffsync.store.local import LocalStore

    stores: dict[str, BaseStore] = {}

    def factory(store_id: str) -> BaseStore:
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


def _model_counts(store: BaseStore) -> dict[str, int]:
    return {name: store.count(model=name) for name in sorted(store.get_all_model_names())}


def _side(job: JobConfig, side: str, store_factory: StoreFactory) -> Adapter:
    ref = job.source if side == "source" else job.target
    return build_adapter(ref, store_factory(side_store_id(job.store_id, side)))


def _load(job: JobConfig, side: str, store_factory: StoreFactory, result: StageResult) -> None:
    ref = job.source if side == "source" else job.target
    store = store_factory(side_store_id(job.store_id, side))
    store.clear()
    adapter = build_adapter(ref, store)
    adapter.load()
    store.flush()
    result.models = _model_counts(store)
    result.objects = sum(result.models.values())


def _check_loaded(state: JobState, stage: Stage, adapter: Adapter) -> None:
    """Refuse to diff or sync stores that no longer hold what their load stage loaded."""
    loaded = state.get_result(stage)
    if loaded is None or not loaded.ok:
        raise StageError(
            f"the state of {stage.value} is missing (was Redis restarted or flushed?); "
            "the load stages must run again",
            retryable=False,
            lost_state=True,
        )
    present = len(adapter)
    if present != loaded.objects:
        raise StageError(
            f"the store of {stage.value} holds {present} objects but {loaded.objects} were loaded "
            "(was Redis restarted?); the load stages must run again",
            retryable=False,
            lost_state=True,
        )


def _diff(job: JobConfig, store_factory: StoreFactory, state: JobState, result: StageResult) -> None:
    source = _side(job, "source", store_factory)
    target = _side(job, "target", store_factory)
    _check_loaded(state, Stage.LOAD_SOURCE, source)
    _check_loaded(state, Stage.LOAD_TARGET, target)
    diff = target.diff_from(source, flags=job.flag_value())
    state.put_diff(diff_codec.dumps(diff))
    result.objects = len(diff)
    result.diff = DiffSummary.from_counts(diff.summary())


def _sync(job: JobConfig, store_factory: StoreFactory, state: JobState, result: StageResult) -> None:
    text = state.get_diff()
    if text is None:
        raise StageError(
            "the stored diff is missing (was Redis restarted or flushed?); the job must load and diff again",
            retryable=False,
            lost_state=True,
        )
    diff = diff_codec.loads(text)
    source = _side(job, "source", store_factory)
    target = _side(job, "target", store_factory)
    _check_loaded(state, Stage.LOAD_SOURCE, source)
    if not diff.has_diffs():
        result.sync = SyncOutcome()
        return
    with recording_outcomes() as recorder:
        try:
            target.sync_from(source, diff=diff, flags=job.flag_value())
        finally:
            result.sync = recorder.outcome()
            result.objects = recorder.succeeded + recorder.failed
    target.store.flush()


_STAGES: dict[Stage, Callable[[JobConfig, StoreFactory, JobState, StageResult], None]] = {
    Stage.LOAD_SOURCE: lambda job, factory, state, result: _load(job, "source", factory, result),
    Stage.LOAD_TARGET: lambda job, factory, state, result: _load(job, "target", factory, result),
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


def run_stage(
    stage: Stage, job: JobConfig, store_factory: StoreFactory, state: JobState, *, attempt: int = 1
) -> StageResult:
    """Run one stage; see the module docstring. The result is also kept in `state`."""
    result = StageResult(stage=stage, attempt=attempt, ok=False)
    started = time.monotonic()
    try:
        _STAGES[stage](job, store_factory, state, result)
        result.ok = True
    except Exception as error:  # the stage's outcome, reported rather than raised
        result.retryable = classify(error)
        result.lost_state = isinstance(error, StageError) and error.lost_state
        text = str(error) if isinstance(error, StageError) else f"{type(error).__name__}: {error}"
        if (refusal := redis_refusal(error)) is not None and refusal is not error:
            text += f" (Redis refused: {type(refusal).__name__}: {refusal})"
        result.error = redact(f"{stage.value}: {text}")
    result.duration_seconds = round(time.monotonic() - started, 3)
    result.peak_memory_bytes = _peak_memory_bytes()
    try:
        state.put_result(result)
    except Exception as error:  # Redis gone while reporting: the result still reaches the pod status
        if result.ok:
            result.ok, result.retryable = False, True
            result.error = redact(
                f"{stage.value}: could not record the result: {type(error).__name__}: {error}"
            )
    return result

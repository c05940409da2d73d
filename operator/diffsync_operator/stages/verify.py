"""Confirm that the state a diff or sync reads is the state the load stages committed.

A Redis without persistence comes back empty after a restart, and the client reconnects
silently: a store then reads as empty, and an empty source diffs as "delete everything". So
the diff and sync stages check twice:

- when they open a store: a RedisStore opened with the epoch its load recorded refuses to
  open (`StoreDataLost`) unless Redis still holds that generation of the data;
- before they read (`committed_loads`, `check_counts`): each load stage committed an ok
  result, and its generation's store holds, per model, the objects that load counted;
- after they read (`confirm_unchanged`), and after any store error while reading: the load
  results are still there, unchanged (same attempt, same generation), and the objects the stage
  read per model are still those counts. A restart at any moment in between wipes the results
  (they live in the same Redis), and a partial read shows in the counts.

Any mismatch raises `StageError(lost_state=True)`: the stage fails as "state lost" and the
operator runs the loads again, then the stages after them. A store's own `StoreDataLost`
(every RedisStore read and write checks the epoch too) is reported the same way
(`run.state_gone`).
"""

from __future__ import annotations

from diffsync.store import BaseStore
from diffsync_operator.api.status import Stage
from diffsync_operator.stages.errors import lost
from diffsync_operator.stages.handover import JobState
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import side_store_id

LOADS = {Stage.LOAD_SOURCE: "source", Stage.LOAD_TARGET: "target"}


def committed_loads(state: JobState) -> dict[Stage, StageResult]:
    """The committed ok result of each load stage; `lost` if one is missing or failed."""
    loads = {}
    for stage in LOADS:
        result = state.get_result(stage)
        if result is None or not result.ok:
            raise lost(f"the state of {stage.value} is missing (was Redis restarted or flushed?)")
        loads[stage] = result
    return loads


def generation(store_id: str, load: StageResult) -> str:
    """The store a load committed (results written before generations name the side's base id)."""
    return load.generation or side_store_id(store_id, LOADS[load.stage])


def inputs_of(store_id: str, loads: dict[Stage, StageResult]) -> dict[str, str]:
    """The generations a stage reads, as its result records them."""
    return {stage.value: generation(store_id, load) for stage, load in loads.items()}


def store_epoch(store: BaseStore) -> str | None:
    """The generation of the data `store` holds, for stores that keep one (`RedisStore.epoch`).

    A load records it; the diff and sync open the store with it, so data Redis lost, and that
    something wrote again since, is refused when the store opens rather than read.
    """
    epoch = getattr(store, "epoch", None)  # BaseStore has none: LocalStore cannot lose data
    return epoch if isinstance(epoch, str) else None


def model_counts(store: BaseStore) -> dict[str, int]:
    """Objects per model name, models without objects left out."""
    counts = {name: store.count(model=name) for name in sorted(store.get_all_model_names())}
    return {name: count for name, count in counts.items() if count}


def check_counts(store: BaseStore, load: StageResult) -> None:
    """`lost` unless `store` holds, per model, what `load` counted when it committed."""
    held = model_counts(store)
    expected = {name: count for name, count in load.models.items() if count}
    if held != expected:
        raise lost(
            f"the store of {load.stage.value} holds {sum(held.values())} objects but {load.objects} "
            f"were loaded (per model {held} instead of {expected}; was Redis restarted?)"
        )


def confirm_unchanged(
    state: JobState, loads: dict[Stage, StageResult], read: dict[Stage, BaseStore] | None = None
) -> None:
    """After reading: the load results are still those read, and `read` stores still hold their counts."""
    for stage, before in loads.items():
        now = state.get_result(stage)
        if now is None:
            raise lost(
                f"the result of {stage.value} vanished while this stage read its state (Redis restarted?)"
            )
        if (now.attempt, now.generation, now.ok) != (before.attempt, before.generation, before.ok):
            raise lost(
                f"{stage.value} committed attempt {now.attempt} ({now.generation}) while this stage read "
                f"attempt {before.attempt} ({before.generation})"
            )
    for stage, store in (read or {}).items():
        check_counts(store, loads[stage])

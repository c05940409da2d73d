"""A stage pod's job state that records nothing once the store is no longer the job's.

The worker takes the store claim before a stage clears or writes anything and renews it while
the stage runs (`claims.ClaimKeeper`); this wrapper checks it once more right before each
record a later stage relies on (a committed result, a registered generation) and before each
page of a log it writes (the diff, the sync's results), so a stage whose claim was lost (it
expired while Redis or the operator was away, and another job took the store) reports that
instead of handing over state another job may have overwritten, or writing into its logs.
"""

from __future__ import annotations

from collections.abc import Sequence

from diffsync_operator.api.status import Stage
from diffsync_operator.stages.claims import StoreClaim
from diffsync_operator.stages.errors import StageError
from diffsync_operator.stages.handover import JobState
from diffsync_operator.stages.result import StageResult


class ClaimedJobState:
    """`JobState` over `state` whose writes require `uid` to hold `claim`."""

    def __init__(self, state: JobState, claim: StoreClaim, uid: str) -> None:
        self.state = state
        self.claim = claim
        self.uid = uid

    def _check(self) -> None:
        if not self.claim.holds(self.uid):
            holder = self.claim.current()
            who = f"job {holder.describe()} holds it now" if holder else "its claim expired"
            raise StageError(
                f"store {self.claim.store_id} is no longer this job's ({who}); "
                "its state cannot be trusted, the load stages must run again",
                retryable=True,
                lost_state=True,
            )

    def commit(self, result: StageResult) -> bool:
        self._check()
        return self.state.commit(result)

    def get_result(self, stage: Stage) -> StageResult | None:
        return self.state.get_result(stage)

    def add_generation(self, store_id: str) -> None:
        self._check()  # before a load writes into a store of a job it no longer holds
        self.state.add_generation(store_id)

    def generations(self) -> set[str]:
        return self.state.generations()

    def start_log(self, name: str) -> None:
        self._check()
        self.state.start_log(name)

    def append_log(self, name: str, lines: Sequence[str]) -> None:
        self._check()
        self.state.append_log(name, lines)

    def read_log(self, name: str, start: int, count: int) -> list[str]:
        return self.state.read_log(name, start, count)

    def log_length(self, name: str) -> int:
        return self.state.log_length(name)

    def log_names(self) -> set[str]:
        return self.state.log_names()

    def drop_log(self, name: str) -> None:
        self._check()  # a log of the same name may be another job's now
        self.state.drop_log(name)

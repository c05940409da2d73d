"""A stage pod's job state that records nothing once the store is no longer the job's.

The worker takes the store claim before a stage clears or writes anything and renews it while
the stage runs (`claims.ClaimKeeper`); this wrapper checks it once more right before each
record a later stage relies on (a committed result and diff, a registered generation), so a
stage whose claim was lost (it expired while Redis or the operator was away, and another job
took the store) reports that instead of handing over state another job may have overwritten.
"""

from __future__ import annotations

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

    def commit(self, result: StageResult, diff: str | None = None) -> bool:
        self._check()
        return self.state.commit(result, diff)

    def get_diff(self) -> str | None:
        return self.state.get_diff()

    def get_result(self, stage: Stage) -> StageResult | None:
        return self.state.get_result(stage)

    def add_generation(self, store_id: str) -> None:
        self._check()  # before a load writes into a store of a job it no longer holds
        self.state.add_generation(store_id)

    def generations(self) -> set[str]:
        return self.state.generations()

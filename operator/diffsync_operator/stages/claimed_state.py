"""A stage pod's job state that records nothing once the store is no longer the job's.

The worker takes the store claim before a stage clears or writes anything and renews it while
the stage runs (`claims.ClaimKeeper`); this wrapper checks it once more right before each
record a later stage relies on (the diff, the stage result), so a stage whose claim was lost
(it expired while Redis or the operator was away, and another job took the store) reports
that instead of handing over state another job may have overwritten.
"""

from __future__ import annotations

from diffsync_operator.api.status import Stage
from diffsync_operator.stages.claims import StoreClaim
from diffsync_operator.stages.handover import JobState
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.run import StageError


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

    def put_diff(self, text: str) -> None:
        self._check()
        self.state.put_diff(text)

    def get_diff(self) -> str | None:
        return self.state.get_diff()

    def put_result(self, result: StageResult) -> None:
        self._check()
        self.state.put_result(result)

    def get_result(self, stage: Stage) -> StageResult | None:
        return self.state.get_result(stage)

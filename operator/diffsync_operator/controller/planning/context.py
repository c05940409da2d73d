"""One planning pass: its inputs, the status it changes, and the small steps every concern shares."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from diffsync_operator.api.status import JobPhase, Stage, StagePhase, StageStatus
from diffsync_operator.controller.conditions import shape_conditions
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.controller.planning.model import JobEvent, JobView, LockCheck, Plan, RetryPolicy


class PlanningPass:
    """The state of one pass, shared by the stage steps, the gates and the approval flow."""

    def __init__(
        self,
        job: JobView,
        pods: Sequence[ObservedPod],
        now: datetime,
        lock: LockCheck | None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.job = job
        self.retry = retry or RetryPolicy()
        self.spec = job.spec
        self.now = now
        self.pods = pods
        self.lock = lock
        self.status = job.status.model_copy(deep=True)
        self.plan = Plan(status=self.status)
        self.waiting: list[str] = []  # stages waiting for an old pod to terminate
        self.retrying: list[str] = []  # stages waiting for their next attempt's time
        self.blocked: str | None = None  # why the deletion guard holds the sync back
        self.awaiting: tuple[str, str] | None = None  # (reason, message): the plan waits for approval
        self.lock_wait: str | None = None  # why a stage waits for the target lock

    def event(self, kind: str, reason: str, message: str) -> None:
        self.plan.events.append(JobEvent(kind, reason, message))

    def entry(self, stage: Stage) -> StageStatus:
        found = self.status.stage(stage)
        if found is None:
            found = StageStatus(name=stage)
            self.status.stages.append(found)
        return found

    @property
    def started(self) -> bool:
        """Whether any stage of the job has had a pod."""
        return any(entry.attempts for entry in self.status.stages)

    def finish(self, phase: JobPhase, reason: str, message: str) -> None:
        self.status.phase = phase
        self.status.completion_time = self.now
        self.status.conditions = shape_conditions(
            self.status.conditions, phase, reason, message, self.job.generation, self.now
        )
        kind = "Normal" if phase is JobPhase.SUCCEEDED else "Warning"
        self.event(kind, reason, message)

    def mark_for_rerun(self, entry: StageStatus, message: str) -> None:
        """Make `entry` run again with a new attempt, its last outcome spent.

        `reloadedAfterAttempt` keeps the intent across passes: until the new attempt really
        starts (it may wait for `suspend` or the target lock), the old attempt's pod, which
        succeeded, must not count as the stage's result.
        """
        entry.phase = StagePhase.PENDING
        entry.completion_time = None
        entry.message = message
        entry.reloaded_after_attempt = entry.attempts or None

    def stop_running_pods(self, keep: Stage | None = None) -> None:
        for pod in self.pods:
            if not pod.finished and not pod.deleting and pod.stage is not keep:
                self.plan.delete.append(pod.name)
        for entry in self.status.stages:
            if entry.phase in (StagePhase.PENDING, StagePhase.RUNNING) and entry.name is not keep:
                entry.phase = StagePhase.FAILED
                entry.completion_time = self.now
                entry.message = "stopped: the job failed"

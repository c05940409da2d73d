"""Decide the next step of a SyncJob from its spec, its status and its pods (pure).

`plan_next_step` is the whole controller logic; the kopf handlers only fetch the inputs,
create and delete the pods it names, publish its events and write its status. Pods are the
truth: the latest attempt of a stage is the highest of the attempt in status and the
attempts of existing pods, so an operator that died before recording a pod finds it again.

Rules:
- stages run in groups: [load-source, load-target] together, then [diff], then [sync] in
  sync mode; a group starts when the previous one has succeeded;
- a stage succeeds only when its pod succeeded *and* left a successful result: a pod that
  exits 0 without one ("exited without a result") is a failed attempt, and so is a pod whose
  result says ok but that failed afterwards, e.g. exit status 75 when a store could not write
  what it buffered at interpreter exit (`ObservedPod.unwritten_at_exit`); such an attempt is
  retryable, whatever the result says;
- one attempt at a time (the Kubernetes Job's `podReplacementPolicy: Failed`): a stage's next
  attempt starts only when every earlier pod of the stage has terminated (phase Succeeded or
  Failed) or is gone. A pod being deleted still runs its process for up to its grace period:
  the stage waits for it, and its status and the job's conditions say so;
- a failed attempt is retried with a new pod (attempt + 1) while the failed attempts number
  at most backoffLimit, unless its result says it cannot succeed (`retryable: false`, e.g. an
  adapter that does not import). An attempt whose pod was deleted, evicted or preempted (or
  that SIGTERM interrupted) is retried without counting against backoffLimit, for up to
  FREE_DISRUPTIONS such attempts per stage; more count as failures;
- retries back off as a Job's do: the next attempt after a failure starts 10 s later, then
  20 s, 40 s... at most 6 minutes, by the number of failed attempts (`RetryPolicy`, set by
  the operator's settings); the stage's `nextAttemptTime` in status says when. An attempt
  ended by a disruption (the pod deleted, evicted or preempted) is replaced at once;
- a pod the API server refuses to create (a 4xx: a value no schema rule covers, such as an
  affinity term) fails the job with reason PodRefused and the API server's words
  (`PodRefusal`); a 5xx or a timeout is retried by the next pass;
- a failed stage fails the job and deletes the job's other running pods;
- a diff or sync attempt that finds the job's Redis state gone (`lost_state`, e.g. Redis
  restarted without persistence), and any retryable sync failure (the target may be half
  changed), make the load stages run again, then the diff (and sync) with a new attempt;
  this counts as a failed attempt of that stage (bounded by backoffLimit) and uses an
  attempt number of each stage it reruns;
- the deletion guard (`spec.deletionGuard`) is asked before a sync pod starts, with the diff's
  delete count and the target's loaded object count: a sync that would delete more does not
  start; the job is Blocked (condition Stalled, reason DeletionGuard, saying how many deletes
  and how to allow them) until a spec change lets it through (`sync_gate`);
- `activeDeadlineSeconds` (counted from `status.startTime`) fails the job and deletes its
  running pods; `suspend` starts no new pod (running pods finish);
- a finished job (Succeeded or Failed) is never rerun: spec changes only update
  `observedGeneration`. A fresh run is a new SyncJob (`diffsync rerun`, see `rerun`);
- a spec change while the job runs reaches only the stages that start afterwards (pods are
  never changed in place); `suspend` is the one field meant to be changed mid-run;
- store claims (`ClaimCheck`, taken by the operator before the pass): a job whose store
  another live job holds starts nothing and waits (`StoreInUse`, naming the holder) until it
  gets the claim; a job that had started and finds its store taken fails (`StoreLost`: its
  state may have been overwritten); when the claim cannot be checked nothing starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from diffsync_operator.api.spec import SyncJobSpec
from diffsync_operator.api.status import JobPhase, Stage, StagePhase, StageStatus, SyncJobStatus, stage_groups
from diffsync_operator.controller.conditions import shape_conditions
from diffsync_operator.controller.naming import pod_name
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.stages.deletion_guard import deletion_refusal
from diffsync_operator.stages.result import StageResult
from diffsync_operator.stages.store_ids import job_store_id

FINISHED = (JobPhase.SUCCEEDED, JobPhase.FAILED)
#: Attempts per stage that a deleted, evicted or preempted pod may end without using backoffLimit.
FREE_DISRUPTIONS = 5


@dataclass(frozen=True)
class JobView:
    """A SyncJob as the planner sees it."""

    name: str
    namespace: str
    uid: str
    generation: int | None
    spec: SyncJobSpec
    status: SyncJobStatus


@dataclass(frozen=True)
class RetryPolicy:
    """How long a failed stage waits before its next attempt: a Job's backoff."""

    base_seconds: float = 10.0
    max_seconds: float = 360.0

    def delay(self, failures: int) -> timedelta:
        """The wait after the `failures`-th failed attempt: base, doubling, at most max."""
        doublings = min(max(failures - 1, 0), 32)  # 2**32 x base is past any cap
        return timedelta(seconds=min(self.base_seconds * 2**doublings, self.max_seconds))


@dataclass(frozen=True)
class PodRefusal:
    """The API server refused to create a stage's pod (a 4xx): the job cannot run as specified."""

    stage: Stage
    message: str


@dataclass(frozen=True)
class JobEvent:
    """A Kubernetes Event to publish on the SyncJob."""

    type: str  # Normal or Warning
    reason: str
    message: str


@dataclass(frozen=True)
class ClaimCheck:
    """What the operator found when it claimed the job's store before this pass."""

    holder: str | None = None  # another live job holds the store: "ns/name (uid ...)"
    error: str | None = None  # the claim could not be read or written (Redis unreachable)

    @property
    def blocked(self) -> bool:
        """The job may not start anything in this pass."""
        return self.holder is not None or self.error is not None


@dataclass
class Plan:
    """What to do now: pods to create and delete, events to publish, the new status."""

    status: SyncJobStatus
    create: list[tuple[Stage, int]] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    events: list[JobEvent] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """The job reached Succeeded or Failed."""
        return self.status.phase in FINISHED


def _failure_text(pod: ObservedPod | None, result: StageResult | None, name: str) -> str:
    if pod is None:
        return f"pod {name} was deleted before it finished"
    if result is not None and result.error:
        return result.error
    if pod.unwritten_at_exit:
        return (
            f"pod {name} exited with status {pod.exit_code} after its stage reported: a store could not "
            "write what it still buffered when the process ended (Redis unreachable or its data lost; "
            "the pod's log says which)"
        )
    if pod.phase == "Succeeded":  # exit 0, yet no result: e.g. os._exit(0) in an adapter
        return f"pod {name} exited without a result (exit code 0): the stage did not write its result"
    detail = f"exit code {pod.exit_code}" if pod.exit_code is not None else "no exit code"
    if pod.reason:
        detail += f", {pod.reason}"
    tail = (pod.message or "").strip()
    what = "was deleted before it finished" if pod.deleting else "failed"
    return f"pod {name} {what} ({detail})" + (f": {tail[-500:]}" if tail else "")


def _disrupted(pod: ObservedPod | None, result: StageResult | None) -> bool:
    """Whether the attempt ended because its pod was stopped from outside, not by the stage."""
    if pod is None:
        return True  # gone before it was seen finished: deleted (a pod never vanishes by itself)
    if pod.disrupted or (result is not None and result.interrupted):
        return True
    return pod.deleting and result is None  # killed while being deleted, before it could report


def _success_text(stage: Stage, result: StageResult | None) -> str:
    if result is None:
        return "finished"
    if stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET):
        return f"loaded {result.objects} objects"
    if stage is Stage.DIFF and result.diff is not None:
        return result.diff.text()
    if stage is Stage.SYNC and result.sync is not None:
        return result.sync.text()
    return "finished"


class _Planner:
    """One planning pass; a class only to share the inputs between small steps."""

    def __init__(self, job: JobView, pods: Sequence[ObservedPod], now: datetime, retry: RetryPolicy) -> None:
        self.job = job
        self.retry = retry
        self.retrying: list[str] = []  # stages waiting for their next attempt's time
        self.spec = job.spec
        self.now = now
        self.pods = pods
        self.status = job.status.model_copy(deep=True)
        self.plan = Plan(status=self.status)
        self.waiting: list[str] = []  # stages waiting for an old pod to terminate
        self.blocked: str | None = None  # why the deletion guard holds the sync back

    def event(self, kind: str, reason: str, message: str) -> None:
        self.plan.events.append(JobEvent(kind, reason, message))

    def entry(self, stage: Stage) -> StageStatus:
        found = self.status.stage(stage)
        if found is None:
            found = StageStatus(name=stage)
            self.status.stages.append(found)
        return found

    def finish(self, phase: JobPhase, reason: str, message: str) -> None:
        self.status.phase = phase
        self.status.completion_time = self.now
        self.status.conditions = shape_conditions(
            self.status.conditions, phase, reason, message, self.job.generation, self.now
        )
        kind = "Normal" if phase is JobPhase.SUCCEEDED else "Warning"
        self.event(kind, reason, message)

    def stop_running_pods(self, keep: Stage | None = None) -> None:
        for pod in self.pods:
            if not pod.finished and not pod.deleting and pod.stage is not keep:
                self.plan.delete.append(pod.name)
        for entry in self.status.stages:
            if entry.phase in (StagePhase.PENDING, StagePhase.RUNNING) and entry.name is not keep:
                entry.phase = StagePhase.FAILED
                entry.completion_time = self.now
                entry.message = "stopped: the job failed"

    def sync_gate(self) -> str | None:
        """Why the sync must not start now (the deletion guard), or None.

        The seam for approvals: plans (issue 15) will let an approved plan through here too.
        """
        load_target = self.status.stage(Stage.LOAD_TARGET)
        target_objects = (load_target.objects if load_target else None) or 0
        deletes = self.status.diff.delete if self.status.diff is not None else 0
        return deletion_refusal(self.spec.deletion_guard, deletes, target_objects)

    def start_attempt(self, entry: StageStatus, attempt: int) -> bool:
        """Plan the pod of `attempt`; False (nothing planned) while suspended or held back."""
        entry.phase = StagePhase.PENDING
        if self.spec.suspend:
            return False
        if entry.name is Stage.SYNC:
            refusal = self.sync_gate()
            if refusal is not None:
                if entry.message != refusal:
                    self.event("Warning", "DeletionGuard", f"sync not started: {refusal}")
                entry.message = self.blocked = refusal
                return False
            if self.job.status.phase is JobPhase.BLOCKED:
                entry.message = None
                self.event("Normal", "DeletionGuardPassed", "spec.deletionGuard now allows the sync")
        entry.attempts = attempt
        entry.next_attempt_time = None
        entry.pod = pod_name(self.job.name, entry.name, attempt)
        entry.start_time = entry.start_time or self.now
        self.plan.create.append((entry.name, attempt))
        return True

    def evaluate(self, stage: Stage) -> StagePhase:
        """Advance one stage; returns its phase after this pass."""
        entry = self.entry(stage)
        if entry.phase in (StagePhase.SUCCEEDED, StagePhase.FAILED):
            return entry.phase
        mine = [p for p in self.pods if p.stage is stage]
        attempt = max([entry.attempts, *(p.attempt for p in mine)])
        if attempt == 0:
            if self.start_attempt(entry, 1):
                self.event("Normal", "StageStarted", f"{stage.value}: starting pod {entry.pod}")
            return entry.phase
        name = pod_name(self.job.name, stage, attempt)
        pod = next((p for p in mine if p.attempt == attempt), None)
        entry.attempts, entry.pod = attempt, name
        if pod is not None and not pod.finished and not pod.deleting:
            entry.next_attempt_time = None  # this attempt runs (a crash may have left the time)
            phase = StagePhase.RUNNING if pod.phase == "Running" else StagePhase.PENDING
            if phase is StagePhase.RUNNING and entry.phase is not StagePhase.RUNNING:
                self.event("Normal", "StageRunning", f"{stage.value}: pod {name} is running")
            entry.phase = phase
            return phase
        stopping = [p.name for p in mine if not p.finished]
        if stopping:  # deleted but its process still runs: never two attempts at once
            return self.wait_for(entry, stopping)
        result = StageResult.parse(pod.message) if pod is not None else None
        if result is not None:
            entry.objects = result.objects
            entry.duration_seconds = round(result.duration_seconds, 3)
            entry.peak_memory_bytes = result.peak_memory_bytes
            entry.generation = result.generation or entry.generation
        if entry.reloaded_after_attempt == attempt:
            # This attempt's outcome is spent: the loads ran again since. Start afresh.
            entry.reloaded_after_attempt = None
            if self.start_attempt(entry, attempt + 1):
                self.event(
                    "Normal", "StageStarted", f"{stage.value}: starting pod {entry.pod} after the reload"
                )
            return entry.phase
        if pod is not None and pod.phase == "Succeeded" and result is not None and result.ok:
            return self.succeed(entry, result)
        text = _failure_text(pod, result, name)
        lost = result is not None and result.lost_state
        # A result only says whether a failure is retryable; an ok result on a failed pod
        # (exit 75 after it reported) is an attempt that failed afterwards: try again.
        retryable = result.retryable if result is not None and not result.ok else True
        disrupted = _disrupted(pod, result) and self.note_disruption(entry, attempt)
        if disrupted:
            text += f" (not counted against backoffLimit: disruption {len(entry.disrupted_attempts)} of "
            text += f"{FREE_DISRUPTIONS} allowed)"
        within_limit = attempt - len(entry.disrupted_attempts) <= self.spec.backoff_limit
        if (lost or (stage is Stage.SYNC and retryable)) and within_limit:
            # A sync that stopped half-way left the target partly changed: replaying the old
            # diff could apply changes twice, so read both sides again and diff afresh.
            self.reload(entry, attempt, text, lost)
            return entry.phase
        if retryable and within_limit:
            entry.message = f"attempt {attempt} failed: {text}"
            failures = attempt - len(entry.disrupted_attempts)
            if not disrupted and self.backing_off(entry, attempt, failures, text):
                return entry.phase
            if self.start_attempt(entry, attempt + 1):
                self.event("Normal", "StageStarted", f"{stage.value}: starting pod {entry.pod}")
            return entry.phase
        entry.phase = StagePhase.FAILED
        entry.completion_time = self.now
        entry.message = text
        why = "not retryable" if not retryable else f"backoffLimit {self.spec.backoff_limit} reached"
        self.event("Warning", "StageFailed", f"{stage.value} failed ({why}): {text}")
        return entry.phase

    def backing_off(self, entry: StageStatus, attempt: int, failures: int, text: str) -> bool:
        """Whether the stage still waits before its next attempt (the first look sets the time)."""
        if entry.next_attempt_time is None:
            entry.next_attempt_time = self.now + self.retry.delay(failures)
            when = entry.next_attempt_time.isoformat().replace("+00:00", "Z")
            then = f"attempt {attempt + 1} starts at {when}"
            self.event(
                "Warning", "StageRetrying", f"{entry.name.value}: attempt {attempt} failed, {then}: {text}"
            )
        if self.now < entry.next_attempt_time:
            entry.phase = StagePhase.PENDING
            when = entry.next_attempt_time.isoformat().replace("+00:00", "Z")
            self.retrying.append(f"{entry.name.value} attempt {attempt + 1} at {when}")
            return True
        return False

    def wait_for(self, entry: StageStatus, pods: list[str]) -> StagePhase:
        """Hold the next attempt until `pods` (deleted, their processes stopping) are gone."""
        message = f"waiting for pod {', '.join(pods)} to terminate before the next attempt starts"
        if entry.message != message:
            self.event("Normal", "WaitingForPod", f"{entry.name.value}: {message}")
        entry.message = message
        self.waiting.append(f"{entry.name.value} {message}")
        return entry.phase

    def note_disruption(self, entry: StageStatus, attempt: int) -> bool:
        """Count `attempt` as a disruption if the stage has free ones left; whether it is one."""
        if attempt not in entry.disrupted_attempts and len(entry.disrupted_attempts) < FREE_DISRUPTIONS:
            entry.disrupted_attempts.append(attempt)
        return attempt in entry.disrupted_attempts

    def reload(self, failed: StageStatus, attempt: int, text: str, lost: bool) -> None:
        """Run the loads again, then the stages up to `failed` (state lost, or a sync cut short)."""
        failed.phase = StagePhase.PENDING
        failed.reloaded_after_attempt = attempt
        why = "lost the job's state" if lost else "stopped part-way"
        failed.message = f"attempt {attempt} {why}, reloading: {text}"
        if failed.name is Stage.SYNC and (diff := self.status.stage(Stage.DIFF)) is not None:
            diff.phase = StagePhase.PENDING
            diff.reloaded_after_attempt = diff.attempts
        for stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET):
            load = self.entry(stage)
            if self.start_attempt(load, load.attempts + 1):
                load.completion_time = None
        self.event("Warning", "Reloading", f"{failed.name.value}: {text}; running the load stages again")

    def succeed(self, entry: StageStatus, result: StageResult | None) -> StagePhase:
        entry.phase = StagePhase.SUCCEEDED
        entry.completion_time = self.now
        entry.message = _success_text(entry.name, result)
        if result is not None and result.diff is not None:
            self.status.diff = result.diff
        if result is not None and result.sync is not None:
            self.status.sync = result.sync
        self.event("Normal", "StageSucceeded", f"{entry.name.value}: {entry.message}")
        return entry.phase

    def wait_for_store(self, claim: ClaimCheck) -> Plan:
        """Start nothing: another job holds the store, or its claim could not be checked."""
        status = self.status
        started = any(entry.attempts for entry in status.stages)
        if claim.holder is not None and started:
            self.stop_running_pods()
            self.finish(
                JobPhase.FAILED,
                "StoreLost",
                f"store {status.store_id} was taken by job {claim.holder} while this job ran "
                "(its claim expired); delete and re-apply the job to run it again",
            )
            return self.plan
        if claim.holder is not None:
            kind, reason = "Normal", "StoreInUse"
            message = f"store {status.store_id} is in use by job {claim.holder}; waiting until it finishes"
        else:
            kind, reason = "Warning", "StoreUnreachable"
            message = f"cannot claim store {status.store_id}: {claim.error}; trying again"
        if not started:
            status.phase = JobPhase.PENDING
        if not any(c.reason == reason for c in status.conditions):
            self.event(kind, reason, message)
        status.conditions = shape_conditions(
            status.conditions,
            status.phase or JobPhase.PENDING,
            reason,
            message,
            self.job.generation,
            self.now,
        )
        return self.plan

    def run(
        self, problems: Sequence[str], claim: ClaimCheck | None = None, refused: PodRefusal | None = None
    ) -> Plan:
        status, spec = self.status, self.spec
        status.observed_generation = self.job.generation
        job = self.job
        status.store_id = job_store_id(job.namespace, job.name, job.uid, spec.store_id, status.store_id)
        if status.phase in FINISHED:
            for condition in status.conditions:  # seen, and deliberately not rerun
                condition.observed_generation = self.job.generation
            return self.plan
        if refused is not None:
            return self.refuse(refused)
        if problems:
            self.finish(JobPhase.FAILED, "InvalidSpec", "; ".join(problems))
            return self.plan
        deadline = spec.active_deadline_seconds
        if deadline and status.start_time and self.now >= status.start_time + timedelta(seconds=deadline):
            self.stop_running_pods()
            self.finish(
                JobPhase.FAILED,
                "DeadlineExceeded",
                f"the job ran longer than spec.activeDeadlineSeconds ({deadline}s)",
            )
            return self.plan
        if claim is not None and claim.blocked:
            return self.wait_for_store(claim)
        for group in stage_groups(spec.mode):
            phases = {stage: self.evaluate(stage) for stage in group}
            failed = [s for s, p in phases.items() if p is StagePhase.FAILED]
            if failed:
                entry = self.entry(failed[0])
                self.stop_running_pods()
                self.finish(JobPhase.FAILED, "StageFailed", f"{failed[0].value}: {entry.message}")
                return self.plan
            if any(p is not StagePhase.SUCCEEDED for p in phases.values()):
                return self.in_progress(group)
        return self.succeeded()

    def refuse(self, refused: PodRefusal) -> Plan:
        """The API server will not create the stage's pod: fail the stage and the job."""
        entry = self.entry(refused.stage)
        entry.phase = StagePhase.FAILED
        entry.completion_time = self.now
        entry.message = refused.message
        self.stop_running_pods()
        self.finish(JobPhase.FAILED, "PodRefused", f"{refused.stage.value}: {refused.message}")
        return self.plan

    def in_progress(self, group: tuple[Stage, ...]) -> Plan:
        status = self.status
        if self.spec.suspend:
            if status.phase is not JobPhase.SUSPENDED:
                self.event("Normal", "Suspended", "spec.suspend is true: no new stage pods")
            status.phase = JobPhase.SUSPENDED
            reason, message = "Suspended", "spec.suspend is true"
        elif self.blocked is not None:
            status.phase = JobPhase.BLOCKED
            reason, message = "DeletionGuard", self.blocked
        else:
            if self.plan.create and status.start_time is None:
                status.start_time = self.now
            running = [s.value for s in group if self.entry(s).phase is not StagePhase.SUCCEEDED]
            status.phase = JobPhase.RUNNING if status.start_time else JobPhase.PENDING
            reason, message = (
                "StageRunning",
                "; ".join(["running " + ", ".join(running), *self.waiting, *self.retrying]),
            )
        status.conditions = shape_conditions(
            status.conditions, status.phase, reason, message, self.job.generation, self.now
        )
        return self.plan

    def succeeded(self) -> Plan:
        message = "all stages succeeded"
        if self.status.diff is not None:
            message = "diff: " + self.status.diff.text()
        sync = self.status.sync
        if sync is not None:
            message += f"; sync: {sync.text()}"
        reason = "CompletedWithFailures" if sync is not None and sync.failed else "Completed"
        self.finish(JobPhase.SUCCEEDED, reason, message)
        return self.plan


def plan_next_step(
    job: JobView,
    pods: Sequence[ObservedPod],
    now: datetime,
    problems: Sequence[str] = (),
    claim: ClaimCheck | None = None,
    *,
    retry: RetryPolicy | None = None,
    refused: PodRefusal | None = None,
) -> Plan:
    """The next step for `job` given its stage pods at `now`; see the module docstring.

    `claim`: the operator's claim on the job's store, or None when the operator does not
    claim it (a Redis it does not know: the pods claim it themselves). `retry`: the backoff
    of failed stages (default: a Job's). `refused`: the API server refused a pod of the plan
    made without it; the job fails.
    """
    return _Planner(job, pods, now, retry or RetryPolicy()).run(problems, claim, refused)


def next_attempt_at(status: SyncJobStatus) -> datetime | None:
    """The earliest time a stage waits for to start its next attempt, if any."""
    times = [entry.next_attempt_time for entry in status.stages if entry.next_attempt_time is not None]
    return min(times, default=None)


def ttl_expiry(status: SyncJobStatus, spec: SyncJobSpec) -> datetime | None:
    """When a finished job should be deleted (ttlSecondsAfterFinished), if ever."""
    if status.phase not in FINISHED or spec.ttl_seconds_after_finished is None:
        return None
    if status.completion_time is None:
        return None
    return status.completion_time + timedelta(seconds=spec.ttl_seconds_after_finished)

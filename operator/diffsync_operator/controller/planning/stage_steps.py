"""Advance one stage from its pods: start, watch, retry, reload, succeed.

Pods are the truth: a stage's latest attempt is the highest of the attempt in status and the
attempts of its existing pods, so an operator that died before recording a pod finds it again.
A new attempt starts only through `start_attempt`, which asks the gates (`gates`) first.
"""

from __future__ import annotations

from diffsync_operator.api.status import Stage, StagePhase, StageStatus
from diffsync_operator.controller.naming import pod_name
from diffsync_operator.controller.observe import ObservedPod
from diffsync_operator.controller.planning import approval, gates
from diffsync_operator.controller.planning.context import PlanningPass
from diffsync_operator.controller.planning.model import FREE_DISRUPTIONS
from diffsync_operator.stages.result import StageResult


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


def start_attempt(ctx: PlanningPass, entry: StageStatus, attempt: int) -> bool:
    """Plan the pod of `attempt`; False (nothing planned) while suspended or held back by a gate."""
    entry.phase = StagePhase.PENDING
    if ctx.spec.suspend:
        return False
    if not gates.lock_allows(ctx, entry.name):
        return False
    if entry.name is Stage.SYNC and not gates.sync_allowed(ctx, entry):
        return False
    entry.attempts = attempt
    entry.next_attempt_time = None
    entry.pod = pod_name(ctx.job.name, entry.name, attempt)
    entry.start_time = entry.start_time or ctx.now
    ctx.plan.create.append((entry.name, attempt))
    return True


def restart(ctx: PlanningPass, entry: StageStatus, message: str) -> None:
    """Run `entry` again with a new attempt now, or as soon as its gates allow."""
    ctx.mark_for_rerun(entry, message)
    if entry.attempts and start_attempt(ctx, entry, entry.attempts + 1):
        entry.reloaded_after_attempt = None


def evaluate(ctx: PlanningPass, stage: Stage) -> StagePhase:
    """Advance one stage; returns its phase after this pass."""
    entry = ctx.entry(stage)
    if entry.phase in (StagePhase.SUCCEEDED, StagePhase.FAILED):
        return entry.phase
    mine = [p for p in ctx.pods if p.stage is stage]
    attempt = max([entry.attempts, *(p.attempt for p in mine)])
    if attempt == 0:
        if start_attempt(ctx, entry, 1):
            ctx.event("Normal", "StageStarted", f"{stage.value}: starting pod {entry.pod}")
        return entry.phase
    name = pod_name(ctx.job.name, stage, attempt)
    pod = next((p for p in mine if p.attempt == attempt), None)
    entry.attempts, entry.pod = attempt, name
    if pod is not None and not pod.finished and not pod.deleting:
        entry.next_attempt_time = None  # this attempt runs (a crash may have left the time)
        phase = StagePhase.RUNNING if pod.phase == "Running" else StagePhase.PENDING
        if phase is StagePhase.RUNNING and entry.phase is not StagePhase.RUNNING:
            ctx.event("Normal", "StageRunning", f"{stage.value}: pod {name} is running")
        entry.phase = phase
        return phase
    stopping = [p.name for p in mine if not p.finished]
    if stopping:  # deleted but its process still runs: never two attempts at once
        return wait_for(ctx, entry, stopping)
    result = StageResult.parse(pod.message) if pod is not None else None
    if result is not None:
        entry.objects = result.objects
        entry.duration_seconds = round(result.duration_seconds, 3)
        entry.peak_memory_bytes = result.peak_memory_bytes
        entry.generation = result.generation or entry.generation
    if entry.reloaded_after_attempt == attempt:
        # This attempt's outcome is spent: the loads ran again since (or run again). Start afresh.
        if start_attempt(ctx, entry, attempt + 1):
            entry.reloaded_after_attempt = None
            ctx.event("Normal", "StageStarted", f"{stage.value}: starting pod {entry.pod} after the reload")
        return entry.phase
    if pod is not None and pod.phase == "Succeeded" and result is not None and result.ok:
        return succeed(ctx, entry, result)
    text = _failure_text(pod, result, name)
    lost = result is not None and result.lost_state
    # A result only says whether a failure is retryable; an ok result on a failed pod
    # (exit 75 after it reported) is an attempt that failed afterwards: try again.
    retryable = result.retryable if result is not None and not result.ok else True
    disrupted = _disrupted(pod, result) and note_disruption(entry, attempt)
    if disrupted:
        text += f" (not counted against backoffLimit: disruption {len(entry.disrupted_attempts)} of "
        text += f"{FREE_DISRUPTIONS} allowed)"
    within_limit = attempt - len(entry.disrupted_attempts) <= ctx.spec.backoff_limit
    if (lost or (stage is Stage.SYNC and retryable)) and within_limit:
        # A sync that stopped half-way left the target partly changed: replaying the old
        # diff could apply changes twice, so read both sides again and diff afresh.
        reload(ctx, entry, attempt, text, lost)
        return entry.phase
    if retryable and within_limit:
        entry.message = f"attempt {attempt} failed: {text}"
        failures = attempt - len(entry.disrupted_attempts)
        if not disrupted and backing_off(ctx, entry, attempt, failures, text):
            return entry.phase
        if start_attempt(ctx, entry, attempt + 1):
            ctx.event("Normal", "StageStarted", f"{stage.value}: starting pod {entry.pod}")
        return entry.phase
    entry.phase = StagePhase.FAILED
    entry.completion_time = ctx.now
    entry.message = text
    why = "not retryable" if not retryable else f"backoffLimit {ctx.spec.backoff_limit} reached"
    ctx.event("Warning", "StageFailed", f"{stage.value} failed ({why}): {text}")
    return entry.phase


def backing_off(ctx: PlanningPass, entry: StageStatus, attempt: int, failures: int, text: str) -> bool:
    """Whether the stage still waits before its next attempt (the first look sets the time)."""
    if entry.next_attempt_time is None:
        entry.next_attempt_time = ctx.now + ctx.retry.delay(failures)
        when = entry.next_attempt_time.isoformat().replace("+00:00", "Z")
        then = f"attempt {attempt + 1} starts at {when}"
        ctx.event("Warning", "StageRetrying", f"{entry.name.value}: attempt {attempt} failed, {then}: {text}")
    if ctx.now < entry.next_attempt_time:
        entry.phase = StagePhase.PENDING
        when = entry.next_attempt_time.isoformat().replace("+00:00", "Z")
        ctx.retrying.append(f"{entry.name.value} attempt {attempt + 1} at {when}")
        return True
    return False


def wait_for(ctx: PlanningPass, entry: StageStatus, pods: list[str]) -> StagePhase:
    """Hold the next attempt until `pods` (deleted, their processes stopping) are gone."""
    message = f"waiting for pod {', '.join(pods)} to terminate before the next attempt starts"
    if entry.message != message:
        ctx.event("Normal", "WaitingForPod", f"{entry.name.value}: {message}")
    entry.message = message
    ctx.waiting.append(f"{entry.name.value} {message}")
    return entry.phase


def note_disruption(entry: StageStatus, attempt: int) -> bool:
    """Count `attempt` as a disruption if the stage has free ones left; whether it is one."""
    if attempt not in entry.disrupted_attempts and len(entry.disrupted_attempts) < FREE_DISRUPTIONS:
        entry.disrupted_attempts.append(attempt)
    return attempt in entry.disrupted_attempts


def reload(ctx: PlanningPass, failed: StageStatus, attempt: int, text: str, lost: bool) -> None:
    """Run the loads again, then the stages up to `failed` (state lost, or a sync cut short)."""
    failed.phase = StagePhase.PENDING
    failed.reloaded_after_attempt = attempt
    why = "lost the job's state" if lost else "stopped part-way"
    failed.message = f"attempt {attempt} {why}, reloading: {text}"
    if failed.name is Stage.SYNC and (diff := ctx.status.stage(Stage.DIFF)) is not None:
        diff.phase = StagePhase.PENDING
        diff.reloaded_after_attempt = diff.attempts
    for stage in (Stage.LOAD_SOURCE, Stage.LOAD_TARGET):
        restart(ctx, ctx.entry(stage), f"reloading: {failed.name.value} {why}")
    ctx.event("Warning", "Reloading", f"{failed.name.value}: {text}; running the load stages again")


def succeed(ctx: PlanningPass, entry: StageStatus, result: StageResult | None) -> StagePhase:
    entry.phase = StagePhase.SUCCEEDED
    entry.completion_time = ctx.now
    entry.message = _success_text(entry.name, result)
    if result is not None and result.diff is not None:
        ctx.status.diff = result.diff
        if result.plan is not None:
            approval.publish(ctx, result.plan, result.diff)
    if result is not None and result.sync is not None:
        ctx.status.sync = result.sync
    ctx.event("Normal", "StageSucceeded", f"{entry.name.value}: {entry.message}")
    return entry.phase

"""Decide the next step of a SyncJob from its spec, its status and its pods (pure).

`plan_next_step` is the whole controller logic; the kopf handlers only fetch the inputs,
create and delete the pods it names, publish its events and write its status. Pods are the
truth: the latest attempt of a stage is the highest of the attempt in status and the
attempts of existing pods, so an operator that died before recording a pod finds it again.

The package, one module per concern: `model` (inputs and the Plan), `context` (one pass's
state), `stage_steps` (start, watch, retry, reload a stage), `gates` (lock, deletion guard),
`approval` (plans people approve), `planner` (the pass over the whole job).

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
- gates before a pod starts (`gates`): the target lock for a run that may sync (it waits,
  condition reason TargetLocked naming the holder), the deletion guard before a sync (the
  job is Blocked, Stalled, until a spec change lets it through), and the approval of the
  plan with `approval: Manual` (`approval`: AwaitingApproval, nothing True in kstatus terms);
- `activeDeadlineSeconds` (counted from `status.startTime`) fails the job and deletes its
  running pods; `suspend` starts no new pod (running pods finish);
- a finished job (Succeeded or Failed) is never rerun: spec changes only update
  `observedGeneration`. A fresh run is a new SyncJob (`diffsync rerun`, see `rerun`);
- a spec change while the job runs reaches only the stages that start afterwards (pods are
  never changed in place); `suspend` and `approvedPlan` are the fields meant to be changed
  mid-run;
- store claims (`ClaimCheck`, taken by the operator before the pass): a job whose store
  another live job holds starts nothing and waits (`StoreInUse`, naming the holder) until it
  gets the claim; a job that had started and finds its store taken fails (`StoreLost`: its
  state may have been overwritten); when the claim cannot be checked nothing starts.
"""

from diffsync_operator.controller.planning.gates import lock_wanted
from diffsync_operator.controller.planning.model import (
    FINISHED,
    FREE_DISRUPTIONS,
    ClaimCheck,
    JobEvent,
    JobView,
    LockCheck,
    Plan,
    PodRefusal,
    RetryPolicy,
)
from diffsync_operator.controller.planning.planner import next_attempt_at, plan_next_step, ttl_expiry

__all__ = [
    "FINISHED",
    "FREE_DISRUPTIONS",
    "ClaimCheck",
    "JobEvent",
    "JobView",
    "LockCheck",
    "Plan",
    "PodRefusal",
    "RetryPolicy",
    "lock_wanted",
    "next_attempt_at",
    "plan_next_step",
    "ttl_expiry",
]

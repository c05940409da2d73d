"""The last stop before the API server: every message of a plan, redacted.

Stage messages, condition messages and sync failures carry text from adapters (through the
stage pods' termination messages, or a crashed pod's log tail). The worker redacts what it
reports, but a pod runs the job author's image, so the operator does not rely on that: it
passes the whole status and every Event through `stages.redaction.redact` (idempotent) before
writing them.
"""

from __future__ import annotations

from diffsync_operator.controller.planning import JobEvent, Plan
from diffsync_operator.stages.redaction import redact


def redact_plan(plan: Plan) -> Plan:
    """`plan` with its status messages and Event messages redacted (in place; returned)."""
    status = plan.status
    for entry in status.stages:
        if entry.message is not None:
            entry.message = redact(entry.message)
    for condition in status.conditions:
        condition.message = redact(condition.message)
    if status.sync is not None:
        for failure in status.sync.failures:
            failure.message = redact(failure.message, 300)
    plan.events = [JobEvent(e.type, e.reason, redact(e.message)) for e in plan.events]
    return plan

"""The report of a run, as text for people or JSON for programs.

Text: the diff as a tree (`Diff.str()`), a table of the stages, the summary, the sync's
counts and first failures, and a last line saying what happened. JSON: one document with the
job, every stage's result, the diff summary, the sync outcome, the diff itself (`Diff.dict()`)
and every object's sync result, for scripts and CI. A local run and a `--redis-url` run
render through here; `diffsync show-diff` and `show-results` stream their own (`show`).
"""

from __future__ import annotations

import json
from typing import Any

from diffsync.diff import Diff
from diffsync_operator.api.status import DiffSummary, Stage, SyncOutcome
from diffsync_operator.cli.progress import describe_result
from diffsync_operator.cli.runner import RunOutcome, planned_stages


def summary_of(diff: Diff | None) -> dict[str, int] | None:
    """`Diff.summary()`, or None when no diff was computed."""
    return diff.summary() if diff is not None else None


def summary_line(summary: dict[str, int] | DiffSummary | None) -> str:
    """`create 5, update 3, delete 3, no-change 13, skip 0` (DiffSummary.text)."""
    if summary is None:
        return "no diff (the run stopped before the diff stage)"
    if not isinstance(summary, DiffSummary):
        summary = DiffSummary.from_counts(summary)
    return summary.text()


def sync_line(sync: SyncOutcome, more: str = "") -> str:
    """`applied 11, failed 1` and a line per first failure; `more` says where the rest are."""
    text = sync.text()
    for failure in sync.failures:
        text += f"\n  {failure.action or 'change'} {failure.model or ''} {failure.id}: {failure.message}"
    unlisted = sync.failed - len(sync.failures)
    if unlisted > 0 and more:
        text += f"\n  ... and {unlisted} more failures ({more})"
    return text


def diff_text(diff: Diff | None) -> str:
    """The diff as an indented tree; `(no diffs)` when source and target agree."""
    if diff is None:
        return "(no diff)"
    return diff.str() if diff.has_diffs() else "(no diffs)"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def verdict(outcome: RunOutcome) -> str:
    """The last line: what happened, in words."""
    failed = next((result for result in outcome.results if not result.ok), None)
    if failed is not None:
        error = failed.error or "no message"
        if failed.deletion_blocked:
            error += " (on the command line: --max-delete-fraction F or --max-deletes N)"
        return f"FAILED in stage {failed.stage.value}: {error}"
    sync = outcome.result_sync()
    if sync is not None and sync.failed:
        return f"FAILED: the sync could not apply {sync.failed} object(s) (see above)"
    if outcome.job.mode == "diff":
        return "OK (diff mode: nothing was written to the target)"
    return "OK (sync mode: the target was updated)" if sync and sync.succeeded else "OK (nothing to change)"


def text_report(outcome: RunOutcome, title: str) -> str:
    """The whole report as text."""
    rows = [["stage", "result", "details"]]
    ran = {result.stage: result for result in outcome.results}
    for stage in planned_stages(outcome.job):
        result = ran.get(stage)
        if result is None:
            rows.append([stage.value, "skipped", "an earlier stage failed"])
        else:
            rows.append([stage.value, "ok" if result.ok else "FAILED", describe_result(result)])
    parts = [
        f"{title}",
        "",
        diff_text(outcome.diff),
        "",
        table(rows),
        "",
        f"summary: {summary_line(summary_of(outcome.diff))}",
    ]
    diffed = outcome.result(Stage.DIFF)
    if diffed is not None and diffed.plan is not None:  # what `spec.approvedPlan` takes
        parts.append(f"plan: {diffed.plan.id}")
    sync = outcome.result_sync()
    if sync is not None:
        stopped = not outcome.result(Stage.SYNC).ok  # type: ignore[union-attr]
        line = sync_line(sync, more="-o json lists every object's result")
        parts.append(("sync (stopped at the failure): " if stopped else "sync: ") + line)
    parts.append(verdict(outcome))
    return "\n".join(parts)


def json_report(outcome: RunOutcome, name: str, exit_code: int) -> str:
    """The whole report as one JSON document."""
    sync = outcome.result_sync()
    document: dict[str, Any] = {
        "name": name,
        "storeId": outcome.job.store_id,
        "mode": outcome.job.mode,
        "source": outcome.job.source.adapter,
        "target": outcome.job.target.adapter,
        "ok": outcome.ok,
        "exitCode": exit_code,
        "stages": [result.to_manifest() for result in outcome.results],
        "summary": summary_of(outcome.diff),
        "sync": sync.to_manifest() if sync is not None else None,
        "diff": outcome.diff.dict() if outcome.diff is not None else None,
        "results": [record.model_dump() for record in outcome.sync_results] if sync is not None else None,
        "message": verdict(outcome),
    }
    return json.dumps(document, indent=2, default=str)

"""The command line: subcommands and their options.

A bad command line is an `InvalidInput` (exit 2) of one line naming the command and the
problem, rather than argparse's usage block; `diffsync COMMAND --help` shows the usage.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from diffsync_operator.cli.errors import InvalidInput, redact_url, redis_url_problem


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised rather than printed and exited."""

    def error(self, message: str) -> NoReturn:
        raise InvalidInput(f"{self.prog}: {message} (see {self.prog} --help)")


def redis_url(text: str) -> str:
    """argparse `type` of --redis-url: the URL, checked before anything connects."""
    problem = redis_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{redact_url(text)} is not a Redis URL: {problem}")
    return text


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redis-url",
        metavar="URL",
        type=redis_url,
        help="run each stage as its own worker process sharing RedisStore state in this Redis, as pods do",
    )
    parser.add_argument(
        "--keep-state", action="store_true", help="with --redis-url: keep the job's Redis keys after the run"
    )
    parser.add_argument("--output", "-o", choices=("text", "json"), default="text", help="report format")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--verbose", "-v", action="count", default=0, help="library log lines on stderr (-vv: debug)"
    )
    guard = parser.add_argument_group("deletion guard (sync mode; overrides spec.deletionGuard)")
    guard.add_argument(
        "--max-deletes", type=int, metavar="N", help="stop a sync that deletes more than N objects"
    )
    guard.add_argument(
        "--max-delete-fraction",
        type=float,
        metavar="F",
        help="stop a sync that deletes more than F (0..1) of the target's objects (default 0.5; 1: no limit)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The `diffsync` argument parser; each subcommand sets `handler`."""
    from diffsync_operator.cli import approve, cluster, commands, show

    parser = OneLineParser(prog="diffsync", description="Run, check and inspect diffsync SyncJobs.")
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an error (put it before the command)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a SyncJob manifest on this machine")
    run.add_argument("file", metavar="FILE.yaml")
    run.add_argument("--mode", choices=("diff", "sync"), help="override spec.mode")
    _run_options(run)
    run.set_defaults(handler=commands.cmd_run)

    for mode, text in (
        ("diff", "show what a sync would change"),
        ("sync", "make the target match the source"),
    ):
        adhoc = sub.add_parser(mode, help=f"ad hoc: {text}")
        adhoc.add_argument("--source", required=True, metavar="pkg.mod:Adapter")
        adhoc.add_argument("--target", required=True, metavar="pkg.mod:Adapter")
        adhoc.add_argument(
            "--source-param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="source constructor argument (value parsed as JSON when it is JSON)",
        )
        adhoc.add_argument(
            "--target-param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="target constructor argument (value parsed as JSON when it is JSON)",
        )
        adhoc.add_argument("--flags", metavar="FLAG[,FLAG]", help="DiffSyncFlags member names")
        _run_options(adhoc)
        adhoc.set_defaults(handler=commands.cmd_adhoc)

    validate = sub.add_parser("validate", help="check a manifest against the SyncJob schema")
    validate.add_argument("file", metavar="FILE.yaml")
    validate.set_defaults(handler=commands.cmd_validate)

    status = sub.add_parser("status", help="a SyncJob's status from the cluster")
    status.add_argument("name")
    status.add_argument("--namespace", "-n", help="default: the kubeconfig context's namespace")
    status.add_argument("--output", "-o", choices=("text", "json"), default="text")
    status.set_defaults(handler=cluster.cmd_status)

    rerun = sub.add_parser("rerun", help="a fresh run of a finished SyncJob (on the cluster)")
    rerun.add_argument("name")
    rerun.add_argument("--namespace", "-n", help="default: the kubeconfig context's namespace")
    rerun.add_argument("--wait", action="store_true", help="wait for the run to finish; exit 1 if it failed")
    rerun.add_argument("--timeout", type=float, default=3600.0, metavar="SECONDS", help="with --wait")
    rerun.set_defaults(handler=cluster.cmd_rerun)

    approval = sub.add_parser("approve", help="approve a SyncJob's plan (spec.approvedPlan)")
    approval.add_argument("name")
    approval.add_argument("--namespace", "-n", help="default: the kubeconfig context's namespace")
    approval.add_argument(
        "--plan", metavar="ID", help="the plan id to approve (default: the published plan; or its start)"
    )
    approval.set_defaults(handler=approve.cmd_approve)

    diff = sub.add_parser("show-diff", help="a SyncJob's stored diff, from Redis")
    _stored_job_options(diff)
    diff.set_defaults(handler=show.cmd_show_diff)

    results = sub.add_parser("show-results", help="every per-object result of a SyncJob's sync, from Redis")
    _stored_job_options(results)
    results.add_argument("--failed", action="store_true", help="only the objects the sync could not apply")
    results.add_argument(
        "--attempt", type=int, metavar="N", help="the results of sync attempt N (default: the committed one)"
    )
    results.set_defaults(handler=show.cmd_show_results)
    return parser


def _stored_job_options(parser: argparse.ArgumentParser) -> None:
    """NAME and where to read its state: the options `show-diff` and `show-results` share."""
    parser.add_argument("name")
    parser.add_argument("--namespace", "-n", help="default: the kubeconfig context's namespace")
    parser.add_argument(
        "--redis-url",
        metavar="URL",
        type=redis_url,
        help="default: the job's spec.redis.url or $DIFFSYNC_REDIS_URL",
    )
    parser.add_argument("--output", "-o", choices=("text", "json"), default="text")

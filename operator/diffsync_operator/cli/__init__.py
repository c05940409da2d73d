"""`diffsync`: run SyncJob manifests on this machine, validate them, and read jobs on a cluster.

    diffsync run FILE.yaml [--mode diff|sync] [--redis-url URL] [--output text|json]
    diffsync diff|sync --source pkg.mod:Adapter --target pkg.mod:Adapter [--source-param k=v] ...
    diffsync validate FILE.yaml
    diffsync status NAME [-n NAMESPACE]
    diffsync rerun NAME [-n NAMESPACE] [--wait]
    diffsync show-diff NAME [-n NAMESPACE] [--redis-url URL]
    diffsync show-results NAME [--failed] [--attempt N] [-n NAMESPACE] [--redis-url URL]

Exit status: 0 success, 1 a stage or adapter failed (the message names the stage), 2 invalid
input (one line per problem, naming the field). No traceback is printed unless `--debug` is
given (before the command). The parser is in `parser`, the commands in `commands` (local),
`cluster` (status, and reading a job from the API server) and `show` (a job's diff and sync
results, from Redis).
"""

from __future__ import annotations

import sys
import traceback

from diffsync_operator.cli.errors import CliError, ExitCode
from diffsync_operator.cli.parser import build_parser

__all__ = ["ExitCode", "main"]


def main(argv: list[str] | None = None) -> int:
    """Parse `argv`, run the command, return the exit status (errors are printed, not raised)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except CliError as error:  # a bad command line (see parser.OneLineParser)
        return _report(error)
    try:
        return int(args.handler(args))
    except CliError as error:
        if args.debug:
            traceback.print_exc()
        return _report(error)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours or of a library: one line, the rest with --debug
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else " (run with --debug for the traceback)"
        print(f"error: {args.command} failed: {type(error).__name__}: {error}{hint}", file=sys.stderr)
        return int(ExitCode.FAILED)


def _report(error: CliError) -> int:
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)
    return int(error.exit_code)

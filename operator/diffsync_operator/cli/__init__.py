"""`diffsync`: run SyncJob manifests on this machine, validate them, and read jobs on a cluster.

    diffsync run FILE.yaml [--mode diff|sync] [--redis-url URL] [--output text|json]
    diffsync diff|sync --source pkg.mod:Adapter --target pkg.mod:Adapter [--source-param k=v] ...
    diffsync validate FILE.yaml
    diffsync status NAME [-n NAMESPACE]
    diffsync show-diff NAME [-n NAMESPACE] [--redis-url URL]

Exit status: 0 success, 1 a stage or adapter failed (the message names the stage), 2 invalid
input (one line per problem, naming the field). The parser is in `parser`, the commands in
`commands` (local) and `cluster` (kubernetes and Redis).
"""

from __future__ import annotations

import sys

from diffsync_operator.cli.errors import CliError, ExitCode
from diffsync_operator.cli.parser import build_parser

__all__ = ["ExitCode", "main"]


def main(argv: list[str] | None = None) -> int:
    """Parse `argv`, run the command, return the exit status (errors are printed, not raised)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except CliError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

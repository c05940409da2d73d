"""Exit codes and the errors that map to them.

The codes are part of the command's interface, so scripts and CI can tell a broken input
(fix the manifest or the command line) from a failing run (look at the adapter or the data).
"""

from __future__ import annotations

import enum

from diffsync_operator.stages.redaction import redact_url

__all__ = ["CliError", "ExitCode", "InvalidInput", "RunFailed", "redact_url"]


class ExitCode(enum.IntEnum):
    """What `diffsync` returns to the shell."""

    OK = 0
    FAILED = 1  # a stage or an adapter failed, or the sync could not apply some objects
    INVALID = 2  # the manifest, a file or the command line is wrong


class CliError(Exception):
    """An error the user can fix; printed as one line (or one line per problem), no traceback."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class InvalidInput(CliError):
    """The manifest, a parameter or a file given on the command line is wrong (exit 2)."""

    exit_code = ExitCode.INVALID


class RunFailed(CliError):
    """Something outside the input failed, e.g. Redis or the cluster is unreachable (exit 1)."""

    exit_code = ExitCode.FAILED

"""Exit codes and the errors that map to them.

The codes are part of the command's interface, so scripts and CI can tell a broken input
(fix the manifest or the command line) from a failing run (look at the adapter or the data).
"""

from __future__ import annotations

import enum


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


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, for messages and reports."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    user = f"{parts.username}:" if parts.username else ":"
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}***@{host}"))

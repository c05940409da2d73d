"""Exit codes and the errors that map to them.

The codes are part of the command's interface, so scripts and CI can tell a broken input
(fix the manifest or the command line) from a failing run (look at the adapter or the data).
"""

from __future__ import annotations

import enum

from diffsync_operator.stages.redaction import redact_url

__all__ = [
    "CliError",
    "ExitCode",
    "InvalidInput",
    "RunFailed",
    "checked_redis_url",
    "redact_url",
    "redis_url_problem",
]


class ExitCode(enum.IntEnum):
    """What `diffsync` returns to the shell."""

    OK = 0
    FAILED = 1  # a stage or an adapter failed, or the sync could not apply some objects
    INVALID = 2  # the manifest, a file or the command line is wrong


class CliError(Exception):
    """An error the user can fix; printed as one line (or one line per problem), no traceback."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, *problems: str) -> None:
        # One line each, whatever a problem quotes (a key or value may hold a newline).
        self.problems = [problem.replace("\r", "\\r").replace("\n", "\\n") for problem in problems]
        super().__init__("\n".join(self.problems))


class InvalidInput(CliError):
    """The manifest, a parameter or a file given on the command line is wrong (exit 2)."""

    exit_code = ExitCode.INVALID


class RunFailed(CliError):
    """Something outside the input failed, e.g. Redis or the cluster is unreachable (exit 1)."""

    exit_code = ExitCode.FAILED


def redis_url_problem(url: str) -> str | None:
    """What is wrong with a Redis URL, in words, or None when redis-py can use it."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        scheme = parts.scheme
        if scheme in ("redis+cluster", "rediss+cluster"):
            return _cluster_url_problem(url)
        if scheme not in ("redis", "rediss", "unix"):
            return (
                "must start with redis://, rediss://, unix:// or redis+cluster:// (a Redis Cluster), "
                f"not {scheme or 'no scheme'}"
            )
        if scheme == "unix":
            return (
                None if parts.path else "a unix:// URL needs the socket's path, e.g. unix:///run/redis.sock"
            )
        parts.port  # noqa: B018 - the property raises for a port out of range or not a number
        database = parts.path.lstrip("/")
        if database and not database.isdigit():
            return f"the path must be a database number, e.g. redis://host:6379/0, not /{database}"
    except ValueError as error:
        return str(error)
    try:
        from redis.connection import parse_url
    except ImportError:  # the redis client is missing: that is said where it is needed
        return None
    try:
        parse_url(url)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
    except ValueError as error:
        return str(error)
    return None


def _cluster_url_problem(url: str) -> str | None:
    """What is wrong with a Redis Cluster URL (the library's own reading of it), or None."""
    try:
        from diffsync.store.redis._connect import cluster_url
    except ImportError:  # the redis client is missing: that is said where it is needed
        return None
    try:
        cluster_url(url)
    except ValueError as error:
        return str(error)
    return None


def checked_redis_url(url: str, where: str) -> str:
    """`url` if Redis can be reached by it in principle; InvalidInput naming `where` if not."""
    problem = redis_url_problem(url)
    if problem:
        raise InvalidInput(f"{where} {redact_url(url)}: not a Redis URL: {problem}")
    return url

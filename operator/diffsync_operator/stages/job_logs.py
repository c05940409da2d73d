"""A job's logs: named lists of JSON lines an attempt writes a page at a time, readers page through.

Two kinds, each one log per attempt, named like the attempt's store generation:

    diff@<attempt>[-<token>]          the diff stage's diff (`diff_codec` lines)
    sync-results@<attempt>[-<token>]  the sync stage's per-object results (`sync_log`)

Writers (`LogWriter`) register the log first, then append in pages of `PAGE_LINES`, so
neither side of a 100k-object job builds one big string; readers (`read_lines`) fetch a page
at a time. The committed result of the stage names its log (`StageResult.log`): a diff or
sync that read a log reads the one its committed result names, never a half-written log of
an attempt that did not commit. Where logs live: `handover`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import structlog

from diffsync.diff import Diff
from diffsync_operator.stages import diff_codec
from diffsync_operator.stages.handover import JobState

DIFF = "diff"
SYNC_RESULTS = "sync-results"

#: Lines per write and per read: one round trip each, a page of memory.
PAGE_LINES = 1000


def log_name(kind: str, attempt: int, token: str | None = None) -> str:
    """`<kind>@<attempt>[-<token>]`: the log attempt `attempt` of a stage writes."""
    return f"{kind}@{attempt}-{token}" if token else f"{kind}@{attempt}"


def log_kind(name: str) -> str:
    """The kind of a log (`diff`, `sync-results`) from its name."""
    return name.partition("@")[0]


def log_attempt(name: str) -> int:
    """The attempt that wrote a log, from its name."""
    return int(name.partition("@")[2].partition("-")[0])


class LogWriter:
    """Lines appended to one log a page at a time; `close()` writes the last page."""

    def __init__(self, state: JobState, name: str, page_lines: int = PAGE_LINES) -> None:
        self.state = state
        self.name = name
        self.page_lines = page_lines
        self.written = 0
        self._page: list[str] = []
        state.start_log(name)

    def add(self, line: str) -> None:
        """Append one line (written when the page is full)."""
        self._page.append(line)
        if len(self._page) >= self.page_lines:
            self.flush()

    def extend(self, lines: Iterable[str]) -> None:
        """Append every line of `lines`, consumed lazily."""
        for line in lines:
            self.add(line)

    def flush(self) -> None:
        """Write the lines not written yet."""
        if self._page:
            self.state.append_log(self.name, self._page)
            self.written += len(self._page)
            self._page = []

    def close(self) -> int:
        """Write the rest; returns the number of lines in the log."""
        self.flush()
        return self.written


def read_lines(state: JobState, name: str, start: int = 0, page_lines: int = PAGE_LINES) -> Iterator[str]:
    """Every line of log `name` from `start`, fetched a page at a time."""
    position = start
    while True:
        page = state.read_log(name, position, page_lines)
        yield from page
        if len(page) < page_lines:
            return
        position += len(page)


def write_diff(state: JobState, name: str, diff: Diff) -> int:
    """Store `diff` as log `name` (`diff_codec` lines); returns the number of lines."""
    writer = LogWriter(state, name)
    writer.extend(diff_codec.encode(diff))
    return writer.close()


def read_diff_header(state: JobState, name: str) -> diff_codec.DiffHeader | None:
    """The header of stored diff `name`, or None when the log is empty or gone."""
    first = state.read_log(name, 0, 1)
    return diff_codec.DiffHeader.from_line(first[0]) if first else None


def read_diff(state: JobState, name: str, diff_class: type[Diff] = Diff) -> Diff:
    """Rebuild the Diff of log `name`, a page at a time; ValueError when it is missing or incomplete."""
    header = read_diff_header(state, name)
    if header is None:
        raise ValueError(f"the stored diff {name} is empty or gone")
    builder = diff_codec.DiffBuilder(header, diff_class)
    for line in read_lines(state, name, start=1):
        builder.add(line)
    return builder.finish()


def drop_quietly(state: JobState, name: str) -> None:
    """Delete a log nobody may read (not committed, superseded); a failure only leaves it to expire."""
    try:
        state.drop_log(name)
    except Exception as error:  # best effort: its TTL removes it, deleting the job does too
        log: Any = structlog.get_logger()
        log.warning("could not delete a log", log=name, error=str(error))

"""Live progress on a terminal: bars with object counts on stderr, the report alone on stdout."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

from cli_helpers import DIFFSYNC, DIRECTORY_SUMMARY, REPO, Maker

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run_on_a_terminal(*args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `diffsync ARGS` with stderr on a pseudo-terminal; returns the process and the screen text."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [str(DIFFSYNC), *args], cwd=REPO, stdout=subprocess.PIPE, stderr=slave, text=True,
        env={**os.environ, "COLUMNS": "160", "TERM": "xterm"},
    )  # fmt: skip
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    stdout = process.stdout.read() if process.stdout else ""
    process.wait(timeout=120)
    text = ANSI.sub("", screen.decode("utf-8", "replace")).replace("\r", "\n")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, ""), text


def test_a_terminal_gets_a_bar_per_stage_with_object_counts(directory_manifest: Maker) -> None:
    process, screen = _run_on_a_terminal("run", str(directory_manifest()))
    assert process.returncode == 0
    assert re.search(r"load-source\s+━+\s+21 objects \(person 16, team 5\)", screen), screen
    assert re.search(r"diff\s+━+\s+11 changes in 24 elements", screen), screen
    assert "load-source: started" not in screen


def test_the_report_stays_on_stdout_when_progress_is_on_a_terminal(directory_manifest: Maker) -> None:
    process, screen = _run_on_a_terminal("run", str(directory_manifest()))
    assert DIRECTORY_SUMMARY in process.stdout
    assert DIRECTORY_SUMMARY not in screen
    assert "━" not in process.stdout


def test_a_failed_stage_is_marked_on_its_bar(directory_manifest: Maker, tmp_path: Path) -> None:
    manifest = directory_manifest()
    manifest.write_text(manifest.read_text().replace("hr_source:HrSource", "hr_source:Missing"))
    process, screen = _run_on_a_terminal("run", str(manifest))
    assert process.returncode == 1
    assert re.search(r"load-source\s+━+\s+FAILED", screen), screen

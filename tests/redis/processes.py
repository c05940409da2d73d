"""Running Python snippets in fresh interpreters, as separate processes sharing a store would.

The snippet gets ``json``, ``URL`` and ``STORE_ID`` defined and can import ``redis_models``
(this folder is put on ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _command(code: str, url: str, store_id: str) -> list[str]:
    prelude = f"import json\nURL = {url!r}\nSTORE_ID = {store_id!r}\n"
    return [sys.executable, "-c", prelude + textwrap.dedent(code)]


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}


def run_snippet(code: str, url: str, store_id: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter and return the finished process (any exit status)."""
    return subprocess.run(
        _command(code, url, store_id),
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=timeout,
        check=False,
    )


def start_snippet(code: str, url: str, store_id: str) -> subprocess.Popen[str]:
    """Start `code` with pipes on stdin, stdout and stderr, to talk to it while it runs."""
    return subprocess.Popen(
        _command(code, url, store_id),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )


def run_process(code: str, url: str, store_id: str) -> str:
    """Run `code`, require exit status 0, and return the last line it printed."""
    result = run_snippet(code, url, store_id)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

"""`make demo`, the README's first command, and the small install it relies on."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from cli_helpers import NETWORK_SUMMARY, REPO


def test_make_demo_prints_the_network_diff_and_summary_and_exits_0() -> None:
    # The virtualenv running the tests is the one `make test` prepared, so make reuses it.
    process = subprocess.run(
        ["make", "--no-print-directory", "demo", f"VENV={sys.prefix}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert "site: lon1 MISSING in SeededSqliteTarget" in process.stdout
    assert NETWORK_SUMMARY in process.stdout


def test_a_local_run_imports_neither_kubernetes_kopf_nor_redis() -> None:
    """The demo installs only the `cli` extra, so `diffsync run` must not need the others."""
    script = textwrap.dedent(
        """
        import sys

        class Refuse:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("kubernetes", "kopf", "redis"):
                    raise ImportError(f"{name} must not be imported by a local run")
                return None

        sys.meta_path.insert(0, Refuse())
        from diffsync_operator.cli import main
        sys.exit(main(["run", "examples/network/syncjob.yaml", "-q"]))
        """
    )
    process = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert NETWORK_SUMMARY in process.stdout

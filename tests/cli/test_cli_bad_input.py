"""Bad input through the `diffsync` command: one line on stderr naming what is wrong, exit 2.

The manifests the CRD refuses (tests/operator/refused_specs.py, also applied to a real API
server) are refused by `diffsync validate` naming the same field; YAML that means something
else to kubectl than to PyYAML, bytes that are not UTF-8, bad URLs and bad flags are refused
without a traceback unless --debug asks for one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cli_helpers import REPO, run_cli

sys.path.insert(0, str(REPO / "tests" / "operator"))
from refused_specs import REFUSED, manifest


def _errors(stderr: str) -> list[str]:
    return [line.removeprefix("error: ") for line in stderr.splitlines() if line.startswith("error: ")]


def _assert_one_line(process, code: int = 2) -> str:
    assert process.returncode == code, process.stderr
    assert "Traceback" not in process.stderr, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    (line,) = _errors(process.stderr)
    return line


@pytest.mark.parametrize(("extra", "field"), [(e, f) for _, e, f in REFUSED], ids=[i for i, _, _ in REFUSED])
def test_validate_refuses_what_the_crd_refuses_naming_the_field(
    tmp_path: Path, extra: str, field: str
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(manifest(extra))
    line = _assert_one_line(run_cli("validate", str(path)))
    assert line.startswith(f"{field}:") or line.startswith(f"{field}."), line

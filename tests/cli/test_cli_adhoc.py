"""`diffsync diff` and `diffsync sync` with adapters and params given on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import DIRECTORY_SUMMARY, run_cli


def _sides(data: Path) -> list[str]:
    return [
        "--source", "examples.directory.hr_source:HrSource",
        "--source-param", f"teams={data / 'teams.csv'}",
        "--source-param", f"people={data / 'people.csv'}",
        "--target", "examples.directory.json_directory:JsonDirectory",
        "--target-param", f"path={data / 'directory.json'}",
    ]  # fmt: skip


def test_adhoc_diff_builds_adapters_from_params(directory_data: Path) -> None:
    process = run_cli("diff", *_sides(directory_data))
    assert process.returncode == 0, process.stderr
    assert DIRECTORY_SUMMARY in process.stdout
    assert "(diff mode" in process.stdout


def test_adhoc_sync_writes_the_target(directory_data: Path) -> None:
    process = run_cli("sync", *_sides(directory_data))
    assert process.returncode == 0, process.stderr
    document = json.loads((directory_data / "directory.json").read_text())
    assert "pdubois" in {person["username"] for person in document["people"]}


def test_adhoc_flags_reach_the_differ(directory_data: Path) -> None:
    process = run_cli("diff", *_sides(directory_data), "--flags", "SKIP_UNMATCHED_DST,LOG_UNCHANGED_RECORDS")
    assert process.returncode == 0, process.stderr
    assert "summary: create 5, update 3, delete 0," in process.stdout


def test_adhoc_unknown_flag_exits_2_listing_the_known_ones(directory_data: Path) -> None:
    process = run_cli("diff", *_sides(directory_data), "--flags", "SKIP_EVERYTHING")
    assert process.returncode == 2
    assert (
        "error: --flags: unknown flag(s) SKIP_EVERYTHING; known: NONE, CONTINUE_ON_FAILURE" in process.stderr
    )


def test_adhoc_param_without_equals_sign_exits_2(directory_data: Path) -> None:
    process = run_cli("diff", *_sides(directory_data), "--source-param", "teams")
    assert process.returncode == 2
    assert "error: --source-param 'teams': expected key=value" in process.stderr


def test_adhoc_malformed_adapter_path_exits_2(directory_data: Path) -> None:
    args = _sides(directory_data)
    args[args.index("--target") + 1] = "json_directory"
    process = run_cli("diff", *args)
    assert process.returncode == 2
    assert 'error: --target: must be "package.module:Class"' in process.stderr


def test_adhoc_params_that_the_adapter_rejects_fail_the_load_stage(directory_data: Path) -> None:
    process = run_cli("diff", *_sides(directory_data), "--target-param", "colour=blue")
    assert process.returncode == 1
    assert (
        "FAILED in stage load-target: adapter 'examples.directory.json_directory:JsonDirectory' rejected"
        in (process.stdout)
    )

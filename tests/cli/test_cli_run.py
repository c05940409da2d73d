"""`diffsync run FILE.yaml` on the examples: the report, the target and the exit status."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from cli_helpers import (
    DIRECTORY_SUMMARY,
    NETWORK_SUMMARY,
    REPO,
    Maker,
    load_json,
    network_spec,
    run_cli,
    write_manifest,
)


def test_directory_example_manifest_diff_prints_tree_and_summary_and_exits_0() -> None:
    before = (REPO / "examples/directory/data/directory.json").read_bytes()
    process = run_cli("run", "examples/directory/syncjob.yaml")
    assert process.returncode == 0, process.stderr
    assert "person: pdubois MISSING in JsonDirectory" in process.stdout
    assert "title    HrSource(Senior Platform Engineer)    JsonDirectory(Platform Engineer)" in process.stdout
    assert DIRECTORY_SUMMARY in process.stdout
    assert (REPO / "examples/directory/data/directory.json").read_bytes() == before


def test_network_example_diff_reports_the_expected_summary(tmp_path: Path) -> None:
    spec = network_spec(tmp_path / "inventory.db")
    process = run_cli("run", str(write_manifest(tmp_path / "network.yaml", spec)))
    assert process.returncode == 0, process.stderr
    assert "device: fra1-leaf3 MISSING in YamlFileSource" in process.stdout
    assert NETWORK_SUMMARY in process.stdout


def test_the_stage_table_lists_every_stage_with_its_object_counts(
    directory_manifest: Maker,
) -> None:
    process = run_cli("run", str(directory_manifest()))
    lines = process.stdout.splitlines()
    assert any(
        line.startswith("load-source  ok") and "21 objects (person 16, team 5)" in line for line in lines
    )
    assert any(
        line.startswith("load-target  ok") and "19 objects (person 14, team 5)" in line for line in lines
    )
    assert any(line.startswith("diff") and "11 changes" in line for line in lines)


def test_sync_mode_writes_the_target_and_a_second_diff_is_empty(
    directory_manifest: Maker, directory_data: Path
) -> None:
    synced = run_cli("run", str(directory_manifest(mode="sync")))
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "sync: applied 11, failed 0" in synced.stdout
    people = {
        person["username"] for person in json.loads((directory_data / "directory.json").read_text())["people"]
    }
    assert "pdubois" in people and "qwalker" not in people
    again = run_cli("run", str(directory_manifest(mode="diff")))
    assert "summary: create 0, update 0, delete 0, no-change 21, skip 0" in again.stdout


def test_mode_option_overrides_the_manifest_mode(directory_manifest: Maker, directory_data: Path) -> None:
    before = (directory_data / "directory.json").read_bytes()
    process = run_cli("run", str(directory_manifest(mode="diff")), "--mode", "sync")
    assert process.returncode == 0, process.stderr
    assert (directory_data / "directory.json").read_bytes() != before


def test_diff_mode_leaves_the_target_unchanged(directory_manifest: Maker, directory_data: Path) -> None:
    before = (directory_data / "directory.json").read_bytes()
    process = run_cli("run", str(directory_manifest(mode="diff")))
    assert process.returncode == 0
    assert (directory_data / "directory.json").read_bytes() == before


def test_json_output_is_one_document_with_summary_stages_and_diff(
    directory_manifest: Maker,
) -> None:
    document = load_json(run_cli("run", str(directory_manifest()), "--output", "json"))
    assert document["ok"] is True and document["exitCode"] == 0
    assert document["summary"] == {"create": 5, "update": 3, "delete": 3, "no-change": 13, "skip": 0}
    assert [stage["stage"] for stage in document["stages"]] == ["load-source", "load-target", "diff"]
    assert document["diff"]["person"]["pdubois"]["+"]["email"] == "pierre.dubois@example.com"


def test_progress_goes_to_stderr_as_plain_lines_when_not_a_terminal(
    directory_manifest: Maker,
) -> None:
    process = run_cli("run", str(directory_manifest()))
    assert "load-source: started" in process.stderr.splitlines()
    assert "load-source: started" not in process.stdout
    assert any(line.startswith("diff: done, 11 changes") for line in process.stderr.splitlines())


def test_quiet_prints_no_progress(directory_manifest: Maker) -> None:
    process = run_cli("run", str(directory_manifest()), "--quiet")
    assert process.returncode == 0
    assert process.stderr == ""


def test_python_dash_m_runs_the_same_command(directory_manifest: Maker) -> None:
    import subprocess
    import sys

    process = subprocess.run(
        [sys.executable, "-m", "diffsync_operator.cli", "run", str(directory_manifest()), "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert DIRECTORY_SUMMARY in process.stdout


def test_a_long_stage_prints_its_count_while_it_runs_when_not_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "slow_adapters.py").write_text(
        textwrap.dedent(
            """
            import time
            from examples.directory.hr_source import HrSource
            from examples.directory.json_directory import JsonDirectory
            from examples.directory.models import Person

            class SlowSource(HrSource):
                def load(self):
                    for index in range(40):  # a slow system of record: 40 objects over ~1 s
                        self.add(Person(username=f"p{index}", full_name="P", email="p@example.com", team="t"))
                        time.sleep(0.025)
            """
        )
    )
    spec = {
        "source": {"adapter": "slow_adapters:SlowSource", "params": {"teams": "-", "people": "-"}},
        "target": {
            "adapter": "examples.directory.json_directory:JsonDirectory",
            "params": {"path": str(tmp_path / "none.json")},
        },
    }
    manifest = write_manifest(tmp_path / "slow.yaml", spec)
    process = run_cli(
        "run", str(manifest), extra_path=tmp_path, env_vars={"DIFFSYNC_PROGRESS_INTERVAL": "0.1"}
    )
    assert process.returncode == 0, process.stdout + process.stderr
    lines = process.stderr.splitlines()
    so_far = [int(line.split()[1]) for line in lines if line.startswith("load-source: ") and "so far" in line]
    assert len(so_far) >= 2 and so_far == sorted(so_far) and 0 < so_far[0] < 40
    done = next(index for index, line in enumerate(lines) if line.startswith("load-source: done, 40 objects"))
    assert all("so far" not in line for line in lines[done:] if line.startswith("load-source"))


def _empty_hr_export(data: Path) -> None:
    """The source came back empty: only the CSV headers."""
    for name in ("people.csv", "teams.csv"):
        path = data / name
        path.write_text(path.read_text().splitlines()[0] + "\n")


def test_sync_of_an_empty_source_is_stopped_by_the_deletion_guard(
    directory_manifest: Maker, directory_data: Path
) -> None:
    _empty_hr_export(directory_data)
    before = (directory_data / "directory.json").read_bytes()
    process = run_cli("run", str(directory_manifest(mode="diff")), "--mode", "sync")
    assert process.returncode == 1
    verdict = process.stdout.strip().splitlines()[-1]
    assert verdict.startswith("FAILED in stage sync: deletion guard: the diff deletes 19 of the target's 19")
    assert "--max-delete-fraction F or --max-deletes N" in verdict
    assert (directory_data / "directory.json").read_bytes() == before


def test_sync_runs_once_the_command_line_raises_the_deletion_guard(
    directory_manifest: Maker, directory_data: Path
) -> None:
    _empty_hr_export(directory_data)
    process = run_cli("run", str(directory_manifest(mode="sync")), "--max-delete-fraction", "1")
    assert process.returncode == 0, process.stdout + process.stderr
    assert json.loads((directory_data / "directory.json").read_text())["people"] == []


def test_manifest_deletion_guard_is_honoured_through_redis_worker_processes(
    directory_manifest: Maker, directory_data: Path, redis_url: str
) -> None:
    _empty_hr_export(directory_data)
    strict = directory_manifest(mode="sync", deletionGuard={"maxDeleteFraction": 0.1})
    assert run_cli("run", str(strict), "--redis-url", redis_url).returncode == 1
    loose = directory_manifest(mode="sync", deletionGuard={"maxDeleteFraction": 1})
    assert run_cli("run", str(loose), "--redis-url", redis_url).returncode == 0


def test_bad_deletion_guard_option_names_the_option(directory_manifest: Maker) -> None:
    process = run_cli("run", str(directory_manifest(mode="sync")), "--max-delete-fraction", "2")
    assert process.returncode == 2
    assert "--max-delete-fraction: Input should be less than or equal to 1" in process.stderr

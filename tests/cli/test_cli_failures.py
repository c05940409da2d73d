"""Failing adapters and refused objects: exit 1, the stage named, the target left whole."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from cli_helpers import Maker, add_person, directory_spec, load_json, run_cli, write_manifest

BAD_PERSON = "zzbad,Zed,Bad,not-an-email,Intern,support"


def _adapters(tmp_path: Path) -> Path:
    """A module of adapters that fail the way real systems do."""
    (tmp_path / "failing_adapters.py").write_text(
        textwrap.dedent(
            """
            from examples.directory.json_directory import JsonDirectory

            class UnreachableDirectory(JsonDirectory):
                def load(self):
                    raise ConnectionError("ldap://directory.example.com:636 refused the connection")
            """
        )
    )
    return tmp_path


def test_an_adapter_that_does_not_import_fails_load_source_with_exit_1(
    tmp_path: Path, directory_data: Path
) -> None:
    spec = directory_spec(directory_data)
    spec["source"]["adapter"] = "examples.directory.no_such_module:HrSource"
    process = run_cli("run", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 1
    assert (
        "FAILED in stage load-source: adapter 'examples.directory.no_such_module:HrSource' does not import: "
        "ModuleNotFoundError" in process.stdout
    )


def test_a_target_that_fails_to_load_names_load_target_and_its_error(
    tmp_path: Path, directory_data: Path
) -> None:
    spec = directory_spec(directory_data)
    spec["target"]["adapter"] = "failing_adapters:UnreachableDirectory"
    process = run_cli("run", str(write_manifest(tmp_path / "job.yaml", spec)), extra_path=_adapters(tmp_path))
    assert process.returncode == 1
    error = "ConnectionError: ldap://directory.example.com:636 refused the connection"
    assert f"FAILED in stage load-target: {error}" in process.stdout


def test_stages_after_a_failed_stage_do_not_run(tmp_path: Path, directory_data: Path) -> None:
    spec = directory_spec(directory_data, mode="sync")
    spec["target"]["adapter"] = "failing_adapters:UnreachableDirectory"
    process = run_cli("run", str(write_manifest(tmp_path / "job.yaml", spec)), extra_path=_adapters(tmp_path))
    rows = {
        line.split()[0]: line.split()[1]
        for line in process.stdout.splitlines()
        if line[:4] in ("diff", "sync")
    }
    assert rows == {"diff": "skipped", "sync": "skipped"}


def test_a_source_data_error_names_the_file_line_and_column(
    directory_manifest: Maker, directory_data: Path
) -> None:
    add_person(directory_data, "xnew,X,New,x.new@example.com,Engineer,marketing")
    process = run_cli("run", str(directory_manifest()))
    assert process.returncode == 1
    assert f"{directory_data / 'people.csv'}:18: column team: unknown team 'marketing'" in process.stdout


def test_a_refused_object_stops_the_sync_and_leaves_the_target_file_untouched(
    directory_manifest: Maker, directory_data: Path
) -> None:
    add_person(directory_data, BAD_PERSON)
    before = (directory_data / "directory.json").read_bytes()
    process = run_cli("run", str(directory_manifest(mode="sync")))
    assert process.returncode == 1
    assert "FAILED in stage sync: ObjectNotCreated: person zzbad: email 'not-an-email'" in process.stdout
    assert (directory_data / "directory.json").read_bytes() == before


def test_continue_on_failure_writes_the_rest_and_still_exits_1(
    directory_manifest: Maker, directory_data: Path
) -> None:
    add_person(directory_data, BAD_PERSON)
    process = run_cli("run", str(directory_manifest(mode="sync", flags=["CONTINUE_ON_FAILURE"])))
    assert process.returncode == 1
    assert "sync: applied 11, failed 1" in process.stdout
    assert "create person zzbad: person zzbad: email 'not-an-email' is not an address" in process.stdout
    people = {
        person["username"] for person in json.loads((directory_data / "directory.json").read_text())["people"]
    }
    assert "pdubois" in people and "zzbad" not in people


def test_json_output_lists_every_objects_result(directory_manifest: Maker, directory_data: Path) -> None:
    add_person(directory_data, BAD_PERSON)
    manifest = directory_manifest(mode="sync", flags=["CONTINUE_ON_FAILURE"])
    document = load_json(run_cli("run", str(manifest), "-o", "json"))
    results = document["results"]
    assert len(results) == 12 == document["sync"]["succeeded"] + document["sync"]["failed"]
    assert [r for r in results if r["outcome"] == "failure"] == [
        {
            "model": "person",
            "id": "zzbad",
            "action": "create",
            "outcome": "failure",
            "message": "person zzbad: email 'not-an-email' is not an address; the directory refuses it",
        }
    ]
    assert {(r["model"], r["action"]) for r in results if r["outcome"] == "success"} >= {("person", "update")}


def test_json_output_reports_the_failed_stage(tmp_path: Path, directory_data: Path) -> None:
    spec = directory_spec(directory_data)
    spec["target"]["adapter"] = "failing_adapters:UnreachableDirectory"
    process = run_cli("run", str(write_manifest(tmp_path / "job.yaml", spec)), "-o", "json",
                      extra_path=_adapters(tmp_path))  # fmt: skip
    document = json.loads(process.stdout)
    assert process.returncode == 1 and document["exitCode"] == 1 and document["ok"] is False
    failed = [stage for stage in document["stages"] if not stage["ok"]]
    assert [stage["stage"] for stage in failed] == ["load-target"]
    assert "refused the connection" in failed[0]["error"]


def test_what_an_adapter_prints_does_not_spoil_the_json_report(tmp_path: Path, directory_data: Path) -> None:
    (tmp_path / "chatty_adapters.py").write_text(
        textwrap.dedent(
            """
            from examples.directory.hr_source import HrSource

            class ChattySource(HrSource):
                def load(self):
                    print("connecting to the HR system...")
                    super().load()
            """
        )
    )
    spec = directory_spec(directory_data)
    spec["source"]["adapter"] = "chatty_adapters:ChattySource"
    process = run_cli(
        "run", str(write_manifest(tmp_path / "job.yaml", spec)), "-o", "json", extra_path=tmp_path
    )
    assert json.loads(process.stdout)["ok"] is True
    assert "connecting to the HR system..." in process.stderr

"""`diffsync validate` and manifests `diffsync run` refuses: one line per problem, exit 2."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import REPO, run_cli, write_manifest

VALID_SOURCE = {"adapter": "examples.directory.hr_source:HrSource", "params": {"teams": "t", "people": "p"}}
VALID_TARGET = {"adapter": "examples.directory.json_directory:JsonDirectory", "params": {"path": "d"}}


def _errors(stderr: str) -> list[str]:
    return [line.removeprefix("error: ") for line in stderr.splitlines() if line.startswith("error: ")]


def _syncjob_manifests() -> list[Path]:
    candidates = [*REPO.glob("examples/**/syncjob*.yaml"), *REPO.glob("deploy/samples/*.yaml")]
    return sorted(path for path in candidates if "kind: SyncJob" in path.read_text())


def test_every_shipped_manifest_is_valid() -> None:
    manifests = _syncjob_manifests()
    assert len(manifests) >= 3
    for manifest in manifests:
        process = run_cli("validate", str(manifest.relative_to(REPO)))
        assert process.returncode == 0, f"{manifest}: {process.stderr}"
        assert "valid SyncJob" in process.stdout


def test_a_malformed_adapter_path_is_named_with_the_expected_form(tmp_path: Path) -> None:
    spec = {"source": {"adapter": "examples directory"}, "target": VALID_TARGET}
    process = run_cli("validate", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 2
    assert _errors(process.stderr) == [
        'spec.source.adapter: must be "package.module:Class" '
        "(e.g. examples.directory.hr_source:HrSource); got 'examples directory'"
    ]


def test_every_problem_gets_its_own_line_naming_its_field(tmp_path: Path) -> None:
    spec = {
        "mode": "dif",
        "flags": ["CONTINUE_ON_FAILURE", "NOPE"],
        "source": VALID_SOURCE,
        "backoffLimit": -1,
    }
    process = run_cli("validate", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 2
    fields = [line.split(":", 1)[0] for line in _errors(process.stderr)]
    assert sorted(fields) == sorted(["spec.target", "spec.mode", "spec.flags[1]", "spec.backoffLimit"])


def test_a_misspelt_field_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    spec = {"source": VALID_SOURCE, "target": VALID_TARGET, "backofLimit": 3}
    process = run_cli("validate", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 2
    assert _errors(process.stderr) == ['spec.backofLimit: unknown field; did you mean "backoffLimit"?']


def test_an_unknown_flag_lists_the_known_flags(tmp_path: Path) -> None:
    spec = {"source": VALID_SOURCE, "target": VALID_TARGET, "flags": ["CONTINUE"]}
    process = run_cli("validate", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 2
    (line,) = _errors(process.stderr)
    assert line.startswith("spec.flags[0]:") and "CONTINUE_ON_FAILURE" in line and "got 'CONTINUE'" in line


def test_a_wrong_kind_is_named(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    write_manifest(path, {"source": VALID_SOURCE, "target": VALID_TARGET})
    path.write_text(path.read_text().replace("kind: SyncJob", "kind: Job"))
    process = run_cli("validate", str(path))
    assert process.returncode == 2
    assert _errors(process.stderr) == ["kind: must be 'SyncJob'; got 'Job'"]


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text("apiVersion: diffsync.io/v1alpha1\nkind: [SyncJob\n")
    process = run_cli("validate", str(path))
    assert process.returncode == 2
    (line,) = _errors(process.stderr)
    assert line.startswith(f"{path}:3:") and "not valid YAML" in line


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    process = run_cli("validate", str(tmp_path / "absent.yaml"))
    assert process.returncode == 2
    assert _errors(process.stderr) == [
        f"{tmp_path / 'absent.yaml'}: cannot read the manifest: No such file or directory"
    ]


def test_run_refuses_an_invalid_manifest_before_running_anything(tmp_path: Path) -> None:
    spec = {"source": VALID_SOURCE, "target": {"adapter": "nocolon"}}
    process = run_cli("run", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 2
    assert process.stdout == ""
    assert "load-source: started" not in process.stderr
    assert _errors(process.stderr)[0].startswith("spec.target.adapter:")


def test_an_env_entry_with_both_value_and_value_from_is_refused(tmp_path: Path) -> None:
    target = {
        **VALID_TARGET,
        "env": [{"name": "TOKEN", "value": "x", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
    }
    process = run_cli(
        "validate", str(write_manifest(tmp_path / "job.yaml", {"source": VALID_SOURCE, "target": target}))
    )
    assert process.returncode == 2
    assert _errors(process.stderr) == ["spec.target.env[0]: set value or valueFrom, not both"]

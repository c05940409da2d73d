"""The manifest's `env` in a local run: literal values set, cluster-only values reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cli_helpers import directory_spec, run_cli, write_manifest


def _recording_adapters(tmp_path: Path) -> Path:
    (tmp_path / "env_adapters.py").write_text(
        textwrap.dedent(
            f"""
            import os
            from examples.directory.hr_source import HrSource
            from examples.directory.json_directory import JsonDirectory

            def note(stage):
                with open({str(tmp_path / "env.txt")!r}, "a") as handle:
                    handle.write(f"{{stage}} {{os.environ.get('HR_REGION', '-')}}\\n")

            class EnvSource(HrSource):
                def load(self):
                    note("load-source")
                    super().load()

            class EnvDirectory(JsonDirectory):
                def load(self):
                    note("load-target")
                    super().load()
            """
        )
    )
    return tmp_path


def _spec(tmp_path: Path, directory_data: Path) -> dict[str, object]:
    spec = directory_spec(directory_data)
    spec["source"]["adapter"] = "env_adapters:EnvSource"
    spec["source"]["env"] = [{"name": "HR_REGION", "value": "eu-west"}]
    spec["target"]["adapter"] = "env_adapters:EnvDirectory"
    return spec


def _seen(tmp_path: Path) -> dict[str, str]:
    return dict(line.split() for line in (tmp_path / "env.txt").read_text().splitlines())


def test_a_literal_env_value_reaches_the_adapter_in_a_local_run(tmp_path: Path, directory_data: Path) -> None:
    manifest = write_manifest(tmp_path / "job.yaml", _spec(tmp_path, directory_data))
    process = run_cli("run", str(manifest), extra_path=_recording_adapters(tmp_path))
    assert process.returncode == 0, process.stdout + process.stderr
    assert _seen(tmp_path)["load-source"] == "eu-west"


def test_with_redis_each_stage_gets_only_its_sides_env(
    tmp_path: Path, directory_data: Path, redis_url: str
) -> None:
    manifest = write_manifest(tmp_path / "job.yaml", _spec(tmp_path, directory_data))
    process = run_cli(
        "run", str(manifest), "--redis-url", redis_url, extra_path=_recording_adapters(tmp_path)
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert _seen(tmp_path) == {"load-source": "eu-west", "load-target": "-"}


def test_a_secret_reference_missing_locally_is_reported_as_a_note(
    tmp_path: Path, directory_data: Path
) -> None:
    spec = directory_spec(directory_data)
    spec["target"]["env"] = [
        {"name": "DIRECTORY_TOKEN_FOR_TEST", "valueFrom": {"secretKeyRef": {"name": "d", "key": "t"}}}
    ]
    process = run_cli("run", str(write_manifest(tmp_path / "job.yaml", spec)))
    assert process.returncode == 0
    assert (
        "note: spec.target.env[0] DIRECTORY_TOKEN_FOR_TEST: comes from the cluster in a pod; "
        "export DIRECTORY_TOKEN_FOR_TEST to give it a value in a local run"
    ) in process.stderr.splitlines()

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


# --- manifests kubectl would read differently, or not at all -------------------------------

VALID = manifest("")


def _write(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "job.yaml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


def test_a_key_given_twice_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = VALID.replace("spec:\n", "spec:\n  mode: diff\n  mode: sync\n")
    line = _assert_one_line(run_cli("validate", str(_write(tmp_path, text))))
    assert line.startswith(f"{tmp_path / 'job.yaml'}:7:3:"), line
    assert "duplicate key 'mode' (first given on line 6)" in line


def test_invalid_utf8_is_refused_naming_line_and_column(tmp_path: Path) -> None:
    data = VALID.replace("name: refused", "name: caf\xe9").encode("latin-1")
    line = _assert_one_line(run_cli("validate", str(_write(tmp_path, data))))
    assert line == f"{tmp_path / 'job.yaml'}:4:12: not UTF-8 text (byte 0xe9); save the manifest as UTF-8"


def test_an_exponent_is_a_number_as_kubectl_reads_it(tmp_path: Path) -> None:
    # PyYAML alone reads 1e3 as the text "1e3"; kubectl reads the number 1000.
    ok = run_cli("validate", str(_write(tmp_path, VALID + "  backoffLimit: 1e3\n")))
    assert ok.returncode == 2  # a float is no integer to the API server either
    assert "spec.backoffLimit: Input should be a valid integer; got 1000.0" in ok.stderr


def test_a_timestamp_stays_text(tmp_path: Path) -> None:
    # PyYAML alone reads 2024-01-01 as a date, which no string field takes; kubectl sends text.
    process = run_cli("validate", str(_write(tmp_path, VALID + "  image: 2024-01-01\n")))
    assert process.returncode == 0, process.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("  backoffLimit: .inf\n", "spec.backoffLimit: inf is not a number JSON can carry"),
        (
            "  source: {adapter: a.b:C, params: {blob: !!binary aGVsbG8=}}\n",
            "spec.source.params.blob: a YAML bytes",
        ),
    ],
)
def test_values_json_cannot_carry_are_named(tmp_path: Path, text: str, where: str) -> None:
    base = VALID.replace('  source: {adapter: "a.b:Source"}\n', "") if "source:" in text else VALID
    line = _assert_one_line(run_cli("validate", str(_write(tmp_path, base + text))))
    assert line.startswith(where), line


def test_a_python_tag_is_refused_not_run(tmp_path: Path) -> None:
    text = VALID + "  image: !!python/object/apply:os.system ['touch pwned']\n"
    line = _assert_one_line(run_cli("validate", str(_write(tmp_path, text)), cwd=tmp_path))
    assert "not valid YAML" in line
    assert not (tmp_path / "pwned").exists()


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    # Nine levels of ten aliases each: a billion values once expanded, a few hundred bytes here.
    levels = ["  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"]
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        levels.append(f"  l{level}: &l{level} [{refs}]\n")
    text = VALID.replace('  source: {adapter: "a.b:Source"}\n', "")
    text += '  source:\n    adapter: "a.b:Source"\n    params:\n' + "".join("  " + line for line in levels)
    line = _assert_one_line(run_cli("validate", str(_write(tmp_path, text))))
    assert line == (
        f"{tmp_path / 'job.yaml'}: document 1: its YAML aliases (*name) expand to more than 1,000,000 "
        "values; write the repeated parts out, or alias fewer times"
    )


def test_a_few_aliases_are_read_as_kubectl_reads_them(tmp_path: Path) -> None:
    text = VALID.replace('  source: {adapter: "a.b:Source"}\n', "")
    text += '  source:\n    adapter: "a.b:Source"\n    params: {a: &shared [1, 2], b: *shared}\n'
    process = run_cli("validate", str(_write(tmp_path, text)))
    assert process.returncode == 0, process.stderr


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://redis.example.com", "must start with redis://, rediss://, unix:// or redis+cluster://"),
        ("redis+cluster://a:7000/2", "a cluster has only database 0, not '2'"),
        ("redis+cluster://a:port/0", "port of 'a:port' is not a number"),
        ("redis://host:99999", "Port out of range 0-65535"),
        ("redis://[::1", "Invalid IPv6 URL"),
        ("redis://host:6379/zero", "the path must be a database number"),
    ],
)
def test_a_bad_redis_url_is_one_line_and_exit_2(url: str, problem: str) -> None:
    line = _assert_one_line(run_cli("run", "examples/network/syncjob.yaml", "--redis-url", url))
    assert line.startswith("diffsync run: argument --redis-url:"), line
    assert problem in line


def test_a_password_in_a_bad_url_is_not_shown() -> None:
    line = _assert_one_line(
        run_cli("run", "examples/network/syncjob.yaml", "--redis-url", "redis://:s3cret@h:0x")
    )
    assert "s3cret" not in line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--bogus", "x.yaml"], "unrecognized arguments: --bogus"),
        (["run"], "diffsync run: the following arguments are required: FILE.yaml"),
        (["nosuch"], "invalid choice: 'nosuch'"),
        ([], "the following arguments are required: COMMAND"),
        (["run", "x.yaml", "--output", "xml"], "argument --output/-o: invalid choice: 'xml'"),
    ],
)
def test_a_bad_command_line_is_one_line_and_exit_2(args: list[str], fragment: str) -> None:
    line = _assert_one_line(run_cli(*args))
    assert fragment in line, line


def test_debug_adds_the_traceback_of_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace("spec:\n", "spec:\n  mode: diff\n  mode: sync\n"))
    quiet = run_cli("validate", str(path))
    loud = run_cli("--debug", "validate", str(path))
    assert quiet.returncode == loud.returncode == 2
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr and "duplicate key 'mode'" in loud.stderr


# --- a stage that ends its process without a result ----------------------------------------

OPERATOR_TESTS = REPO / "tests" / "operator"


def _quitter_manifest(tmp_path: Path, quit_in: str, hard: bool = False) -> Path:
    source, target = tmp_path / "source.json", tmp_path / "target.json"
    for path in (source, target):
        path.write_text('{"shelves": {}}')
    text = f"""\
apiVersion: diffsync.io/v1alpha1
kind: SyncJob
metadata: {{name: quitter}}
spec:
  source:
    adapter: sample_adapters:QuitterInventory
    params: {{path: "{source}", quit_in: {quit_in}, hard: {str(hard).lower()}}}
  target: {{adapter: "sample_adapters:FileTarget", params: {{path: "{target}"}}}}
"""
    return _write(tmp_path, text)


@pytest.mark.parametrize("quit_in", ["init", "load"])
def test_sys_exit_0_in_an_adapter_fails_its_stage_in_process(tmp_path: Path, quit_in: str) -> None:
    process = run_cli("run", str(_quitter_manifest(tmp_path, quit_in)), extra_path=OPERATOR_TESTS)
    assert process.returncode == 1, process.stdout + process.stderr
    assert (
        "FAILED in stage load-source: exited without a result: the adapter called sys.exit(0)"
        in process.stdout
    )


@pytest.mark.parametrize(("quit_in", "hard"), [("init", False), ("load", False), ("load", True)])
def test_exit_0_in_an_adapter_fails_its_stage_in_a_worker_process(
    tmp_path: Path, redis_url: str, quit_in: str, hard: bool
) -> None:
    path = _quitter_manifest(tmp_path, quit_in, hard)
    process = run_cli("run", str(path), "--redis-url", redis_url, extra_path=OPERATOR_TESTS)
    assert process.returncode == 1, process.stdout + process.stderr
    assert "FAILED in stage load-source: exited without a result" in process.stdout

"""`status`/`show-diff` without a usable cluster: a clear one-line error and the exit status."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import run_cli

UNREACHABLE = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: team-a}}]
current-context: c
"""


def test_no_kubeconfig_exits_2_saying_how_to_point_at_a_cluster(tmp_path: Path) -> None:
    process = run_cli(
        "status", "job", env_vars={"KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)}
    )
    assert process.returncode == 2
    assert process.stderr.startswith("error: no cluster to talk to:")
    assert "set KUBECONFIG or run inside a pod" in process.stderr


def test_an_unreachable_api_server_exits_1_naming_the_request(tmp_path: Path) -> None:
    (tmp_path / "kubeconfig").write_text(UNREACHABLE)
    process = run_cli("show-diff", "job", env_vars={"KUBECONFIG": str(tmp_path / "kubeconfig")})
    assert process.returncode == 1
    assert process.stderr.startswith("error: the API server is not reachable:")
    assert "/namespaces/team-a/syncjobs/job" in process.stderr

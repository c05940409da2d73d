"""`diffsync status` and `rerun`, and what `show-diff`/`show-results` (`show`) need: a SyncJob, a login.

`patch_spec` is the one write, for `diffsync approve` (`cli.approve`).

The kubernetes client is imported only here and only when one of these commands runs, so
the local commands work with the `cli` extra alone. The kubeconfig is the usual one
(`$KUBECONFIG` or `~/.kube/config`, its current context's namespace by default), or the
in-cluster ServiceAccount when run in a pod. The Redis the operator uses is usually only
reachable inside the cluster: forward it (`kubectl port-forward svc/redis 6379`) and pass
`--redis-url redis://localhost:6379/0`.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

from diffsync_operator.api.names import ANNOTATION_RERUN, rerun_name
from diffsync_operator.api.resource import GROUP, PLURAL, VERSION, SyncJob
from diffsync_operator.api.status import JobPhase, SyncJobStatus
from diffsync_operator.cli import render
from diffsync_operator.cli.errors import ExitCode, InvalidInput, RunFailed

_MERGE_PATCH = "application/merge-patch+json"
_SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


def _client() -> tuple[Any, str]:
    """An ApiClient from the kubeconfig (or in-cluster config) and its default namespace."""
    try:
        from kubernetes import client, config
    except ImportError as error:
        raise InvalidInput(
            "status, show-diff and show-results need the kubernetes client: pip install 'diffsync[operator]'"
        ) from error
    try:
        config.load_kube_config()  # type: ignore[no-untyped-call]
        _, active = config.list_kube_config_contexts()  # type: ignore[no-untyped-call]
        namespace = (active or {}).get("context", {}).get("namespace") or "default"
    except config.ConfigException as kubeconfig_error:
        try:
            config.load_incluster_config()  # type: ignore[no-untyped-call]
        except config.ConfigException:
            raise InvalidInput(
                f"no cluster to talk to: {kubeconfig_error}; set KUBECONFIG or run inside a pod"
            ) from kubeconfig_error
        with open(_SA_NAMESPACE, encoding="utf-8") as handle:
            namespace = handle.read().strip()
    return client.ApiClient(), namespace


def _get(api: Any, call: str, *args: Any) -> Any:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        return getattr(api, call)(*args)
    except ApiException as error:
        if error.status == 404:
            raise InvalidInput(
                f"not found: {' '.join(str(a) for a in args[-2:])} ({error.reason})"
            ) from error
        raise RunFailed(f"the API server refused {call}: {error.status} {error.reason}") from error
    except HTTPError as error:
        raise RunFailed(f"the API server is not reachable: {error}") from error


def fetch_job(name: str, namespace: str | None) -> tuple[SyncJob, Any, str]:
    """The SyncJob `name`, the ApiClient, and the namespace used."""
    from kubernetes import client

    api_client, default_namespace = _client()
    namespace = namespace or default_namespace
    raw = _get(
        client.CustomObjectsApi(api_client),
        "get_namespaced_custom_object",
        GROUP,
        VERSION,
        namespace,
        PLURAL,
        name,
    )
    raw = {
        key: value
        for key, value in raw.items()
        if key in ("apiVersion", "kind", "metadata", "spec", "status")
    }
    try:
        return SyncJob.from_manifest(raw), api_client, namespace
    except ValueError as error:
        raise RunFailed(
            f"SyncJob {namespace}/{name} does not match this version's models: {error}"
        ) from error


def patch_spec(api_client: Any, namespace: str, name: str, spec: dict[str, Any]) -> None:
    """Merge `spec` into the SyncJob's spec (as `kubectl patch --type merge` does)."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    try:
        client.CustomObjectsApi(api_client).patch_namespaced_custom_object(
            GROUP, VERSION, namespace, PLURAL, name, {"spec": spec}, _content_type=_MERGE_PATCH
        )
    except ApiException as error:
        raise RunFailed(
            f"the API server refused to patch SyncJob {namespace}/{name}: {error.status} {error.reason}"
        ) from error


def status_text(job: SyncJob, namespace: str) -> str:
    """A SyncJob's status as text: phase, stages, summary, sync outcome, conditions."""
    status = job.status or SyncJobStatus()
    lines = [
        f"SyncJob {namespace}/{job.metadata.name}: {status.phase.value if status.phase else 'Pending'} "
        f"({job.spec.mode} mode, {job.spec.source.adapter} -> {job.spec.target.adapter})",
        f"store: {status.store_id or '(not yet assigned)'}",
    ]
    if status.start_time:
        finished = status.completion_time.isoformat() if status.completion_time else "-"
        lines.append(f"started: {status.start_time.isoformat()}, finished: {finished}")
    rows = [["stage", "phase", "attempts", "objects", "pod", "message"]]
    for entry in status.stages:
        rows.append(
            [
                entry.name.value,
                entry.phase.value,
                str(entry.attempts),
                "" if entry.objects is None else str(entry.objects),
                entry.pod or "",
                entry.message or "",
            ]
        )
    if len(rows) > 1:
        lines += ["", render.table(rows), ""]
    if status.diff is not None:
        lines.append(f"summary: {render.summary_line(status.diff)}")
    if status.sync is not None:
        more = f"diffsync show-results {job.metadata.name} --failed lists all"
        lines.append(f"sync: {render.sync_line(status.sync, more=more)}")
    if status.plan is not None:
        from diffsync_operator.cli.approve import plan_lines

        lines += plan_lines(status.plan)
    for condition in status.conditions:
        lines.append(
            f"condition {condition.type}={condition.status} ({condition.reason}): {condition.message}"
        )
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    """`diffsync status NAME`: exit 0 unless the job Failed (1)."""
    job, _, namespace = fetch_job(args.name, args.namespace)
    if args.output == "json":
        print(json.dumps((job.status or SyncJobStatus()).to_manifest(), indent=2))
    else:
        print(status_text(job, namespace))
    failed = job.status is not None and job.status.phase is JobPhase.FAILED
    return int(ExitCode.FAILED if failed else ExitCode.OK)


def _secret_value(api_client: Any, namespace: str, name: str, key: str, field: str) -> str:
    from kubernetes import client

    secret = _get(client.CoreV1Api(api_client), "read_namespaced_secret", name, namespace)
    value = (secret.data or {}).get(key)
    if value is None:
        raise RunFailed(f"{field}: secret {name} has no key {key!r}")
    return base64.b64decode(value).decode()


def redis_login(job: SyncJob, api_client: Any, namespace: str, url: str) -> tuple[str | None, str | None]:
    """(username, password) to read the job's state, unless the URL carries them: the job's own
    Redis user (status.redisUser, on the operator's Redis), else spec.redis's credentials."""
    if urlparse(url).password:
        return None, None
    user = job.status.redis_user if job.status else None
    if user is not None and job.spec.redis.url is None:
        password = _secret_value(api_client, namespace, user.secret_name, "password", "status.redisUser")
        return user.name, password
    ref = job.spec.redis.password_secret_ref
    if ref is None:
        return job.spec.redis.username, None
    password = _secret_value(api_client, namespace, ref.name, ref.key, "spec.redis.passwordSecretRef")
    return job.spec.redis.username, password


def cmd_rerun(args: argparse.Namespace) -> int:
    """`diffsync rerun NAME`: ask the operator for a fresh run of a SyncJob (annotation).

    The operator creates `<name>-rerun-<hash>` from the job's spec once the job has finished;
    the name depends only on the annotation's value, so it is known here before it exists.
    With `--wait`, waits for that run to finish and exits 0 (Succeeded) or 1 (Failed).
    """
    from kubernetes import client

    job, api_client, namespace = fetch_job(args.name, args.namespace)
    token = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    _get(
        client.CustomObjectsApi(api_client),
        "patch_namespaced_custom_object",
        GROUP,
        VERSION,
        namespace,
        PLURAL,
        args.name,
        {"metadata": {"annotations": {ANNOTATION_RERUN: token}}},
    )
    fresh = rerun_name(args.name, token)
    phase = job.status.phase if job.status else None
    when = "now" if phase in (JobPhase.SUCCEEDED, JobPhase.FAILED) else "once it has finished"
    print(f"rerun of SyncJob {namespace}/{args.name} requested: it runs as SyncJob {fresh} {when}")
    if not args.wait:
        print(f"follow it: kubectl get sj {fresh} -n {namespace} -w   (or: diffsync status {fresh})")
        return int(ExitCode.OK)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        time.sleep(2)
        try:
            rerun, _, _ = fetch_job(fresh, namespace)
        except InvalidInput:  # not created yet
            continue
        if rerun.status is not None and rerun.status.phase in (JobPhase.SUCCEEDED, JobPhase.FAILED):
            print(status_text(rerun, namespace))
            return int(ExitCode.OK if rerun.status.phase is JobPhase.SUCCEEDED else ExitCode.FAILED)
    raise RunFailed(f"SyncJob {namespace}/{fresh} did not finish within {args.timeout:.0f} s")

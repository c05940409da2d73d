"""The local commands: `run` (a manifest), `diff`/`sync` (ad hoc) and `validate`.

Adapter paths ("package.module:Class") resolve against the current directory first, the
way `python -m diffsync_operator.worker` resolves them in a stage pod whose working
directory holds the user's code; so run `diffsync` from the directory a manifest's paths
are written for (the repository root for the examples).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import uuid
from typing import Any

from pydantic import ValidationError

from diffsync_operator.api.resource import SyncSchedule
from diffsync_operator.api.spec import DeletionGuard, FlagName, SyncJobSpec
from diffsync_operator.cli import logsetup, manifest, progress, render, runner, stage_env
from diffsync_operator.cli.errors import ExitCode, InvalidInput, redact_url
from diffsync_operator.stages.config import AdapterRef, JobConfig, local_owner
from diffsync_operator.stages.store_ids import local_store_id


def with_guard_options(job: JobConfig, args: argparse.Namespace) -> JobConfig:
    """`job` with `--max-deletes` / `--max-delete-fraction` applied over its deletion guard."""
    changes = {}
    if args.max_deletes is not None:
        changes["max_deletes"] = args.max_deletes
    if args.max_delete_fraction is not None:
        changes["max_delete_fraction"] = args.max_delete_fraction
    if not changes:
        return job
    try:
        guard = DeletionGuard.model_validate({**job.deletion_guard.model_dump(), **changes})
    except ValidationError as error:
        problems = [f"--{str(item['loc'][0]).replace('_', '-')}: {item['msg']}" for item in error.errors()]
        raise InvalidInput(*problems) from error
    return job.model_copy(update={"deletion_guard": guard})


def _execute(job: JobConfig, args: argparse.Namespace, name: str, spec: SyncJobSpec | None = None) -> int:
    """Run `job` locally or through Redis, print the report, return the exit code."""
    job = with_guard_options(job, args)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    environments, notes = stage_env.stage_environments(spec) if spec else ({}, [])
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    counter = logsetup.ObjectCounter()
    logsetup.configure(args.verbose, counter)
    bars = progress.make(quiet=args.quiet)
    try:
        # What an adapter prints goes to stderr: stdout carries the report alone (JSON stays parseable).
        with contextlib.redirect_stdout(sys.stderr):
            if args.redis_url:
                outcome = runner.run_with_redis(
                    job,
                    args.redis_url,
                    bars,
                    verbose=args.verbose > 0,
                    keep_state=args.keep_state,
                    stage_env=environments,
                )
            else:
                # One process for every stage: the manifest's variables of all stages at once.
                os.environ.update(stage_env.merged(environments))
                outcome = runner.run_local(job, bars, counter)
    finally:
        bars.close()  # after the redirect ends: the live display restores the streams it replaced
    code = ExitCode.OK if outcome.ok else ExitCode.FAILED
    if args.output == "json":
        print(render.json_report(outcome, name, int(code)))
    else:
        where = (
            f"Redis {redact_url(args.redis_url)}, store {job.store_id}, one process per stage"
            if args.redis_url
            else "in process"
        )
        title = "\n".join(
            [
                f"{name} ({job.mode} mode, {where})",
                f"  source: {job.source.adapter}",
                f"  target: {job.target.adapter}",
            ]
        )
        print(render.text_report(outcome, title))
    return int(code)


def cmd_run(args: argparse.Namespace) -> int:
    """`diffsync run FILE.yaml`: the manifest's job (one run of a SyncSchedule's template)."""
    job_manifest = manifest.load(args.file)
    meta, spec = job_manifest.metadata, job_manifest.spec
    # `_local/<namespace>/...` never names a cluster job's store (a namespace has no `_`); without
    # spec.storeId a fresh id per run, so two runs of one manifest never share state.
    store_id = local_store_id(meta.namespace, meta.name, spec.store_id, uuid.uuid4().hex[:8])
    if args.mode:  # before from_spec: the mode decides what else applies (approval: Manual)
        spec = spec.model_copy(update={"mode": args.mode})
    job = JobConfig.from_spec(spec, store_id)
    return _execute(job, args, f"SyncJob {meta.name}", spec)


def parse_param(text: str, option: str) -> tuple[str, Any]:
    """`key=value`; the value is JSON when it parses as JSON (numbers, true, lists), else a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InvalidInput(f"{option} {text!r}: expected key=value, e.g. {option} path=data/people.csv")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


def parse_flags(text: str | None) -> list[str]:
    """`A,B` -> ["A", "B"], each a DiffSyncFlags member name."""
    if not text:
        return []
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = [member.value for member in FlagName]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInput(f"--flags: unknown flag(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return names


def _adhoc_job(args: argparse.Namespace, mode: str) -> JobConfig:
    problems = []
    sides = {}
    for side in ("source", "target"):
        option = f"--{side}-param"
        params = dict(parse_param(item, option) for item in getattr(args, f"{side}_param"))
        try:
            sides[side] = AdapterRef(adapter=getattr(args, side), params=params)
        except ValidationError:
            problems.append(
                f'--{side}: must be "package.module:Class" (e.g. examples.directory.hr_source:HrSource); '
                f"got {getattr(args, side)!r}"
            )
    flags = parse_flags(args.flags)
    if problems:
        raise InvalidInput(*problems)
    owner = local_owner()
    return JobConfig(
        store_id=local_store_id(None, "adhoc", None, uuid.uuid4().hex[:8]),
        job_uid=owner.uid,
        job_name=owner.job,
        source=sides["source"],
        target=sides["target"],
        mode=mode,
        flags=flags,
    )


def cmd_adhoc(args: argparse.Namespace) -> int:
    """`diffsync diff|sync --source ... --target ...`."""
    job = _adhoc_job(args, args.command)
    return _execute(job, args, f"ad hoc {args.command}")


def cmd_validate(args: argparse.Namespace) -> int:
    """`diffsync validate FILE.yaml`: exit 0 and one line when valid; problems raise InvalidInput."""
    resource = manifest.load_resource(args.file)
    if isinstance(resource, SyncSchedule):
        spec = resource.spec.job_template.spec
        when = f'"{resource.spec.schedule}"' + (
            f" in {resource.spec.time_zone}" if resource.spec.time_zone else ""
        )
        kind = f"SyncSchedule {resource.metadata.name} ({when}, "
    else:
        spec = resource.spec
        kind = f"SyncJob {resource.metadata.name} ("
    print(f"{args.file}: valid {kind}{spec.mode} mode, {spec.source.adapter} -> {spec.target.adapter})")
    return int(ExitCode.OK)

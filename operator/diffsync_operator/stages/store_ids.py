"""Store ids: the names under which a job's state lives in Redis, scoped to its namespace.

A SyncJob's *effective* store id always begins with its namespace, whatever the spec says:

    spec.storeId given   <namespace>/<storeId>
    spec.storeId absent  <namespace>/<name>.<first 8 characters of the uid>

Namespaces are DNS labels (lowercase letters, digits and `-`, no `/`), so the part before
the first `/` always names the job's own namespace: a spec in namespace B can never name a
store of namespace A. The job's status shows the effective id (`status.storeId`).

Local runs (`diffsync run --redis-url`, `diffsync diff|sync`) use `_local/...`: a namespace
can never start with `_`, so a local run never shares a store with a cluster job.

Each load attempt writes its own *generation* of its side's store (`generation_store_id`):

    <store id>/source@<attempt>-<token>      <store id>/target@<attempt>-<token>

so a late flush of an interrupted or superseded attempt never lands in the data of another;
the load result names the generation it committed and the diff and sync read that one. The
token is random per worker process; without one (the in-process CLI: one process, no
retries) the generation is `<store id>/source@<attempt>`. `@` cannot occur in a store id
(`spec.storeId` allows letters, digits, `._/-`), so `<store id>/source@` starts the
generations of exactly one job: the prefix a key pattern may use without reaching another
job whose store id merely starts with this one (`ns/a` and `ns/a/source/x`).
`<store id>/source` and `<store id>/target` are the sides' base ids (stores written before
generations existed, still deleted with the job). The stage handover keys are derived from
the store id too (see `handover`; every key of a job: `state_keys`).
"""

from __future__ import annotations

import re

#: The first segment of every local run's store id; never a namespace (DNS labels have no `_`).
LOCAL_PREFIX = "_local"

SIDES = ("source", "target")

#: Between a side's base id and a generation; a character no store id contains.
GENERATION_MARK = "@"

# RFC 1123 label, as Kubernetes validates namespace names.
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _check_namespace(namespace: str) -> None:
    if not _NAMESPACE.match(namespace):
        raise ValueError(f"namespace {namespace!r} is not a DNS label: cannot scope a store id to it")


def scoped_store_id(namespace: str, name: str, uid: str, requested: str | None) -> str:
    """The effective store id of a job: `<namespace>/<storeId>`, or a default unique to the job."""
    _check_namespace(namespace)
    return f"{namespace}/{requested or f'{name}.{uid[:8]}'}"


def belongs_to(store_id: str, namespace: str) -> bool:
    """Whether `store_id` is one of `namespace`'s effective ids."""
    return store_id.startswith(f"{namespace}/")


def job_store_id(namespace: str, name: str, uid: str, requested: str | None, recorded: str | None) -> str:
    """The store id a job uses: the one its status recorded, else `scoped_store_id`.

    Once a job ran, its id stays the one in `status.storeId` (a spec change mid-run must not
    move its state). A recorded id outside the namespace (written by an older operator, or
    by hand) is never used: the scoped id is computed again instead.
    """
    if recorded and belongs_to(recorded, namespace):
        return recorded
    return scoped_store_id(namespace, name, uid, requested)


def local_store_id(namespace: str | None, name: str, requested: str | None, run_id: str) -> str:
    """`_local/<namespace>/<storeId>` or `_local/<namespace>/<name>.local-<run_id>`."""
    return f"{LOCAL_PREFIX}/{namespace or 'default'}/{requested or f'{name}.local-{run_id}'}"


def side_store_id(store_id: str, side: str) -> str:
    """The base id of one side: `<storeId>/source` or `<storeId>/target`."""
    if side not in SIDES:
        raise ValueError(f"side must be 'source' or 'target', not {side!r}")
    return f"{store_id}/{side}"


def generation_prefix(store_id: str, side: str) -> str:
    """`<storeId>/<side>@`: how every generation id of one side of one job starts."""
    return side_store_id(store_id, side) + GENERATION_MARK


def generation_store_id(store_id: str, side: str, attempt: int, token: str | None = None) -> str:
    """The RedisStore id load attempt `attempt` of `side` writes: `<storeId>/<side>@<attempt>[-<token>]`."""
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, not {attempt}")
    suffix = f"{attempt}-{token}" if token else str(attempt)
    return generation_prefix(store_id, side) + suffix


def is_generation_of(generation: str, store_id: str, side: str) -> bool:
    """Whether `generation` is a generation id of `side` of the job `store_id`."""
    return generation.startswith(generation_prefix(store_id, side))

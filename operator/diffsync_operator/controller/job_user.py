"""A job's own Redis user on the operator's Redis: made before its first pod, removed at deletion.

`ensure_job_user` runs each time the operator is about to create pods of a job on a Redis it
administers (`redis_access.administered`: its default, or a known server), over its own client
there (`redis_servers.OperatorRedis`):

1. the first time, it makes a password, puts it in a Secret of type kubernetes.io/basic-auth
   in the job's namespace (owned by the SyncJob, so it is garbage-collected with it;
   immutable; named by `generateName`), and records the user, the Secret's name and the
   password's SHA-256 in `status.redisUser` before any pod can use them;
2. every time, it sets the user in Redis from that record (`ACL SETUSER ... reset ...`), so a
   Redis that restarted and lost its users gets them back before the next pod starts.

The operator creates Secrets and never reads them: that is the only right on Secrets it has.
The finalizer calls `remove_job_user` (the user goes even when the job keeps its state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis
from kubernetes.client.exceptions import ApiException

from diffsync_operator.api.status import RedisUserStatus
from diffsync_operator.controller.kube import Kube
from diffsync_operator.controller.naming import (
    LABEL_COMPONENT,
    LABEL_JOB_UID,
    LABEL_MANAGED_BY,
    MANAGED_BY,
    credentials_secret_prefix,
)
from diffsync_operator.controller.pods import JobRef
from diffsync_operator.controller.redis_access import PASSWORD_KEY
from diffsync_operator.controller.redis_acl import (
    delete_job_user,
    job_username,
    new_password,
    password_hash,
    set_job_user,
)

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient


class JobUserError(Exception):
    """The job's Redis user could not be made; the message is safe for status and Events."""


def credentials_secret(job: JobRef, username: str, password: str) -> dict[str, Any]:
    """The Secret manifest holding the job user's login, owned by the SyncJob."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/basic-auth",
        "immutable": True,
        "metadata": {
            "generateName": credentials_secret_prefix(job.name),
            "namespace": job.namespace,
            "labels": {
                LABEL_JOB_UID: job.uid,
                LABEL_MANAGED_BY: MANAGED_BY,
                LABEL_COMPONENT: "redis-credentials",
            },
            "ownerReferences": [job.owner_reference()],
        },
        "stringData": {"username": username, PASSWORD_KEY: password},
    }


def ensure_job_user(
    kube: Kube, admin: RedisClient, job: JobRef, store_id: str, recorded: RedisUserStatus | None
) -> RedisUserStatus:
    """The job's user, made if needed and set in Redis; JobUserError says what failed."""
    username = job_username(job.uid)
    user = recorded if recorded is not None and recorded.name == username else None
    if user is None:
        password = new_password()
        try:
            secret = kube.create_secret(credentials_secret(job, username, password))
            user = RedisUserStatus(name=username, secret_name=secret, password_hash=password_hash(password))
            # Recorded before any pod refers to it: a restarted operator finds it again.
            kube.patch_job_status(job.namespace, job.name, {"redisUser": user.to_manifest()})
        except ApiException as error:
            raise JobUserError(
                f"could not create the Secret of Redis user {username}: {error.status} {error.reason}"
                " (the operator needs the right to create Secrets in this namespace)"
            ) from None
    try:
        set_job_user(admin, user.name, store_id, user.password_hash)
    except (redis.RedisError, ValueError) as error:
        raise JobUserError(f"could not set Redis user {username} on the operator's Redis: {error}") from None
    return user


def remove_job_user(admin: RedisClient, job_uid: str) -> bool:
    """Delete the job's user from the operator's Redis; False when it was not there."""
    return delete_job_user(admin, job_username(job_uid))

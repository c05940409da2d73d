"""Names derived from a SyncJob's name, kept within Kubernetes' limit of 253 characters.

Shared by the controller (pod names) and the CLI (the name of a rerun), so both derive the
same name from the same inputs: a derived name is how a restarted operator finds what it
made before instead of making a twin.
"""

from __future__ import annotations

import hashlib

MAX_NAME = 253
#: Setting this annotation on a SyncJob (to any new value) asks the operator for a fresh run.
ANNOTATION_RERUN = "diffsync.io/rerun"
#: The run a rerun was made from: a label (when the name fits one) and an annotation.
RERUN_OF = "diffsync.io/rerun-of"


def bounded(base: str, suffix: str, limit: int = MAX_NAME) -> str:
    """`base + suffix` within `limit`; a base too long is cut and given a hash, so names stay unique."""
    if len(base) + len(suffix) <= limit:
        return base + suffix
    digest = hashlib.sha256(base.encode()).hexdigest()[:8]
    keep = limit - len(suffix) - len(digest) - 1
    return f"{base[:keep].rstrip('-.')}-{digest}{suffix}"


def rerun_name(job_name: str, token: str) -> str:
    """`<job>-rerun-<8 hex of the token>`: one rerun per annotation value, whoever asks twice."""
    return bounded(job_name, "-rerun-" + hashlib.sha256(token.encode()).hexdigest()[:8])

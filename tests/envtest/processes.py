"""Child processes that cannot outlive the test run."""

from __future__ import annotations

import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """`preexec_fn` for Popen: Linux SIGKILLs the child when the thread that started it exits.

    So a crashed or killed pytest leaves no etcd, API server or pod process behind. SIGKILL, not
    SIGTERM: a kube-apiserver whose etcd died with it keeps retrying for minutes.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

"""`python -m diffsync_operator`: run the operator (kopf) with the settings from the environment.

Watches the namespaces in DIFFSYNC_WATCH_NAMESPACES, or all namespaces when it is empty;
serves kopf's liveness endpoint when DIFFSYNC_LIVENESS is set (e.g. http://0.0.0.0:8080/healthz).
"""

from __future__ import annotations

import os
import secrets

import kopf

from diffsync_operator.controller import handlers  # noqa: F401 - registers the handlers
from diffsync_operator.controller.settings import OperatorSettings


def main() -> None:
    settings = OperatorSettings.from_env()
    kopf.configure(verbose=os.environ.get("DIFFSYNC_LOG_LEVEL", "").lower() == "debug")
    kopf.run(
        clusterwide=not settings.namespaces,
        namespaces=settings.namespaces,
        standalone=settings.peering is None,
        peering_name=settings.peering,
        # kopf pauses every replica when peers share the highest priority, so each replica
        # draws its own; the highest one runs, the others stand by until it disappears.
        priority=secrets.randbelow(2**31 - 2) + 1 if settings.peering else 0,
        liveness_endpoint=os.environ.get("DIFFSYNC_LIVENESS") or None,
    )


if __name__ == "__main__":
    main()

"""`python -m redis_probe`: what a pod's Redis login may do with given keys, as JSON.

Run inside a pod cloned from a stage pod (same environment, so the same Redis login the
operator gave that job's pods), it tries, for each key of the JSON object `PROBE_KEYS`
(key -> its Redis type), the read command of that type (`GET`, `HGETALL`, `SMEMBERS`,
`LRANGE`) and `EXISTS`; with `PROBE_WRITE=1` also a write (`SET`) and a delete (`DEL`) of
each key and the server-wide `FLUSHALL`, `FLUSHDB`, `KEYS`, `CONFIG GET` and `ACL LIST`.
Each answer is "ok" or "NOPERM". The report is the last line of stdout.
"""

from __future__ import annotations

import json
import os
import sys

import redis
from diffsync_operator.stages.redis_login import RedisLogin

READS = {"string": ("GET",), "hash": ("HGETALL",), "set": ("SMEMBERS",), "list": ("LRANGE", "0", "-1")}
SERVER_WIDE = (("FLUSHALL",), ("FLUSHDB",), ("KEYS", "*"), ("CONFIG", "GET", "*"), ("ACL", "LIST"))


def _try(client: redis.Redis, *command: str) -> str:
    try:
        client.execute_command(*command)
    except redis.exceptions.NoPermissionError:
        return "NOPERM"
    return "ok"


def main() -> int:
    client = RedisLogin.from_env(os.environ).connect()
    writes = os.environ.get("PROBE_WRITE") == "1"
    report: dict[str, dict[str, str]] = {}
    for key, kind in json.loads(os.environ["PROBE_KEYS"]).items():
        read = READS[kind]
        report[key] = {"read": _try(client, read[0], key, *read[1:]), "exists": _try(client, "EXISTS", key)}
        if writes:
            report[key].update(write=_try(client, "SET", key, "probe"), delete=_try(client, "DEL", key))
    if writes:
        report["server"] = {" ".join(command): _try(client, *command) for command in SERVER_WIDE}
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

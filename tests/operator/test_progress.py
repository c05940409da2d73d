"""Live progress: a stage's running count, sampled on a thread and written when it changes."""

from __future__ import annotations

import itertools
import threading
import time

import redis
from diffsync_operator.api.status import Stage
from diffsync_operator.stages import progress
from diffsync_operator.stages.progress import ProgressReporter, interval_from, progress_key
from sample_adapters import write_inventory
from worker_helpers import finish_worker, job_json, start_worker


def test_changed_counts_are_written_once_each_and_tracking_ends_with_the_block():
    counter = itertools.count(1)
    values = [0, 0, 3, 3, 7]
    progress.track(lambda: values[min(next(counter), len(values) - 1)])
    written: list[int] = []
    with ProgressReporter(written.append, interval=0.02).running():
        deadline = time.monotonic() + 5
        while 7 not in written and time.monotonic() < deadline:
            time.sleep(0.02)
    assert written == [0, 3, 7]
    assert progress.current() is None


def test_a_failing_probe_or_write_is_skipped_not_fatal():
    calls = {"probe": 0, "write": 0}
    lock = threading.Lock()

    def probe() -> int:
        with lock:
            calls["probe"] += 1
            if calls["probe"] == 2:
                raise RuntimeError("dictionary changed size during iteration")
            return calls["probe"]

    def write(count: int) -> None:
        with lock:
            calls["write"] += 1
            if calls["write"] == 1:
                raise ConnectionError("redis gone for a moment")

    progress.track(probe)
    with ProgressReporter(write, interval=0.01).running():
        deadline = time.monotonic() + 5
        while calls["write"] < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert calls["write"] >= 4


def test_the_interval_comes_from_the_environment_with_a_safe_default():
    assert interval_from({"DIFFSYNC_PROGRESS_SECONDS": "0.5"}) == 0.5
    assert interval_from({"DIFFSYNC_PROGRESS_SECONDS": "soon"}) == progress.DEFAULT_INTERVAL
    assert interval_from({"DIFFSYNC_PROGRESS_SECONDS": "-1"}) == progress.DEFAULT_INTERVAL
    assert interval_from({}) == progress.DEFAULT_INTERVAL


def test_a_load_stage_process_reports_a_rising_count_while_it_loads(redis_url, tmp_path):
    source = tmp_path / "source.json"
    write_inventory(source, {"shelves": {"s": {"zone": "z", "items": {f"i{n}": n for n in range(12)}}}})
    job = job_json(source, tmp_path / "unused.json", "ns/progress-test", source_params={"load_delay": 0.25})
    client = redis.Redis.from_url(redis_url)
    key = progress_key("ns/progress-test", Stage.LOAD_SOURCE)
    worker, log = start_worker(
        "load-source", job, redis_url, tmp_path, extra_env={"DIFFSYNC_PROGRESS_SECONDS": "0.2"}
    )
    seen: list[int] = []
    while worker.poll() is None:
        value = client.get(key)
        if value is not None and (not seen or int(value) != seen[-1]):
            seen.append(int(value))
        time.sleep(0.05)
    code, result, run = finish_worker(worker, log)
    assert code == 0 and result is not None and result.ok, run.stderr
    assert len(seen) >= 3 and seen == sorted(seen), seen  # it rose at least twice while loading
    assert 0 < client.ttl(key) <= 86400  # the job's storeTTLSeconds (default), like all its keys

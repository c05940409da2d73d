"""The benchmark's issue 17 target lines: PASS and FAIL follow the measured numbers.

No benchmark runs here: the results are made up, so each line's rule is checked on both
sides of its threshold.
"""

from __future__ import annotations

from benchmarks.report import PEAK_BEFORE_MIB, render_checks
from benchmarks.runner import RunResult

MILLION = {"current": 500_960, "desired": 500_960}


def result(total: float, peak: float, sync: float = 1.0, changes: int = 49_044) -> RunResult:
    create = changes // 3
    return RunResult(
        times={"load": total - sync - 2.0, "diff": 1.0, "sync": sync, "rediff": 1.0},
        cpu_times={"load": total - sync - 2.0, "diff": 1.0, "sync": sync, "rediff": 1.0},
        peak_mib=peak,
        baseline_mib=400.0,
        cpu_seconds=total,
        objects=dict(MILLION),
        expected={"create": create, "update": changes - 2 * create, "delete": create, "no-change": 1},
    )


def line(checks: str, start: str) -> str:
    return next(text for text in checks.splitlines() if text.strip().split("] ", 1)[-1].startswith(start))


def test_local_1m_total_and_peak_pass_below_their_targets():
    checks = render_checks({("ours", "local", "1m"): result(total=11.0, peak=1100.0)})
    assert line(checks, "1m LocalStore: 11.0 s").startswith("  [PASS]")
    assert line(checks, "1m LocalStore: peak 1100 MiB").startswith("  [PASS]")


def test_local_1m_total_and_peak_fail_above_their_targets():
    over_half = PEAK_BEFORE_MIB["local"] / 2 + 1
    checks = render_checks({("ours", "local", "1m"): result(total=12.5, peak=over_half)})
    assert line(checks, "1m LocalStore: 12.5 s").startswith("  [FAIL]")
    assert line(checks, "1m LocalStore: peak").startswith("  [FAIL]")


def test_bytes_per_object_is_the_growth_over_the_baseline_per_object():
    run = result(total=10.0, peak=1400.0)
    assert round(run.bytes_per_object or 0) == round(1000 * 2**20 / 1_001_920)
    assert "1047 bytes/object" in render_checks({("ours", "local", "1m"): run})


def test_redis_1m_has_its_own_time_target():
    checks = render_checks({("ours", "redis", "1m"): result(total=17.0, peak=1300.0)})
    assert line(checks, "1m RedisStore: 17.0 s").startswith("  [PASS]")
    checks = render_checks({("ours", "redis", "1m"): result(total=19.0, peak=1300.0)})
    assert line(checks, "1m RedisStore: 19.0 s").startswith("  [FAIL]")


def test_sync_passes_when_ten_times_fewer_changes_cost_at_least_five_times_less():
    many, few = result(10.0, 1000.0, sync=1.0, changes=49_000), result(9.0, 1000.0, sync=0.15, changes=4_900)
    checks = render_checks({("ours", "local", "1m"): many, ("ours", "local", "1m-few"): few})
    assert line(checks, "sync at 1m").startswith("  [PASS]")


def test_sync_fails_when_fewer_changes_cost_about_the_same():
    many, few = result(10.0, 1000.0, sync=1.0, changes=49_000), result(9.0, 1000.0, sync=0.6, changes=4_900)
    checks = render_checks({("ours", "local", "1m"): many, ("ours", "local", "1m-few"): few})
    assert line(checks, "sync at 1m").startswith("  [FAIL]")

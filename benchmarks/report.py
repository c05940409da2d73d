"""Render benchmark results: one table with a block per size, then the issues' speed targets."""

from __future__ import annotations

from benchmarks.plan import Cell, Size
from benchmarks.runner import PHASES, RunResult

Results = dict[tuple[str, str, str], RunResult]  # (implementation, store, size label) -> result

COLUMNS = (
    ("ours-local", "ours", "local"),
    ("upstream-local", "upstream", "local"),
    ("up/ours", "ratio", "local"),
    ("ours-redis", "ours", "redis"),
    ("upstream-redis", "upstream", "redis"),
    ("up/ours", "ratio", "redis"),
)
ROW_LABELS = {
    "load": "load s",
    "diff": "diff s",
    "sync": "sync s",
    "rediff": "re-diff s",
    "total": "total s",
    "cpu": "cpu s",
    "peak": "peak MiB",
    "base": "base MiB",
}
MIB_ROWS = ("peak", "base")
LEGEND = (
    "cpu s: the run's own CPU time over the phases (wall-clock rows include waiting for the CPU\n"
    "or for Redis). peak MiB: the run's peak RSS; base MiB: its peak before loading (interpreter,\n"
    "imports, generated records). ok: diff summary as predicted from the records and an empty\n"
    "re-diff after sync (RedisStore: also from a second store instance on the same store_id).\n"
    "Library logging is filtered to WARNING in every run (structlog.configure)."
)


def _cell_value(result: RunResult | None, row: str) -> float | None:
    if result is None:
        return None
    if row == "total":
        return result.total if result.times else None
    if row == "peak":
        return result.peak_mib
    if row == "base":
        return result.baseline_mib
    if row == "cpu":
        return result.cpu_seconds
    return result.times.get(row)


def _ratio(upstream: float | None, ours: float | None) -> str:
    if upstream is None or ours is None or ours <= 0:
        return "-"
    return f"{upstream / ours:.1f}x"


def _size_header(size: Size, results: Results) -> str:
    sample = next((r for (_, _, label), r in results.items() if label == size.label and r.objects), None)
    if sample is None:
        return f"{size.label}: no run produced counts"
    current, desired = sample.objects["current"], sample.objects["desired"]
    e = sample.expected
    return (
        f"{size.label} ({size.devices_per_site} devices/site): {current:,} current + {desired:,} desired = "
        f"{current + desired:,} objects; expected diff {e['create']:,} create, {e['update']:,} update, "
        f"{e['delete']:,} delete, {e['no-change']:,} unchanged"
    )


def render_table(sizes: list[Size], cells: list[Cell], results: Results) -> str:
    """The whole table as text; failed runs are marked and explained under their block."""
    used = {(cell.implementation, cell.store) for cell in cells}
    columns = [
        col
        for col in COLUMNS
        if (col[1], col[2]) in used or (col[1] == "ratio" and ("upstream", col[2]) in used)
    ]
    width = 15
    lines = []
    for size in sizes:
        lines.append("")
        lines.append(_size_header(size, results))
        lines.append("phase".ljust(11) + "".join(name.rjust(width) for name, _, _ in columns))
        notes: list[str] = []
        for row in (*PHASES, "total", "cpu", "peak", "base"):
            label = ROW_LABELS[row]
            text = label.ljust(11)
            for _, impl, store in columns:
                if impl == "ratio":
                    up = _cell_value(results.get(("upstream", store, size.label)), row)
                    ours = _cell_value(results.get(("ours", store, size.label)), row)
                    text += _ratio(up, ours).rjust(width)
                else:
                    value = _cell_value(results.get((impl, store, size.label)), row)
                    shown = "-" if value is None else (f"{value:.0f}" if row in MIB_ROWS else f"{value:.2f}")
                    text += shown.rjust(width)
            lines.append(text)
        text = "result".ljust(11)
        for _, impl, store in columns:
            result = results.get((impl, store, size.label))
            if impl == "ratio" or result is None:
                text += "".rjust(width)
            elif result.ok:
                text += "ok".rjust(width)
            else:
                notes.append(f"  [{len(notes) + 1}] {impl}-{store}: {result.error}")
                text += f"FAILED [{len(notes)}]".rjust(width)
        lines.append(text)
        lines.extend(notes)
    lines.append("")
    lines.append(LEGEND)
    return "\n".join(lines)


def _check(ok: bool, text: str) -> str:
    return f"  [{'PASS' if ok else 'FAIL'}] {text}"


def render_checks(results: Results) -> str:
    """The speed targets of issues 2 and 3 that these results can answer, PASS or FAIL."""

    def get(implementation: str, store: str, size: str) -> RunResult | None:
        return results.get((implementation, store, size))

    lines = []
    ours36, up36 = get("ours", "local", "36k"), get("upstream", "local", "36k")
    if ours36 and up36 and ours36.ok and up36.ok:
        speedup = up36.total / ours36.total
        cpu = ""
        if up36.cpu_seconds and ours36.cpu_seconds:
            cpu = f"; by CPU time {up36.cpu_seconds / ours36.cpu_seconds:.1f}x"
        lines.append(
            _check(
                speedup >= 3,
                f"36k LocalStore: ours is {speedup:.1f}x faster than upstream{cpu} (target >= 3x)",
            )
        )
        if ours36.peak_mib is not None and up36.peak_mib is not None:
            lines.append(
                _check(
                    ours36.peak_mib <= up36.peak_mib,
                    f"36k LocalStore: peak {ours36.peak_mib:.0f} MiB vs upstream "
                    f"{up36.peak_mib:.0f} MiB (target: not higher)",
                )
            )
    ours360 = get("ours", "local", "360k")
    if ours36 and ours360 and ours36.ok and ours360.ok:
        growth = ours360.total / ours36.total
        cpu = ""
        if ours360.cpu_seconds and ours36.cpu_seconds:
            cpu = f"; by CPU time {ours360.cpu_seconds / ours36.cpu_seconds:.1f}x"
        lines.append(
            _check(growth <= 11, f"LocalStore 360k takes {growth:.1f}x the 36k time{cpu} (target <= 11x)")
        )
    redis36, upredis36 = get("ours", "redis", "36k"), get("upstream", "redis", "36k")
    if redis36 is not None:
        outcome = "completes with an empty re-diff" if redis36.ok else f"failed: {redis36.error}"
        lines.append(_check(redis36.ok, f"36k RedisStore: ours {outcome}"))
    if redis36 and redis36.ok and upredis36 and upredis36.times:
        speedup = upredis36.total / redis36.total
        partial = (
            "" if upredis36.ok else " (upstream failed, so its time is up to the failure: a lower bound)"
        )
        lines.append(
            _check(
                speedup >= 20,
                f"36k RedisStore: ours is {speedup:.1f}x faster than upstream (target >= 20x){partial}",
            )
        )
    if redis36 and redis36.ok and ours36 and ours36.ok:
        factor = redis36.total / ours36.total
        cpu = ""
        if redis36.cpu_seconds and ours36.cpu_seconds:
            cpu = f"; by CPU time {redis36.cpu_seconds / ours36.cpu_seconds:.2f}x"
        lines.append(
            _check(
                factor <= 1.5,
                f"36k: ours RedisStore takes {factor:.2f}x ours LocalStore{cpu} (target <= 1.5x, issue 13)",
            )
        )
    redis1m = get("ours", "redis", "1m")
    if redis1m is not None:
        objects = sum(redis1m.objects.values()) if redis1m.objects else 0
        lines.append(
            _check(
                redis1m.ok and redis1m.total < 60,
                f"1m RedisStore ({objects:,} objects): {redis1m.total:.1f} s, "
                f"peak {redis1m.peak_mib or 0:.0f} MiB (target < 60 s)"
                + ("" if redis1m.ok else f", failed: {redis1m.error}"),
            )
        )
    if not lines:
        return ""
    return "Targets (issues 2, 3 and 13):\n" + "\n".join(lines)

"""The `schedule` of a SyncSchedule: cron syntax, its @-macros, and `@every <duration>`.

- Five-field cron (`*/15 * * * *`), evaluated in the schedule's `timeZone` (UTC by default) by
  cronsim, a maintained evaluator with no dependencies. Across daylight-saving changes it
  behaves like Debian's cron: a time the spring change skips runs right after the change, and
  a time the autumn change repeats runs once (croniter, the other common choice, runs it
  twice, which would sync twice).
- The macros `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly`.
- `@every <duration>` like Flux's `interval`: Go duration syntax (`90s`, `5m`, `1h30m`), ticks
  every duration counted from an anchor (the schedule's creation), independent of the zone.

Cron's own time-zone prefixes (`CRON_TZ=`, `TZ=`) are refused in favour of `timeZone`, as
Kubernetes' CronJob does, so there is one place a zone is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
EVERY = "@every"
#: The shortest `@every` interval: a job's pods need a few seconds to start at all.
MINIMUM_INTERVAL = timedelta(seconds=1)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_EXAMPLES = 'e.g. "*/15 * * * *", "@hourly" or "@every 10m"'


def parse_duration(text: str) -> timedelta:
    """A Go-style duration (`90s`, `5m`, `1h30m`, `1.5h`); ValueError naming what is wrong."""
    compact = text.strip()
    if not compact or _DURATION_PART.sub("", compact):
        raise ValueError(
            f"{compact!r} is not a duration: use a number and a unit h, m, s or ms, e.g. 90s or 1h30m"
        )
    seconds = sum(float(number) * _UNITS[unit] for number, unit in _DURATION_PART.findall(compact))
    return timedelta(seconds=seconds)


def zone_named(name: str | None) -> ZoneInfo | timezone:
    """The IANA zone `name` (UTC when None); ValueError when the zone database has no such zone."""
    if name is None:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; `interval` for `@every`, else a five-field `cron` expression."""

    text: str
    cron: str | None = None
    interval: timedelta | None = None

    def latest_at_or_before(
        self, moment: datetime, zone: ZoneInfo | timezone, anchor: datetime
    ) -> datetime | None:
        """The last tick at or before `moment` (None if there is none after `anchor` for @every)."""
        if self.interval is not None:
            if moment < anchor:
                return None
            steps = (moment - anchor) // self.interval
            return anchor + steps * self.interval
        assert self.cron is not None
        # cronsim's reverse iteration starts strictly before its start: nudge past `moment`.
        local = moment.astimezone(zone) + timedelta(microseconds=1)
        return next(CronSim(self.cron, local, reverse=True)).astimezone(timezone.utc)

    def next_after(self, moment: datetime, zone: ZoneInfo | timezone, anchor: datetime) -> datetime:
        """The first tick strictly after `moment`."""
        if self.interval is not None:
            if moment < anchor:
                return anchor
            steps = (moment - anchor) // self.interval + 1
            return anchor + steps * self.interval
        assert self.cron is not None
        return next(CronSim(self.cron, moment.astimezone(zone))).astimezone(timezone.utc)


def parse_schedule(text: str) -> Schedule:
    """Parse a schedule; ValueError with a message that says what is wrong and shows examples."""
    stripped = " ".join(text.split())
    if not stripped:
        raise ValueError(f"the schedule is empty; {_EXAMPLES}")
    head = stripped.split(" ", 1)[0]
    if head.upper().startswith(("CRON_TZ=", "TZ=")):
        raise ValueError(f"{text!r}: put the time zone in spec.timeZone, not in the schedule")
    if head == EVERY:
        try:
            interval = parse_duration(stripped[len(EVERY) :])
        except ValueError as error:
            raise ValueError(f"{text!r}: {error}") from None
        if interval < MINIMUM_INTERVAL:
            raise ValueError(f"{text!r}: @every needs an interval of at least 1s")
        return Schedule(text=stripped, interval=interval)
    if head.startswith("@"):
        if stripped not in MACROS:
            raise ValueError(f"{text!r}: unknown macro; known: {', '.join(MACROS)} and @every <duration>")
        return Schedule(text=stripped, cron=MACROS[stripped])
    try:
        CronSim(stripped, datetime(2000, 1, 1, tzinfo=timezone.utc))
    except CronSimError as error:
        raise ValueError(f"{text!r} is not a cron expression ({error}); {_EXAMPLES}") from None
    return Schedule(text=stripped, cron=stripped)

"""Schedule expressions: cron in a time zone (across DST changes), the macros, and @every."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from diffsync_operator.api.cron import parse_duration, parse_schedule, zone_named

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ANCHOR = datetime(2020, 1, 1, tzinfo=UTC)


def _next(text: str, after: datetime, zone=UTC, count: int = 3) -> list[datetime]:
    schedule = parse_schedule(text)
    found, moment = [], after
    for _ in range(count):
        moment = schedule.next_after(moment, zone, ANCHOR)
        found.append(moment)
    return found


def test_cron_in_utc_by_default():
    assert _next("*/15 * * * *", datetime(2026, 11, 29, 10, 7, tzinfo=UTC)) == [
        datetime(2026, 11, 29, 10, 15, tzinfo=UTC),
        datetime(2026, 11, 29, 10, 30, tzinfo=UTC),
        datetime(2026, 11, 29, 10, 45, tzinfo=UTC),
    ]


def test_cron_is_read_in_the_schedule_time_zone():
    # 09:00 in New York is 14:00 UTC in winter (EST, UTC-5).
    assert _next("0 9 * * *", datetime(2026, 11, 29, tzinfo=UTC), NEW_YORK, 1) == [
        datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
    ]


def test_a_time_the_spring_change_skips_runs_right_after_the_change():
    # Berlin, 2026-03-29: clocks jump from 02:00 to 03:00; 02:30 does not exist that day.
    ticks = _next("30 2 * * *", datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), BERLIN)
    assert [t.astimezone(BERLIN).isoformat() for t in ticks] == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]


def test_a_time_the_autumn_change_repeats_runs_once():
    # Berlin, 2026-10-25: clocks go back from 03:00 to 02:00; 02:30 happens twice.
    ticks = _next("30 2 * * *", datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), BERLIN)
    assert [t.astimezone(BERLIN).isoformat() for t in ticks] == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:30:00+01:00",
        "2026-10-27T02:30:00+01:00",
    ]


def test_hourly_ticks_stay_an_hour_apart_in_utc_across_a_dst_change():
    ticks = _next("0 * * * *", datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN), BERLIN, 4)
    gaps = {later - earlier for earlier, later in pairwise(ticks)}
    assert gaps == {timedelta(hours=1)}


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("@hourly", datetime(2026, 11, 29, 11, 0, tzinfo=UTC)),
        ("@daily", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("@midnight", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("@weekly", datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),  # the next Sunday
        ("@monthly", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        ("@yearly", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("@annually", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_macros(macro, expected):
    assert _next(macro, datetime(2026, 11, 29, 10, 7, tzinfo=UTC), count=1) == [expected]


def test_every_ticks_from_the_anchor_whatever_the_zone():
    schedule = parse_schedule("@every 90s")
    anchor = datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)
    moment = anchor + timedelta(seconds=100)
    assert schedule.next_after(moment, BERLIN, anchor) == anchor + timedelta(seconds=180)
    assert schedule.latest_at_or_before(moment, BERLIN, anchor) == anchor + timedelta(seconds=90)
    assert schedule.latest_at_or_before(anchor - timedelta(seconds=1), UTC, anchor) is None


def test_latest_cron_tick_at_or_before_includes_the_moment_itself():
    schedule = parse_schedule("*/20 * * * *")
    on_tick = datetime(2026, 11, 29, 10, 20, tzinfo=UTC)
    assert schedule.latest_at_or_before(on_tick, UTC, ANCHOR) == on_tick
    assert schedule.latest_at_or_before(on_tick + timedelta(minutes=5), UTC, ANCHOR) == on_tick


@pytest.mark.parametrize(
    ("text", "seconds"), [("5s", 5), ("1m30s", 90), ("1.5h", 5400), ("2h", 7200), ("250ms", 0.25)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("* * * *", "not a cron expression"),
        ("61 * * * *", "not a cron expression"),
        ("@sometimes", "unknown macro"),
        ("@every", "not a duration"),
        ("@every 5 minutes", "not a duration"),
        ("@every 100ms", "at least 1s"),
        ("CRON_TZ=Europe/Berlin 0 9 * * *", "spec.timeZone"),
        ("TZ=UTC 0 9 * * *", "spec.timeZone"),
    ],
)
def test_bad_schedules_are_refused_with_a_message_that_helps(text, says):
    with pytest.raises(ValueError, match=says):
        parse_schedule(text)


def test_zones():
    assert zone_named(None) is UTC
    assert zone_named("Europe/Berlin") == BERLIN
    with pytest.raises(ValueError, match="IANA name"):
        zone_named("Mars/Olympus_Mons")

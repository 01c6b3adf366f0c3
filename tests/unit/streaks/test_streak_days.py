"""Day boundaries: the home zone, the day start, DST in both directions, 23:59 and 00:01,
and travel across the date line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.streaks import day_of, day_start_instant, handled_per_day
from tests.unit.streaks.history_kit import (
    BERLIN,
    FOUR,
    HONOLULU,
    MIDNIGHT,
    NEW_YORK,
    SANTIAGO,
    TOKYO,
    UTC_ZONE,
    handled,
    local,
    streak_of,
)

HALF_TWO = time(2, 30)


def utc(text: str) -> datetime:
    """An ISO instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ----------------------------------------------------------------------------- day_of
@pytest.mark.parametrize(
    ("case", "zone", "start", "instant", "expected"),
    [
        # plain boundaries
        ("04:00 day start, 03:59", UTC_ZONE, FOUR, "2026-11-21T03:59", "2026-11-20"),
        ("04:00 day start, 04:00", UTC_ZONE, FOUR, "2026-11-21T04:00", "2026-11-21"),
        ("04:00 day start, 01:30", UTC_ZONE, FOUR, "2026-11-21T01:30", "2026-11-20"),
        ("midnight, 23:59", UTC_ZONE, MIDNIGHT, "2026-11-20T23:59", "2026-11-20"),
        ("midnight, 00:01", UTC_ZONE, MIDNIGHT, "2026-11-21T00:01", "2026-11-21"),
        ("04:00, 23:59", UTC_ZONE, FOUR, "2026-11-20T23:59", "2026-11-20"),
        ("04:00, 00:01", UTC_ZONE, FOUR, "2026-11-21T00:01", "2026-11-20"),
        ("home zone east of UTC", BERLIN, MIDNIGHT, "2026-11-20T23:30", "2026-11-21"),
        ("home zone west of UTC", NEW_YORK, FOUR, "2026-11-21T08:30", "2026-11-20"),
        # Berlin springs forward 2026-03-29 at 02:00 CET (01:00 UTC) to 03:00 CEST
        ("spring, 04:00 start, 03:30 CEST", BERLIN, FOUR, "2026-03-29T01:30", "2026-03-28"),
        ("spring, 04:00 start, 04:00 CEST", BERLIN, FOUR, "2026-03-29T02:00", "2026-03-29"),
        ("spring, start in the gap, before", BERLIN, HALF_TWO, "2026-03-29T00:59", "2026-03-28"),
        ("spring, start in the gap, jump", BERLIN, HALF_TWO, "2026-03-29T01:00", "2026-03-29"),
        ("spring, start in the gap, after", BERLIN, HALF_TWO, "2026-03-29T01:20", "2026-03-29"),
        # Berlin falls back 2026-10-25 at 03:00 CEST (01:00 UTC) to 02:00 CET
        ("autumn, 04:00 start, 03:30 CET", BERLIN, FOUR, "2026-10-25T02:30", "2026-10-24"),
        ("autumn, 04:00 start, 04:00 CET", BERLIN, FOUR, "2026-10-25T03:00", "2026-10-25"),
        ("autumn, 02:30 twice, before 1st", BERLIN, HALF_TWO, "2026-10-25T00:29", "2026-10-24"),
        ("autumn, 02:30 twice, the 1st", BERLIN, HALF_TWO, "2026-10-25T00:30", "2026-10-25"),
        ("autumn, 02:15 the 2nd time", BERLIN, HALF_TWO, "2026-10-25T01:15", "2026-10-25"),
        ("autumn, 02:45 the 2nd time", BERLIN, HALF_TWO, "2026-10-25T01:45", "2026-10-25"),
        # New York falls back 2026-11-01 at 02:00 EDT (06:00 UTC): 01:30 happens twice
        ("NY autumn, 01:30 EDT", NEW_YORK, FOUR, "2026-11-01T05:30", "2026-10-31"),
        ("NY autumn, 01:30 EST", NEW_YORK, FOUR, "2026-11-01T06:30", "2026-10-31"),
        ("NY autumn, 04:00 EST", NEW_YORK, FOUR, "2026-11-01T09:00", "2026-11-01"),
        # Santiago: midnight does not exist on 2026-09-06 (00:00 -> 01:00) ...
        ("Santiago, 23:59 before the gap", SANTIAGO, MIDNIGHT, "2026-09-06T03:59", "2026-09-05"),
        ("Santiago, 01:00 after the gap", SANTIAGO, MIDNIGHT, "2026-09-06T04:00", "2026-09-06"),
        # ... and 23:00-24:00 happens twice on 2026-04-04 (a 25-hour day)
        ("Santiago, 23:30 the 2nd time", SANTIAGO, MIDNIGHT, "2026-04-05T03:30", "2026-04-04"),
        ("Santiago, 00:00 after the repeat", SANTIAGO, MIDNIGHT, "2026-04-05T04:00", "2026-04-05"),
    ],
)
def test_the_day_of_an_instant(case, zone, start, instant, expected):
    assert day_of(utc(instant), zone, start) == date.fromisoformat(expected), case


@pytest.mark.parametrize(
    ("zone", "start", "day", "expected_utc"),
    [
        (BERLIN, FOUR, "2026-11-21", "2026-11-21T03:00"),
        (BERLIN, FOUR, "2026-07-01", "2026-07-01T02:00"),
        (BERLIN, HALF_TWO, "2026-03-29", "2026-03-29T01:00"),  # in the gap: when clocks jump
        (BERLIN, HALF_TWO, "2026-10-25", "2026-10-25T00:30"),  # twice: the first time
        (SANTIAGO, MIDNIGHT, "2026-09-06", "2026-09-06T04:00"),
        (SANTIAGO, MIDNIGHT, "2026-04-05", "2026-04-05T04:00"),
    ],
)
def test_the_instant_a_day_begins(zone, start, day, expected_utc):
    assert day_start_instant(date.fromisoformat(day), zone, start) == utc(expected_utc)


@pytest.mark.parametrize(
    ("zone", "start", "day", "hours"),
    [
        (BERLIN, FOUR, "2026-03-28", 23),  # spring forward inside the day
        (BERLIN, FOUR, "2026-10-24", 25),  # fall back inside the day
        (BERLIN, HALF_TWO, "2026-03-28", 23.5),  # it ends when the clocks jump
        (BERLIN, HALF_TWO, "2026-10-25", 25),
        (NEW_YORK, FOUR, "2026-11-01", 24),
        (SANTIAGO, MIDNIGHT, "2026-04-04", 25),
    ],
)
def test_days_are_as_long_as_the_clocks_say(zone, start, day, hours):
    first = date.fromisoformat(day)
    length = day_start_instant(first + timedelta(days=1), zone, start) - day_start_instant(
        first, zone, start
    )
    assert length == timedelta(hours=hours)


ZONES = [BERLIN, NEW_YORK, SANTIAGO, TOKYO, HONOLULU, ZoneInfo("Australia/Lord_Howe")]


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
    start=st.sampled_from([MIDNIGHT, time(0, 30), time(1, 0), time(2, 0), HALF_TWO, FOUR]),
)
def test_every_instant_lies_in_its_day_and_days_never_go_backwards(instant, zone, start):
    day = day_of(instant, zone, start)
    assert day_start_instant(day, zone, start) <= instant
    assert instant < day_start_instant(day + timedelta(days=1), zone, start)
    later = instant + timedelta(minutes=37)
    assert day_of(later, zone, start) >= day


# ----------------------------------------------------------------------------- 23:59 and 00:01
@pytest.mark.parametrize(
    ("start", "days", "current"),
    [
        (MIDNIGHT, ["2026-11-20", "2026-11-21"], 2),  # two days with a midnight day start
        (FOUR, ["2026-11-20"], 1),  # one day with a 04:00 day start
    ],
)
def test_a_question_at_23_59_and_another_at_00_01(start, days, current):
    actions = [
        handled(local(date(2026, 11, 20), 23, 59)),
        handled(local(date(2026, 11, 21), 0, 1)),
    ]
    now = local(date(2026, 11, 21), 0, 30)
    streak = streak_of(actions, now, day_start=start)
    assert sorted(streak.calendar) == [date.fromisoformat(d) for d in days]
    assert streak.current == streak.total_days == current


# ----------------------------------------------------------------------------- the date line
def test_travel_across_the_date_line_never_breaks_nor_double_counts():
    """Home is Berlin (04:00): a leader in Tokyo, then Honolulu (living Tuesday twice),
    then back to Tokyo (skipping Saturday) counts consecutive Berlin days."""
    where_and_when = [
        (TOKYO, datetime(2026, 11, 16, 20, 0)),  # Mon 12:00 in Berlin
        (TOKYO, datetime(2026, 11, 17, 20, 0)),  # Tue 12:00 in Berlin
        (HONOLULU, datetime(2026, 11, 17, 9, 0)),  # Tuesday again locally: Tue 20:00 Berlin
        (HONOLULU, datetime(2026, 11, 18, 9, 0)),  # Wed
        (HONOLULU, datetime(2026, 11, 19, 9, 0)),  # Thu
        (HONOLULU, datetime(2026, 11, 20, 8, 0)),  # Fri 19:00 Berlin
        (TOKYO, datetime(2026, 11, 22, 7, 0)),  # Sunday in Tokyo, Saturday 23:00 in Berlin
    ]
    actions = [handled(wall.replace(tzinfo=zone).astimezone(UTC)) for zone, wall in where_and_when]
    now = datetime(2026, 11, 22, 9, 0, tzinfo=TOKYO).astimezone(UTC)  # Sat 01:00 Berlin
    streak = streak_of(actions, now, zone=BERLIN)
    expected = {date(2026, 11, d): 1 for d in (16, 18, 19, 20, 21)} | {date(2026, 11, 17): 2}
    assert streak.calendar == expected
    assert streak.current == streak.longest == streak.total_days == 6
    assert streak.today == date(2026, 11, 21) and streak.today_counts


def test_counting_in_the_home_zone_not_in_utc():
    evening = [datetime(2026, 11, 20, h, 30, tzinfo=UTC) for h in (20, 21, 22, 23)]
    actions = [handled(at) for at in evening]
    assert len(handled_per_day(actions, UTC_ZONE, MIDNIGHT)) == 1
    assert set(handled_per_day(actions, TOKYO, FOUR)) == {date(2026, 11, 21)}
    assert set(handled_per_day(actions, BERLIN, MIDNIGHT)) == {
        date(2026, 11, 20),
        date(2026, 11, 21),
    }

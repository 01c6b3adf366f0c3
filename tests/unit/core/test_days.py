"""The leader's day: home time zone plus day_start, the same answer everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from cxdaily.core.days import LeaderDays, day_of, day_start_instant, today_start
from cxdaily.settings import SessionSettings

BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")
FOUR = time(4, 0)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "berlin", "in_utc"),
    [
        # 02:30 UTC is 03:30 in Berlin (winter): before 04:00 in both, still the 20th.
        ("2026-11-21T02:30:00", date(2026, 11, 20), date(2026, 11, 20)),
        # 03:30 UTC is 04:30 in Berlin: a new day there, not yet in UTC.
        ("2026-11-21T03:30:00", date(2026, 11, 21), date(2026, 11, 20)),
        # 04:00 UTC: the new day everywhere.
        ("2026-11-21T04:00:00", date(2026, 11, 21), date(2026, 11, 21)),
        # 23:30 UTC is 00:30 in Berlin the next calendar day, but before its day_start.
        ("2026-11-21T23:30:00", date(2026, 11, 21), date(2026, 11, 21)),
    ],
)
def test_today_around_day_start_in_berlin_and_utc(instant, berlin, in_utc):
    now = utc(instant)
    assert LeaderDays(BERLIN, FOUR).today(now) == berlin
    assert LeaderDays(UTC_ZONE, FOUR).today(now) == in_utc


def test_a_midnight_day_start_is_the_calendar_date():
    now = utc("2026-11-21T23:30:00")
    assert LeaderDays(BERLIN, time(0, 0)).today(now) == date(2026, 11, 22)
    assert LeaderDays(UTC_ZONE, time(0, 0)).today(now) == date(2026, 11, 21)


def test_the_day_begins_at_day_start_in_the_home_zone():
    days = LeaderDays(BERLIN, FOUR)
    begins = utc("2026-11-21T03:00:00")  # 04:00 in Berlin
    assert days.start_of(date(2026, 11, 21)) == begins
    assert days.today_start(utc("2026-11-21T15:00:00")) == begins
    assert days.today_start(utc("2026-11-22T02:59:59")) == begins
    assert today_start(utc("2026-11-21T15:00:00"), BERLIN, FOUR) == begins


def test_a_day_start_in_the_dst_gap_begins_when_the_clocks_jump():
    # 29 March 2026: Berlin jumps from 02:00 to 03:00; a 02:30 day start does not exist.
    begins = day_start_instant(date(2026, 3, 29), BERLIN, time(2, 30))
    assert begins == utc("2026-03-29T01:00:00")
    assert day_of(begins, BERLIN, time(2, 30)) == date(2026, 3, 29)


def test_the_settings_give_the_leaders_days():
    session = SessionSettings(timezone="Europe/Berlin", day_start=time(5, 0))
    assert session.days == LeaderDays(BERLIN, time(5, 0))
    assert session.days.today(utc("2026-11-21T03:30:00")) == date(2026, 11, 20)  # 04:30
    assert session.days.day_of(utc("2026-11-21T04:00:00")) == date(2026, 11, 21)  # 05:00

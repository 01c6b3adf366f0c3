"""Streaks: days counted in the home zone from the day start; a handled question counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cxdaily.core.models import Action, Disposition
from cxdaily.streaks import compute_streak, day_of, day_start_instant, handled_per_day

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
FOUR = time(4, 0)
MIDNIGHT = time(0, 0)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # Saturday


def _at(day: date, hour: int = 10, minute: int = 0, zone: ZoneInfo = UTC_ZONE) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def _handled(*instants: datetime, disposition=Disposition.ANSWERED) -> list[Action]:
    return [Action(f"acme:{n}", disposition, at) for n, at in enumerate(instants)]


def _days_back(n: int) -> date:
    return NOW.date() - timedelta(days=n)


# ----------------------------------------------------------------------------- what counts
@pytest.mark.parametrize(
    "disposition", [Disposition.ANSWERED, Disposition.TAGGED, Disposition.HANDED_OFF]
)
def test_one_handled_question_makes_the_day_count(disposition):
    streak = compute_streak(_handled(_at(NOW.date()), disposition=disposition), NOW, UTC_ZONE, FOUR)
    assert streak.today_counts
    assert streak.current == streak.longest == streak.total_days == 1
    assert streak.handled_today == 1


@pytest.mark.parametrize("disposition", [Disposition.SKIPPED, Disposition.SNOOZED])
def test_skipping_or_snoozing_does_not_count(disposition):
    actions = _handled(*(_at(_days_back(n)) for n in range(3)), disposition=disposition)
    streak = compute_streak(actions, NOW, UTC_ZONE, FOUR)
    assert (streak.current, streak.longest, streak.total_days) == (0, 0, 0)
    assert not streak.today_counts
    assert streak.calendar == {}


def test_a_question_handled_twice_in_a_day_counts_once():
    actions = [
        Action("acme:1", Disposition.ANSWERED, _at(NOW.date(), 9)),
        Action("acme:1", Disposition.TAGGED, _at(NOW.date(), 10)),
        Action("acme:2", Disposition.HANDED_OFF, _at(NOW.date(), 11)),
    ]
    assert compute_streak(actions, NOW, UTC_ZONE, FOUR).handled_today == 2


def test_a_minimum_per_day_can_be_required():
    actions = _handled(_at(NOW.date(), 9))
    assert compute_streak(actions, NOW, UTC_ZONE, FOUR, minimum=2).current == 0
    assert compute_streak(actions * 2, NOW, UTC_ZONE, FOUR, minimum=1).current == 1


# ----------------------------------------------------------------------------- day boundaries
def test_a_day_start_at_four_puts_half_past_one_on_the_previous_day():
    assert day_of(_at(date(2026, 11, 21), 1, 30), UTC_ZONE, FOUR) == date(2026, 11, 20)
    assert day_of(_at(date(2026, 11, 21), 3, 59), UTC_ZONE, FOUR) == date(2026, 11, 20)
    assert day_of(_at(date(2026, 11, 21), 4, 0), UTC_ZONE, FOUR) == date(2026, 11, 21)
    assert day_of(_at(date(2026, 11, 21), 1, 30), UTC_ZONE, MIDNIGHT) == date(2026, 11, 21)


def test_a_late_night_session_continues_yesterdays_streak():
    friday_evening = _at(date(2026, 11, 20), 18)
    saturday_01_30 = _at(date(2026, 11, 21), 1, 30)  # still Friday for the leader
    now = _at(date(2026, 11, 21), 2, 0)
    streak = compute_streak(_handled(friday_evening, saturday_01_30), now, UTC_ZONE, FOUR)
    assert streak.calendar == {date(2026, 11, 20): 2}
    assert streak.current == 1 and streak.today_counts


def test_days_are_counted_in_the_home_time_zone():
    # 23:30 UTC on four days is 00:30 the next day in Berlin (UTC+1 in November);
    # with a 04:00 day start each of those is still the previous Berlin day.
    instants = [datetime(2026, 11, d, 23, 30, tzinfo=UTC) for d in (17, 18, 19, 20)]
    actions = _handled(*instants)
    in_utc = handled_per_day(actions, UTC_ZONE, MIDNIGHT)
    in_berlin_midnight = handled_per_day(actions, BERLIN, MIDNIGHT)
    assert sorted(in_utc) == [date(2026, 11, d) for d in (17, 18, 19, 20)]
    assert sorted(in_berlin_midnight) == [date(2026, 11, d) for d in (18, 19, 20, 21)]
    # four messages in one Berlin evening are one day, but four UTC days
    evening = [datetime(2026, 11, 20, h, 30, tzinfo=UTC) for h in (20, 21, 22, 23)]
    assert len(handled_per_day(_handled(*evening), BERLIN, FOUR)) == 1
    tokyo = ZoneInfo("Asia/Tokyo")  # 20:30-23:30 UTC is 05:30-08:30 next day in Tokyo
    assert set(handled_per_day(_handled(*evening), tokyo, FOUR)) == {date(2026, 11, 21)}


def test_day_start_instant_is_in_the_home_zone():
    start = day_start_instant(date(2026, 11, 21), BERLIN, FOUR)
    assert start == datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert day_of(start, BERLIN, FOUR) == date(2026, 11, 21)
    assert day_of(start - timedelta(seconds=1), BERLIN, FOUR) == date(2026, 11, 20)


def test_a_day_across_a_dst_change_is_one_day():
    # Berlin leaves summer time on 2026-10-25 at 03:00 local.
    actions = _handled(
        datetime(2026, 10, 25, 2, 30, tzinfo=UTC),  # 03:30 CET, before the 04:00 day start
        datetime(2026, 10, 25, 3, 30, tzinfo=UTC),  # 04:30 CET: the new day
    )
    assert sorted(handled_per_day(actions, BERLIN, FOUR)) == [
        date(2026, 10, 24),
        date(2026, 10, 25),
    ]


# ----------------------------------------------------------------------------- streak rules
def test_today_not_yet_done_keeps_yesterdays_streak():
    actions = _handled(*(_at(_days_back(n)) for n in (1, 2, 3)))
    streak = compute_streak(actions, NOW, UTC_ZONE, FOUR)
    assert streak.current == 3
    assert not streak.today_counts
    assert streak.handled_today == 0


def test_a_gap_breaks_the_streak():
    actions = _handled(*(_at(_days_back(n)) for n in (2, 3, 4, 5)))  # yesterday missed
    streak = compute_streak(actions, NOW, UTC_ZONE, FOUR)
    assert streak.current == 0
    assert streak.longest == 4
    assert streak.total_days == 4


def test_current_longest_and_total():
    days = (0, 1, 2, 5, 6, 7, 8, 9, 20)
    actions = _handled(*(_at(_days_back(n)) for n in days))
    streak = compute_streak(actions, NOW, UTC_ZONE, FOUR)
    assert streak.current == 3
    assert streak.longest == 5
    assert streak.total_days == len(days)
    assert streak.calendar == {_days_back(n): 1 for n in days}


def test_actions_in_the_future_are_ignored():
    actions = _handled(
        _at(_days_back(1)),
        _at(NOW.date() + timedelta(days=1)),  # a clock that jumped
        _at(NOW.date() + timedelta(days=2)),
        _at(NOW.date() + timedelta(days=3)),
    )
    streak = compute_streak(actions, NOW, UTC_ZONE, FOUR)
    assert streak.current == 1
    assert streak.longest == 1
    assert streak.total_days == 1
    assert not streak.today_counts
    assert all(day <= NOW.date() for day in streak.calendar)


def test_no_actions_no_streak():
    streak = compute_streak([], NOW, UTC_ZONE, FOUR)
    assert (streak.current, streak.longest, streak.total_days) == (0, 0, 0)
    assert streak.calendar == {} and not streak.today_counts and streak.handled_today == 0

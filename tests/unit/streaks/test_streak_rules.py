"""The rules as data: what counts, work-days mode, rest days, pauses, freezes, and how
many days can pass before the streak breaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from msgspec.structs import replace

from cxdaily.core.models import Session
from cxdaily.streaks import days_until_break
from cxdaily.streaks.rules import Pause, StreakRules
from tests.unit.streaks.history_kit import (
    days_between,
    full_batch_session,
    handled,
    local,
    on_days,
    streak_of,
)

DEFAULT = StreakRules()
WORKDAYS = StreakRules(workdays_only=True)


def nov(*days: int) -> list[date]:
    """Days of November 2026 (the 2nd is a Monday)."""
    return [date(2026, 11, d) for d in days]


def noon(day: int):
    """Noon UTC on a day of November 2026."""
    return local(date(2026, 11, day), 12)


# ----------------------------------------------------------------------------- what counts
@pytest.mark.parametrize(
    ("rules", "handled_count", "session_minutes", "counts"),
    [
        (DEFAULT, 1, 0, True),
        (DEFAULT, 0, 45, False),  # minutes are off by default
        (StreakRules(min_handled=3), 2, 0, False),
        (StreakRules(min_handled=3), 3, 0, True),
        (StreakRules(min_minutes=15), 0, 20, True),  # either rule is enough
        (StreakRules(min_minutes=15), 0, 10, False),
        (StreakRules(min_minutes=15), 1, 0, True),
        (StreakRules(min_handled=0, min_minutes=15), 5, 0, False),
        (StreakRules(min_handled=0, min_minutes=15), 0, 15, True),
    ],
)
def test_a_day_counts_by_questions_handled_or_minutes(
    rules, handled_count, session_minutes, counts
):
    day = date(2026, 11, 20)
    start = local(day, 9)
    actions = [handled(start + timedelta(minutes=n + 1)) for n in range(handled_count)]
    sessions = []
    if session_minutes:
        sessions.append(
            Session("s", start, 1800, (), ended_at=start + timedelta(minutes=session_minutes))
        )
    streak = streak_of(actions, local(day, 18), rules, sessions=sessions)
    assert streak.today_counts is counts
    assert streak.total_days == int(counts)


def test_a_session_across_the_day_start_counts_its_minutes_once_for_the_day_it_began():
    start = local(date(2026, 11, 20), 3, 50)  # 04:00 day start: still the 19th
    session = Session("s", start, 1800, (), ended_at=start + timedelta(minutes=40))
    streak = streak_of([], noon(20), StreakRules(min_minutes=30), sessions=[session])
    assert streak.counted_days == {date(2026, 11, 19)}
    assert streak.minutes_today == 0


# ----------------------------------------------------------------------------- work days only
@pytest.mark.parametrize(
    ("rules", "days", "now", "current", "total", "today_off"),
    [
        # Mon-Fri, a weekend off, Monday again: unbroken in work-days mode only
        (WORKDAYS, nov(2, 3, 4, 5, 6, 9), noon(9), 6, 6, None),
        (DEFAULT, nov(2, 3, 4, 5, 6, 9), noon(9), 1, 6, None),
        # weekend work neither counts nor breaks
        (WORKDAYS, nov(5, 6, 7, 8, 9), noon(9), 3, 3, None),
        # on Saturday the streak of the week stands, and today is off
        (WORKDAYS, nov(2, 3, 4, 5, 6), noon(7), 5, 5, "weekend"),
        # a missed Friday breaks it even with the weekend after
        (WORKDAYS, nov(2, 3, 4, 5, 9), noon(9), 1, 5, None),
        # a weekend of Friday and Saturday
        (
            replace(WORKDAYS, weekend=frozenset({4, 5})),
            nov(4, 5, 8, 9),
            noon(9),
            4,
            4,
            None,
        ),
    ],
)
def test_work_days_mode_over_weekends(rules, days, now, current, total, today_off):
    streak = streak_of(on_days(*days), now, rules)
    assert (streak.current, streak.total_days, streak.today_off) == (current, total, today_off)
    assert set(streak.calendar) == {d for d in days if d <= streak.today}


# ----------------------------------------------------------------------------- rest days, pauses
def test_a_planned_rest_day_neither_counts_nor_breaks():
    rules = StreakRules(rest_dates=frozenset(nov(4)))
    assert streak_of(on_days(*nov(2, 3, 5)), noon(5), rules).current == 3
    worked_anyway = streak_of(on_days(*nov(2, 3, 4, 5)), noon(5), rules)
    assert (worked_anyway.current, worked_anyway.total_days) == (3, 3)
    assert worked_anyway.calendar[date(2026, 11, 4)] == 1  # still shown


def test_a_weekly_rest_day():
    rules = StreakRules(rest_weekdays=frozenset({6}))  # every Sunday
    days = [d for d in days_between(date(2026, 11, 2), date(2026, 11, 21)) if d.weekday() != 6]
    streak = streak_of(on_days(*days), noon(21), rules)
    assert streak.current == len(days) == 18


@pytest.mark.parametrize(
    ("now_day", "days", "current", "until_break"),
    [
        (21, nov(2, 3, 4, 5, 6, 7, 8, 9, 21), 9, 1),  # back after the holiday
        (15, nov(2, 3, 4, 5, 6, 7, 8, 9), 8, 6),  # during it: the 15th to the 20th may pass
        (21, nov(2, 3, 4, 5, 6, 7, 8, 9), 8, 0),  # the day after: must count
        (22, nov(2, 3, 4, 5, 6, 7, 8, 9), 0, 0),  # missed the day after: broken
    ],
)
def test_a_pause_for_holidays(now_day, days, current, until_break):
    rules = StreakRules(pauses=(Pause(date(2026, 11, 10), date(2026, 11, 20)),))
    streak = streak_of(on_days(*days), noon(now_day), rules)
    assert (streak.current, streak.days_until_break) == (current, until_break)


# ----------------------------------------------------------------------------- freezes
def _history(days: list[date], batches: list[date], skipped_batches: list[date] = ()):
    actions = on_days(*days)
    sessions = []
    for day, skip in [(d, 0) for d in batches] + [(d, 3) for d in skipped_batches]:
        session, own = full_batch_session(local(day, 8), skip=skip)
        sessions.append(session)
        actions += own
    return actions, sessions


@pytest.mark.parametrize(
    ("case", "rules", "days", "batches", "skipped", "now", "expected"),
    [
        # expected: current, longest, freezes held, frozen days
        ("spent on a missed day", DEFAULT, nov(3, 5, 6), nov(2), [], 6, (4, 4, 0, nov(4))),
        ("no freeze: broken", DEFAULT, nov(2, 3, 5, 6), [], [], 6, (2, 2, 0, [])),
        ("at most two held", DEFAULT, [], nov(2, 3, 4), [], 4, (3, 3, 2, [])),
        ("two misses, two freezes", DEFAULT, nov(6), nov(2, 3), [], 6, (3, 3, 0, nov(4, 5))),
        ("three misses", DEFAULT, nov(7), nov(2, 3), [], 7, (1, 2, 0, nov(4, 5))),
        # A batch of skips finishes the batch but the day does not count: no freeze.
        ("no freeze from a day that does not count", DEFAULT, nov(4), [], nov(2), 4, (1, 1, 0, [])),
        ("never on today", DEFAULT, [], nov(2), [], 3, (1, 1, 1, [])),
        (
            "two batches a freeze",
            StreakRules(batches_per_freeze=2),
            nov(4),
            nov(2),
            [],
            4,
            (1, 1, 0, []),
        ),
        ("freezes off", StreakRules(max_freezes=0), nov(4), nov(2), [], 4, (1, 1, 0, [])),
        ("kept over a weekend", WORKDAYS, nov(9), nov(6), [], 9, (2, 2, 1, [])),
        ("three held", StreakRules(max_freezes=3), [], nov(2, 3, 4, 5), [], 5, (4, 4, 3, [])),
    ],
)
def test_freezes_earned_by_whole_batches_and_spent_on_missed_days(
    case, rules, days, batches, skipped, now, expected
):
    actions, sessions = _history(days, batches, skipped)
    streak = streak_of(actions, noon(now), rules, sessions=sessions)
    current, longest, freezes, frozen = expected
    assert (streak.current, streak.longest, streak.freezes) == (current, longest, freezes), case
    assert streak.frozen_days == frozenset(frozen), case


def test_a_batch_with_a_question_left_earns_nothing():
    session, own = full_batch_session(local(date(2026, 11, 2), 8), planned=3)
    unfinished = replace(session, planned=(*session.planned, "acme:never-touched"))
    streak = streak_of(own + on_days(*nov(4)), noon(4), sessions=[unfinished])
    assert (streak.freezes, streak.current) == (0, 1)


def test_a_question_dealt_with_after_the_session_ended_does_not_finish_the_batch():
    session, own = full_batch_session(local(date(2026, 11, 2), 8), planned=2, minutes=5)
    late = replace(own[-1], at=session.ended_at + timedelta(minutes=1))
    streak = streak_of([own[0], late], noon(2), sessions=[session])
    assert streak.freezes == 0 and streak.freezes_earned_today == 0


def test_the_freeze_earned_today_is_reported():
    actions, sessions = _history([], nov(2))
    streak = streak_of(actions, noon(2), sessions=sessions)
    assert (streak.freezes, streak.freezes_earned_today) == (1, 1)


# ----------------------------------------------------------------------------- days until break
MON, FRI, SAT = date(2026, 11, 2), date(2026, 11, 6), date(2026, 11, 7)


@pytest.mark.parametrize(
    ("case", "today", "counts", "current", "freezes", "rules", "expected"),
    [
        ("no streak", MON, False, 0, 2, DEFAULT, 0),
        ("today must count", MON, False, 3, 0, DEFAULT, 0),
        ("today done", MON, True, 3, 0, DEFAULT, 1),
        ("one freeze", MON, False, 3, 1, DEFAULT, 1),
        ("two freezes, today done", MON, True, 3, 2, DEFAULT, 3),
        ("Friday done, weekend ahead", FRI, True, 3, 0, WORKDAYS, 3),
        ("Saturday", SAT, False, 3, 0, WORKDAYS, 2),
        ("Saturday with a freeze", SAT, False, 3, 1, WORKDAYS, 3),
        ("rest day tomorrow", MON, True, 3, 0, StreakRules(rest_dates=frozenset(nov(3))), 2),
        (
            "a long pause ahead",
            MON,
            True,
            3,
            0,
            StreakRules(pauses=(Pause(date(2026, 11, 3), date(2027, 12, 31)),)),
            365,
        ),
    ],
)
def test_days_until_the_streak_breaks(case, today, counts, current, freezes, rules, expected):
    assert days_until_break(today, counts, current, freezes, rules) == expected, case


def test_the_streak_reports_days_until_break():
    actions, sessions = _history(nov(3), nov(2))
    streak = streak_of(actions, noon(3), sessions=sessions)
    assert (streak.today_counts, streak.freezes, streak.days_until_break) == (True, 1, 2)


def test_a_batch_earns_toward_a_freeze_only_on_a_day_that_counts():
    """Skipping the one question of a two-minute batch finishes the batch but the day
    does not count for the streak, so it earns no freeze."""
    session, own = full_batch_session(local(date(2026, 11, 2), 8), planned=1, minutes=2, skip=1)
    streak = streak_of(own, noon(2), sessions=[session])
    assert streak.current == 0
    assert (streak.freezes, streak.freezes_earned_today) == (0, 0)
    answered, own = full_batch_session(local(date(2026, 11, 3), 8), planned=1, minutes=2)
    streak = streak_of(own, noon(3), sessions=[answered])
    assert streak.current == 1 and streak.freezes == 1

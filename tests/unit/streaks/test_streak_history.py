"""History that must never be corrupted or double counted: a change of home time zone,
a clock that jumps backwards, sessions across midnight or the day start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from cxdaily.core.models import Disposition, Session
from cxdaily.streaks import batch_completed_at, record_day, session_minutes
from cxdaily.streaks.rules import StreakRules
from tests.unit.streaks.history_kit import (
    FOUR,
    LOS_ANGELES,
    MIDNIGHT,
    TOKYO,
    UTC_ZONE,
    full_batch_session,
    handled,
    local,
    on_days,
    streak_of,
)


# ----------------------------------------------------------------------------- home zone change
def test_a_change_of_home_zone_never_moves_recorded_days():
    """Three mornings in Tokyo, recorded with their Tokyo days; then home becomes Los
    Angeles. The days stay as recorded, so nothing is re-bucketed or counted twice."""
    tokyo_mornings = [
        datetime(2026, 11, d, 9, 0, tzinfo=TOKYO).astimezone(UTC) for d in (18, 19, 20)
    ]
    recorded = [
        handled(at, day=record_day(at, TOKYO, FOUR)) for at in tokyo_mornings
    ]  # what the service stores
    assert [a.day for a in recorded] == [date(2026, 11, d) for d in (18, 19, 20)]
    # In Los Angeles it is still the 19th (afternoon) when the last Tokyo morning happened.
    now = datetime(2026, 11, 19, 18, 0, tzinfo=LOS_ANGELES).astimezone(UTC)
    streak = streak_of(recorded, now, zone=LOS_ANGELES)
    assert streak.today == date(2026, 11, 19)
    assert streak.calendar == {date(2026, 11, 18): 1, date(2026, 11, 19): 1}  # the 20th: not yet
    assert (streak.current, streak.today_counts) == (2, True)
    # The next Los Angeles day the leader handles a question again: the 20th counts once.
    at = datetime(2026, 11, 20, 10, 0, tzinfo=LOS_ANGELES).astimezone(UTC)
    again = [*recorded, handled(at, day=record_day(at, LOS_ANGELES, FOUR))]
    later = streak_of(again, at + timedelta(hours=1), zone=LOS_ANGELES)
    assert later.calendar == {date(2026, 11, d): n for d, n in ((18, 1), (19, 1), (20, 2))}
    assert (later.current, later.total_days) == (3, 3)


def test_without_recorded_days_history_follows_the_current_zone():
    """Older records (no stored day) are computed in the current zone: each still counts once."""
    tokyo_mornings = [
        datetime(2026, 11, d, 9, 0, tzinfo=TOKYO).astimezone(UTC) for d in (18, 19, 20)
    ]
    now = datetime(2026, 11, 20, 12, 0, tzinfo=LOS_ANGELES).astimezone(UTC)
    streak = streak_of([handled(at) for at in tokyo_mornings], now, zone=LOS_ANGELES)
    assert streak.calendar == {date(2026, 11, d): 1 for d in (17, 18, 19)}
    assert sum(streak.calendar.values()) == len(tokyo_mornings)


# ----------------------------------------------------------------------------- clock jumps
def test_a_clock_that_jumps_backwards_never_counts_the_future_nor_loses_it():
    good = on_days(date(2026, 11, 19), date(2026, 11, 20))
    ahead = handled(local(date(2026, 11, 25), 10))  # recorded while the clock ran 5 days ahead
    actions = [*good, ahead]
    now = local(date(2026, 11, 21), 12)
    streak = streak_of(actions, now)
    assert (streak.current, streak.total_days, streak.today_counts) == (2, 2, False)
    assert max(streak.calendar) == date(2026, 11, 20)
    # ... and once its day comes, it counts (the record was never dropped)
    assert date(2026, 11, 25) in streak_of(actions, local(date(2026, 11, 25), 12)).calendar


def test_a_session_that_ends_before_it_starts_lasts_zero_minutes():
    start = local(date(2026, 11, 20), 10)
    session = Session("s", start, 1800, (), ended_at=start - timedelta(hours=1))
    assert session_minutes(session, None, start + timedelta(hours=2)) == 0
    streak = streak_of(
        [], start + timedelta(hours=2), StreakRules(min_minutes=5), sessions=[session]
    )
    assert streak.total_days == 0


def test_an_unended_session_lasts_to_its_last_action_and_at_most_eight_hours():
    start = local(date(2026, 11, 20), 10)
    session = Session("s", start, 1800, ())
    assert session_minutes(session, start + timedelta(minutes=12), start + timedelta(days=1)) == 12
    assert session_minutes(session, None, start + timedelta(days=1)) == 0
    marathon = replace(session, ended_at=start + timedelta(days=2))
    assert session_minutes(marathon, None, start + timedelta(days=3)) == 8 * 60


# ----------------------------------------------------------------------------- one sitting, one day
def test_a_session_across_midnight_counts_for_the_day_it_began():
    start = local(date(2026, 11, 20), 23, 50)
    session = Session(
        "s", start, 1800, ("acme:a", "acme:b"), ended_at=start + timedelta(minutes=20)
    )
    actions = [
        handled(local(date(2026, 11, 20), 23, 59), question="acme:a", session="s"),
        handled(local(date(2026, 11, 21), 0, 1), question="acme:b", session="s"),
    ]
    streak = streak_of(
        actions, local(date(2026, 11, 21), 9), sessions=[session], day_start=MIDNIGHT
    )
    assert streak.calendar == {date(2026, 11, 20): 2}
    assert (streak.total_days, streak.current, streak.today_counts) == (1, 1, False)


def test_a_session_across_the_day_start_counts_once():
    start = local(date(2026, 11, 21), 3, 55)
    session = Session(
        "s", start, 1800, ("acme:a", "acme:b"), ended_at=start + timedelta(minutes=15)
    )
    actions = [
        handled(start + timedelta(minutes=3), question="acme:a", session="s"),
        handled(start + timedelta(minutes=10), question="acme:b", session="s"),  # 04:05
    ]
    streak = streak_of(actions, start + timedelta(hours=5), sessions=[session])
    assert streak.calendar == {date(2026, 11, 20): 2}
    assert streak.total_days == 1


def test_record_day_follows_the_session_for_twelve_hours():
    start = local(date(2026, 11, 20), 23, 50)
    assert record_day(start + timedelta(minutes=20), UTC_ZONE, MIDNIGHT, start) == date(
        2026, 11, 20
    )
    overnight = start + timedelta(hours=13)  # an app left open: later work is its own day
    assert record_day(overnight, UTC_ZONE, MIDNIGHT, start) == date(2026, 11, 21)
    assert record_day(start + timedelta(minutes=20), UTC_ZONE, MIDNIGHT) == date(2026, 11, 21)


def test_a_stored_day_wins_over_computing():
    at = local(date(2026, 11, 20), 10)
    streak = streak_of([handled(at, day=date(2026, 11, 19))], local(date(2026, 11, 20), 12))
    assert streak.calendar == {date(2026, 11, 19): 1}


def test_a_question_handled_twice_the_same_day_counts_once():
    at = local(date(2026, 11, 20), 10)
    actions = [
        handled(at, question="acme:1"),
        handled(at + timedelta(minutes=5), question="acme:1", disposition=Disposition.TAGGED),
    ]
    assert streak_of(actions, at + timedelta(hours=1)).handled_today == 1


def test_batch_completion_is_when_the_last_planned_question_was_dealt_with():
    session, own = full_batch_session(local(date(2026, 11, 20), 8), planned=3, skip=1)
    assert batch_completed_at(session, own) == own[-1].at
    assert batch_completed_at(session, own[:-1]) is None
    assert batch_completed_at(replace(session, planned=()), own) is None


# ----------------------------------------------------------------------------- against a reference
def _reference(days: set[date], off: set[date], batches: set[date], today: date, max_freezes: int):
    """Day by day from the first day with activity, the rules spelled out plainly."""
    run = longest = freezes = 0
    frozen: set[date] = set()
    start = min(days | batches, default=today)
    day = start
    while day <= today:
        if day in days and day not in off:
            run += 1
        elif day in off or day == today:
            pass
        elif run and freezes:
            freezes -= 1
            frozen.add(day)
        else:
            run = 0
        longest = max(longest, run)
        if day in batches and max_freezes and day in days and day not in off:
            freezes = min(freezes + 1, max_freezes)  # only a day that counts earns
        day += timedelta(days=1)
    return run, longest, freezes, frozen


@settings(max_examples=200, deadline=None)
@given(
    worked=st.sets(st.integers(0, 120), max_size=90),
    batches=st.sets(st.integers(0, 120), max_size=20),
    rest=st.sets(st.integers(0, 120), max_size=15),
    today_offset=st.integers(0, 125),
    max_freezes=st.integers(0, 3),
)
def test_the_streak_matches_a_plain_day_by_day_reference(
    worked, batches, rest, today_offset, max_freezes
):
    first = date(2026, 6, 1)
    days = {first + timedelta(days=n) for n in worked}
    batch_days = {first + timedelta(days=n) for n in batches}
    rest_days = {first + timedelta(days=n) for n in rest}
    today = first + timedelta(days=today_offset)
    rules = StreakRules(rest_dates=frozenset(rest_days), max_freezes=max_freezes)
    actions = on_days(*days)
    sessions = []
    for day in batch_days:
        session, own = full_batch_session(local(day, 7), skip=3)  # all skipped: no handled
        sessions.append(session)
        actions += own
    streak = streak_of(actions, local(today, 12), rules, sessions=sessions)
    run, longest, freezes, frozen = _reference(
        {d for d in days if d <= today},
        rest_days,
        {d for d in batch_days if d <= today},
        today,
        max_freezes,
    )
    assert (streak.current, streak.longest, streak.freezes) == (run, longest, freezes)
    assert streak.frozen_days == frozen
    assert streak.total_days == len({d for d in days if d <= today} - rest_days)

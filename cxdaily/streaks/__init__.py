"""Streaks: pure date arithmetic over the leader's actions and sessions, with the rules as data.

Days
    A day is counted in the home time zone and starts at ``day_start`` (04:00 by default,
    so an action at 01:30 counts for the day before). :mod:`cxdaily.core.days` decides
    which day it is (``day_of`` and ``day_start_instant`` are re-exported here). Day starts
    are real instants, so a day start inside a DST gap begins the day when the clocks jump,
    and a day start that happens twice (clocks going back) begins the day the first time: a
    later instant never belongs to an earlier day.

Which day an action counts for
    1. the ``day`` stored on the action when it was recorded (with the settings in force
       then), so changing the home time zone never moves history between days;
    2. for older records without one: the day its session began, when it happened within
       :data:`SESSION_SPAN` of that start (one sitting is one day, even across midnight
       or the day start);
    3. otherwise the day of its instant in the current home zone.
    A session's minutes and its finished batch count for the session's day.

Counting
    A day counts when :meth:`StreakRules.day_counts` says so (questions handled and/or
    minutes in sessions). Off days (weekends in work-days mode, rest days, pauses) neither
    count nor break the streak. A missed normal day spends a held freeze when there is a
    streak to protect; without one the streak ends. Today not counting yet does not break
    the streak: it is still open. Instants after ``now`` (a clock that jumped backwards)
    and days after today are ignored, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from msgspec.structs import replace

from cxdaily.core.days import day_of as day_of
from cxdaily.core.days import day_start_instant as day_start_instant
from cxdaily.core.models import HANDLED, Action, Session
from cxdaily.streaks.rules import StreakRules

#: Actions this long after a session began still count for the session's day.
SESSION_SPAN = timedelta(hours=12)
#: A session never counts for more minutes than this (an app left open overnight).
MAX_SESSION_MINUTES = 8 * 60
#: How far ahead ``days_until_break`` looks (a long pause ahead reads as this many).
BREAK_HORIZON_DAYS = 365
DEFAULT_RULES = StreakRules()
_ONE_DAY = timedelta(days=1)


# ----------------------------------------------------------------------------- days
def record_day(
    at: datetime, zone: ZoneInfo, day_start: time, session_started_at: datetime | None = None
) -> date:
    """The day an action at ``at`` counts for: its session's day when it happened within
    SESSION_SPAN of the session's start, else its own day."""
    if session_started_at is not None and timedelta(0) <= at - session_started_at <= SESSION_SPAN:
        return day_of(session_started_at, zone, day_start)
    return day_of(at, zone, day_start)


# ----------------------------------------------------------------------------- sessions
def batch_completed_at(session: Session, actions: Iterable[Action]) -> datetime | None:
    """When every planned question of ``session`` had been dealt with (handled, snoozed or
    skipped) in that session before it ended; None when the batch was not finished."""
    if not session.planned:
        return None
    planned = set(session.planned)
    session_id, ended = session.id, session.ended_at
    first: dict[str, datetime] = {}
    for action in actions:
        question_id, at = action.question_id, action.at
        if question_id not in planned or action.session_id != session_id:
            continue
        if ended is not None and at > ended:
            continue
        known = first.get(question_id)
        if known is None or at < known:
            first[question_id] = at
    if len(first) < len(planned):
        return None
    return max(first.values())


def session_minutes(session: Session, last_action_at: datetime | None, now: datetime) -> float:
    """Minutes a session lasted: to its end, or (never ended) to its last action; never
    negative (a clock that jumped back), never after ``now``, at most MAX_SESSION_MINUTES."""
    end = session.ended_at or last_action_at or session.started_at
    end = min(end, now)
    minutes = (end - session.started_at).total_seconds() / 60
    return min(max(minutes, 0.0), float(MAX_SESSION_MINUTES))


class DayActivity(msgspec.Struct):
    """What happened on one of the leader's days."""

    handled: set[str] = msgspec.field(default_factory=set)
    """Distinct questions handled (answered, tagged or handed off)."""
    minutes: float = 0.0
    """Minutes in sessions that began on this day."""
    batches: int = 0
    """Whole batches finished in sessions of this day."""

    def totals(self) -> DayTotals:
        """What the streak reads of the day: how many questions, minutes and batches."""
        return DayTotals(len(self.handled), self.minutes, self.batches)


class DayTotals(msgspec.Struct, frozen=True):
    """What the streak reads of one of the leader's days (see :class:`DayActivity`)."""

    handled: int = 0
    """Distinct questions handled."""
    minutes: float = 0.0
    """Minutes in sessions that began on this day."""
    batches: int = 0
    """Whole batches finished in sessions of this day."""


def daily_totals(activity: Mapping[date, DayActivity]) -> dict[date, DayTotals]:
    """The totals of each day of ``activity``."""
    return {day: found.totals() for day, found in activity.items()}


def daily_activity(
    actions: Iterable[Action],
    sessions: Iterable[Session],
    now: datetime,
    zone: ZoneInfo,
    day_start: time,
) -> dict[date, DayActivity]:
    """Handled questions, session minutes and finished batches per day, up to ``now``."""
    days: dict[date, DayActivity] = {}
    by_session: dict[str, list[Action]] = {}
    without_day: list[Action] = []  # older records: their day needs the sessions
    for action in actions:
        if action.at > now:
            continue  # recorded by a clock that ran ahead: not yet, never deleted
        session_id, day = action.session_id, action.day
        if session_id:
            group = by_session.get(session_id)
            if group is None:
                by_session[session_id] = [action]
            else:
                group.append(action)
        if action.disposition not in HANDLED:
            continue
        if day is None:
            without_day.append(action)
            continue
        activity = days.get(day)
        if activity is None:
            activity = days[day] = DayActivity()
        activity.handled.add(action.question_id)

    session_days: dict[str, tuple[datetime, date]] = {}
    for session in sessions:
        start = session.started_at
        if start > now:
            continue
        own = by_session.get(session.id, [])
        # The session's day: the day stored on its first action within the span, else
        # the day of its start in the current home zone.
        span_end = start + SESSION_SPAN
        last: datetime | None = None
        first_stored: tuple[datetime, date] | None = None
        for action in own:
            if last is None or action.at > last:
                last = action.at
            if (
                action.day is not None
                and start <= action.at <= span_end
                and (first_stored is None or action.at < first_stored[0])
            ):
                first_stored = (action.at, action.day)
        day = first_stored[1] if first_stored else day_of(start, zone, day_start)
        session_days[session.id] = (start, day)
        activity = days.get(day)
        if activity is None:
            activity = days[day] = DayActivity()
        activity.minutes += session_minutes(session, last, now)
        if batch_completed_at(session, own) is not None:
            activity.batches += 1

    for action in without_day:
        started = session_days.get(action.session_id or "")
        if started and timedelta(0) <= action.at - started[0] <= SESSION_SPAN:
            day = started[1]
        else:
            day = day_of(action.at, zone, day_start)
        activity = days.get(day)
        if activity is None:
            activity = days[day] = DayActivity()
        activity.handled.add(action.question_id)
    return days


def handled_per_day(
    actions: Iterable[Action],
    zone: ZoneInfo,
    day_start: time,
    sessions: Iterable[Session] = (),
    now: datetime | None = None,
) -> dict[date, int]:
    """How many distinct questions were handled on each day (days with none left out)."""
    moment = now or datetime.max.replace(tzinfo=UTC)
    activity = daily_activity(actions, sessions, moment, zone, day_start)
    return {day: len(a.handled) for day, a in sorted(activity.items()) if a.handled}


# ----------------------------------------------------------------------------- the streak
class Streak(msgspec.Struct, frozen=True):
    """The streak as of a moment, and the calendar behind it."""

    current: int
    longest: int
    total_days: int
    today_counts: bool
    handled_today: int
    calendar: dict[date, int]
    """Distinct questions handled per day, up to today (days with none left out)."""
    today: date = date.min
    freezes: int = 0
    """Freezes held now."""
    days_until_break: int = 0
    """Days that can still pass without handling before the streak ends (0: today must count)."""
    counted_days: frozenset[date] = frozenset()
    frozen_days: frozenset[date] = frozenset()
    """Missed days a freeze covered."""
    freezes_earned_today: int = 0
    minutes_today: float = 0.0
    rules: StreakRules = DEFAULT_RULES

    @property
    def today_off(self) -> str | None:
        """Why today is an off day ('weekend', 'rest day', 'pause'), or None."""
        return self.rules.off_reason(self.today)


class _Walk(msgspec.Struct):
    run: int = 0
    longest: int = 0
    freezes: int = 0
    progress: int = 0  # finished batches toward the next freeze
    earned_today: int = 0
    counted: set[date] = msgspec.field(default_factory=set)
    frozen: set[date] = msgspec.field(default_factory=set)


def _walk(activity: Mapping[date, DayTotals], today: date, rules: StreakRules) -> _Walk:
    """Go through the days from the first with activity to today, applying the rules."""
    state = _Walk()
    events = sorted(day for day in activity if day <= today)
    if not events:
        return state
    upcoming = iter(events[1:])
    next_event: date | None = next(upcoming, None)
    day = events[0]
    while day <= today:
        off = rules.is_off(day)
        found = activity.get(day)
        if found and not off and rules.day_counts(found.handled, found.minutes):
            state.run += 1
            state.counted.add(day)
        elif off or day == today:
            pass  # off days neither count nor break; today is still open
        elif state.run and state.freezes:
            state.freezes -= 1
            state.frozen.add(day)
        else:
            state.run = 0
        state.longest = max(state.longest, state.run)
        if found and found.batches and rules.max_freezes and day in state.counted:
            # A whole batch earns toward a freeze only on a day that counts for the
            # streak: skipping the one question of a two-minute batch earns nothing.
            state.progress += found.batches
            before = state.freezes
            while state.progress >= rules.batches_per_freeze:
                state.progress -= rules.batches_per_freeze
                state.freezes = min(state.freezes + 1, rules.max_freezes)
            if day == today:
                state.earned_today = state.freezes - before
        while next_event is not None and next_event <= day:
            next_event = next(upcoming, None)
        if state.run == 0:
            # Nothing to protect: jump to the next day with activity (or to today).
            day = min(next_event or today, today) if day < today else day + _ONE_DAY
        else:
            day += _ONE_DAY
    return state


def days_until_break(
    today: date, today_counts: bool, current: int, freezes: int, rules: StreakRules
) -> int:
    """How many days (today first) can pass without handling before the streak ends:
    0 when today must count; more when today already counts, or with freezes, weekends,
    rest days or a pause ahead (at most BREAK_HORIZON_DAYS)."""
    if current == 0 and not today_counts:
        return 0
    passing, cursor, left = 0, today, freezes
    while passing < BREAK_HORIZON_DAYS:
        if (cursor == today and today_counts) or rules.is_off(cursor):
            pass
        elif left:
            left -= 1
        else:
            break
        passing += 1
        cursor += _ONE_DAY
    return passing


def compute_streak(
    actions: Iterable[Action],
    now: datetime,
    zone: ZoneInfo,
    day_start: time,
    minimum: int | None = None,
    *,
    rules: StreakRules = DEFAULT_RULES,
    sessions: Iterable[Session] = (),
) -> Streak:
    """The streak as of ``now`` under ``rules`` (``minimum`` overrides ``rules.min_handled``)."""
    if minimum is not None:
        rules = replace(rules, min_handled=minimum)
    activity = daily_activity(actions, sessions, now, zone, day_start)
    return streak_of_days(daily_totals(activity), day_of(now, zone, day_start), rules)


def streak_of_days(
    days: Mapping[date, DayTotals], today: date, rules: StreakRules = DEFAULT_RULES
) -> Streak:
    """The streak on ``today`` under ``rules``, from the totals of each day with activity
    (as :func:`daily_activity` finds them; days after today are ignored)."""
    walk = _walk(days, today, rules)
    today_counts = today in walk.counted
    found_today = days.get(today)
    return Streak(
        current=walk.run,
        longest=walk.longest,
        total_days=len(walk.counted),
        today_counts=today_counts,
        handled_today=found_today.handled if found_today else 0,
        calendar={d: t.handled for d, t in sorted(days.items()) if d <= today and t.handled},
        today=today,
        freezes=walk.freezes,
        days_until_break=days_until_break(today, today_counts, walk.run, walk.freezes, rules),
        counted_days=frozenset(walk.counted),
        frozen_days=frozenset(walk.frozen),
        freezes_earned_today=walk.earned_today,
        minutes_today=found_today.minutes if found_today else 0.0,
        rules=rules,
    )

"""Streaks: pure date arithmetic over the leader's actions.

A day is counted in the home time zone and starts at ``day_start`` (04:00 by default,
so an action at 01:30 counts for the day before). A day counts toward the streak when
at least one question was handled (answered, tagged or handed off). Today not yet
counting does not break the streak: it is still open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cxdaily.models import HANDLED, Action


def day_of(instant: datetime, zone: ZoneInfo, day_start: time) -> date:
    """The leader's day an instant belongs to."""
    local = instant.astimezone(zone)
    shifted = local - timedelta(hours=day_start.hour, minutes=day_start.minute)
    return shifted.date()


def day_start_instant(day: date, zone: ZoneInfo, day_start: time) -> datetime:
    """The aware instant at which a leader's day begins."""
    return datetime.combine(day, day_start, tzinfo=zone)


@dataclass(frozen=True)
class Streak:
    """The streak as of a moment."""

    current: int
    longest: int
    total_days: int
    today_counts: bool
    handled_today: int
    calendar: dict[date, int]


def handled_per_day(actions: Iterable[Action], zone: ZoneInfo, day_start: time) -> Counter[date]:
    """How many distinct questions were handled on each day."""
    seen: set[tuple[date, str]] = set()
    for action in actions:
        if action.disposition in HANDLED:
            seen.add((day_of(action.at, zone, day_start), action.question_id))
    return Counter(day for day, _ in seen)


def compute_streak(
    actions: Iterable[Action], now: datetime, zone: ZoneInfo, day_start: time, minimum: int = 1
) -> Streak:
    """Current and longest streak, total days and the calendar, as of ``now``."""
    per_day = handled_per_day(actions, zone, day_start)
    counting = sorted(day for day, n in per_day.items() if n >= minimum)
    today = day_of(now, zone, day_start)
    counting_set = set(counting)

    longest = run = 0
    previous: date | None = None
    for day in counting:
        if day > today:
            break  # a clock that jumped back never counts days from the future
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day

    current = 0
    cursor = today if today in counting_set else today - timedelta(days=1)
    while cursor in counting_set:
        current += 1
        cursor -= timedelta(days=1)

    return Streak(
        current=current,
        longest=max(longest, current),
        total_days=sum(1 for d in counting if d <= today),
        today_counts=today in counting_set,
        handled_today=per_day.get(today, 0),
        calendar={d: n for d, n in per_day.items() if d <= today},
    )

"""Builders of session histories for the streak tests (plain functions, no fixtures).

Times are given as local wall times in a named zone and stored as aware UTC, as the store
does. Question ids are unique unless a test names them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.streaks import Streak, compute_streak
from cxdaily.streaks.rules import StreakRules

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
AUCKLAND = ZoneInfo("Pacific/Auckland")
HONOLULU = ZoneInfo("Pacific/Honolulu")
SANTIAGO = ZoneInfo("America/Santiago")
FOUR = time(4, 0)
MIDNIGHT = time(0, 0)

_ids = itertools.count(1)


def local(day: date, hour: int = 10, minute: int = 0, zone: ZoneInfo = UTC_ZONE) -> datetime:
    """A local wall time in ``zone`` as aware UTC (fold=0 for an ambiguous time)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def handled(
    at: datetime,
    *,
    question: str | None = None,
    session: str | None = None,
    day: date | None = None,
    disposition: Disposition = Disposition.ANSWERED,
) -> Action:
    """One action on a question (a fresh question unless named)."""
    return Action(
        question_id=question or f"acme:{next(_ids)}",
        disposition=disposition,
        at=at,
        session_id=session,
        day=day,
    )


def on_days(*days: date, hour: int = 10, zone: ZoneInfo = UTC_ZONE) -> list[Action]:
    """One handled question on each day, at ``hour`` local time."""
    return [handled(local(d, hour, zone=zone)) for d in days]


def full_batch_session(
    started: datetime, planned: int = 3, *, minutes: int = 20, skip: int = 0
) -> tuple[Session, list[Action]]:
    """A session whose whole batch was dealt with (``skip`` of them skipped), and its actions."""
    session_id = f"s{next(_ids)}"
    questions = tuple(f"acme:{next(_ids)}" for _ in range(planned))
    actions = [
        handled(
            started + timedelta(minutes=1 + n),
            question=q,
            session=session_id,
            disposition=Disposition.SKIPPED if n < skip else Disposition.ANSWERED,
        )
        for n, q in enumerate(questions)
    ]
    session = Session(
        id=session_id,
        started_at=started,
        budget_s=1800,
        planned=questions,
        ended_at=started + timedelta(minutes=minutes),
    )
    return session, actions


def streak_of(
    actions: list[Action],
    now: datetime,
    rules: StreakRules | None = None,
    *,
    sessions: list[Session] = (),
    zone: ZoneInfo = UTC_ZONE,
    day_start: time = FOUR,
) -> Streak:
    """The streak under ``rules`` (defaults) in ``zone`` from ``day_start``."""
    return compute_streak(
        actions, now, zone, day_start, rules=rules or StreakRules(), sessions=sessions
    )


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]

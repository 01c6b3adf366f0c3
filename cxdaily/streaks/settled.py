"""Settled days: the totals of the days no later record can change, so that the streak
folds only recent records however long the history.

The cut
    Records are split at an instant, the *cut*: actions by ``at``, sessions by
    ``started_at``. The fold of all records (:func:`~cxdaily.streaks.daily_activity`) is
    the fold of the records before the cut beside the fold of those after it, provided
    that

    1. the records before the cut count only for days before a day, the *limit*, and
       those after it only for the limit or later (a day starts at another instant in
       another home zone, and actions keep the day of the zone they were recorded in);
    2. no action after the cut belongs to a session before it that it could still change
       (an *open* session: never ended, ended after the cut, or begun within
       :data:`~cxdaily.streaks.SESSION_SPAN` of it): a session's minutes, finished batch
       and day depend on its actions;
    3. no action before the cut belongs to a session after it (only a clock set back
       makes one).

    :func:`settle` checks all three on the records it splits and keeps, besides the
    totals of the days before the limit, the open sessions and the sessions that the
    settled actions name but that are not settled, so that :func:`recent_activity` can
    check them again on the records that come later. The fold of the records before the
    cut never depends on ``now`` once it is a day past the cut: every settled instant is
    before it, and a session's minutes stop at ``now`` only within their 8-hour cap.

Where to cut
    :func:`settle_before` cuts in a quiet stretch (no action, no session beginning or
    ending) before a month start, by SESSION_SPAN and two days at least (so that records
    of that month count for the limit or later, whatever zone they are recorded in): the
    nights between sittings, which separate the days in any zone the leader recorded
    them in. The longest stretches of the week before are tried, the latest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from cxdaily.core.models import Action, Session
from cxdaily.streaks import SESSION_SPAN, DayActivity, DayTotals, daily_activity, daily_totals

#: How far before a month start a cut is at least (see the module docstring).
CUT_MARGIN = SESSION_SPAN + timedelta(days=2)
#: How long before that the quiet stretches tried as cuts may be.
CUT_WINDOW = timedelta(days=7)
#: How many quiet stretches :func:`settle_before` tries (the longest ones).
CUT_TRIES = 6
_ONE_DAY = timedelta(days=1)


class SettledDays(msgspec.Struct, frozen=True):
    """The totals of the days before ``limit``, from every record before ``cut``."""

    cut: datetime
    """Records before this instant (actions by ``at``, sessions by ``started_at``) are settled."""
    limit: date
    """The first day not settled: every settled day is before it, and every later record
    counts for it or a later day."""
    days: Mapping[date, DayTotals] = msgspec.field(default_factory=dict)
    """The totals of each settled day with activity."""
    open_sessions: frozenset[str] = frozenset()
    """Settled sessions a later action would still change."""
    outside_sessions: frozenset[str] = frozenset()
    """Sessions that settled actions name but that are not settled."""


#: Nothing settled yet: every record is after the cut.
NOTHING_SETTLED = SettledDays(datetime.min.replace(tzinfo=UTC), date.min)


def recent_activity(
    settled: SettledDays,
    actions: Iterable[Action],
    sessions: Iterable[Session],
    now: datetime,
    zone: ZoneInfo,
    day_start: time,
) -> dict[date, DayActivity] | None:
    """The activity of the records after ``settled.cut`` (all of them, and only them), or
    ``None`` when they reach into the settled days: then only a fold of every record
    gives the days."""
    actions, sessions = list(actions), list(sessions)
    if settled.open_sessions and any(a.session_id in settled.open_sessions for a in actions):
        return None
    if settled.outside_sessions and any(s.id in settled.outside_sessions for s in sessions):
        return None
    activity = daily_activity(actions, sessions, now, zone, day_start)
    if activity and min(activity) < settled.limit:
        return None
    return activity


def settle(
    settled: SettledDays,
    actions: Iterable[Action],
    sessions: Iterable[Session],
    now: datetime,
    zone: ZoneInfo,
    day_start: time,
    cut: datetime,
) -> tuple[SettledDays, dict[date, DayActivity]] | None:
    """Settle the records before ``cut`` (a later one than ``settled.cut``), given the
    records after ``settled.cut`` (all of them): the new settled days, and the activity
    of the records after the new cut; ``None`` when the records cannot be split there."""
    if cut <= settled.cut or now - cut < _ONE_DAY:
        return None
    before_actions: list[Action] = []
    after_actions: list[Action] = []
    for action in actions:
        (before_actions if action.at < cut else after_actions).append(action)
    before_sessions: list[Session] = []
    after_sessions: list[Session] = []
    for session in sessions:
        (before_sessions if session.started_at < cut else after_sessions).append(session)
    early = recent_activity(settled, before_actions, before_sessions, now, zone, day_start)
    if early is None or (early and max(early) == date.max):
        return None
    named = {a.session_id for a in before_actions if a.session_id}
    newer = SettledDays(
        cut=cut,
        limit=max(early) + _ONE_DAY if early else settled.limit,
        days={**settled.days, **daily_totals(early)},
        open_sessions=settled.open_sessions | {s.id for s in before_sessions if _open(s, cut)},
        outside_sessions=settled.outside_sessions | (named - {s.id for s in before_sessions}),
    )
    late = recent_activity(newer, after_actions, after_sessions, now, zone, day_start)
    return None if late is None else (newer, late)


def settle_before(
    month_start: datetime,
    settled: SettledDays,
    actions: Iterable[Action],
    sessions: Iterable[Session],
    now: datetime,
    zone: ZoneInfo,
    day_start: time,
) -> tuple[SettledDays, dict[date, DayActivity]] | None:
    """:func:`settle` at the middle of the latest quiet stretch where the records split,
    among the :data:`CUT_TRIES` longest in the :data:`CUT_WINDOW` that ends
    :data:`CUT_MARGIN` before ``month_start``."""
    actions, sessions = list(actions), list(sessions)
    last = month_start - CUT_MARGIN
    first = max(last - CUT_WINDOW, settled.cut)
    moments = {a.at for a in actions}
    moments.update(s.started_at for s in sessions)
    moments.update(s.ended_at for s in sessions if s.ended_at is not None)
    bounds = sorted({first, last, *(m for m in moments if first < m < last)})
    quiet = sorted(pairwise(bounds), key=lambda q: q[1] - q[0])
    for start, end in sorted(quiet[-CUT_TRIES:], reverse=True):
        cut = start + (end - start) / 2
        found = settle(settled, actions, sessions, now, zone, day_start, cut)
        if found is not None:
            return found
    return None


def joined(settled: SettledDays, recent: Mapping[date, DayActivity]) -> dict[date, DayTotals]:
    """The totals of every day: the settled ones and those of ``recent`` (the activity
    :func:`recent_activity` or :func:`settle` gave)."""
    return {**settled.days, **daily_totals(recent)}


def _open(session: Session, cut: datetime) -> bool:
    """Whether an action after ``cut`` would change what ``session`` counts for."""
    ended = session.ended_at
    return ended is None or ended >= cut or session.started_at + SESSION_SPAN >= cut


# ----------------------------------------------------------------------------- kept form
def settled_to_document(settled: SettledDays) -> dict[str, Any]:
    """The plain form of settled days (dates and instants in ISO 8601)."""
    return {
        "cut": settled.cut.isoformat(),
        "limit": settled.limit.isoformat(),
        "days": [
            [day.isoformat(), t.handled, t.minutes, t.batches]
            for day, t in sorted(settled.days.items())
        ],
        "open_sessions": sorted(settled.open_sessions),
        "outside_sessions": sorted(settled.outside_sessions),
    }


def settled_from_document(doc: object) -> SettledDays | None:
    """Settled days from their plain form, or ``None`` when it is not one."""
    try:
        if not isinstance(doc, dict):
            return None
        cut = datetime.fromisoformat(doc["cut"])
        limit = date.fromisoformat(doc["limit"])
        days = {_day(row[0]): _totals(row[1:]) for row in doc["days"]}
        open_sessions = _names(doc["open_sessions"])
        outside_sessions = _names(doc["outside_sessions"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if cut.tzinfo is None or any(day >= limit for day in days):
        return None
    return SettledDays(cut.astimezone(UTC), limit, days, open_sessions, outside_sessions)


def _day(value: object) -> date:
    if not isinstance(value, str):
        raise TypeError("a day is written as text")
    return date.fromisoformat(value)


def _totals(values: list[Any]) -> DayTotals:
    handled, minutes, batches = values
    if not (_whole(handled) and _whole(batches) and isinstance(minutes, int | float)):
        raise TypeError("day totals are numbers")
    if isinstance(minutes, bool) or not 0 <= minutes < float("inf"):
        raise ValueError("minutes are finite and never negative")
    return DayTotals(handled, float(minutes), batches)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _names(values: object) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("session ids are a list of text")
    return frozenset(values)

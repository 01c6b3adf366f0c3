"""Personal stats: pure figures over the session history, as of ``now``.

Rates are per week over a recent window (12 weeks by default), or over the time since
the first recorded activity when that is shorter (but never less than one week, so a
first session does not read as seven a week).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from statistics import median

import msgspec

from cxdaily.core.models import HANDLED, Action, Disposition, Session
from cxdaily.streaks import session_minutes

DEFAULT_WEEKS = 12


class PersonalStats(msgspec.Struct, frozen=True):
    """How the leader's recent sessions went."""

    weeks: float
    """The length of the window the rates are over, in weeks."""
    sessions: int
    """Sessions started in the window."""
    sessions_per_week: float
    median_minutes: float | None
    """Median length of a session in the window (None without a session)."""
    answered: int
    """Distinct questions answered in the window."""
    handled: int
    """Distinct questions handled (answered, tagged or handed off) in the window."""
    insights: int
    insights_per_week: float
    seconds_per_question: float | None
    """Session time per question handled in a session (None without one)."""

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form (for ``--json``)."""
        return {
            "weeks": round(self.weeks, 2),
            "sessions": self.sessions,
            "sessions_per_week": round(self.sessions_per_week, 2),
            "median_minutes": None
            if self.median_minutes is None
            else round(self.median_minutes, 1),
            "answered": self.answered,
            "handled": self.handled,
            "insights": self.insights,
            "insights_per_week": round(self.insights_per_week, 2),
            "seconds_per_question": None
            if self.seconds_per_question is None
            else round(self.seconds_per_question),
        }


def compute_stats(
    sessions: Iterable[Session],
    actions: Iterable[Action],
    insight_times: Iterable[datetime],
    now: datetime,
    *,
    weeks: int = DEFAULT_WEEKS,
) -> PersonalStats:
    """Sessions a week, median minutes, questions answered, insights a week and time per
    question over the last ``weeks`` weeks (instants after ``now`` are ignored)."""
    window_start = now - timedelta(weeks=weeks)
    all_sessions = [s for s in sessions if s.started_at <= now]
    all_actions = [a for a in actions if a.at <= now]
    insight_list = [t for t in insight_times if t <= now]
    firsts = [min(s.started_at for s in all_sessions)] if all_sessions else []
    firsts += [min(a.at for a in all_actions)] if all_actions else []
    firsts += [min(insight_list)] if insight_list else []
    since = max(window_start, min(firsts)) if firsts else window_start
    span_weeks = max((now - since) / timedelta(weeks=1), 1.0)

    recent_sessions = [s for s in all_sessions if s.started_at >= window_start]
    recent_actions = [a for a in all_actions if a.at >= window_start]
    by_session: dict[str, list[Action]] = {}
    for action in all_actions:
        if action.session_id:
            by_session.setdefault(action.session_id, []).append(action)

    lengths: list[float] = []
    in_sessions: set[tuple[str, str]] = set()  # (session, question)
    for session in recent_sessions:
        own = by_session.get(session.id, [])
        last = max((a.at for a in own), default=None)
        if session.ended_at is None and last is None:
            continue  # never ended and nothing done: its length is unknown
        lengths.append(session_minutes(session, last, now))
        in_sessions |= {(session.id, a.question_id) for a in own if a.disposition in HANDLED}

    answered = {a.question_id for a in recent_actions if a.disposition is Disposition.ANSWERED}
    handled = {a.question_id for a in recent_actions if a.disposition in HANDLED}
    insights = sum(1 for t in insight_list if t >= window_start)
    handled_in_sessions = len(in_sessions)
    return PersonalStats(
        weeks=span_weeks,
        sessions=len(recent_sessions),
        sessions_per_week=len(recent_sessions) / span_weeks,
        median_minutes=median(lengths) if lengths else None,
        answered=len(answered),
        handled=len(handled),
        insights=insights,
        insights_per_week=insights / span_weeks,
        seconds_per_question=(sum(lengths) * 60 / handled_in_sessions)
        if handled_in_sessions and lengths
        else None,
    )


def format_seconds(seconds: float | None) -> str:
    """'1m40s', '45s', '12m' (or '-' for None)."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if not minutes:
        return f"{secs}s"
    return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"

"""Reading stored questions and recording what the leader did with them.

:class:`ActionLog` is shared by the daily work (skip, snooze, tag, hand off) and the
replies (a queued reply records "answered"): each action is stamped with the leader's
day it counts for, fixed when it is recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cxdaily.core.models import Action, Disposition, Question
from cxdaily.service.context import ServiceContext
from cxdaily.streaks import record_day


class ActionLog:
    """Stored questions, and the actions recorded on them."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._session_starts: dict[str, datetime] = {}  # for the day an action counts for

    def question(self, question_id: str) -> Question:
        """A stored question (a NotFoundError for an unknown id)."""
        with self._context.lock:
            return self._context.store.questions.get(question_id)

    def record(
        self,
        question_id: str,
        disposition: Disposition,
        session_id: str | None,
        *,
        action_id: str | None = None,
        **fields: Any,
    ) -> Action:
        """Record an action now (``action_id``: recording it again replaces it)."""
        self.question(question_id)  # raises NotFoundError for an unknown id
        context = self._context
        now, s = context.now(), context.settings.session
        action = Action(
            question_id=question_id,
            disposition=disposition,
            at=now,
            session_id=session_id,
            # the day it counts for, fixed now: a later change of home zone never moves it
            day=record_day(now, s.zone, s.day_start, self.session_started(session_id)),
            **fields,
        )
        with context.lock:
            context.store.activity.record(action, action_id)
        return action

    def session_started(self, session_id: str | None) -> datetime | None:
        """When a session began (remembered: a session's start never changes). Only the
        session is read, never every session: years of them must not slow an action."""
        if session_id and session_id not in self._session_starts:
            with self._context.lock:
                session = self._context.store.activity.session(session_id)
            if session is not None:
                self._session_starts[session_id] = session.started_at
        return self._session_starts.get(session_id) if session_id else None

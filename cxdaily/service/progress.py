"""The leader's progress: the streak and personal stats, over every recorded action.

:class:`Progress` keeps the actions of past months once read (they never change), so the
streak shown after each action reads only this month's file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cxdaily.core.models import Action, Session
from cxdaily.service.context import ServiceContext
from cxdaily.streaks import Streak, compute_streak

if TYPE_CHECKING:  # stats load on first use, not at start-up
    from cxdaily.streaks.stats import PersonalStats


class Progress:
    """The streak and personal stats."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._past_actions: tuple[datetime, list[Action]] | None = None  # see history

    def history(self) -> tuple[list[Action], list[Session]]:
        """Every action and session. Actions before the current (UTC) month are parsed once
        and kept, so later calls read just this month's file: actions are only ever written
        by this service, into the month of ``now`` (a clock set back changes the month and
        so reads everything again)."""
        context = self._context
        month = context.now().astimezone(UTC)
        month = month.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        with context.lock:
            if self._past_actions is None or self._past_actions[0] != month:
                everything = context.store.activity.actions()
                self._past_actions = (month, [a for a in everything if a.at < month])
                recent = [a for a in everything if a.at >= month]
            else:
                recent = context.store.activity.actions(since=month)
            sessions = context.store.activity.sessions()
        return self._past_actions[1] + recent, sessions

    def streak(self) -> Streak:
        """The streak as of now, under the ``[streak]`` rules."""
        actions, sessions = self.history()
        settings = self._context.settings
        s = settings.session
        return compute_streak(
            actions,
            self._context.now(),
            s.zone,
            s.day_start,
            rules=settings.streak,
            sessions=sessions,
        )

    def stats(self, weeks: int = 12) -> PersonalStats:
        """Personal stats over the last ``weeks`` weeks (see :mod:`cxdaily.streaks.stats`)."""
        from cxdaily.streaks.stats import compute_stats

        context = self._context
        actions, sessions = self.history()
        with context.lock:
            insights = context.store.insights.between(since=context.now() - timedelta(weeks=weeks))
        return compute_stats(
            sessions, actions, [i.created_at for i in insights], context.now(), weeks=weeks
        )

"""The leader's progress: the streak and personal stats, over every recorded action.

The streak walks the totals of each day (:class:`~cxdaily.service.streak_days.StreakDays`:
the settled days kept in the data folder, and the recent records), so neither a launch
nor the streak shown after each action reads years of history. The stats read every
action: :class:`Progress` keeps the actions of past months once read (they never change).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from cxdaily.core.days import day_of
from cxdaily.core.models import Action, Session
from cxdaily.service.context import ServiceContext
from cxdaily.service.streak_days import StreakDays, month_start
from cxdaily.store.monthly import month_of
from cxdaily.streaks import Streak, streak_of_days

if TYPE_CHECKING:  # stats load on first use, not at start-up
    from cxdaily.streaks.stats import PersonalStats


class Progress:
    """The streak and personal stats."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._past_actions: tuple[object, list[Action]] | None = None  # see history
        self._days = StreakDays(context)

    def history(self) -> tuple[list[Action], list[Session]]:
        """Every action and session. Actions before the current (UTC) month are parsed once
        and kept, so later calls read just this month's file, until one of the earlier
        months' files changes (a reply recovered after a crash records its action at the
        time it was sent, which may be last month) or the month turns (a clock set back
        reads everything again)."""
        context = self._context
        month = month_start(context.now())
        with context.lock:
            files = context.store.activity.files_until(month_of(month - timedelta(days=1)))
            key = (month, None if files is None else files[0])
            if self._past_actions is None or self._past_actions[0] != key:
                everything = context.store.activity.actions()
                self._past_actions = (key, [a for a in everything if a.at < month])
                recent = [a for a in everything if a.at >= month]
            else:
                recent = context.store.activity.actions(since=month)
            sessions = context.store.activity.sessions()
        return self._past_actions[1] + recent, sessions

    def streak(self) -> Streak:
        """The streak as of now, under the ``[streak]`` rules."""
        context = self._context
        now, session = context.now(), context.settings.session
        days = self._days.totals(now, session.zone, session.day_start)
        today = day_of(now, session.zone, session.day_start)
        return streak_of_days(days, today, context.settings.streak)

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

"""The session's clock: the countdown in the header (with the streak, read again off the
UI thread when a question is handled or an action undone), the warning at 80% of the
time, the question when the time is up (wrap up, or five more minutes), and the question
when the leader wraps up early (questions open, time left: wrap up, or back to the
session).

:class:`SessionClock` is a collaborator of the session screen: the screen owns the
session and when it started; the clock reads them, redraws the timer each second, asks
its questions at most once each, and ends the session (the wrap-up, or the end recorded
when the leader leaves without it).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from msgspec.structs import replace
from textual.content import Content
from textual.widgets import Input, TextArea

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Session
from cxdaily.core.words import plural
from cxdaily.streaks import Streak
from cxdaily.ui.app import app_of
from cxdaily.ui.keys import EARLY_END_COMMANDS, TIMEUP_COMMANDS
from cxdaily.ui.messages import WrapUp
from cxdaily.ui.modals.confirm import ConfirmScreen, Part, Question
from cxdaily.ui.widgets.timer import SessionTimer

if TYPE_CHECKING:
    from cxdaily.ui.screens.session import SessionScreen

WARN_AT = 0.8
"""The share of the time after which the leader is warned (once)."""
EXTRA_S = 5 * 60
"""What "five more minutes" adds."""


def time_up_question(items_left: int) -> Question:
    """Time is up: no wraps up now, yes (or escape) takes five more minutes."""
    left = f"{plural(items_left, 'question')} left."
    return Question(
        id="timeup",
        title="Your time is up.",
        parts=(Part("timeup-text", Content(f"{left} Wrap up now, or take five more minutes?")),),
        commands=TIMEUP_COMMANDS,
        no_variant="primary",
        yes_variant="default",
    )


def end_early_question(items_left: int, left_s: float) -> Question:
    """The wrap-up key with questions open and time left: no (focused, so the key again
    or enter) wraps up, yes (escape) goes back to the session as it was."""
    left = "under a minute" if left_s < 60 else f"about {plural(round(left_s / 60), 'minute')}"
    open_now = f"{plural(items_left, 'question')} still open and {left} left."
    return Question(
        id="endearly",
        title="Wrap up early?",
        parts=(
            Part("endearly-text", Content(f"{open_now} Wrap up now, or go back to the session?")),
        ),
        commands=EARLY_END_COMMANDS,
        no_variant="primary",
        yes_variant="default",
    )


class SessionClock:
    """Redraws the session's timer and asks when the time runs short or out."""

    def __init__(self, screen: SessionScreen) -> None:
        self.screen = screen
        self.warned = False
        self.asked = False
        self.told_typing = False
        """Whether the leader was told the time is up while typing (the question waits)."""

    def _typing(self) -> bool:
        """Whether the leader is in a text field (the composer, the search field)."""
        return isinstance(self.screen.focused, Input | TextArea)

    def refresh_streak(self) -> None:
        """Recompute the streak off the UI thread (a question handled may make today
        count); the header shows it at once."""
        self.screen.run_worker(
            self._read_streak, thread=True, exclusive=True, group="streak", exit_on_error=False
        )

    def _read_streak(self) -> None:
        """In the worker: read the streak, and hand it to the UI thread."""
        try:
            streak = self.screen.service.streak()
        except CxDailyError:
            return  # the header keeps the last figure; the wrap-up reports store errors
        self.screen.app.call_from_thread(self._show_streak, streak)

    def _show_streak(self, streak: Streak) -> None:
        """Keep the streak read, and redraw the header with it."""
        app_of(self.screen).streak = streak
        self.tick()

    def tick(self) -> None:
        """Redraw the clock; warn at 80%, ask at 100%."""
        screen = self.screen
        left = screen.total_s - screen.elapsed_s
        pending = screen.pending()
        screen.query_one(SessionTimer).show(
            left,
            screen.total_s,
            len(pending),
            len(screen.items),
            sum(i.estimate_s for i in pending),
            streak.current if (streak := app_of(screen).streak) else 0,
        )
        if not self.warned and screen.elapsed_s >= screen.total_s * WARN_AT and pending:
            self.warned = True
            minutes = max(round(left / 60), 1)
            screen.notify(
                f"About {plural(minutes, 'minute')} left and "
                f"{plural(len(pending), 'question')} to go. "
                "Pick the ones that matter most.",
                title="Heads up",
            )
        if left <= 0 and not self.asked and screen.app.screen is screen:
            if self._typing():
                if not self.told_typing:  # its one-letter answers would take the text
                    self.told_typing = True
                    screen.notify(
                        "Time is up. Finish what you are writing: the wrap-up question "
                        "comes once you leave the text field.",
                        title="Time is up",
                    )
                return
            self.asked = True
            screen.app.push_screen(
                ConfirmScreen(time_up_question(len(pending))), callback=self._after_time_up
            )

    def _after_time_up(self, more: bool | None) -> None:
        """Five more minutes (from now, however long the question stayed open), or the
        wrap-up."""
        screen = self.screen
        if not more:
            self.wrap_up()
            return
        over_s = int(screen.elapsed_s) - screen.total_s
        over_s = over_s if over_s >= 30 else 0  # a few seconds to answer do not count
        extra = screen.session.extra_s + over_s + EXTRA_S
        screen.session = replace(screen.session, extra_s=extra)
        screen.service.update_session(screen.session)
        self.asked = False
        screen.notify("Five more minutes.")

    def end(self) -> None:
        """The leader asks to wrap up. With questions still open and time left, ask first
        (one stray key must not end the day's session: nothing is recorded until the
        answer); when the time is up or nothing is left, wrap up now."""
        screen = self.screen
        left = screen.total_s - screen.elapsed_s
        pending = screen.pending()
        if left <= 0 or not pending:
            self.wrap_up()
            return
        screen.app.push_screen(
            ConfirmScreen(end_early_question(len(pending), left)), callback=self._after_end_early
        )

    def _after_end_early(self, back: bool | None) -> None:
        """Wrap up; or back to the session, untouched (its clock never stopped)."""
        if back is False:
            self.wrap_up()

    def ended(self) -> Session:
        """The session as it stands, ended now."""
        session = self.screen.session
        return replace(
            session, ended_at=session.started_at + timedelta(seconds=self.screen.elapsed_s)
        )

    def record_end(self) -> None:
        """Save the end of the session (when leaving without the wrap-up)."""
        try:
            self.screen.service.update_session(self.ended())
        except CxDailyError as exc:
            self.screen.report(exc)

    def wrap_up(self) -> None:
        """End the session now and show the wrap-up (the app records the end)."""
        questions = tuple(item.question.id for item in self.screen.items)
        self.screen.post_message(WrapUp(self.ended(), questions))

"""The session's clock: the countdown in the header, the warning at 80% of the time, and
the question when the time is up (wrap up, or five more minutes).

:class:`SessionClock` is a collaborator of the session screen: the screen owns the
session and when it started; the clock reads them, redraws the timer each second and
asks its questions at most once each.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Input, TextArea

from cxdaily.core.words import plural
from cxdaily.ui.app import app_of
from cxdaily.ui.keys import TIMEUP_COMMANDS
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
            screen.action_end_session()
            return
        over_s = int(screen.elapsed_s) - screen.total_s
        over_s = over_s if over_s >= 30 else 0  # a few seconds to answer do not count
        extra = screen.session.extra_s + over_s + EXTRA_S
        screen.session = replace(screen.session, extra_s=extra)
        screen.service.update_session(screen.session)
        self.asked = False
        screen.notify("Five more minutes.")

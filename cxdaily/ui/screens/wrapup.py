"""The wrap-up: what was done, minutes used, insights captured, the streak, and one
optional line of reflection."""

from __future__ import annotations

from msgspec.structs import replace
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.words import plural
from cxdaily.service import SessionSummary
from cxdaily.streaks.words import freeze_words, until_break_words, what_counts
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import WRAPUP_COMMANDS, KeyedNode
from cxdaily.ui.widgets.key_footer import KeyFooter

LABELS = (
    ("answered", "answered", "answered"),
    ("tagged", "tagged as an insight", "tagged as insights"),
    ("handed_off", "handed off", "handed off"),
    ("snoozed", "snoozed", "snoozed"),
    ("skipped", "skipped", "skipped"),
)
"""Each count of the wrap-up: its key, and its words for one and for several."""


def minutes_words(minutes: float) -> str:
    """'under a minute', '1', '27'."""
    return "under a minute" if minutes < 1 else f"{minutes:.0f}"


def sentence(words: str) -> str:
    """'safe until tomorrow' -> 'Safe until tomorrow.'"""
    return f"{words[:1].upper()}{words[1:]}."


def _along_words(count: int) -> str:
    """' (3 of them for near-duplicates outside the session)', or '' for none."""
    if not count:
        return ""
    them = (
        "1 of them for a near-duplicate" if count == 1 else f"{count} of them for near-duplicates"
    )
    return f" ({them} outside the session)"


def summary_content(summary: SessionSummary) -> Content:
    """The wrap-up's figures."""
    counts = summary.counts
    done = [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, one, many in LABELS
        if counts.get(key)
    ]
    budget_min = (summary.session.budget_s + summary.session.extra_s) / 60
    streak = summary.streak
    streak_words = plural(streak.current, "day")
    if streak.today_counts:
        streak_note = " (today counts)"
    elif streak.today_off:
        streak_note = f" (today is a {streak.today_off})"
    else:
        streak_note = f" ({what_counts(streak)} to count today)"
    freezes = freeze_words(streak, summary.completed_batch)
    return Content.assemble(
        Content.styled("Session done.\n\n", "bold"),
        "Done: ",
        Content.styled(", ".join(done) if done else "nothing handled this time", "bold"),
        ".\n",
        f"Minutes used: {minutes_words(summary.minutes_used)} of {budget_min:.0f}.\n",
        f"Insights captured: {summary.insights}{_along_words(summary.tagged_along)}.\n",
        "Streak: ",
        Content.styled(streak_words, "$accent bold"),
        streak_note,
        f" · longest {streak.longest}.\n",
        Content.styled(f"{sentence(until_break_words(streak))}\n", "dim"),
        Content.styled(f"{sentence(freezes)}\n", "$primary") if freezes else "",
    )


REFLECTION_LABEL = "One line of reflection (optional; enter finishes):"
"""Above the reflection line: what it is and how to finish (wraps on a narrow screen)."""
REFLECTION_PROMPT = "What did customers tell you today?"
"""The reflection line's placeholder: short enough for the narrowest dialog (a
placeholder is cut, never wrapped)."""


class WrapUpScreen(KeyedNode, Screen, commands=WRAPUP_COMMANDS):
    """Shows the summary; enter (or ctrl+s) saves the reflection and leaves."""

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        """Summary and the reflection line."""
        with VerticalScroll(id="wrapup"):  # scrolls on a small terminal
            yield Static(summary_content(self.summary), id="wrapup-summary")
            yield Label(REFLECTION_LABEL, id="wrapup-reflection-label")
            yield Input(
                placeholder=REFLECTION_PROMPT,
                id="wrapup-reflection",
                compact=True,
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the reflection."""
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter finishes."""
        self.action_finish()

    def action_finish(self) -> None:
        """Save the reflection and leave the app."""
        text = self.query_one(Input).value.strip()
        if text:
            try:
                service_of(self).update_session(replace(self.summary.session, reflection=text))
            except CxDailyError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
        self.app.exit()

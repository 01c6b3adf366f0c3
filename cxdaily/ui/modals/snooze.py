"""Snooze a question until later: a few sensible choices, one highlighted and chosen."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.ui.keys import SNOOZE_COMMANDS, KeyedNode
from cxdaily.ui.widgets.key_footer import KeyFooter


def snooze_choices(now: datetime, day_begins: datetime) -> list[tuple[str, datetime]]:
    """(label, until) pairs: in 2 hours, tomorrow, in 3 days, next week."""
    tomorrow = day_begins + timedelta(days=1)
    return [
        ("In 2 hours", now + timedelta(hours=2)),
        ("Tomorrow", tomorrow),
        ("In 3 days", day_begins + timedelta(days=3)),
        ("Next week", day_begins + timedelta(days=7)),
    ]


class SnoozeScreen(KeyedNode, ModalScreen[datetime | None], commands=SNOOZE_COMMANDS):
    """Returns when the question should come back, or None when cancelled."""

    def __init__(self, now: datetime, day_begins: datetime) -> None:
        super().__init__()
        self.choices = snooze_choices(now, day_begins)

    def compose(self) -> ComposeResult:
        """The choices."""
        with Vertical(id="snooze-form"):
            yield Static(Content.styled("Snooze until…", "bold"))
            yield OptionList(
                *[Option(Content(label), id=str(i)) for i, (label, _) in enumerate(self.choices)],
                id="snooze-choices",
            )
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A choice chosen (enter or a click): return its time."""
        self.dismiss(self.choices[event.option_index][1])

    def action_choose(self) -> None:
        """Choose the highlighted choice, as a click does."""
        self.query_one("#snooze-choices", OptionList).action_select()

    def action_cancel(self) -> None:
        """Close without snoozing."""
        self.dismiss(None)

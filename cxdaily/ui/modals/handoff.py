"""Hand a question off to a team, with a note."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from cxdaily.core.models import Question
from cxdaily.core.safe_text import one_line
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import HANDOFF_COMMANDS, KeyedNode
from cxdaily.ui.text import customer_heading
from cxdaily.ui.widgets.key_footer import KeyFooter


class HandoffResult(msgspec.Struct, frozen=True):
    """Who takes it over, and what they should know."""

    team: str
    note: str


def handoff_placeholder(question: Question) -> str:
    """An example note that names this customer: 'Please call Dana back today'."""
    author = question.author
    first = one_line(author.name or "", 30).split(" ")[0] if author.name else ""
    who = first or one_line(author.handle or "", 30) or "the customer"
    return f"e.g. Please call {who} back today"


class HandoffScreen(KeyedNode, ModalScreen[HandoffResult | None], commands=HANDOFF_COMMANDS):
    """Returns the team and note, or None when cancelled."""

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """Team and note."""
        with Vertical(id="handoff-form"):
            yield Static(customer_heading("Hand off ", self.question))
            teams = service_of(self).settings.taxonomy.teams
            yield Select(
                [(Content(t), t) for t in teams],
                value="support" if "support" in teams else teams[0],
                allow_blank=False,
                id="handoff-team",
                compact=True,
            )
            yield Label("Note for the team (enter hands off)")
            yield Input(
                placeholder=handoff_placeholder(self.question), id="handoff-note", compact=True
            )
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Start in the note."""
        self.query_one("#handoff-note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the note: hand off."""
        self.action_send()

    def action_send(self) -> None:
        """Hand off to the chosen team, with the note (from the note or the team)."""
        team = self.query_one("#handoff-team", Select).value
        note = self.query_one("#handoff-note", Input).value
        self.dismiss(HandoffResult(team=str(team), note=note.strip()))

    def action_cancel(self) -> None:
        """Close without handing off."""
        self.dismiss(None)

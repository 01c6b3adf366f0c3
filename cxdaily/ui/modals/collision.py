"""Someone on the team answered since the question was loaded: show it, ask what to do."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from cxdaily.core.models import Message
from cxdaily.ui.keys import COLLISION_COMMANDS, bindings
from cxdaily.ui.text import safe, safe_line


def ago(then: datetime, now: datetime) -> str:
    """'5 min ago', '3 h ago', '2 days ago'."""
    minutes = max(int((now - then).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def answers_content(answers: list[Message], now: datetime) -> Content:
    """Each answer: who, when, and what they said."""
    blocks = []
    for answer in answers:
        blocks.append(
            Content.assemble(
                safe_line(answer.author.display, 60, "bold $accent"),
                Content.styled(f" · {ago(answer.created_at, now)}\n", "dim"),
                safe(answer.body),
            )
        )
    return Content("\n\n").join(blocks)


class CollisionScreen(ModalScreen[bool]):
    """Returns True to send the reply anyway, False to keep it as a draft."""

    BINDINGS = bindings(COLLISION_COMMANDS)
    KEY_COMMANDS = COLLISION_COMMANDS

    def __init__(self, answers: list[Message], now: datetime) -> None:
        super().__init__()
        self.answers = answers
        self.now = now

    def compose(self) -> ComposeResult:
        """Their answers and two choices."""
        count = len(self.answers)
        with Vertical(id="collision"):
            yield Static(
                Content.styled(
                    f"The team answered while you were writing ({count} "
                    f"answer{'s' if count != 1 else ''})",
                    "bold",
                ),
                id="collision-title",
            )
            with VerticalScroll(id="collision-answers"):
                yield Static(answers_content(self.answers, self.now), id="collision-text")
            with Horizontal(classes="buttons"):
                yield Button(Content("Keep as draft (n)"), id="collision-keep", compact=True)
                yield Button(
                    Content("Send mine anyway (y)"),
                    variant="warning",
                    id="collision-send",
                    compact=True,
                )

    def on_mount(self) -> None:
        """Not sending is the default."""
        self.query_one("#collision-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Decide."""
        self.dismiss(event.button.id == "collision-send")

    def action_send(self) -> None:
        """Send the reply anyway."""
        self.dismiss(True)

    def action_keep(self) -> None:
        """Keep it as a draft."""
        self.dismiss(False)

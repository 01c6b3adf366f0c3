"""Time is up: wrap up now, or take five more minutes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from cxdaily.ui.keys import TIMEUP_COMMANDS, bindings


class TimeUpScreen(ModalScreen[bool]):
    """Returns True for five more minutes, False to wrap up."""

    BINDINGS = [
        *bindings(TIMEUP_COMMANDS),
        Binding("escape", "more", "Keep going", show=False, id="timeup.escape"),
    ]

    def __init__(self, items_left: int) -> None:
        super().__init__()
        self.items_left = items_left

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        left = f"{self.items_left} question{'s' if self.items_left != 1 else ''} left."
        with Vertical(id="timeup"):
            yield Static(Content.styled("Your time is up.", "bold"))
            yield Static(Content(f"{left} Wrap up now, or take five more minutes?"))
            with Horizontal(classes="buttons"):
                yield Button(
                    Content("Wrap up (w)"), variant="primary", id="timeup-wrap", compact=True
                )
                yield Button(Content("5 more minutes (f)"), id="timeup-more", compact=True)

    def on_mount(self) -> None:
        """Focus the default choice."""
        self.query_one("#timeup-wrap", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Decide."""
        self.dismiss(event.button.id == "timeup-more")

    def action_wrap_up(self) -> None:
        """Wrap up now."""
        self.dismiss(False)

    def action_more(self) -> None:
        """Five more minutes."""
        self.dismiss(True)

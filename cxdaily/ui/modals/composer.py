"""The reply composer: type, see the length against the channel's limit, send with ctrl+s.

The draft is saved on every change (it survives a crash) and kept on escape.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from cxdaily.models import Question
from cxdaily.ui.keys import COMPOSER_COMMANDS, bindings
from cxdaily.ui.text import safe_line


class ComposerScreen(ModalScreen[str | None]):
    """Returns the reply text to send, or None when closed (the draft is kept)."""

    BINDINGS = bindings(COMPOSER_COMMANDS)
    KEY_COMMANDS = COMPOSER_COMMANDS

    def __init__(
        self, question: Question, draft: str, limit: int | None, save_draft: Callable[[str], None]
    ) -> None:
        super().__init__()
        self.question = question
        self.initial = draft
        self.limit = limit
        self.save_draft = save_draft

    def compose(self) -> ComposeResult:
        """Heading, editor, counter."""
        with Vertical(id="composer"):
            yield Static(
                Content.assemble(
                    Content.styled("Reply to ", "bold"),
                    safe_line(self.question.author.display, 40, "bold"),
                    Content.styled(f" on {self.question.channel}", "dim"),
                ),
                id="composer-heading",
            )
            yield TextArea(
                self.initial,
                id="composer-text",
                soft_wrap=True,
                show_line_numbers=False,
                tab_behavior="focus",
            )
            yield Static(id="composer-counter")

    def on_mount(self) -> None:
        """Focus the editor at the end of the draft."""
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self._update_counter()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Save the draft durably and update the counter."""
        self.save_draft(event.text_area.text)
        self._update_counter()

    def _update_counter(self) -> None:
        length = len(self.query_one(TextArea).text.strip())
        over = self.limit is not None and length > self.limit
        count = f"{length} / {self.limit}" if self.limit else f"{length} characters"
        hint = "  ctrl+s send · esc close (draft kept)"
        self.query_one("#composer-counter", Static).update(
            Content.assemble(
                Content.styled(count, "$error bold" if over else "dim"),
                Content.styled(f"  {length - self.limit} over the limit" if over else "", "$error"),
                Content.styled(hint, "dim"),
            )
        )

    def action_send(self) -> None:
        """Send, unless empty or over the channel's limit."""
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("The reply is empty.", severity="warning")
            return
        if self.limit is not None and len(text) > self.limit:
            self.notify(
                f"{len(text)} characters: {self.question.channel} accepts at most {self.limit}.",
                severity="error",
            )
            return
        self.dismiss(text)

    def action_close(self) -> None:
        """Close and keep the draft."""
        self.save_draft(self.query_one(TextArea).text)
        self.dismiss(None)

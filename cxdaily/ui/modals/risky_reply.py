"""Confirm a public reply that mentions dates, prices, refunds, promises or legal words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from cxdaily.replies.checks import ReplyReview
from cxdaily.ui.keys import RISKY_COMMANDS, bindings
from cxdaily.ui.text import safe, safe_line

SEND, EDIT = "send", "edit"


def findings_content(review: ReplyReview) -> Content:
    """One line per risky statement: its kind, the words, and why it matters."""
    lines = []
    for finding in review.distinct_findings:
        lines.append(
            Content.assemble(
                Content.styled(f"• {finding.kind.value:<8}", "bold $warning"),
                safe_line(f'"{finding.text}"', 40, "bold"),
                Content.styled(f"  {finding.advice}", "dim"),
            )
        )
    return Content("\n").join(lines)


class RiskyReplyScreen(ModalScreen[str]):
    """Returns ``"send"`` to send as written, ``"edit"`` to go back to the composer."""

    BINDINGS = bindings(RISKY_COMMANDS)
    KEY_COMMANDS = RISKY_COMMANDS

    def __init__(self, review: ReplyReview) -> None:
        super().__init__()
        self.review = review

    def compose(self) -> ComposeResult:
        """What was found, the reply, and two choices."""
        with Vertical(id="risky"):
            yield Static(
                Content.styled("Check this public reply before it goes out", "bold"),
                id="risky-title",
            )
            yield Static(findings_content(self.review), id="risky-findings")
            with VerticalScroll(id="risky-preview"):
                yield Static(safe(self.review.text), id="risky-text")
            with Horizontal(classes="buttons"):
                yield Button(Content("Edit (e)"), id="risky-edit", compact=True)
                yield Button(
                    Content("Send as written (y)"), variant="warning", id="risky-send", compact=True
                )

    def on_mount(self) -> None:
        """Editing is the default: sending needs a deliberate y."""
        self.query_one("#risky-edit", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Decide."""
        self.dismiss(SEND if event.button.id == "risky-send" else EDIT)

    def action_send(self) -> None:
        """Send as written."""
        self.dismiss(SEND)

    def action_edit(self) -> None:
        """Back to the composer."""
        self.dismiss(EDIT)

"""Help: every key, with the keys the user remapped in the config."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from cxdaily.ui.keys import ALL_GROUPS, display_keys


def help_content(keymap: dict[str, str]) -> Content:
    """A table of every command, grouped by where it works."""
    lines: list[Content] = []
    for group, commands in ALL_GROUPS:
        lines.append(Content.styled(group, "bold $accent"))
        for command in commands:
            keys = display_keys(keymap.get(command.id, command.keys))
            lines.append(Content.assemble(Content.styled(f"  {keys:<16}", "bold"), command.help))
        lines.append(Content(""))
    lines.append(
        Content.styled(
            'Remap a key in config.toml: [keys] reply = "R" (ids: '
            + ", ".join(sorted({c.id for _, group in ALL_GROUPS for c in group}))
            + ").",
            "dim",
        )
    )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Every key; escape, q or F1 closes."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close", id="help.close")]

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        """The key table."""
        with VerticalScroll(id="help"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(help_content(self.keymap))

    def action_close(self) -> None:
        """Close help."""
        self.dismiss(None)

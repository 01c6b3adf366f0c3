"""Help: every key, with the keys the user remapped in the config."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from cxdaily.ui.keys import ALL_GROUPS, COMMANDS_BY_ID, HELP_COMMANDS, KeyNames, bindings


def help_content(names: KeyNames) -> Content:
    """A table of every command, grouped by where it works."""
    lines: list[Content] = []
    for group, commands in ALL_GROUPS:
        lines.append(Content.styled(group, "bold $accent"))
        for command in commands:
            keys = names.all(command.id)
            lines.append(
                Content.assemble(Content.styled(f"  {keys + '  ':<18}", "bold"), command.help)
            )
        lines.append(Content(""))
    lines.append(
        Content.styled(
            'Remap a key in config.toml: [keys] reply = "R" (ids: '
            + ", ".join(sorted(COMMANDS_BY_ID))
            + ").",
            "dim",
        )
    )
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Every key; escape, q or F1 closes."""

    BINDINGS = bindings(HELP_COMMANDS)
    KEY_COMMANDS = HELP_COMMANDS

    def __init__(self, names: KeyNames) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        """The key table."""
        with VerticalScroll(id="help"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(help_content(self.names))

    def action_close(self) -> None:
        """Close help."""
        self.dismiss(None)

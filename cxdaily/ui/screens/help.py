"""Help: every key, with the keys the user remapped in the config, and a field to find one.

The keys are grouped by where they work, the group of the screen help was opened from
first. Typing in the find field (``/``) keeps the keys whose key, words or group hold
every word typed (any case or accent); on a wide terminal the groups flow into two
columns, so the whole table fits with little scrolling.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cxdaily.service.search import fold, search_terms
from cxdaily.ui.keys import (
    ALL_GROUPS,
    COMMANDS_BY_ID,
    HELP_COMMANDS,
    KeyCommand,
    KeyNames,
    bindings,
)

TWO_COLUMNS_FROM = 100
"""Columns of the terminal from which the groups flow into two columns."""
KEY_WIDTH = 10
"""The key column's width (longer keys push their line's words along)."""

#: (group, [(keys shown, what the command does)]) for each group shown.
Sections = list[tuple[str, list[tuple[str, str]]]]


def help_sections(names: KeyNames, query: str = "", first: tuple[KeyCommand, ...] = ()) -> Sections:
    """The groups and their keys as help lists them: ``first`` (the commands of the
    screen help was opened from) leads; with a ``query``, only the keys whose key, words
    or group hold every word of it."""
    terms = search_terms(query)
    groups = sorted(ALL_GROUPS, key=lambda group: group[1] is not first)
    sections: Sections = []
    for group, commands in groups:
        rows = []
        for command in commands:
            keys = names.all(command.id)
            words = fold(f"{group} {keys} {command.keys} {command.label} {command.help}")
            if all(term in words for term in terms):
                rows.append((keys, command.help))
        if rows:
            sections.append((group, rows))
    return sections


def section_content(group: str, rows: list[tuple[str, str]]) -> Content:
    """A group's heading and one line per key: '  r           Reply in the composer'."""
    lines = [Content.styled(group, "bold $accent")]
    for keys, words in rows:
        lines.append(
            Content.assemble(Content.styled(f"  {keys + '  ':<{KEY_WIDTH + 2}}", "bold"), words)
        )
    return Content("\n").join(lines)


def split_columns(sections: Sections, columns: int) -> list[Sections]:
    """The sections in ``columns`` runs of about the same height, in order."""
    if columns <= 1:
        return [sections]
    heights = [len(rows) + 1 for _, rows in sections]
    half = sum(heights) / 2
    running, cut = 0, len(sections)
    for index, height in enumerate(heights):
        if running + height / 2 > half:
            cut = index
            break
        running += height
    return [sections[:cut], sections[cut:]]


def help_content(sections: Sections) -> Content:
    """The sections one after another (empty when nothing matches)."""
    return Content("\n").join(section_content(group, rows) for group, rows in sections)


def remap_note() -> Content:
    """How to remap a key, with every id."""
    return Content.styled(
        'Remap a key in config.toml: [keys] reply = "R" (ids: '
        + ", ".join(sorted(COMMANDS_BY_ID))
        + ").",
        "dim",
    )


class HelpScreen(ModalScreen[None]):
    """Every key; ``/`` finds one; escape, q or F1 closes."""

    BINDINGS = bindings(HELP_COMMANDS)
    KEY_COMMANDS = HELP_COMMANDS

    def __init__(self, names: KeyNames, first: tuple[KeyCommand, ...] = ()) -> None:
        super().__init__()
        self.names = names
        self.first = first
        self.columns = 1

    def compose(self) -> ComposeResult:
        """Title, find field, the key table in one or two columns, how to remap."""
        with Vertical(id="help"):
            hint = self.names.hint("help_find", "help_close")
            yield Static(
                Content.assemble(
                    Content.styled("Keys", "bold"), Content.styled(f"  {hint}", "dim")
                ),
                id="help-title",
            )
            yield Input(placeholder="find a key: its key or words", id="help-find")
            with VerticalScroll(id="help-scroll"):
                with Horizontal(id="help-columns"):
                    yield Static(id="help-left")
                    yield Static(id="help-right")
                yield Static(remap_note(), id="help-remap")

    def on_mount(self) -> None:
        """The list has the focus (q and ? close help); ``/`` goes to the find field."""
        self.query_one("#help-scroll").focus()
        self._show()

    def on_resize(self, event: Resize) -> None:
        """Two columns on a wide terminal."""
        columns = 2 if event.size.width >= TWO_COLUMNS_FROM else 1
        if columns != self.columns:
            self.columns = columns
            self._show()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep the keys that match, as the leader types."""
        event.stop()
        self._show()

    def _show(self) -> None:
        query = self.query_one("#help-find", Input).value
        sections = help_sections(self.names, query, self.first)
        runs = split_columns(sections, self.columns)
        left = self.query_one("#help-left", Static)
        right = self.query_one("#help-right", Static)
        if not sections:
            left.update(Content.styled("No key matches.", "italic"))
        else:
            left.update(help_content(runs[0]))
        right.update(help_content(runs[1]) if len(runs) > 1 else Content(""))
        right.display = len(runs) > 1

    def action_find(self) -> None:
        """Go to the find field."""
        self.query_one("#help-find", Input).focus()

    def action_close(self) -> None:
        """Close help."""
        self.dismiss(None)

"""Help: every key, with the keys the user remapped in the config, and a field to find one.

The keys are grouped by where they work, the group of the screen help was opened from
first. On a terminal narrower than :data:`TWO_COLUMNS_FROM` that group is listed in full
(key and words) and every other group compactly, its keys and short labels on a line or
two ("Insight form: ctrl+s Save · esc Cancel"), short groups sharing a line, so the whole
of help fits in about a screen and a half at 80x24. Typing in the find field (``/``)
lists the keys whose key, id, words or group hold every word typed (any case or
accent), in full, from every group; on a wide terminal every group is listed in full,
flowing into two columns.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cxdaily.service.search import fold, search_terms
from cxdaily.ui.keys import (
    ALL_GROUPS,
    HELP_COMMANDS,
    KeyCommand,
    KeyedNode,
    KeyNames,
)
from cxdaily.ui.text import flow, hang
from cxdaily.ui.widgets.key_footer import KeyFooter

TWO_COLUMNS_FROM = 100
"""Columns of the terminal from which the groups flow into two columns."""
KEY_WIDTH = 10
"""The key column's width (longer keys push their line's words along)."""
HELP_GROUP = "Help"
"""Help's own group: its keys are in the title line, so the compact list leaves it out."""
HELP_CHROME = 7
"""Columns of the terminal the dialog's border, padding and scroll bar take."""
HELP_MAX_WIDTH = 160
"""The dialog's widest (``max-width`` in the stylesheet)."""
COLUMN_GAP = 2
"""Columns between the two columns of keys (the right one's ``margin-left``)."""
MIN_WORDS = 12
"""The fewest columns a key's words wrap to, however narrow the terminal."""

COMPACT_GAP = "  "
"""Between two compact groups that share a line."""


class HelpRow(NamedTuple):
    """One key in help."""

    keys: str
    """The keys, as the keymap names them ("j / ↓")."""
    words: str
    """What the command does, in full."""
    label: str
    """Its short label (as the footer shows it)."""
    id: str
    """The command's id (what the config's ``[keys]`` table remaps)."""


#: (group, rows) for each group shown.
Sections = list[tuple[str, list[HelpRow]]]


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
            words = fold(
                f"{group} {keys} {command.keys} {command.id} {command.label} {command.help}"
            )
            if all(term in words for term in terms):
                rows.append(HelpRow(keys, command.help, command.label, command.id))
        if rows:
            sections.append((group, rows))
    return sections


def section_content(group: str, rows: list[HelpRow], width: int = 0) -> Content:
    """A group's heading and a line per key: '  r           Reply in the composer'; words
    longer than the ``width`` cells of the column wrap under the words, never under the
    keys (0 or less, a width not known yet: no wrapping)."""
    lines = [Content.styled(group, "bold $accent")]
    for row in rows:
        keys = Content.styled(f"  {row.keys + '  ':<{KEY_WIDTH + 2}}", "bold")
        words = Content(row.words)
        if width > 0:
            lines += hang(keys, words, max(width, cell_len(keys.plain) + MIN_WORDS))
        else:
            lines.append(Content.assemble(keys, words))
    return Content("\n").join(lines)


def compact_group(group: str, rows: list[HelpRow], width: int = 0) -> Content:
    """A group on one line, 'Insight form: ctrl+s Save · esc Cancel', or on more where it
    is longer than ``width`` cells (0: never), broken between keys (see :func:`flow`)."""
    keys = [Content.assemble(Content.styled(row.keys, "bold"), f" {row.label}") for row in rows]
    lead = Content.assemble(Content.styled(f"{group}:", "$accent"), " ")
    return Content("\n").join(flow(lead, keys, width))


def compact_content(sections: Sections, width: int) -> Content:
    """Every group compactly: groups with the very same keys share one entry ("Filter,
    Export: esc Cancel"), and a short entry joins the first line with room for
    it (lines of ``width`` cells), so the groups take few lines."""
    merged: dict[tuple[tuple[str, str], ...], tuple[list[str], list[HelpRow]]] = {}
    for group, rows in sections:
        same = tuple((row.keys, row.label) for row in rows)
        merged.setdefault(same, ([], rows))[0].append(group)
    lines: list[Content] = []
    for groups, rows in merged.values():
        chunk = compact_group(", ".join(groups), rows, width)
        for index, line in enumerate(lines):
            if cell_len(line.plain + COMPACT_GAP + chunk.plain) <= width:
                lines[index] = Content.assemble(line, COMPACT_GAP, chunk)
                break
        else:
            lines.append(chunk)
    return Content("\n").join(lines)


def split_columns(sections: Sections, columns: int) -> list[Sections]:
    """The sections in ``columns`` runs, in order, cut where the taller run is lowest."""
    if columns <= 1:
        return [sections]
    heights = [len(rows) + 1 for _, rows in sections]
    cut = min(range(len(sections) + 1), key=lambda at: max(sum(heights[:at]), sum(heights[at:])))
    return [sections[:cut], sections[cut:]]


def help_content(sections: Sections, width: int = 0) -> Content:
    """The sections one after another, in a column ``width`` cells wide (empty when
    nothing matches)."""
    return Content("\n").join(section_content(group, rows, width) for group, rows in sections)


def remap_note(sections: Sections | None = None) -> Content:
    """How to remap a key, with the ids of the keys in ``sections`` (a search's matches;
    None: how to find an id)."""
    ids = sorted({row.id for _, rows in sections or [] for row in rows})
    listed = f" (ids: {', '.join(ids)})." if ids else "; / finds a key and its id."
    return Content.styled(f'Remap a key in config.toml: [keys] reply = "R"{listed}', "dim")


class HelpScreen(KeyedNode, ModalScreen[None], commands=HELP_COMMANDS):
    """Every key; ``/`` finds one; escape, q or F1 closes."""

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
            yield Input(
                placeholder="find a key: its key, words or id (to remap it)", id="help-find"
            )
            with VerticalScroll(id="help-scroll"):
                with Horizontal(id="help-columns"):
                    yield Static(id="help-left")
                    yield Static(id="help-right")
                yield Static(id="help-remap")
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """The list has the focus (q and ? close help); ``/`` goes to the find field."""
        self.query_one("#help-scroll").focus()
        self._show()

    def on_resize(self, event: Resize) -> None:
        """Two columns on a wide terminal; the compact groups fill the new width."""
        self.columns = 2 if event.size.width >= TWO_COLUMNS_FROM else 1
        self._show()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep the keys that match, as the leader types."""
        event.stop()
        self._show()

    def _show(self) -> None:
        query = self.query_one("#help-find", Input).value
        searching = bool(search_terms(query))
        sections = help_sections(self.names, query, self.first)
        if not searching:  # help's own keys are in its title line
            sections = [section for section in sections if section[0] != HELP_GROUP]
        left = self.query_one("#help-left", Static)
        right = self.query_one("#help-right", Static)
        remap = self.query_one("#help-remap", Static)
        right.display = False
        remap.display = searching  # else the find field says how to find a key's id
        remap.update(remap_note(sections))
        width = self._column_width()
        if not sections:
            left.update(Content.styled("No key matches.", "italic"))
        elif self.columns == 1 and not searching:
            first = self._first_group()
            full = [section for section in sections if section[0] == first]
            rest = [section for section in sections if section[0] != first]
            parts = [section_content(*section, width) for section in full]
            parts.append(compact_content(rest, max(width, 20)))
            left.update(Content("\n").join(parts))
        else:
            runs = split_columns(sections, self.columns)
            left.update(help_content(runs[0], width))
            right.update(help_content(runs[1], width) if len(runs) > 1 else Content(""))
            right.display = len(runs) > 1

    def _column_width(self) -> int:
        """The cells of a column of keys at the screen's width (the narrower of two; 0
        before the screen is laid out)."""
        inner = min(self.size.width, HELP_MAX_WIDTH) - HELP_CHROME
        return max(inner if self.columns == 1 else (inner - COLUMN_GAP) // 2, 0)

    def _first_group(self) -> str | None:
        """The name of the group help was opened from (None: from no group)."""
        return next((name for name, commands in ALL_GROUPS if commands is self.first), None)

    def action_find(self) -> None:
        """Go to the find field."""
        self.query_one("#help-find", Input).focus()

    def action_close(self) -> None:
        """Close help."""
        self.dismiss(None)

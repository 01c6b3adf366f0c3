"""Export the digest: a format, a file, and how personal data is treated.

Redaction is on unless the leader ticks "keep personal data"; names can be reduced to
initials. The file name follows the format until the leader edits it.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from cxdaily.insights.formats import DEFAULT_FORMAT, DIGEST_FORMATS
from cxdaily.insights.output import format_for_path
from cxdaily.ui.keys import DIGEST_EXPORT_COMMANDS, KeyedNode, key_names
from cxdaily.ui.widgets.command_button import form_buttons
from cxdaily.ui.widgets.key_footer import KeyFooter

FORMAT_NAMES = {name: fmt.label for name, fmt in DIGEST_FORMATS.items()}


class ExportChoice(msgspec.Struct, frozen=True):
    """Where and how to export."""

    format: str
    path: str
    redact: bool
    initials: bool


def default_path(fmt: str, period: str, folder: Path | None = None) -> str:
    """``<cwd>/cxdaily-digest-last-7-days.md`` for the period ``Last 7 days``."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in period.lower()).split())
    name = f"cxdaily-digest-{slug or 'period'}{DIGEST_FORMATS[fmt].extension}"
    return str((folder or Path.cwd()) / name)


class ExportScreen(KeyedNode, ModalScreen[ExportChoice | None], commands=DIGEST_EXPORT_COMMANDS):
    """Returns the export choice, or None when cancelled."""

    def __init__(self, period: str) -> None:
        super().__init__()
        self.period = period
        self._suggested = default_path(DEFAULT_FORMAT, period)

    def compose(self) -> ComposeResult:
        """Format, file, privacy."""
        with Vertical(id="export-form"):
            yield Static(Content.styled("Export the digest", "bold"))
            yield Select(
                [(Content(FORMAT_NAMES[f]), f) for f in DIGEST_FORMATS],
                value=DEFAULT_FORMAT,
                allow_blank=False,
                id="export-format",
                compact=True,
            )
            yield Label("File (written whole or not at all)")
            yield Input(self._suggested, id="export-path", compact=True)
            yield Checkbox(Content("Names as initials"), id="export-initials", compact=True)
            yield Checkbox(
                Content("Keep personal data (no redaction)"), id="export-keep", compact=True
            )
            yield form_buttons(
                key_names(self),
                "export_save",
                "export_cancel",
                ids=("export-save", "export-cancel"),
            )
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Start in the file name."""
        self.query_one("#export-path", Input).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new format changes the suggested file name, unless the leader edited it."""
        path_input = self.query_one("#export-path", Input)
        fmt = str(event.value)
        if path_input.value == self._suggested:
            self._suggested = default_path(fmt, self.period)
            path_input.value = self._suggested

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the file name exports."""
        self.action_save()

    def action_save(self) -> None:
        """Return the choice (a known extension typed by hand wins over the list)."""
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.notify("Give the file a name.", severity="warning")
            return
        chosen = str(self.query_one("#export-format", Select).value)
        if Path(path).suffix.lower() != DIGEST_FORMATS[chosen].extension:
            chosen = format_for_path(path, default=chosen)
        self.dismiss(
            ExportChoice(
                format=chosen,
                path=path,
                redact=not self.query_one("#export-keep", Checkbox).value,
                initials=self.query_one("#export-initials", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)

"""A small dialog to pick one thing by searching: a field, the matches under it, a hint.

Typing narrows the matches (:meth:`SearchPickScreen.refilter`, which a dialog fills in
at once or from a worker); down moves from the field into the matches; enter picks the
highlighted match (from the field: the first one); escape closes with nothing picked.
The saved-reply picker and the "same person as…" picker are this dialog.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.ui.keys import PICK_COMMANDS, KeyedNode
from cxdaily.ui.widgets.key_footer import KeyFooter

T = TypeVar("T")


class SearchPickScreen(KeyedNode, ModalScreen[T | None], Generic[T], commands=PICK_COMMANDS):
    """Search, then pick one match; returns what :meth:`picked` makes of it, or None."""

    def __init__(self, heading: Content, placeholder: str, *, form_id: str) -> None:
        super().__init__()
        self.heading = heading
        self.placeholder = placeholder
        self.form_id = form_id

    def compose(self) -> ComposeResult:
        """Heading, search field, matches, and a line for hints and empty states."""
        with Vertical(id=self.form_id, classes="search-pick"):
            yield Static(self.heading, classes="pick-heading")
            yield Input(placeholder=self.placeholder, classes="pick-field", compact=True)
            yield OptionList(classes="pick-list")
            yield Static(classes="pick-note")
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Start in the field, with what an empty search shows."""
        self.query_one(Input).focus()
        self.refilter("")

    @property
    def query_text(self) -> str:
        """What is typed in the search field."""
        return self.query_one(Input).value

    # for the dialogs ------------------------------------------------------------------
    def refilter(self, query: str) -> None:
        """Show the matches of ``query`` (with :meth:`show_matches`)."""
        raise NotImplementedError

    def picked(self, index: int) -> T | None:
        """What the dialog returns for the match at ``index``."""
        raise NotImplementedError

    def show_matches(self, prompts: list[Content], note: Content | None = None) -> None:
        """List ``prompts`` (the first highlighted) and put ``note`` under them."""
        matches = self.query_one(OptionList)
        matches.clear_options()
        matches.add_options([Option(prompt) for prompt in prompts])
        matches.display = bool(prompts)
        if prompts:
            matches.highlighted = 0
        self.query_one(".pick-note", Static).update(note or Content(""))

    # keys ---------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        """Narrow the matches as the leader types."""
        event.stop()
        self.refilter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the field picks the highlighted match."""
        event.stop()
        self.action_pick()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on a match picks it."""
        event.stop()
        self._pick(event.option_index)

    def action_pick(self) -> None:
        """Pick the highlighted match (nothing happens when there is none)."""
        matches = self.query_one(OptionList)
        if matches.option_count and matches.highlighted is not None:
            self._pick(matches.highlighted)

    def _pick(self, index: int) -> None:
        result = self.picked(index)
        if result is not None:
            self.dismiss(result)

    def action_to_matches(self) -> None:
        """From the field into the matches."""
        matches = self.query_one(OptionList)
        if matches.option_count:
            matches.focus()

    def action_cancel(self) -> None:
        """Close with nothing picked."""
        self.dismiss(None)

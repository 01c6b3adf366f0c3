"""One command of the key table, the Textual bindings built from it, and how a key reads.

:class:`KeyCommand` is one row of the key table (:mod:`.table`); :class:`KeyedNode`
gives a screen or widget its ``BINDINGS`` and its palette entries from one group of rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import msgspec
from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from cxdaily.ui.keys.names import KeyNames


class KeyCommand(msgspec.Struct, frozen=True):
    """One action the user can take: its id, default keys, and words for footer and help.

    ``title`` names the command in the palette when it is an app-wide command ("Stats");
    a screen's commands are listed under their ``help``. ``palette`` False keeps a command
    out of the palette (the palette's own key)."""

    id: str
    action: str
    keys: str
    label: str
    help: str
    show: bool = True
    priority: bool = False
    title: str = ""
    palette: bool = True

    def binding(self) -> Binding:
        """The Textual binding of this command."""
        return Binding(
            self.keys, self.action, self.label, show=self.show, id=self.id, priority=self.priority
        )

    def palette_entry(self, names: KeyNames) -> tuple[str, str]:
        """(title, description) of this command in the command palette."""
        keys = names.all(self.id)
        if self.title:
            return self.title, f"{self.help} ({keys})"
        return self.help, f"Key: {keys}"


def bindings(commands: tuple[KeyCommand, ...]) -> list[BindingType]:
    """Bindings for a screen's BINDINGS."""
    return [command.binding() for command in commands]


class KeyedNode:
    """A screen or widget whose keys are one group of the table.

    Named first among the bases, with the class keyword ``commands``
    (``class TagScreen(KeyedNode, ModalScreen[...], commands=TAG_COMMANDS)``), it sets
    both ``KEY_COMMANDS`` (what the command palette lists) and Textual's ``BINDINGS`` from
    the one group, so the footer, the keys and the palette cannot disagree."""

    KEY_COMMANDS: ClassVar[tuple[KeyCommand, ...]] = ()
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init_subclass__(
        cls, commands: tuple[KeyCommand, ...] | None = None, **kwargs: Any
    ) -> None:
        """Declare ``commands`` as the class's keys (Textual reads ``BINDINGS`` next)."""
        if commands is not None:
            cls.KEY_COMMANDS = commands
            cls.BINDINGS = bindings(commands)
        super().__init_subclass__(**kwargs)


KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "question_mark": "?",
    "slash": "/",
    "escape": "esc",
    "enter": "enter",
    "ctrl+up": "ctrl+↑",
    "ctrl+down": "ctrl+↓",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def display_keys(keys: str) -> str:
    """Keys as a person reads them: 'j,down' -> 'j / ↓'."""
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))

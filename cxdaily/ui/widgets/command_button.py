"""A dialog's button for one of its key commands.

The label names the command and the key the leader presses for it ('Export (ctrl+s)',
remapped keys included), and a press runs the same action as the key, so a dialog needs
no handler of its own for its buttons.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button
from textual.widgets.button import ButtonVariant

from cxdaily.ui.keys import COMMANDS_BY_ID, KeyNames


def command_button(
    names: KeyNames,
    command_id: str,
    *,
    id: str,
    variant: ButtonVariant = "default",
    disabled: bool = False,
) -> Button:
    """A compact button that runs the command ``command_id`` on the screen it is on."""
    return Button(
        Content(names.label(command_id)),
        variant=variant,
        id=id,
        compact=True,
        disabled=disabled,
        action=f"screen.{COMMANDS_BY_ID[command_id].action}",
    )


def form_buttons(
    names: KeyNames, primary: str, close: str, *, ids: tuple[str, str], disabled: bool = False
) -> Horizontal:
    """The row under a form: the button of its ``primary`` command (saving, sending;
    ``disabled`` until it may run), then the button of the command that ``close`` closes it."""
    return Horizontal(
        command_button(names, primary, id=ids[0], variant="primary", disabled=disabled),
        command_button(names, close, id=ids[1]),
        classes="buttons",
    )

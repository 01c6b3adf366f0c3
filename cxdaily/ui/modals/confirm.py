"""One dialog for every two-way question: a title, what the leader should see, and two
buttons, each a key command of the table (the first answers no, the second yes).

The risky-words check, the team-answered guard, the time-up question and the question
before wrapping up early are all this dialog with a different :class:`Question`. Each
question brings its own key commands, so the dialog's bindings are built per question
(and remapped by ``[keys]`` like any other).
"""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant

from cxdaily.ui.keys import KeyCommand, bindings, key_names
from cxdaily.ui.widgets.command_button import command_button
from cxdaily.ui.widgets.key_footer import KeyFooter


class Part(msgspec.Struct, frozen=True):
    """One block of the dialog's body; ``scroll`` puts it in a bordered scrolling frame
    (long customer text)."""

    id: str
    content: Content
    scroll: bool = False


class Question(msgspec.Struct, frozen=True):
    """What a confirm dialog asks.

    ``commands``: the no command, the yes command, then any further keys that answer
    (for example escape); each command's action is ``no`` or ``yes``. The no button
    comes first and has the focus: saying yes takes a deliberate key."""

    id: str
    title: str
    parts: tuple[Part, ...]
    commands: tuple[KeyCommand, ...]
    no_variant: ButtonVariant = "default"
    yes_variant: ButtonVariant = "warning"

    @property
    def no(self) -> KeyCommand:
        """The command (and button) that answers no."""
        return self.commands[0]

    @property
    def yes(self) -> KeyCommand:
        """The command (and button) that answers yes."""
        return self.commands[1]


class ConfirmScreen(ModalScreen[bool]):
    """Asks a :class:`Question`; returns True for yes, False for no."""

    KEY_COMMANDS: tuple[KeyCommand, ...] = ()

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question
        self.KEY_COMMANDS = question.commands
        # The keys are the question's: replace the (empty) class bindings with its own.
        self._bindings = BindingsMap(bindings(question.commands))

    def compose(self) -> ComposeResult:
        """Title, the parts, and the two buttons."""
        question = self.question
        names = key_names(self)
        with VerticalScroll(id=question.id):  # scrolls when the terminal is short
            yield Static(Content.styled(question.title, "bold"), id=f"{question.id}-title")
            for part in question.parts:
                if part.scroll:
                    with VerticalScroll(id=f"{part.id}-frame", classes="confirm-scroll"):
                        yield Static(part.content, id=part.id)
                else:
                    yield Static(part.content, id=part.id, classes="confirm-part")
            with Horizontal(classes="buttons"):
                yield command_button(
                    names, question.no.id, id="confirm-no", variant=question.no_variant
                )
                yield command_button(
                    names, question.yes.id, id="confirm-yes", variant=question.yes_variant
                )
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """No is the default: yes needs a deliberate key."""
        self.query_one("#confirm-no", Button).focus()

    def action_yes(self) -> None:
        """Answer yes."""
        self.dismiss(True)

    def action_no(self) -> None:
        """Answer no."""
        self.dismiss(False)

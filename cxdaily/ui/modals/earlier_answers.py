"""The leader's earlier answers to questions like the one being answered: one line each
(when, where, how alike, what was asked), and the reply sent for the highlighted one;
enter puts that reply into the composer as a starting point (nothing is sent).

The earlier questions and replies are customer and service text: literal, cleaned
(:mod:`cxdaily.ui.text`).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cxdaily.history import EarlierAnswer
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import PICK_COMMANDS, KeyedNode, key_names
from cxdaily.ui.text import safe, safe_line
from cxdaily.ui.widgets.earlier_answer import day_words, service_words
from cxdaily.ui.widgets.key_footer import KeyFooter


def answer_prompt(answer: EarlierAnswer, now: datetime, zone: tzinfo | None) -> Content:
    """'3 Mar · Zendesk · 82% alike · They asked: <title, else the start of the question>'."""
    return Content.assemble(
        Content.styled(f"{day_words(answer.sent_at, now, zone)} · ", "bold"),
        safe_line(service_words(answer.service), 20, "$accent"),
        Content.styled(f" · {round(answer.score * 100)}% alike · They asked: ", "dim"),
        safe_line(answer.question_title or answer.question_excerpt, 100, "italic"),
    )


class EarlierAnswersScreen(KeyedNode, ModalScreen[EarlierAnswer | None], commands=PICK_COMMANDS):
    """Returns the earlier answer to start from, or None."""

    def __init__(self, answers: list[EarlierAnswer]) -> None:
        super().__init__()
        self.answers = answers

    def compose(self) -> ComposeResult:
        """Heading and keys, the answers, the reply of the highlighted one."""
        with Vertical(id="earlier-answers"):
            keys = key_names(self).hint("pick_choose", "pick_cancel")
            yield Static(
                Content.assemble(
                    Content.styled("Your earlier answers", "bold $accent"),
                    Content.styled(f"  {keys}", "dim"),
                ),
                id="earlier-heading",
            )
            service = service_of(self)
            now, zone = service.now(), service.settings.session.zone
            yield OptionList(
                *[Option(answer_prompt(answer, now, zone)) for answer in self.answers],
                id="earlier-list",
            )
            yield Static(Content.styled("You replied:", "bold"), id="earlier-replied")
            with VerticalScroll(id="earlier-reply-scroll"):
                yield Static(id="earlier-reply")
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """The best answer first."""
        listing = self.query_one(OptionList)
        listing.highlighted = 0
        listing.focus()
        self._show(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the reply of the answer highlighted."""
        self._show(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an answer starts from it."""
        event.stop()
        self.dismiss(self.answers[event.option_index])

    def _show(self, index: int) -> None:
        self.query_one("#earlier-reply", Static).update(safe(self.answers[index].body))
        self.query_one("#earlier-reply-scroll").scroll_home(animate=False)

    def action_pick(self) -> None:
        """Start from the highlighted answer (the composer gets it; nothing is sent)."""
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(self.answers[highlighted])

    def action_to_matches(self) -> None:
        """The answers have the focus already."""
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        """Close; the composer is as it was."""
        self.dismiss(None)

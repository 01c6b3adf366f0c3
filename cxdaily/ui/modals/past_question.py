"""One of the customer's earlier questions in full, read-only: the thread, the question,
and what was done with it (replies, insights, hand-offs).

The stored question is read in a thread worker; everything shown is customer or service
text, literal and cleaned (:mod:`cxdaily.ui.text`).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Question
from cxdaily.core.words import ago
from cxdaily.history import PastQuestion
from cxdaily.ui.app import service_of
from cxdaily.ui.history_content import state_words
from cxdaily.ui.keys import PAST_QUESTION_COMMANDS, KeyedNode, key_names
from cxdaily.ui.question_parts import author_line
from cxdaily.ui.text import safe, safe_line
from cxdaily.ui.widgets.earlier_answer import day_words, service_words
from cxdaily.ui.widgets.key_footer import KeyFooter


def past_content(
    past: PastQuestion, question: Question | None, now: datetime, zone: tzinfo | None
) -> Content:
    """The question (its thread first, when the store still has it; else the excerpt
    kept in the history), then the replies, insights and hand-offs on it."""
    parts: list[Content] = [
        Content.assemble(
            safe_line(service_words(past.service), 20, "$accent bold"),
            Content.styled(" · ", "dim"),
            safe_line(past.channel, 30, "dim"),
            Content.styled(f" · {day_words(past.created_at, now, zone)}", "dim"),
            Content.styled(f" · {state_words(past)}", "italic"),
        )
    ]
    if question is not None:
        parts.append(author_line(question.author))
        if question.title:
            parts.append(safe(question.title, "bold"))
        for message in question.context:
            parts.append(
                Content.assemble(
                    author_line(message.author),
                    Content.styled(f"  {ago(message.created_at, now)}\n", "dim"),
                    safe(message.body, "dim"),
                )
            )
        parts.append(safe(question.body))
    else:
        parts.append(safe_line(past.author, 60, "bold"))
        if past.title:
            parts.append(safe(past.title, "bold"))
        parts.append(safe(past.excerpt))
    for reply in past.replies:
        when = reply.sent_at or reply.created_at
        parts.append(
            Content.assemble(
                Content.styled(f"Your reply ({reply.state.value}, ", "bold $success"),
                Content.styled(f"{day_words(when, now, zone)})\n", "bold $success"),
                safe(reply.body),
            )
        )
    for insight in past.insights:
        parts.append(
            Content.assemble(
                Content.styled("Insight: ", "bold"),
                safe_line(", ".join(insight.tags), 80),
                Content.styled(" · ", "dim") if insight.summary else Content(""),
                safe_line(insight.summary, 120, "italic"),
            )
        )
    for hand_off in past.hand_offs:
        parts.append(
            Content.assemble(
                Content.styled("Handed off", "bold"),
                safe_line(f" to {hand_off.team}" if hand_off.team else "", 40),
                Content.styled(f" on {day_words(hand_off.at, now, zone)}", "dim"),
                Content.styled(": " if hand_off.note else "", "dim"),
                safe_line(hand_off.note or "", 200, "italic"),
            )
        )
    return Content("\n\n").join(parts)


class PastQuestionScreen(KeyedNode, ModalScreen[None], commands=PAST_QUESTION_COMMANDS):
    """An earlier question of the customer, in full; any key of its table closes it."""

    def __init__(self, past: PastQuestion) -> None:
        super().__init__()
        self.past = past

    def compose(self) -> ComposeResult:
        """The question and what was done with it, scrolling."""
        with VerticalScroll(id="past-question"):
            hint = f"{key_names(self).key('history_back')} closes · read-only"
            yield Static(Content.styled(hint, "dim"), id="past-hint")
            yield Static(id="past-text")
        yield KeyFooter()  # this dialog's keys, over the screen's

    def on_mount(self) -> None:
        """Show what the history kept at once, then the stored question in full."""
        self._show(None)
        self.query_one(VerticalScroll).focus()
        service = service_of(self)
        question_id = self.past.id

        def read() -> None:
            try:
                question = service.question(question_id)
            except CxDailyError:
                return  # no longer stored (archived away): the excerpt stays
            self.app.call_from_thread(self._show, question)

        self.run_worker(read, thread=True, group="past-question", exit_on_error=False)

    def _show(self, question: Question | None) -> None:
        service = service_of(self)
        content = past_content(self.past, question, service.now(), service.settings.session.zone)
        self.query_one("#past-text", Static).update(content)

    def action_back(self) -> None:
        """Back to the history."""
        self.dismiss(None)

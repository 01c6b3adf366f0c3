"""One line in the composer when the leader answered a question like this one before.

"ctrl+g: you answered something like this on 3 Mar (Zendesk)". The look-up
(:meth:`Service.similar_answers`) runs in a thread worker when a reply is started: the
first one builds the history index (seconds on years of history), so it never runs on
the UI thread; the line shows once the answers are known, and only if there are any.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.content import Content
from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.services import SERVICE_NAMES
from cxdaily.core.words import plural
from cxdaily.history import EarlierAnswer
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames, key_names
from cxdaily.ui.text import safe_line

SHOWN_ANSWERS = 3
"""The most earlier answers looked up and offered."""


def day_words(when: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """'3 Mar' this year, '3 Mar 2025' before, in the leader's home zone."""
    local = when.astimezone(zone) if zone is not None else when
    today = now.astimezone(zone) if zone is not None else now
    return f"{local.day} {local:%b}" + ("" if local.year == today.year else f" {local.year}")


def service_words(service: str) -> str:
    """The service as the leader reads it ('Zendesk', 'App Store')."""
    return SERVICE_NAMES.get(service, service)


def earlier_line(
    answers: list[EarlierAnswer],
    now: datetime,
    zone: tzinfo | None = None,
    keys: KeyNames = DEFAULT_KEY_NAMES,
) -> Content:
    """'ctrl+g: you answered something like this on 3 Mar (Zendesk)' (the key first: a
    narrow composer cuts the end of the line)."""
    if not answers:
        return Content("")
    best = answers[0]
    more = len(answers) - 1
    return Content.assemble(
        Content.styled(f"{keys.key('earlier_answers')}: ", "bold"),
        Content.styled("you answered something like this on ", "italic"),
        Content.styled(day_words(best.sent_at, now, zone), "bold"),
        " (",
        safe_line(service_words(best.service), 30),
        ")",
        Content.styled(f" and {plural(more, 'more time')}" if more > 0 else "", "italic"),
    )


class EarlierAnswerLine(Static):
    """The line, hidden until earlier answers to the question being answered are found."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question_id: str | None = None
        self.answers: list[EarlierAnswer] = []

    def on_mount(self) -> None:
        """Hidden until something is found."""
        self.display = False

    def look_up(self, question_id: str) -> None:
        """Find earlier answers to questions like ``question_id`` in a thread worker."""
        if question_id == self.question_id and self.answers:
            return  # found already for this reply
        self.question_id = question_id
        self.answers = []
        self.display = False
        service = service_of(self)

        def look() -> None:
            try:
                answers = service.similar_answers(question_id, SHOWN_ANSWERS)
            except CxDailyError:
                return  # the history cannot be read now: no line, nothing lost
            self.app.call_from_thread(self._found, question_id, answers)

        self.run_worker(
            look, thread=True, group="earlier-answers", exclusive=True, exit_on_error=False
        )

    def _found(self, question_id: str, answers: list[EarlierAnswer]) -> None:
        if question_id != self.question_id:
            return  # another reply was started meanwhile
        self.answers = answers
        service = service_of(self)
        self.update(
            earlier_line(answers, service.now(), service.settings.session.zone, key_names(self))
        )
        self.display = bool(answers)

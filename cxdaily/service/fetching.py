"""Storing what one channel's fetch brought, for :meth:`cxdaily.service.Service.refresh`.

A question that cannot be stored (see :func:`cxdaily.store.storage.record_problem`) is
left out with a warning naming it, so one bad item never costs the channel its good
ones, nor the channels stored after it. A failure while storing is the store's: it reads
"cannot save ...", never "a bug in this connector". The customer's words are cleaned
here, where they enter (:func:`cleaned_question`), whichever connector brought them.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from msgspec.structs import replace

from cxdaily.core.errors import CxDailyError, StoreError
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import clean, one_line
from cxdaily.insights.cleaning import line

if TYPE_CHECKING:
    from cxdaily.connectors.runner import ChannelOutcome
    from cxdaily.store import Store


@contextmanager
def store_problem(channel: str) -> Iterator[None]:
    """Report a failure to store a channel's fetch as the store's, never the connector's."""
    try:
        yield
    except CxDailyError:
        raise
    except Exception as exc:
        raise StoreError(
            f"cannot save what {channel} brought: unexpected {type(exc).__name__}: "
            f"{one_line(exc, 200)} (a bug in cxdaily's store)"
        ) from exc


def cleaned_question(question: Question) -> Question:
    """``question`` with its customer's words cleaned as they enter (see
    :func:`~cxdaily.core.safe_text.clean`: no escape sequence, control or bidirectional
    character): the body and the earlier messages keep their lines, the title and the
    names and handles are folded to one line. Ids, links and ``meta`` are the service's
    and stay as they are (a reply finds its thread by them). The same question when
    there was nothing to clean."""
    author = _cleaned_author(question.author)
    context = tuple(map(_cleaned_message, question.context))
    title, body = _folded(question.title), clean(question.body)
    if (
        author is question.author
        and title == question.title
        and body == question.body
        and all(map(operator.is_, context, question.context))
    ):
        return question
    return replace(question, author=author, title=title, body=body, context=context)


def _folded(text: str | None) -> str | None:
    """``text`` cleaned, on one line (:func:`~cxdaily.insights.cleaning.line`); ``None``
    for none (or nothing left)."""
    return line(text) or None


def _cleaned_author(author: Author) -> Author:
    name, handle = _folded(author.name), _folded(author.handle)
    if name == author.name and handle == author.handle:
        return author
    return replace(author, name=name, handle=handle)


def _cleaned_message(message: Message) -> Message:
    author, body = _cleaned_author(message.author), clean(message.body)
    if author is message.author and body == message.body:
        return message
    return replace(message, author=author, body=body)


def each_once(questions: list[Question]) -> list[Question]:
    """The questions, each id once: the first of each, in their order."""
    first: dict[str, Question] = {}
    for question in questions:
        first.setdefault(question.id, question)
    return list(first.values())


def store_outcome(
    store: Store, outcome: ChannelOutcome, at: datetime
) -> tuple[ChannelOutcome, int, int]:
    """Store one channel's fetch and how it went; returns the outcome as stored (its
    ``result`` holds only the questions stored, its warnings name the ones left out)
    with the numbers of questions added and updated.

    Settled questions (the service says they need no answer now) update the stored ones
    they match, so those leave the candidates; they never add a question. A question the
    fetch brought twice (a service that gave a page twice) is stored and counted once,
    and every question's text is cleaned as it enters (:func:`cleaned_question`)."""
    result = outcome.result
    with store_problem(outcome.channel):
        if result is None:
            store.questions.record_fetch(
                outcome.channel, at, error=outcome.error, seconds=outcome.seconds
            )
            return outcome, 0, 0
        result = replace(
            result,
            questions=list(map(cleaned_question, each_once(result.questions))),
            settled=list(map(cleaned_question, result.settled)),
        )
        outcome = replace(outcome, result=result)
        skipped: dict[str, str] = {}
        known = store.questions.known(q.id for q in result.settled) if result.settled else set()
        settled = [q for q in result.settled if q.id in known]  # updated, never added
        added, updated = store.questions.upsert_many([*result.questions, *settled], skipped=skipped)
        if skipped:
            result = replace(
                result,
                questions=[q for q in result.questions if q.id not in skipped],
                warnings=[*result.warnings, *skipped.values()],
            )
            outcome = replace(outcome, result=result)
        store.questions.record_fetch(
            outcome.channel,
            at,
            checkpoint=result.checkpoint,
            count=len(result.questions),
            added=added,
            warnings=len(result.warnings),
            seconds=outcome.seconds,
            held=result.held,
        )
    return outcome, added, updated

"""The thread of a question on the ``http`` channel, read for the outbox.

``GET thread_url`` (``{native_id}``, ``{thread_id}`` and ``{question_id}`` are filled
in, URL-encoded) answers the messages of the question's thread as a JSON array, or an
object with the array under ``"messages"``::

    [{"id": "m-1", "author": {"id": "7", "name": "Jane"}, "body": "...",
      "created_at": "2026-11-21T14:03:07Z", "role": "customer"},
     {"id": "r-9", "author": {"name": "Sam (support)"}, "body": "...",
      "created_at": "2026-11-21T15:10:00Z", "role": "agent"},
     {"id": "r-12", "body": "...", "created_at": "...", "idempotency_key": "4f0c..."}]

``id``, ``body`` and ``created_at`` are required; text is cleaned as in
:mod:`cxdaily.connectors.parsing`, and a message that cannot be read (an unreadable or
over-long id, a time out of range) makes the whole thread a one-line error, since a
thread read in part could hide our own reply. ``role`` is optional (``customer``
marks the customer's own messages; any other value, or none, a reply by the company).
A reply posted through cxdaily carries the ``idempotency_key`` it was posted with: that
is how the outbox finds its own reply after an unknown outcome, and why such replies are
never taken for an answer by the team.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import msgspec

from cxdaily.connectors.parsing import (
    QuestionShapeError,
    id_field,
    parse_author,
    parse_time,
    text_field,
)
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_json import clean_surrogates

MAX_THREAD_MESSAGES = 1000


class ThreadMessage(msgspec.Struct, frozen=True):
    """One message of a thread as the service serves it."""

    id: str
    author: Author
    body: str
    created_at: datetime
    role: str | None
    idempotency_key: str | None

    def as_message(self) -> Message:
        """The message in cxdaily's model."""
        return Message(author=self.author, body=self.body, created_at=self.created_at)


def thread_address(template: str, question: Question) -> str:
    """``thread_url`` with the question's ids filled in (URL-encoded)."""
    return template.format(
        native_id=quote(question.native_id, safe=""),
        thread_id=quote(question.thread_id, safe=""),
        question_id=quote(question.id, safe=""),
    )


def parse_thread(data: Any) -> list[ThreadMessage]:
    """The messages of a thread answer; raises QuestionShapeError naming what is wrong."""
    if isinstance(data, dict):
        data = data.get("messages")
    if not isinstance(data, list):
        raise QuestionShapeError("the thread must be a JSON array of messages")
    messages = []
    for n, item in enumerate(data[-MAX_THREAD_MESSAGES:]):
        where = f"messages[{n}]"
        if not isinstance(item, dict):
            raise QuestionShapeError(f"{where} must be an object")
        ident = id_field(item.get("id"), f"{where}.id", required=True)
        assert ident is not None
        if not isinstance(item.get("body"), str):
            raise QuestionShapeError(f"{where}.body must be text")
        # no length limit: one long message must not make the whole thread unreadable
        body = text_field(item["body"], f"{where}.body", max_chars=None) or ""
        role, key = item.get("role"), item.get("idempotency_key")
        messages.append(
            ThreadMessage(
                id=ident,
                author=parse_author(item.get("author"), f"{where}.author"),
                body=body,
                created_at=parse_time(item.get("created_at"), f"{where}.created_at"),
                role=clean_surrogates(role).lower() if isinstance(role, str) else None,
                idempotency_key=clean_surrogates(key) if isinstance(key, str) and key else None,
            )
        )
    return messages


def _by_customer(message: ThreadMessage, question: Question) -> bool:
    if message.role == "customer":
        return True
    return message.role is None and (
        message.author.id is not None and message.author.id == question.author.id
    )


def answers_by_others(
    messages: list[ThreadMessage], question: Question, since: datetime
) -> list[Message]:
    """Replies by the company after ``since``: not the customer's, not posted by cxdaily."""
    return [
        m.as_message()
        for m in messages
        if m.created_at > since and m.idempotency_key is None and not _by_customer(m, question)
    ]


def own_reply(
    messages: list[ThreadMessage], question: Question, body: str, idempotency_key: str
) -> ThreadMessage | None:
    """Our reply in the thread: the one with our key, else one with exactly our text."""
    for message in messages:
        if message.idempotency_key == idempotency_key:
            return message
    wanted = " ".join(body.split())
    for message in messages:
        if (
            message.idempotency_key is None
            and not _by_customer(message, question)
            and " ".join(message.body.split()) == wanted
        ):
            return message
    return None

"""Our own replies in a question's thread: the collision guard's answer and the reply an
unknown outcome may already have posted, for every connector that can read the thread.

A connector that can read a question's thread again builds a :class:`ThreadReplies` in
``configure`` and sets it as ``self.thread_replies``; :class:`~cxdaily.connectors.base.
Connector`'s ``answers_since`` and ``find_own_reply`` then come from it, so no connector
writes either again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from cxdaily.connectors.base import SentReply
from cxdaily.connectors.html_text import same_text
from cxdaily.core.models import Message, Question

if TYPE_CHECKING:
    from cxdaily.connectors.helpdesk import TicketMessage


def answers_by_team(messages: Sequence[TicketMessage], since: datetime) -> list[Message]:
    """The team's public replies posted after ``since`` (the collision guard's answer)."""
    return [
        m.as_message()
        for m in sorted(messages, key=lambda m: m.created_at)
        if not m.from_customer and m.created_at > since
    ]


def find_reply(
    messages: Sequence[TicketMessage],
    body: str,
    *,
    author_id: str | None,
    after: datetime,
) -> TicketMessage | None:
    """Our reply in a thread: a public team message (by ``author_id`` when the service
    names its author) with the text we sent, posted after ``after``."""
    for message in sorted(messages, key=lambda m: m.created_at, reverse=True):
        if message.from_customer or message.created_at < after:
            continue
        if author_id is not None and message.author.id not in (None, author_id):
            continue
        if same_text(message.body, body):
            return message
    return None


#: Reads a question's thread again from the service (its team and customer messages).
ThreadReader = Callable[[Question], Awaitable[Sequence["TicketMessage"]]]
#: The id our replies are posted under, looked up when needed (``None``: not said).
AuthorLookup = Callable[[], Awaitable[str | None]]


def _same(text: str) -> str:
    return text


def _question_link(question: Question, message: TicketMessage) -> str | None:
    return question.url


class ThreadReplies(msgspec.Struct, frozen=True):
    """How one connector finds its own replies in a question's thread.

    ``read`` reads the thread; ``author`` is the id our replies carry (a value, or an
    async look-up; ``None`` when the service names no author); ``link`` gives a found
    reply's public link (default: the question's); ``compared`` is how texts are put
    side by side (X sets its shortened links aside).
    """

    read: ThreadReader
    author: str | AuthorLookup | None = None
    link: Callable[[Question, TicketMessage], str | None] = _question_link
    compared: Callable[[str], str] = _same

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Our team's replies in the thread posted after ``since`` (the collision guard)."""
        return answers_by_team(await self.read(question), since)

    async def find(self, question: Question, body: str) -> SentReply | None:
        """Our reply with the text ``body`` in the thread, posted after the question."""
        messages = await self.read(question)
        if self.compared is not _same:
            messages = [replace(m, body=self.compared(m.body)) for m in messages]
        author = self.author if self.author is None or isinstance(self.author, str) else None
        if callable(self.author):
            author = await self.author()
        found = find_reply(
            messages, self.compared(body), author_id=author, after=question.created_at
        )
        return None if found is None else SentReply(found.id, self.link(question, found))

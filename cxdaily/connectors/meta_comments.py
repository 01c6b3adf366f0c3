"""What the ``facebook`` and ``instagram`` channels share about comments: a comment as
read from the Graph API, whether our own account answered it, and the connector that
replies in a comment's thread and reads that thread again.

- **Answered by us**: a comment is settled when our account replied under it, or after
  it in the same thread (:func:`answered`); :func:`comment_turns` walks a list of
  comments and yields each of the customer's new or answered ones with its parent.
- **Replying** posts ``message`` to an edge of the comment (``comments`` on Facebook,
  ``replies`` on Instagram); an answer without the new id is an unknown outcome.
- **Our reply found again** and **the collision guard** read the question's thread
  again (:meth:`CommentsConnector.thread`) and apply the help-desk rules to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from cxdaily.connectors.base import SentReply
from cxdaily.connectors.helpdesk import TicketMessage
from cxdaily.connectors.http import BadResponseError, describe_url
from cxdaily.connectors.meta_graph import GraphConnector
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES
from cxdaily.connectors.parsing import ChannelMessage, QuestionShapeError
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.core.models import Author, Message, Question


class Comment(ChannelMessage, frozen=True):
    """One comment (or reply) as read from the Graph API."""

    author: Author
    ours: bool
    """Written by the channel's own Page or account."""
    parent_id: str | None
    """The comment it replies to (``None``: a comment on the post or media itself)."""
    url: str | None = None
    likes: int | None = None
    replies: int | None = None


def answered(comment: Comment, comments: list[Comment]) -> bool:
    """Whether our own account answered ``comment``: a reply of ours under it, or after
    it in the same thread (under the comment it replies to)."""
    for other in comments:
        if not other.ours:
            continue
        if other.parent_id == comment.id:
            return True
        in_thread = comment.parent_id and other.parent_id == comment.parent_id
        if in_thread and other.created_at > comment.created_at:
            return True
    return False


def comment_turns(
    comments: list[Comment], after: datetime
) -> Iterator[tuple[Comment, bool, Message | None]]:
    """``(comment, answered, parent)`` for each comment that is not ours and is either
    newer than ``after`` or answered by us; ``parent`` is the comment it replies to (as
    context), when listed."""
    by_id = {c.id: c for c in comments}
    for comment in comments:
        if comment.ours:
            continue
        done = answered(comment, comments)
        if not done and comment.created_at <= after:
            continue
        parent = by_id.get(comment.parent_id or "")
        context = None if parent is None else Message(parent.author, parent.body, parent.created_at)
        yield comment, done, context


def unknown_outcome(channel: str, url: Any) -> BadResponseError:
    """A post answered without the new item's id: it may or may not be there."""
    return BadResponseError(
        f"POST {describe_url(url)} answered without the new reply's id, so it may or may "
        "not be there; the thread is read before any new attempt",
        channel=channel,
    )


class CommentsConnector(GraphConnector):
    """A Graph connector whose questions are comments: replies in the comment's thread,
    the collision guard and the search for our own reply (see the module's docstring).

    A kind implements :meth:`thread` and :meth:`own_id`, and may change
    :meth:`reply_link`.
    """

    def configure(self) -> None:
        """The options, and the comment's thread as where our replies are looked for."""
        super().configure()
        self.thread_replies = ThreadReplies(
            self.thread, author=self._own_author, link=lambda question, _: self.reply_link(question)
        )

    async def _own_author(self) -> str | None:
        return self.own_id()

    def own_id(self) -> str:
        """The id of our own Page or account (the author of our replies)."""
        raise NotImplementedError

    async def thread(self, question: Question) -> list[TicketMessage]:
        """The question's thread, read again from the service."""
        raise NotImplementedError

    def reply_link(self, question: Question) -> str | None:
        """Where a reply to ``question`` is seen (the question's own link)."""
        return question.url

    async def reply_in_thread(
        self, question: Question, body: str, *, edge: str, permission: str
    ) -> SentReply:
        """``POST /{thread_id}/{edge}`` with the reply as ``message``; its new id, or an
        unknown outcome when the answer holds none."""
        data, result = await self.graph(
            "POST", self.graph_url(question.thread_id, edge), form_body={"message": body},
            permission=permission,
        )  # fmt: skip
        ident = data.get("id") if isinstance(data, dict) else None
        if not isinstance(ident, str | int) or isinstance(ident, bool) or not str(ident).strip():
            raise unknown_outcome(self.name, result.url)
        return SentReply(remote_id=str(ident).strip(), url=question.url)

    async def comment_messages(
        self,
        url: str,
        *,
        params: dict[str, Any],
        what: str,
        parse: Callable[[Any, str], Comment],
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> list[TicketMessage]:
        """Every page of a comment list as thread messages (ours are the team's); a
        comment that cannot be read is left out. ``parse`` reads one item."""
        messages: list[TicketMessage] = []
        async for items, _ in self.graph_pages(url, params=params, what=what,
                                               max_pages=max_pages):  # fmt: skip
            for index, item in enumerate(items):
                try:
                    c = parse(item, f"{what}[{index}]")
                except QuestionShapeError:
                    continue
                messages.append(TicketMessage(c.id, c.author, c.body, c.created_at,
                                              from_customer=not c.ours))  # fmt: skip
        return messages

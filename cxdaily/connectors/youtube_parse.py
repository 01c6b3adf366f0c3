"""Pure functions over YouTube Data API v3 payloads, for the ``youtube`` connector.

- :func:`parse_thread` reads a ``commentThread`` (its top-level comment and the replies
  embedded under ``replies.comments``), :func:`parse_comment` one ``comment``;
- :func:`thread_questions` decides what a thread asks now: the top-level comment until
  our channel replied, after that the latest comment someone else wrote after our last
  reply (the earlier ones are its context); every other comment by someone else is
  settled;
- :func:`subscriber_counts` reads ``channels.list?part=statistics``;
- :func:`error_reason` reads the reason of a Google API error body (``quotaExceeded``,
  ``rateLimitExceeded``, ``commentsDisabled`` ...).

Every field the documentation makes optional may be missing or null; a comment that
cannot be read raises :class:`~cxdaily.connectors.parsing.QuestionShapeError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
import msgspec
from msgspec.structs import replace

from cxdaily.connectors.helpdesk import TicketMessage, message_text, optional_text
from cxdaily.connectors.parsing import (
    MAX_CONTEXT_MESSAGES,
    MAX_URL_CHARS,
    ChannelMessage,
    QuestionShapeError,
    channel_question,
    id_field,
    parse_time,
)
from cxdaily.connectors.public_channel import whole_count
from cxdaily.core.models import Author, Message, Question

MAX_NAME_CHARS = 500
"""A display name longer than this is cut (no real one is)."""


IDS_PER_CALL = 50
"""Ids a YouTube list call takes at most in its ``id`` parameter (channels, threads)."""


def id_lists(ids: list[str]) -> list[list[str]]:
    """``ids`` in lists of at most :data:`IDS_PER_CALL`, one a call."""
    return [ids[start : start + IDS_PER_CALL] for start in range(0, len(ids), IDS_PER_CALL)]


class Comment(ChannelMessage, frozen=True):
    """One YouTube comment (a top-level comment or a reply): ``body`` is what viewers see
    (``textDisplay``, else ``textOriginal``) as clean plain text, ``created_at`` its
    ``publishedAt``."""

    author: Author
    """``authorChannelId.value`` as id, ``authorDisplayName`` as name, the ``@handle``
    of ``authorChannelUrl`` when it names one."""
    author_url: str | None
    original: str
    """What the author wrote (``textOriginal``, else ``textDisplay``)."""
    updated: datetime
    video_id: str | None = None
    like_count: int | None = None

    @property
    def activity(self) -> datetime:
        """When the comment was written or last edited."""
        return max(self.created_at, self.updated)

    def by(self, channel_id: str) -> bool:
        """Whether ``channel_id`` wrote this comment."""
        return self.author.id == channel_id


class Thread(msgspec.Struct, frozen=True):
    """A ``commentThread``: its top-level comment and the replies read so far."""

    id: str
    top: Comment
    replies: Sequence[Comment] = ()
    video_id: str | None = None
    total_replies: int | None = None
    can_reply: bool | None = None
    meta: Mapping[str, Any] = msgspec.field(default_factory=dict)

    @property
    def activity(self) -> datetime:
        """The latest time anything in the thread was written or edited."""
        return max([self.top.activity, *(r.activity for r in self.replies)])

    @property
    def incomplete(self) -> bool:
        """Whether YouTube counts more replies than the thread embeds."""
        return self.total_replies is not None and self.total_replies > len(self.replies)


def _author_channel_id(value: Any, where: str) -> str | None:
    """``authorChannelId`` is ``{"value": "UC..."}`` (some clients flatten it to a string)."""
    if isinstance(value, dict):
        value = value.get("value")
    try:
        return id_field(value, where)
    except QuestionShapeError:
        return None  # an author we cannot name is still an author


def _web_link(value: Any) -> str | None:
    """An http(s) link of reasonable length, or ``None``."""
    text = optional_text(value, "authorChannelUrl", MAX_URL_CHARS)
    if text is None or not text.lower().startswith(("https://", "http://")):
        return None
    return text


def handle_of(url: str | None) -> str | None:
    """``@name`` when a channel URL is a handle URL (``https://www.youtube.com/@name``)."""
    if url is None:
        return None
    try:
        path = httpx.URL(url).path
    except (httpx.InvalidURL, ValueError):
        return None
    first = path.strip("/").split("/")[0] if path else ""
    return first if first.startswith("@") and len(first) > 1 else None


def parse_comment(data: Any, where: str) -> Comment:
    """A ``comment`` resource (``id`` and ``snippet``)."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    ident = id_field(data.get("id"), f"{where}.id", required=True) or ""
    snippet = data.get("snippet")
    if not isinstance(snippet, dict):
        raise QuestionShapeError(f"{where}.snippet must be an object")
    display = message_text(snippet.get("textDisplay"), f"{where}.textDisplay")
    original = message_text(snippet.get("textOriginal"), f"{where}.textOriginal")
    published = parse_time(snippet.get("publishedAt"), f"{where}.publishedAt")
    updated_at = snippet.get("updatedAt")
    updated = parse_time(updated_at, f"{where}.updatedAt") if updated_at else published
    url = _web_link(snippet.get("authorChannelUrl"))
    author = Author(
        id=_author_channel_id(snippet.get("authorChannelId"), f"{where}.authorChannelId"),
        handle=handle_of(url),
        name=optional_text(snippet.get("authorDisplayName"), f"{where}.name", MAX_NAME_CHARS),
    )
    video = snippet.get("videoId")
    return Comment(
        id=ident,
        author=author,
        author_url=url,
        body=display if display is not None else original or "",
        original=original if original is not None else display or "",
        created_at=published,
        updated=updated,
        video_id=id_field(video, f"{where}.videoId") if isinstance(video, str) else None,
        like_count=whole_count(snippet.get("likeCount")),
    )


def parse_thread(data: Any) -> Thread:
    """A ``commentThread`` resource; a reply that cannot be read is left out of it."""
    if not isinstance(data, dict):
        raise QuestionShapeError("the comment thread must be an object")
    snippet = data.get("snippet")
    if not isinstance(snippet, dict):
        raise QuestionShapeError("snippet must be an object")
    top = parse_comment(snippet.get("topLevelComment"), "topLevelComment")
    ident = id_field(data.get("id"), "id") or top.id
    replies_part = data.get("replies")
    listed = replies_part.get("comments") if isinstance(replies_part, dict) else None
    replies = []
    for number, item in enumerate(listed if isinstance(listed, list) else []):
        try:
            replies.append(parse_comment(item, f"replies.comments[{number}]"))
        except QuestionShapeError:
            continue  # the full list is read again when the count says one is missing
    video = snippet.get("videoId")
    video_id = id_field(video, "snippet.videoId") if isinstance(video, str) else top.video_id
    can_reply = snippet.get("canReply")
    is_public = snippet.get("isPublic")
    return Thread(
        id=ident,
        top=top,
        replies=tuple(r for r in replies if r.id != top.id),
        video_id=video_id,
        total_replies=whole_count(snippet.get("totalReplyCount")),
        can_reply=can_reply if isinstance(can_reply, bool) else None,
        meta={"is_public": is_public} if isinstance(is_public, bool) else {},
    )


def comment_url(web_url: str, video_id: str | None, comment_id: str) -> str | None:
    """The public link to a comment under its video (``None`` without a video)."""
    if not video_id:
        return None
    return (
        f"{web_url.rstrip('/')}/watch?v={quote(video_id, safe='')}&lc={quote(comment_id, safe='')}"
    )


def as_ticket_message(comment: Comment, channel_id: str) -> TicketMessage:
    """A comment as a message of its thread (ours carry the text as we wrote it)."""
    ours = comment.by(channel_id)
    return TicketMessage(
        id=comment.id,
        author=comment.author,
        body=comment.original if ours else comment.body,
        created_at=comment.created_at,
        from_customer=not ours,
    )


def thread_questions(
    thread: Thread, *, channel_id: str, channel: str, kind: str, web_url: str
) -> tuple[Question | None, list[Question]]:
    """What ``thread`` asks now (``None``: nothing) and the comments it settles.

    Until our channel replies, the top-level comment is the question. After our last
    comment, the latest comment by someone else is the question (the thread before it is
    its context); every other comment by someone else is settled (``team_answered``).
    """
    comments = sorted([thread.top, *thread.replies], key=lambda c: (c.created_at, c.id))
    ours = [n for n, c in enumerate(comments) if c.by(channel_id)]

    def build(comment: Comment, context: Sequence[Comment], settled: bool) -> Question:
        return _question(thread, comment, context, channel, kind, web_url, settled)

    if not ours:
        if thread.top.by(channel_id):
            return None, []
        return build(thread.top, (), False), []
    after = [c for c in comments[ours[-1] + 1 :] if not c.by(channel_id)]
    asked = after[-1] if after else None
    settled = [build(c, (), True) for c in comments if not c.by(channel_id) and c is not asked]
    if asked is None:
        return None, settled
    context = comments[: comments.index(asked)]
    return build(asked, context, False), settled


def _question(
    thread: Thread,
    comment: Comment,
    context: Sequence[Comment],
    channel: str,
    kind: str,
    web_url: str,
    settled: bool,
) -> Question:
    video = thread.video_id or comment.video_id
    meta: dict[str, Any] = {"service": kind, **thread.meta}
    extra = {
        "video_id": video,
        "author_channel_url": comment.author_url,
        "like_count": comment.like_count,
        "reply_count": thread.total_replies,
        "can_reply": thread.can_reply,
    }
    meta.update({key: value for key, value in extra.items() if value is not None})
    if comment.updated > comment.created_at:
        meta["edited_at"] = comment.updated.isoformat().replace("+00:00", "Z")
    if settled:
        meta["team_answered"] = True
    messages = [Message(c.author, c.body, c.created_at) for c in context]
    return channel_question(
        channel=channel, kind=kind, native=comment.id, thread_id=thread.id,
        author=comment.author, url=comment_url(web_url, video, comment.id), title=None,
        body=comment.body, created_at=comment.created_at,
        context=tuple(messages[-MAX_CONTEXT_MESSAGES:]), meta=meta,
    )  # fmt: skip


def with_followers(question: Question, counts: Mapping[str, int | None]) -> Question:
    """``question`` with its author's subscriber count, when it is known."""
    author_id = question.author.id
    if author_id is None or counts.get(author_id) is None:
        return question
    return replace(question, author=replace(question.author, followers=counts[author_id]))


def subscriber_counts(data: Any) -> dict[str, int | None]:
    """Subscriber counts by channel id from ``channels.list?part=statistics`` (``None``
    for a channel that hides its count)."""
    items = data.get("items") if isinstance(data, dict) else None
    counts: dict[str, int | None] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        try:
            ident = id_field(item.get("id"), "id")
        except QuestionShapeError:
            continue
        stats = item.get("statistics")
        if ident is None or not isinstance(stats, dict):
            continue
        hidden = stats.get("hiddenSubscriberCount") is True
        counts[ident] = None if hidden else whole_count(stats.get("subscriberCount"))
    return counts

"""The ``facebook`` channel: comments on a Facebook Page's posts (and, optionally, its
Messenger conversations) as questions; replies in the comment's thread or the chat.

Config::

    [channels.facebook]
    kind = "facebook"
    page_id = "104523859874321"
    messenger = true            # optional: Messenger conversations too
    since_days = 7              # optional: the first fetch's window
    api_version = "v26.0"       # optional
    base_url = "https://graph.facebook.com"   # optional

The secret is a Page access token, sent as ``Authorization: Bearer`` (never in a URL).

Comments: ``GET /{page_id}/feed?since=`` with each post's comments embedded (newest
first, replies included through ``filter(stream)``), and ``GET /{post_id}/comments``
for a post with more. Posts are read from ``since_days`` before the previous fetch, so a
new comment on an older post, or the Page's answer to one, is seen. A comment not by the
Page and newer than the checkpoint is a question unless the Page already answered it (a
reply under it, or after it in the same thread); one the Page answered is settled. Its
context is the post (and the comment it replies to); replies go to
``POST /{comment_id}/comments``. A post's further comments that cannot be read cost only
themselves, with a warning; when the failure may pass (a timeout, a 5xx), the checkpoint
stays where it was and the next fetch reads them again.

Messenger: ``GET /{page_id}/conversations?platform=messenger`` (newest first, cursor
only) down to the previous fetch's newest ``updated_time``; a conversation whose last
message is the customer's is a question (one per customer turn), its earlier messages
the context. Replies go to ``POST /{page_id}/messages`` as a ``RESPONSE``, refused
before sending outside Meta's 24-hour standard messaging window.

Neither has an idempotency key: after an unknown outcome the thread is read again for
the Page's reply with the same text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cxdaily.connectors import meta_graph
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.helpdesk import (
    LOOKUP_FAILURES,
    Ticket,
    TicketMessage,
    TicketTurns,
)
from cxdaily.connectors.meta_comments import (
    Comment,
    CommentsConnector,
    comment_turns,
    unknown_outcome,
)
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    id_field,
    object_field,
    parse_time,
    what_it_is,
)
from cxdaily.connectors.public_channel import public_capabilities
from cxdaily.connectors.skipped import SkippedItems, next_checkpoint
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ReplyRejected
from cxdaily.core.models import Author, Message, Question

COMMENT_FIELDS = "id,message,from,created_time,parent{id},permalink_url,like_count,comment_count"
FEED_FIELDS = (
    "id,message,created_time,permalink_url,from,comments.limit(100).filter(stream)"
    f".order(reverse_chronological){{{COMMENT_FIELDS}}}"
)
MESSAGE_FIELDS = "id,message,from,to,created_time"
CONVERSATION_FIELDS = f"id,updated_time,participants,messages.limit(10){{{MESSAGE_FIELDS}}}"
MESSAGING_WINDOW = timedelta(hours=24)
MESSENGER_MAX_CHARS = 2000
"""Meta's limit on a Messenger text message (comments take 8,000)."""
MAX_COMMENT_PAGES = 10
"""Further pages of one post's comments read per fetch (newest first)."""
NO_TEXT = "(a comment without text: a photo, sticker or link)"


class FacebookConnector(CommentsConnector):
    """Comments on a Page's posts, and optionally its Messenger conversations."""

    kind = "facebook"
    capabilities = public_capabilities()
    token_name = "the Page access token"
    declared_options = HTTP_OPTIONS.extended(
        Option("page_id", "text", "the id of the Facebook Page (its About page shows it)",
               required=True, check=meta_graph.id_problem),
        meta_graph.api_version_option(),
        Option("messenger", "bool", "also fetch and answer the Page's Messenger conversations",
               default=False),
        meta_graph.since_days_option(),
    )  # fmt: skip

    def configure(self) -> None:
        """The Page the channel reads and answers as."""
        super().configure()
        self.page_id: str = self.option("page_id")

    def reply_limit(self, question: Question) -> int | None:
        """A Messenger reply takes 2,000 characters, a comment 8,000."""
        if question.meta.get("source") == "messenger":
            return MESSENGER_MAX_CHARS
        return self.capabilities.max_reply_length

    def is_public(self, question: Question) -> bool:
        """Comments are public; a Messenger chat is not."""
        return question.meta.get("source") != "messenger"

    # -- fetching --------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """New comments (and chats) since the checkpoint; those the Page answered settle."""
        now = self.now()
        window = timedelta(days=self.option("since_days"))
        stored = read_checkpoint(checkpoint)
        after = stored.get("after", now - window)
        since = stored.get("scanned_at", now) - window
        skipped = SkippedItems()
        questions: dict[str, Question] = {}
        settled: dict[str, Question] = {}
        newest = after
        async for posts, _ in self.graph_pages(
            self.graph_url(self.page_id, "feed"),
            params={"since": int(since.timestamp()), "fields": FEED_FIELDS},
            what="posts", permission="pages_read_engagement and pages_read_user_content",
        ):  # fmt: skip
            for index, post in enumerate(posts):
                try:
                    found, done, latest = await self._post_questions(post, after, skipped)
                except QuestionShapeError as exc:
                    skipped.add(f"post {index + 1}: skipped: {exc}")
                    continue
                newest = max(newest, latest)
                questions.update((q.id, q) for q in found)
                settled.update((q.id, q) for q in done)
        newest = next_checkpoint(after, newest, skipped)  # not past what was left unread
        saved: dict[str, Any] = {"after": to_iso(newest), "scanned_at": to_iso(now)}
        if self.option("messenger"):
            chats_after = stored.get("chats_after", now - window)
            found, done, latest = await self._conversations(chats_after, skipped)
            questions.update((q.id, q) for q in found)
            settled.update((q.id, q) for q in done)
            saved["chats_after"] = to_iso(max(latest, chats_after))
        for key in settled:
            questions.pop(key, None)
        return FetchResult(list(questions.values()), saved, skipped.lines(),
                           list(settled.values()))  # fmt: skip

    async def _post_questions(
        self, post: Any, after: datetime, skipped: SkippedItems
    ) -> tuple[list[Question], list[Question], datetime]:
        """One post's new questions, settled questions and newest comment time."""
        if not isinstance(post, dict):
            raise QuestionShapeError(f"expected a post object, got {what_it_is(post)}")
        post_id = id_field(post.get("id"), "id", required=True) or ""
        embedded = post.get("comments")
        data = embedded.get("data") if isinstance(embedded, dict) else None
        raw = list(data) if isinstance(data, list) else []
        if data is not None and not isinstance(data, list):
            skipped.add(f"post {post_id}: its comments are {what_it_is(data)}, not a list")
        following = meta_graph.next_page_query(embedded)
        if following is not None:
            raw.extend(await self._more_comments(post_id, following, after, skipped))
        comments: dict[str, Comment] = {}
        for index, item in enumerate(raw):
            try:
                comment = parse_comment(item, f"comments[{index}]", self.page_id)
            except QuestionShapeError as exc:
                skipped.add(f"post {post_id}: a comment was skipped: {exc}")
                continue
            comments[comment.id] = comment
        context = post_message(post, post_id)
        found, done = comment_questions(
            list(comments.values()), context, after, channel=self.name, post_id=post_id,
            post_url=meta_graph.web_url(post.get("permalink_url")),
        )  # fmt: skip
        latest = max((c.created_at for c in comments.values()), default=after)
        return found, done, latest

    async def _more_comments(
        self, post_id: str, following: dict[str, str], after: datetime, skipped: SkippedItems
    ) -> list[Any]:
        """The post's comments past the embedded first page (newest first), down to
        ``after``; a failed look-up costs only them, with a warning."""
        params = {"filter": "stream", "order": "reverse_chronological",
                  "fields": COMMENT_FIELDS, "limit": 100}  # fmt: skip
        more: list[Any] = []
        try:
            async for items, _ in self.graph_pages(
                self.graph_url(post_id, "comments"), params={**params, **following},
                what="comments", max_pages=MAX_COMMENT_PAGES,
            ):  # fmt: skip
                more.extend(items)
                times = [
                    meta_graph.time_or_none(i.get("created_time"))
                    for i in items
                    if isinstance(i, dict)
                ]
                if any(t is not None and t <= after for t in times):
                    break
        except LOOKUP_FAILURES as exc:
            skipped.not_read(f"post {post_id}: its further comments were not read ({exc})", exc)
        return more

    async def _conversations(
        self, after: datetime, skipped: SkippedItems
    ) -> tuple[list[Question], list[Question], datetime]:
        """Messenger conversations updated after ``after`` (newest first, cursor only)."""
        turns = TicketTurns(self.name, self.kind)
        newest = after
        params = {"platform": "messenger", "fields": CONVERSATION_FIELDS}
        async for items, _ in self.graph_pages(
            self.graph_url(self.page_id, "conversations"), params=params,
            what="conversations", permission="pages_messaging",
        ):  # fmt: skip
            reached = False
            for index, item in enumerate(items):
                try:
                    ticket, updated = parse_conversation(item, self.page_id, skipped)
                except QuestionShapeError as exc:
                    skipped.add(f"conversation {index + 1}: skipped: {exc}")
                    continue
                if updated <= after:
                    reached = True
                    continue
                newest = max(newest, updated)
                turns.add(ticket)
            if reached:
                break
        return turns.questions, turns.settled, newest

    # -- replying --------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """A reply in the comment's thread, or a Messenger answer within 24 hours."""
        if question.meta.get("source") == "messenger":
            return await self._send_message(question, body)
        return await self.reply_in_thread(
            question, body, edge="comments", permission="pages_manage_engagement"
        )

    async def _send_message(self, question: Question, body: str) -> SentReply:
        psid = question.meta.get("psid") or question.author.id
        if not isinstance(psid, str) or not psid:
            raise ReplyRejected(f"{self.name}: the Messenger customer's id is unknown")
        last = meta_graph.time_or_none(question.meta.get("last_customer_at")) or question.created_at
        if self.now() - last > MESSAGING_WINDOW:
            raise ReplyRejected(
                f"{self.name}: the customer last wrote more than 24 hours ago, outside Meta's "
                "standard messaging window; answer in the Page inbox instead"
            )
        if len(body) > MESSENGER_MAX_CHARS:
            raise ReplyRejected(
                f"{self.name}: a Messenger reply takes at most {MESSENGER_MAX_CHARS} characters "
                f"(this one has {len(body)})"
            )
        payload = {"recipient": {"id": psid}, "messaging_type": "RESPONSE",
                   "message": {"text": body}}  # fmt: skip
        data, result = await self.graph(
            "POST", self.graph_url(self.page_id, "messages"), json_body=payload,
            permission="pages_messaging",
        )  # fmt: skip
        ident = data.get("message_id") if isinstance(data, dict) else None
        if not isinstance(ident, str) or not ident.strip():
            raise unknown_outcome(self.name, result.url)
        return SentReply(remote_id=ident.strip(), url=None)

    async def thread(self, question: Question) -> list[TicketMessage]:
        """The question's thread read again: the comment's replies (and its parent's), or
        the Messenger conversation's latest messages."""
        if question.meta.get("source") == "messenger":
            data, _ = await self.graph(
                "GET", self.graph_url(question.thread_id),
                params={"fields": f"messages.limit(25){{{MESSAGE_FIELDS}}}"},
            )  # fmt: skip
            holder = data.get("messages") if isinstance(data, dict) else None
            items = holder.get("data") if isinstance(holder, dict) else None
            return _messages(items, self.page_id, SkippedItems())
        roots = [question.thread_id]
        parent = question.meta.get("parent_id")
        if isinstance(parent, str) and parent:
            roots.append(parent)
        messages: list[TicketMessage] = []
        params = {"filter": "stream", "order": "reverse_chronological",
                  "fields": COMMENT_FIELDS, "limit": 100}  # fmt: skip
        for root in roots:
            messages.extend(await self.comment_messages(
                self.graph_url(root, "comments"), params=params, what="comments",
                parse=lambda item, where: parse_comment(item, where, self.page_id),
                max_pages=MAX_COMMENT_PAGES,
            ))  # fmt: skip
        return messages

    def own_id(self) -> str:
        """The Page: the author of our replies."""
        return self.page_id

    def reply_link(self, question: Question) -> str | None:
        """The comment's link (a Messenger answer has none)."""
        return None if question.meta.get("source") == "messenger" else question.url

    async def check(self) -> str:
        """``GET /{page_id}?fields=id,name``: the token can read the Page."""
        data, result = await self.graph(
            "GET", self.graph_url(self.page_id), params={"fields": "id,name"}
        )
        name = meta_graph.short_text(data.get("name")) if isinstance(data, dict) else None
        where = result.url.host
        chats = "; Messenger on" if self.option("messenger") else ""
        return f"page {name or self.page_id} ({self.page_id}) readable on {where}{chats}"


# ----------------------------------------------------------------------------- parsing
def read_checkpoint(checkpoint: dict[str, Any] | None) -> dict[str, datetime]:
    """The stored times (``after``, ``scanned_at``, ``chats_after``); a damaged one is
    left out (that part starts over as on a first fetch)."""
    times: dict[str, datetime] = {}
    for key in ("after", "scanned_at", "chats_after"):
        value = (checkpoint or {}).get(key)
        when = meta_graph.time_or_none(value) if isinstance(value, str) else None
        if when is not None:
            times[key] = when
    return times


def parse_comment(data: Any, where: str, page_id: str) -> Comment:
    """One comment object (``from`` may be missing: the author is unknown)."""
    data = object_field(data, where)
    author = meta_graph.graph_person(data.get("from"), f"{where}.from")
    parent = data.get("parent")
    parent_id = None
    if isinstance(parent, dict):
        parent_id = id_field(parent.get("id"), f"{where}.parent.id")
    return Comment(
        id=id_field(data.get("id"), f"{where}.id", required=True) or "",
        author=author,
        ours=author.id == page_id,
        body=(meta_graph.graph_text(data.get("message"), f"{where}.message") or "").strip()
        or NO_TEXT,
        created_at=parse_time(data.get("created_time"), f"{where}.created_time"),
        parent_id=parent_id,
        url=meta_graph.web_url(data.get("permalink_url")),
        likes=meta_graph.graph_count(data.get("like_count")),
        replies=meta_graph.graph_count(data.get("comment_count")),
    )


def post_message(post: dict[str, Any], post_id: str) -> Message | None:
    """The post as the first message of its comments' context (``None`` without text)."""
    body = meta_graph.graph_text(post.get("message"), f"post {post_id}.message")
    when = meta_graph.time_or_none(post.get("created_time"))
    if not body or not body.strip() or when is None:
        return None
    return Message(
        author=meta_graph.graph_person(post.get("from"), "post.from"), body=body, created_at=when
    )


def comment_questions(
    comments: list[Comment], post: Message | None, after: datetime, *, channel: str,
    post_id: str, post_url: str | None,
) -> tuple[list[Question], list[Question]]:  # fmt: skip
    """A post's comments as new questions (not the Page's, newer than ``after``, not
    answered) and settled ones (answered by the Page)."""
    questions: list[Question] = []
    settled: list[Question] = []
    for comment, done, parent in comment_turns(comments, after):
        context = [post] if post is not None else []
        if parent is not None:
            context.append(parent)
        meta: dict[str, Any] = {"service": "facebook", "source": "comment", "post_id": post_id}
        for key, value in (("parent_id", comment.parent_id), ("like_count", comment.likes),
                           ("reply_count", comment.replies)):  # fmt: skip
            if value is not None:
                meta[key] = value
        if done:
            meta["team_answered"] = True
        question = Question(
            id=Question.make_id(channel, comment.id), channel=channel, kind="facebook",
            native_id=comment.id, thread_id=comment.id, url=comment.url or post_url,
            author=comment.author, title=None, body=comment.body,
            created_at=comment.created_at, context=tuple(context), meta=meta,
        )  # fmt: skip
        (settled if done else questions).append(question)
    return questions, settled


def parse_conversation(data: Any, page_id: str, skipped: SkippedItems) -> tuple[Ticket, datetime]:
    """A Messenger conversation as a :class:`Ticket` (the customer's turns become
    questions) and its ``updated_time``."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"expected a conversation object, got {what_it_is(data)}")
    ident = id_field(data.get("id"), "id", required=True) or ""
    updated = parse_time(data.get("updated_time"), "updated_time")
    holder = data.get("messages")
    messages = _messages(holder.get("data") if isinstance(holder, dict) else None, page_id,
                         skipped, ident)  # fmt: skip
    customer = _customer(data.get("participants"), messages, page_id)
    meta: dict[str, Any] = {"source": "messenger", "conversation_id": ident}
    if customer.id:
        meta["psid"] = customer.id
    theirs = [m.created_at for m in messages if m.from_customer]
    if theirs:
        meta["last_customer_at"] = to_iso(max(theirs))
    created = min((m.created_at for m in messages), default=updated)
    ticket = Ticket(id=ident, requester=customer, messages=messages, waiting_on_team=True,
                    created_at=created, meta=meta)  # fmt: skip
    return ticket, updated


def _messages(
    items: Any, page_id: str, skipped: SkippedItems, conversation: str = ""
) -> list[TicketMessage]:
    messages: list[TicketMessage] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        where = f"messages[{index}]"
        try:
            item = object_field(item, where)
            author = meta_graph.graph_person(item.get("from"), f"{where}.from")
            messages.append(TicketMessage(
                id=id_field(item.get("id"), f"{where}.id", required=True) or "",
                author=author,
                body=(meta_graph.graph_text(item.get("message"), f"{where}.message") or "").strip()
                or "(a message without text: an attachment or sticker)",
                created_at=parse_time(item.get("created_time"), f"{where}.created_time"),
                from_customer=author.id != page_id,
            ))  # fmt: skip
        except QuestionShapeError as exc:
            skipped.add(f"conversation {conversation}: a message was skipped: {exc}")
    return messages


def _customer(participants: Any, messages: list[TicketMessage], page_id: str) -> Author:
    """The person the Page talks with: a participant who is not the Page."""
    listed = participants.get("data") if isinstance(participants, dict) else None
    for index, item in enumerate(listed if isinstance(listed, list) else []):
        try:
            person = meta_graph.graph_person(item, f"participants[{index}]")
        except QuestionShapeError:
            continue
        if person.id and person.id != page_id:
            return person
    for message in messages:
        if message.from_customer and message.author.id:
            return message.author
    return Author()

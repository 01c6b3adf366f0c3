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

Comments past a post's first page are read newest first down to the checkpoint, at most
:data:`MAX_COMMENT_PAGES` pages per fetch; a walk stopped first (that cap, the byte
budget) is kept in ``comment_walks`` for the next fetch to go on with after what is new
(:mod:`~cxdaily.connectors.facebook_walks`; ``GET /{post_id}`` for a post the feed no
longer lists), so ``after`` may move to the newest comment read (a feed cut short holds it).

Messenger: ``GET /{page_id}/conversations?platform=messenger`` (newest first, cursor
only) down to the previous fetch's newest ``updated_time`` (``chats_after``); a
conversation whose last message is the customer's is a question (one per customer turn),
its earlier messages the context. Replies go to ``POST /{page_id}/messages`` as a
``RESPONSE``, refused before sending outside Meta's 24-hour standard messaging window.
A walk cut short is kept the same way (``chat_walk``), not by holding ``chats_after``
(every fetch would read the same newest pages and stop at the same cap). A Graph cursor
points to an item: a conversation updated since moves to the top and is read there, the
others stay after the cursor (if its own item moved, the walk goes on from the top:
read twice, counted once). Only a walk cut short without a cursor holds ``chats_after``.

Neither has an idempotency key: after an unknown outcome the thread is read again for
the Page's reply with the same text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cxdaily.connectors import facebook_walks as walks
from cxdaily.connectors import meta_graph
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.facebook_messenger import conversation_messages, parse_conversation
from cxdaily.connectors.facebook_walks import CommentRun
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, TicketMessage, TicketTurns
from cxdaily.connectors.meta_comments import (
    Comment,
    CommentsConnector,
    comment_turns,
    unknown_outcome,
)
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES
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
from cxdaily.core.models import Message, Question

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
"""Further pages of one post's comments read per walk and fetch (newest first)."""
MAX_CONVERSATION_PAGES = DEFAULT_MAX_PAGES
"""Pages of Messenger conversations read per walk and fetch (newest first)."""
COMMENT_PARAMS = {"filter": "stream", "order": "reverse_chronological",
                  "fields": COMMENT_FIELDS, "limit": 100}  # fmt: skip
"""The query of ``GET /{id}/comments``: every comment and reply, newest first."""
CHAT_PARAMS = {"platform": "messenger", "fields": CONVERSATION_FIELDS}
"""The query of ``GET /{page_id}/conversations``."""
CREATED = walks.time_field("created_time")
UPDATED = walks.time_field("updated_time")
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
        """New comments (and chats) since the checkpoint; those the Page answered settle.
        Walks cut short are kept in the checkpoint and gone on with by the next fetch."""
        now = self.now()
        window = timedelta(days=self.option("since_days"))
        stored = read_checkpoint(checkpoint)
        skipped = SkippedItems()
        kept, damaged = walks.read_comment_walks(checkpoint)
        if damaged:
            skipped.add(
                f"{damaged} kept place(s) in posts' comments in the checkpoint were damaged "
                "and left out: what those posts had left unread is not read"
            )
        run = CommentRun(stored.get("after", now - window), kept)
        since = stored.get("scanned_at", now) - window
        last: Any = None
        async for posts, page in self.graph_pages(
            self.graph_url(self.page_id, "feed"),
            params={"since": int(since.timestamp()), "fields": FEED_FIELDS},
            what="posts", permission="pages_read_engagement and pages_read_user_content",
        ):  # fmt: skip
            last = page
            for index, post in enumerate(posts):
                await self._read_post(post, run, skipped, f"post {index + 1}")
        if meta_graph.next_page_query(last) is not None:  # the feed's cap or the byte budget
            skipped.unread_later("posts past the last page of the feed read were not read")
        for post_id in list(run.kept):  # kept walks of posts the feed no longer lists
            await self._read_kept_post(post_id, run, skipped)
        newest = next_checkpoint(run.after, run.newest, skipped, run.walk_unread)  # not past unread
        saved: dict[str, Any] = {"after": to_iso(newest), "scanned_at": to_iso(now)}
        if kept_walks := walks.bound_walks(run.walks, skipped):
            saved[walks.COMMENT_WALKS_KEY] = {p: w.mark() for p, w in kept_walks.items()}
            skipped.add(walks.walks_note(kept_walks))
        if self.option("messenger"):
            chats_after = stored.get("chats_after", now - window)
            chat_walk, broken = walks.read_chat_walk(checkpoint)
            if broken:
                skipped.add(
                    "the kept place in the Messenger conversations in the checkpoint was "
                    "damaged and left out: what it had left unread is not read"
                )
            found, done, latest, left = await self._conversations(chats_after, chat_walk, skipped)
            run.questions.update((q.id, q) for q in found)
            run.settled.update((q.id, q) for q in done)
            saved["chats_after"] = to_iso(max(latest, chats_after))
            if left is not None:
                saved[walks.CHAT_WALK_KEY] = left.mark()
                skipped.add(
                    f"Messenger: conversations updated {left.unread()} were not read yet (the "
                    "fetch's page cap or byte budget); the next fetch goes on with them"
                )
        for key in run.settled:
            run.questions.pop(key, None)
        return FetchResult(list(run.questions.values()), saved, skipped.lines(),
                           list(run.settled.values()))  # fmt: skip

    async def _read_post(
        self, post: Any, run: CommentRun, skipped: SkippedItems, where: str
    ) -> None:
        """One post's questions and settled questions into ``run`` (a malformed post is
        skipped, with a warning)."""
        try:
            found, done = await self._post_questions(post, run, skipped)
        except QuestionShapeError as exc:
            skipped.add(f"{where}: skipped: {exc}")
            return
        run.questions.update((q.id, q) for q in found)
        run.settled.update((q.id, q) for q in done)

    async def _read_kept_post(self, post_id: str, run: CommentRun, skipped: SkippedItems) -> None:
        """A post with a kept walk the feed no longer lists, read as the feed shows one."""
        walk = run.kept[post_id]
        unread = skipped.unread
        try:
            post, _ = await self.graph("GET", self.graph_url(post_id),
                                       params={"fields": FEED_FIELDS})  # fmt: skip
        except LOOKUP_FAILURES as exc:
            run.kept.pop(post_id)
            left = walks.kept_after_failure(walk, exc, skipped, label=f"post {post_id}",
                                            what="comments")  # fmt: skip
            if left is not None:
                run.walks[post_id] = left
            run.walk_unread += skipped.unread - unread
            return
        if not isinstance(post, dict) or post.get("id") != post_id:
            run.kept.pop(post_id)
            skipped.add(f"post {post_id}: Graph answered without the post; its comments "
                        f"{walk.unread()} are skipped")  # fmt: skip
            return
        await self._read_post(post, run, skipped, f"post {post_id}")

    async def _post_questions(
        self, post: Any, run: CommentRun, skipped: SkippedItems
    ) -> tuple[list[Question], list[Question]]:
        """One post's new questions and settled questions: its comments newer than the
        checkpoint, then those its kept walk (if any) left unread; a walk cut short now
        is kept in ``run``."""
        if not isinstance(post, dict):
            raise QuestionShapeError(f"expected a post object, got {what_it_is(post)}")
        post_id = id_field(post.get("id"), "id", required=True) or ""
        kept = run.kept.pop(post_id, None)
        embedded = post.get("comments")
        data = embedded.get("data") if isinstance(embedded, dict) else None
        raw = list(data) if isinstance(data, list) else []
        if data is not None and not isinstance(data, list):
            skipped.add(f"post {post_id}: its comments are {what_it_is(data)}, not a list")
        newer = await self._newer_comments(post_id, embedded, run.after, skipped)
        raw.extend(newer.items if newer else [])
        older: list[Any] = []
        if newer is not None and newer.cut:  # a kept walk goes on from the new place
            floor = min(run.after, kept.after) if kept else run.after
            left = newer.kept(floor, run.after) or kept
            if newer.cursor is None:
                skipped.unread_later(f"post {post_id}: its comments older than the last one "
                                     "read were not read (Graph gave no cursor)")  # fmt: skip
            if left is not None:
                run.walks[post_id] = left
        elif kept is not None:
            unread = skipped.unread
            older, left = await walks.go_on(
                self, self.graph_url(post_id, "comments"), kept, skipped, params=COMMENT_PARAMS,
                what="comments", label=f"post {post_id}", time_of=CREATED,
                max_pages=MAX_COMMENT_PAGES,
            )  # fmt: skip
            run.walk_unread += skipped.unread - unread
            if left is not None:
                run.walks[post_id] = left
        comments: dict[str, Comment] = {}
        older_ids: set[str] = set()
        for index, item in enumerate([*raw, *older]):
            try:
                comment = parse_comment(item, f"comments[{index}]", self.page_id)
            except QuestionShapeError as exc:
                skipped.add(f"post {post_id}: a comment was skipped: {exc}")
                continue
            comments[comment.id] = comment
            if index >= len(raw):
                older_ids.add(comment.id)
        floor = min(run.after, kept.after) if kept and older_ids else run.after
        found, done = comment_questions(
            list(comments.values()), post_message(post, post_id), floor, channel=self.name,
            post_id=post_id, post_url=meta_graph.web_url(post.get("permalink_url")),
        )  # fmt: skip
        run.newest = max([run.newest, *(c.created_at for c in comments.values())])
        # older than the checkpoint: new only when read by the kept walk
        return [q for q in found if q.created_at > run.after or q.native_id in older_ids], done

    async def _newer_comments(
        self, post_id: str, embedded: Any, after: datetime, skipped: SkippedItems
    ) -> walks.WalkDown | None:
        """The post's comments past its embedded first page (newest first), down to
        ``after`` (``None`` when that page is the last); a failed look-up costs only them,
        with a warning."""
        following = meta_graph.next_page_query(embedded)
        if following is None:
            return None
        newer = await walks.walk_down(
            self, self.graph_url(post_id, "comments"), params=COMMENT_PARAMS, what="comments",
            stop=after, time_of=CREATED, start=following, max_pages=MAX_COMMENT_PAGES,
        )  # fmt: skip
        if (exc := newer.failure) is not None:
            skipped.not_read(f"post {post_id}: its further comments were not read ({exc})", exc)
        return newer

    async def _conversations(
        self, after: datetime, kept: walks.KeptWalk | None, skipped: SkippedItems
    ) -> tuple[list[Question], list[Question], datetime, walks.KeptWalk | None]:
        """Messenger conversations updated after ``after`` (newest first, cursor only),
        then those ``kept``, a walk an earlier fetch cut short, left unread; the newest
        update read (``after`` when a walk cut short gave no cursor: the checkpoint
        holds), and the walk to keep for the next fetch (see the module's docstring)."""
        turns = TicketTurns(self.name, self.kind)
        url = self.graph_url(self.page_id, "conversations")
        newer = await walks.walk_down(
            self, url, params=CHAT_PARAMS, what="conversations", stop=after, time_of=UPDATED,
            max_pages=MAX_CONVERSATION_PAGES, permission="pages_messaging",
        )  # fmt: skip
        if newer.failure is not None:  # the conversations cannot be read: the fetch fails
            raise newer.failure
        newest = self._add_conversations(newer.items, after, turns, skipped)
        left = kept
        if newer.cut:  # a kept walk goes on from the new place
            left = newer.kept(min(after, kept.after) if kept else after, after) or kept
            if newer.cursor is None:
                newest = after
                skipped.add(
                    "Messenger: conversations older than the last one read were not read "
                    "(Graph gave no cursor); the checkpoint stays where it was"
                )
        elif kept is not None:
            older, left = await walks.go_on(
                self, url, kept, skipped, params=CHAT_PARAMS, what="conversations",
                label="Messenger", time_of=UPDATED, max_pages=MAX_CONVERSATION_PAGES,
                permission="pages_messaging",
            )  # fmt: skip
            self._add_conversations(older, kept.after, turns, skipped)
        return turns.questions, turns.settled, newest, left

    def _add_conversations(
        self, items: list[Any], after: datetime, turns: TicketTurns, skipped: SkippedItems
    ) -> datetime:
        """The conversations of ``items`` updated after ``after`` into ``turns`` (a
        malformed one is skipped, with a warning); the newest update among them."""
        newest = after
        for index, item in enumerate(items):
            try:
                ticket, updated = parse_conversation(item, self.page_id, skipped)
            except QuestionShapeError as exc:
                skipped.add(f"conversation {index + 1}: skipped: {exc}")
                continue
            if updated > after:
                newest = max(newest, updated)
                turns.add(ticket)
        return newest

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
            return conversation_messages(items, self.page_id, SkippedItems())
        roots = [question.thread_id]
        parent = question.meta.get("parent_id")
        if isinstance(parent, str) and parent:
            roots.append(parent)
        messages: list[TicketMessage] = []
        for root in roots:
            messages.extend(await self.comment_messages(
                self.graph_url(root, "comments"), params=COMMENT_PARAMS, what="comments",
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

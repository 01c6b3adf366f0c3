"""The ``instagram`` channel: comments on an Instagram professional account's recent
media as questions; replies in the comment's thread.

Config::

    [channels.instagram]
    kind = "instagram"
    ig_user_id = "17841400008460056"
    max_media = 25              # optional: recent media scanned per fetch
    since_days = 7              # optional: the first fetch's window
    base_url = "https://graph.instagram.com"   # for Instagram Login tokens
    api_version = "v26.0"       # optional
    refresh_url = "https://graph.instagram.com/refresh_access_token"   # optional

The secret is the access token (a Page token with Facebook Login, an Instagram user
token with Instagram Login), sent as ``Authorization: Bearer``.

An Instagram Login token lives 60 days unless it is renewed: with ``base_url`` at
``https://graph.instagram.com`` (or a ``refresh_url`` set), a fetch renews it once a day
(``GET {refresh_url}?grant_type=ig_refresh_token&access_token=...``, the one call that
takes the token in its query, as documented; the token must be a day old) and stores the
new token in place of the old one (the keyring), so it never runs out while the channel
is fetched. The next renewal is due a day later (sooner when ``expires_in`` says so), in
the checkpoint; a new channel's token is first renewed a day after its first fetch. A
renewal that fails is logged and the fetch goes on with the current token. Facebook
Login (Page) tokens are not renewed this way.

Fetching: ``GET /{ig_user_id}/media`` for the ``max_media`` most recent media (Instagram
has no "since" filter), then ``GET /{media_id}/comments`` with each comment's
``replies`` for the media that have comments, a few at once (a thread with more replies
than the first page embedded in its comment reads the rest from
``GET /{comment_id}/replies``); a media whose comments cannot be read costs only itself,
and further replies that cannot be read cost only themselves, with a warning (when the
failure may pass, a timeout or a 5xx, the checkpoint stays where it was, and the next
fetch reads them again). Comments and replies are read 50 to a page, five pages per
media (or per thread) at most: Graph documents no order for them, so every fetch reads
them from their first page, and when the rest may hold new comments a warning says they
were not read. A comment
(or a reply in its thread) not by the account, newer than the checkpoint and not
answered by the account (a reply of ours under it, or after it in the thread) is a
question; one the account answered is settled. Its link is the media's permalink and
its context the caption (and the comment it replies to). Replies go to
``POST /{comment_id}/replies`` on the thread's top-level comment (Instagram nests one
level), at most 2,200 characters. No idempotency key: after an unknown outcome the
thread's replies are read again for ours.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx

from cxdaily.connectors import meta_graph
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.helpdesk import (
    LOOKUP_FAILURES,
    TicketMessage,
    read_at_once,
)
from cxdaily.connectors.http import BadResponseError, describe_url
from cxdaily.connectors.meta_comments import Comment, CommentsConnector, comment_turns
from cxdaily.connectors.oauth import lifetime, usable_token
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.parsing import QuestionShapeError, id_field, object_field, parse_time
from cxdaily.connectors.public_channel import public_capabilities
from cxdaily.connectors.skipped import SkippedItems, next_checkpoint
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Author, Message, Question

MEDIA_FIELDS = "id,caption,timestamp,permalink,comments_count"
REPLY_FIELDS = "id,text,username,timestamp,from"
COMMENT_FIELDS = f"id,text,timestamp,username,from,like_count,replies{{{REPLY_FIELDS}}}"
READ_AT_ONCE = 4
"""Media whose comments are read at the same time."""
MAX_COMMENT_PAGES = 5
"""Pages of one media's comments (or of one comment's further replies) read per fetch."""
COMMENT_PAGE_SIZE = 50
"""Comments asked for per page (``limit``; Graph answers fewer when it allows fewer)."""
INSTAGRAM_LOGIN_HOST = "graph.instagram.com"
"""The host of Instagram Login tokens: a channel there renews its token by default."""
RENEW_EVERY = timedelta(days=1)
"""How often an Instagram Login token is renewed (it must be a day old to be renewed)."""
RENEW_AFTER = "token_renew_after"
"""The checkpoint key holding when the token's next renewal is due."""

logger = logging.getLogger("cxdaily.connectors")


class InstagramConnector(CommentsConnector):
    """Comments on an Instagram professional account's recent media."""

    kind = "instagram"
    capabilities = public_capabilities()
    declared_options = HTTP_OPTIONS.extended(
        Option("ig_user_id", "text", "the id of the Instagram professional account "
               "(GET /{page_id}?fields=instagram_business_account shows it)",
               required=True, check=meta_graph.id_problem),
        meta_graph.api_version_option(),
        meta_graph.since_days_option(),
        Option("max_media", "int", "how many recent media each fetch scans for comments",
               default=25, minimum=1, maximum=500, unit="media"),
        Option("refresh_url", "url", "where an Instagram Login token is renewed every day "
               "(default: {base_url}/refresh_access_token when base_url is "
               "https://graph.instagram.com; Facebook Login tokens are not renewed)"),
    )  # fmt: skip

    def configure(self) -> None:
        """The account the channel reads and answers as, and where its token is renewed."""
        super().configure()
        self.ig_user_id: str = self.option("ig_user_id")
        configured = self.option("refresh_url")
        if configured:
            self.allow_credentials_to(configured)  # configured explicitly: it gets the token
        login_host = httpx.URL(self.base_url or "").host == INSTAGRAM_LOGIN_HOST
        self.refresh_url: str | None = configured or (
            self.endpoint("/refresh_access_token") if login_host else None
        )
        self.username: str | None = None
        """The account's username, learnt from the API (our own comments carry it)."""

    # -- fetching --------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """New comments on recent media; those the account answered settle."""
        stored = meta_graph.time_or_none((checkpoint or {}).get("after"))
        after = stored or self.now() - timedelta(days=self.option("since_days"))
        renew_after = await self._renew_token(checkpoint)
        skipped = SkippedItems()
        await self._learn_username()
        media = await self._recent_media(skipped)
        jobs = [self._media_comments(item, after, skipped) for item in media]
        questions: dict[str, Question] = {}
        settled: dict[str, Question] = {}
        newest = after
        for item, comments in zip(media, await read_at_once(jobs, READ_AT_ONCE), strict=True):
            if not comments:
                continue
            found, done = comment_questions(comments, item, after, channel=self.name,
                                            owner=self.owner())  # fmt: skip
            questions.update((q.id, q) for q in found)
            settled.update((q.id, q) for q in done)
            newest = max(newest, *(c.created_at for c in comments))
        for key in settled:
            questions.pop(key, None)
        newest = next_checkpoint(after, newest, skipped)  # not past what was left unread
        mark = {"after": to_iso(newest), **({RENEW_AFTER: renew_after} if renew_after else {})}
        return FetchResult(list(questions.values()), mark, skipped.lines(),
                           list(settled.values()))  # fmt: skip

    async def _renew_token(self, checkpoint: dict[str, Any] | None) -> str | None:
        """Renew an Instagram Login token when it is due (see the module's docstring);
        when the next renewal is due, for the checkpoint (``None``: no renewal here)."""
        if self.refresh_url is None:
            return None
        now = self.now()
        due = meta_graph.time_or_none((checkpoint or {}).get(RENEW_AFTER))
        if due is None:  # a token seen for the first time may be minutes old
            return to_iso(now + RENEW_EVERY)
        if now < due:
            return to_iso(due)
        try:
            seconds = await self._refresh_token(self.refresh_url)
        except ConnectorError as exc:
            logger.warning("%s; the current token is used and renewed again in a day",
                           self.scrubber.scrub(str(exc)))  # fmt: skip
            return to_iso(now + RENEW_EVERY)
        return to_iso(now + min(RENEW_EVERY, timedelta(seconds=seconds / 2)))

    async def _refresh_token(self, url: str) -> float:
        """``GET refresh_access_token``: the new token is stored; returns its lifetime (s)."""
        token = (await self.read_secret()).strip()
        data, result = await self.graph(
            "GET", url, params={"grant_type": "ig_refresh_token", "access_token": token},
            permission="instagram_business_basic",
        )  # fmt: skip
        renewed = data.get("access_token") if isinstance(data, dict) else None
        if not usable_token(renewed):
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered without a usable access_token",
                channel=self.name,
            )
        assert isinstance(renewed, str) and isinstance(data, dict)
        await self.persist_secret("", renewed)
        return lifetime(data.get("expires_in"))

    def owner(self) -> Author:
        """Our own account, as the author of its captions."""
        return Author(id=self.ig_user_id, handle=f"@{self.username}" if self.username else None)

    async def _learn_username(self) -> None:
        if self.username is not None:
            return
        try:
            data, _ = await self.graph(
                "GET", self.graph_url(self.ig_user_id), params={"fields": "id,username"}
            )
        except LOOKUP_FAILURES:
            return  # our comments are still told by their ``from.id``
        if isinstance(data, dict):
            self.username = meta_graph.short_text(data.get("username"))

    async def _recent_media(self, skipped: SkippedItems) -> list[dict[str, Any]]:
        """The ``max_media`` most recent media (newest first), each checked."""
        wanted = self.option("max_media")
        media: list[dict[str, Any]] = []
        async for items, _ in self.graph_pages(
            self.graph_url(self.ig_user_id, "media"),
            params={"fields": MEDIA_FIELDS, "limit": min(wanted, 100)},
            what="media", permission="instagram_basic (or instagram_business_basic)",
        ):  # fmt: skip
            for index, item in enumerate(items):
                try:
                    media.append(parse_media(item, f"media {len(media) + index + 1}"))
                except QuestionShapeError as exc:
                    skipped.add(f"a media was skipped: {exc}")
            if len(media) >= wanted:
                break
        return media[:wanted]

    async def _media_comments(
        self, media: dict[str, Any], after: datetime, skipped: SkippedItems
    ) -> list[Comment]:
        """A media's comments and their replies ([] without comments, or with a warning
        when they cannot be read). A walk cut short by the page cap whose unread part may
        hold comments newer than ``after`` (see :func:`may_hide_new`) is said in a warning:
        every fetch reads a media's comments from their first page, so those past the cap
        are not read later either."""
        if media["comments_count"] == 0:
            return []
        try:
            raw, cut = await meta_graph.read_all(self.graph_pages(
                self.graph_url(media["id"], "comments"),
                params={"fields": COMMENT_FIELDS, "limit": COMMENT_PAGE_SIZE},
                what="comments", max_pages=MAX_COMMENT_PAGES,
                permission="instagram_manage_comments (or instagram_business_manage_comments)",
            ))  # fmt: skip
        except LOOKUP_FAILURES as exc:
            skipped.not_read(f"media {media['id']}: its comments were not read ({exc})", exc)
            return []
        comments: list[Comment] = []
        for index, item in enumerate(raw):
            try:
                thread = self._thread(item, f"comments[{index}]")
            except QuestionShapeError as exc:
                skipped.add(f"media {media['id']}: a comment was skipped: {exc}")
                continue
            following = meta_graph.next_page_query(item.get("replies"))
            if following is not None:
                thread.extend(await self._more_replies(thread, following, after, skipped))
            comments.extend(thread)
        if cut and may_hide_new(raw, after):
            skipped.add(f"media {media['id']}: its comments past {past_the_cap()} were not read")
        return comments

    def _thread(self, data: Any, where: str) -> list[Comment]:
        """A top-level comment and its replies (a malformed reply is left out)."""
        top = self.parse_comment(data, where, None)
        thread = [top]
        holder = data.get("replies")
        replies = holder.get("data") if isinstance(holder, dict) else None
        for index, item in enumerate(replies if isinstance(replies, list) else []):
            try:
                thread.append(self.parse_comment(item, f"{where}.replies[{index}]", top.id))
            except QuestionShapeError:
                continue
        return thread

    async def _more_replies(
        self,
        thread: list[Comment],
        following: dict[str, str],
        after: datetime,
        skipped: SkippedItems,
    ) -> list[Comment]:
        """The replies under ``thread``'s top-level comment past the first page embedded
        in it (``GET /{comment_id}/replies`` from the embedded page's cursor), those not
        in ``thread`` already; a malformed reply is left out, and a failed look-up costs
        only them, with a warning (the first page is kept). A walk cut short is treated
        as in :meth:`_media_comments`."""
        top = thread[0]
        known = {comment.id for comment in thread}
        more: list[Comment] = []
        try:
            items, cut = await meta_graph.read_all(self.graph_pages(
                self.graph_url(top.id, "replies"),
                params={"fields": REPLY_FIELDS, "limit": COMMENT_PAGE_SIZE, **following},
                what="replies", max_pages=MAX_COMMENT_PAGES,
            ))  # fmt: skip
        except LOOKUP_FAILURES as exc:
            skipped.not_read(f"comment {top.id}: its further replies were not read ({exc})", exc)
            return more
        for index, item in enumerate(items):
            try:
                reply = self.parse_comment(item, f"replies[{index}]", top.id)
            except QuestionShapeError:
                continue
            if reply.id not in known:
                known.add(reply.id)
                more.append(reply)
        if cut and may_hide_new(items, after):
            skipped.add(f"comment {top.id}: its replies past {past_the_cap()} were not read")
        return more

    def parse_comment(self, data: Any, where: str, parent_id: str | None) -> Comment:
        """One comment or reply (``username`` as the author's handle)."""
        data = object_field(data, where)
        author = meta_graph.graph_person(data.get("from"), f"{where}.from")
        username = meta_graph.short_text(data.get("username"))
        if username and author.handle is None:
            author = Author(id=author.id, handle=f"@{username}", name=author.name)
        ours = author.id == self.ig_user_id or (
            self.username is not None and author.handle == f"@{self.username}"
        )
        return Comment(
            id=id_field(data.get("id"), f"{where}.id", required=True) or "",
            author=author,
            ours=ours,
            body=(meta_graph.graph_text(data.get("text"), f"{where}.text") or "").strip()
            or "(no text)",
            created_at=parse_time(data.get("timestamp"), f"{where}.timestamp"),
            parent_id=parent_id,
            likes=meta_graph.graph_count(data.get("like_count")),
        )

    # -- replying --------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """A reply in the comment's thread (``POST /{comment_id}/replies``)."""
        return await self.reply_in_thread(
            question, body, edge="replies",
            permission="instagram_manage_comments (or instagram_business_manage_comments)",
        )  # fmt: skip

    async def thread(self, question: Question) -> list[TicketMessage]:
        """The replies under the question's top-level comment, read again."""
        await self._learn_username()
        return await self.comment_messages(
            self.graph_url(question.thread_id, "replies"), params={"fields": REPLY_FIELDS},
            what="replies", max_pages=MAX_COMMENT_PAGES,
            parse=lambda item, where: self.parse_comment(item, where, question.thread_id),
        )  # fmt: skip

    def own_id(self) -> str:
        """The account: the author of our replies."""
        return self.ig_user_id

    async def check(self) -> str:
        """``GET /{ig_user_id}?fields=id,username``: the token can read the account."""
        data, result = await self.graph(
            "GET", self.graph_url(self.ig_user_id), params={"fields": "id,username"}
        )
        name = meta_graph.short_text(data.get("username")) if isinstance(data, dict) else None
        self.username = name or self.username
        who = f"@{name}" if name else self.ig_user_id
        return f"signed in as {who} ({self.ig_user_id}) on {result.url.host}"


# ----------------------------------------------------------------------------- parsing
def parse_media(data: Any, where: str) -> dict[str, Any]:
    """A media object: ``id``, ``caption`` (cleaned), ``timestamp``, ``permalink`` and
    ``comments_count`` (``None`` when missing: its comments are read anyway)."""
    data = object_field(data, where)
    count = meta_graph.graph_count(data.get("comments_count"))
    return {
        "id": id_field(data.get("id"), f"{where}.id", required=True),
        "caption": meta_graph.graph_text(data.get("caption"), f"{where}.caption"),
        "timestamp": meta_graph.time_or_none(data.get("timestamp")),
        "permalink": meta_graph.web_url(data.get("permalink")),
        "comments_count": count,
    }


def past_the_cap() -> str:
    """'the first 5 pages (up to 250)': how much of one list a fetch reads."""
    return f"the first {MAX_COMMENT_PAGES} pages (up to {MAX_COMMENT_PAGES * COMMENT_PAGE_SIZE})"


def may_hide_new(read: list[Any], after: datetime) -> bool:
    """Whether the comments past a walk cut short (``read``: the items it read, in the
    order Graph listed them) may be newer than ``after``. Graph documents no order for
    them: when they read newest first, those past the walk are older than the last one
    read; otherwise (oldest first, or too few times to tell) they are newer."""
    times = [
        found
        for item in read
        if isinstance(item, dict)
        and (found := meta_graph.time_or_none(item.get("timestamp"))) is not None
    ]
    if len(times) < 2 or times[0] < times[-1]:
        return True
    return times[-1] > after


def comment_questions(
    comments: list[Comment],
    media: dict[str, Any],
    after: datetime,
    *,
    channel: str,
    owner: Author,
) -> tuple[list[Question], list[Question]]:
    """A media's comments as new questions (not ours, newer than ``after``, not answered)
    and settled ones (answered by the account)."""
    caption = media["caption"]
    posted = media["timestamp"]
    questions: list[Question] = []
    settled: list[Question] = []
    for comment, done, parent in comment_turns(comments, after):
        context = []
        if caption and caption.strip() and posted is not None:
            context.append(Message(owner, caption, posted))
        if parent is not None:
            context.append(parent)
        meta: dict[str, Any] = {"service": "instagram", "media_id": media["id"]}
        if comment.parent_id:
            meta["parent_id"] = comment.parent_id
        if comment.likes is not None:
            meta["like_count"] = comment.likes
        if done:
            meta["team_answered"] = True
        question = Question(
            id=Question.make_id(channel, comment.id), channel=channel, kind="instagram",
            native_id=comment.id, thread_id=comment.parent_id or comment.id,
            url=media["permalink"], author=comment.author, title=None, body=comment.body,
            created_at=comment.created_at, context=tuple(context), meta=meta,
        )  # fmt: skip
        (settled if done else questions).append(question)
    return questions, settled

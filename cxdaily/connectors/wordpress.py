"""The ``wordpress`` channel: comments on a WordPress site that wait for the brand's answer,
answered as one of the site's users with a reply comment under them.

Config::

    [channels.blog]
    kind = "wordpress"
    base_url = "https://blog.acme.example"   # the site
    username = "acme-support"                # the user replies are posted as
    rest_root = "/wp-json/"                  # optional: "/?rest_route=/" without permalinks
    since_days = 14                          # optional: how far back the first fetch reads

The secret is an application password of that user (Users > Profile > Application
Passwords), sent as HTTP Basic ``username:password`` to the site's origin only. The user
must be able to moderate comments (an Editor or Administrator) to read held comments.

Fetching: ``GET /wp/v2/users/me?context=edit`` once (who "we" are), then
``GET /wp/v2/comments?after=...&orderby=date_gmt&order=asc&per_page=100&context=edit``
with ``status=approve`` and again with ``status=hold`` (comments waiting for moderation
are questions too), page by page (``page``, ``X-WP-TotalPages``). WordPress compares
``after`` with the site's local time, so the request reaches a day further back and the
comments are kept by their ``date_gmt``: those after the checkpoint, and those at exactly
the checkpoint not taken yet. A listing stopped by :data:`MAX_PAGES` or the fetch's byte
budget keeps the checkpoint at the newest comment it read, so the next fetch goes on from
there whatever time the other listing reached. A comment by someone else is a question
unless one of our replies sits under it (it is settled then); our own comments never are.
Its title is the post's (``GET /wp/v2/posts/{id}?_fields=title,link``, a bounded number
per fetch), its context the chain of parent comments (``GET /wp/v2/comments/{id}``); a
failed look-up costs only that detail.

Replying: ``POST /wp/v2/comments`` with ``post``, ``parent`` (the comment asked) and the
reply as ``content`` (``<``, ``>`` and ``&`` escaped: WordPress reads comments as HTML),
sent once. WordPress refuses an identical comment by the same user under the same parent
(409 ``comment_duplicate``): that means our reply is there already, and it is looked up
(``GET /wp/v2/comments?parent=ID&author=OUR_ID``) instead of being sent again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qsl

import httpx
from msgspec.structs import replace

from cxdaily.connectors import wordpress_parse as wp
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, TicketMessage, read_at_once
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_credentials import basic_authorization
from cxdaily.connectors.http_errors import StatusError, error_body, service_message
from cxdaily.connectors.options import HTTP_OPTIONS, Option, OptionSpec, since_days
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES, numbered_pages
from cxdaily.connectors.parsing import QuestionShapeError
from cxdaily.connectors.public_channel import public_capabilities
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.core.models import Message, Question
from cxdaily.core.safe_text import one_line

DEFAULT_REST_ROOT = "/wp-json/"
PAGE_SIZE = 100
"""Comments per page (the REST API's maximum)."""
MAX_PAGES = DEFAULT_MAX_PAGES
"""Pages of one listing a fetch reads at the most (the rest comes with the next fetch)."""
STATUSES = ("approve", "hold")
"""The comment statuses read: published, and waiting for moderation."""
LOCAL_TIME_MARGIN = timedelta(days=1)
"""How much further back ``after`` reaches: WordPress compares it with the site's local
time, which may be up to 14 hours off UTC."""
CONTEXT_DEPTH = 8
"""Parent comments shown above a question at the most."""
LOOKUPS = 100
"""Posts and parent comments one fetch reads at the most (a failed or skipped look-up
costs only a title or some context)."""
AT_ONCE = 4
MAX_REPLY_BYTES = 65525
"""WordPress's limit on a comment's content, in bytes of UTF-8 (``comment_content``)."""


def _declared() -> OptionSpec:
    required_site = [
        replace(option, required=True, description="the WordPress site (https://blog.acme.example)")
        if option.name == "base_url"
        else option
        for option in HTTP_OPTIONS
    ]
    return OptionSpec(*required_site).extended(
        Option("username", "text", "the WordPress user replies are posted as (who can "
               "moderate comments)", required=True, check=wp.check_username),
        Option("rest_root", "text", 'where the REST API lives on the site: "/wp-json/", or '
               '"/?rest_route=/" on a site without pretty permalinks',
               default=DEFAULT_REST_ROOT, check=wp.check_rest_root),
        since_days(14, maximum=3650),
    )  # fmt: skip


@dataclass
class _Run:
    """What one fetch gathers as it goes."""

    headers: dict[str, str]
    me: str
    skipped: SkippedItems = field(default_factory=SkippedItems)
    known: dict[str, wp.Comment] = field(default_factory=dict)
    """Every comment read so far, by id (the listings and the parents looked up)."""
    lookups: int = 0


# ----------------------------------------------------------------------------- connector
def _comment_link(question: Question, found: TicketMessage) -> str | None:
    """The public link of a reply comment (the question's page, at the comment)."""
    base = (question.url or "").partition("#")[0]
    return f"{base}#comment-{found.id}" if base else None


class WordPressConnector(HttpConnector):
    """Comments of one WordPress site awaiting an answer; replies as reply comments."""

    kind = "wordpress"
    capabilities = public_capabilities()
    declared_options = _declared()

    def configure(self) -> None:
        """The user, the REST root and the first fetch's reach from the options."""
        super().configure()
        self.username: str = self.option("username")
        root: str = self.option("rest_root")
        path, _, query = root.partition("?")
        pairs = parse_qsl(query, keep_blank_values=True)
        self._root_path = path
        self._route_param: tuple[str, str] | None = pairs[0] if pairs else None
        self._me: tuple[str, str] | None = None
        self.thread_replies = ThreadReplies(self._our_replies, link=_comment_link)

    def reply_length(self, text: str, question: Question | None = None) -> int:
        """Bytes of UTF-8 of the comment as sent (escaped), as WordPress counts them."""
        return len(escape(text, quote=False).encode("utf-8", "surrogatepass"))

    # -- requests -------------------------------------------------------------------------
    async def _auth(self) -> dict[str, str]:
        password = "".join((await self.read_secret()).split())  # shown in groups of four
        return {"Authorization": basic_authorization(self.username, password, self.http.scrubber)}

    def _api(self, route: str, params: dict[str, Any] | None = None) -> tuple[str, dict]:
        """The URL and query of a REST route such as ``wp/v2/comments``."""
        query = dict(params or {})
        if self._route_param is None:
            return self.endpoint(f"{self._root_path}{route}"), query
        name, prefix = self._route_param
        return self.endpoint(self._root_path), {name: f"{prefix}{route}", **query}

    async def _get(self, route: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        url, query = self._api(route, params)
        data, _ = await self.http.get_json(url, params=query, headers=headers)
        return data

    async def _whoami(self, headers: dict[str, str]) -> tuple[str, str]:
        """Our user's id and name (``GET /wp/v2/users/me``), read once."""
        if self._me is None:
            data = await self._get("wp/v2/users/me", {"context": "edit"}, headers)
            try:
                ident = wp.whole_id(data.get("id") if isinstance(data, dict) else None, "id")
            except QuestionShapeError:
                ident = None
            if not ident:
                raise BadResponseError(
                    "GET wp/v2/users/me answered without the user's id", channel=self.name
                )
            name = data.get("name") or data.get("username")
            shown = one_line(name, 80) if isinstance(name, str) and name.strip() else ident
            self._me = (ident, shown)
        return self._me

    # -- fetching -------------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Comments new since the checkpoint that wait for our answer, and those answered."""
        headers = await self._auth()
        run = _Run(headers, (await self._whoami(headers))[0])
        since, at_since = wp.read_checkpoint(checkpoint)
        start = since or self.now() - timedelta(days=self.option("since_days"))
        listed: dict[str, wp.Comment] = {}
        unread_after: list[datetime] = []  # where each listing cut short stopped reading
        for status in STATUSES:
            comments, cut_short = await self._listing(status, start - LOCAL_TIME_MARGIN, run)
            for comment in comments:
                listed.setdefault(comment.id, comment)  # one approved between two reads
            if cut_short:  # oldest first: what it left is no older than what it read
                unread_after.append(max([start, *(c.created_at for c in comments)]))
        fresh = [
            c for c in listed.values()
            if c.created_at > start or (c.created_at == since and c.id not in at_since)
        ]  # fmt: skip
        answered = {c.parent for c in listed.values() if c.author_id == run.me and c.parent}
        asked = [c for c in fresh if c.author_id != run.me and c.id not in answered]
        newly = {c.parent for c in fresh if c.author_id == run.me and c.parent}
        done = [c for c in await self._answered(newly, run) if c.author_id != run.me]
        targets = asked + done
        done_ids = {c.id for c in done}
        titles = await self._titles({c.post for c in targets}, run)
        contexts = await read_at_once([self._context(c, run) for c in targets], AT_ONCE)
        found = [
            self._question(c, titles.get(c.post), context, answered=c.id in done_ids)
            for c, context in zip(targets, contexts, strict=True)
        ]
        questions = [q for q in found if not q.meta.get("team_answered")]
        settled = [q for q in found if q.meta.get("team_answered")]
        # a comment dated in the future moves nothing, nor one past what a listing left
        latest = min([self.now() + LOCAL_TIME_MARGIN, *unread_after])
        times = [c.created_at for c in listed.values() if c.created_at <= latest]
        newest = max([start, *times])
        at_newest = {c.id for c in listed.values() if c.created_at == newest}
        if newest == since:
            at_newest |= at_since
        return FetchResult(
            questions=questions,
            settled=settled,
            warnings=[*run.skipped.lines(), *self.fetch_notes()],
            checkpoint={"since": newest.isoformat(), "at": sorted(at_newest)[: wp.MAX_AT_SINCE]},
        )

    async def _listing(
        self, status: str, after: datetime, run: _Run
    ) -> tuple[list[wp.Comment], bool]:
        """Comments of one status written after ``after``, oldest first (bad ones
        skipped), and whether the walk was cut short (by :data:`MAX_PAGES` or the byte
        budget) with more pages left for the next fetch."""
        params = {
            "after": after.strftime("%Y-%m-%dT%H:%M:%S"), "orderby": "date_gmt",
            "order": "asc", "context": "edit", "status": status,
        }  # fmt: skip
        url, query = self._api("wp/v2/comments", params)
        comments: list[wp.Comment] = []
        page = 0
        cut_before = self.http.walks_cut_short
        pages = numbered_pages(
            self.http, url, items=wp.page_items, per_page=PAGE_SIZE, total_pages=wp.total_pages,
            params=query, headers=run.headers, max_pages=MAX_PAGES,
        )  # fmt: skip
        try:
            async for data, _ in pages:
                page += 1
                for number, item in enumerate(data, 1):
                    try:
                        comment = wp.read_comment(item, f"comment {number}")
                    except QuestionShapeError as exc:
                        run.skipped.add(f"{status} page {page}: {exc}; skipped")
                        continue
                    run.known[comment.id] = comment
                    comments.append(comment)
        except BadResponseError as exc:
            if exc.channel is not None:
                raise
            raise BadResponseError(
                f"GET {describe_url(url)} (status={status}, page {page + 1}) answered, but "
                "not with a list of comments",
                channel=self.name,
            ) from None
        return comments, self.http.walks_cut_short > cut_before

    async def _answered(self, ids: set[str], run: _Run) -> list[wp.Comment]:
        """The comments our user replied to (read by id when no listing had them)."""
        comments = []
        for ident in sorted(ids, key=int):
            known = run.known.get(ident)
            if known is None and self._spend_lookup(run):
                known = await self._comment(ident, run)
            if known is not None:
                comments.append(known)
        return comments

    async def _comment(self, ident: str, run: _Run) -> wp.Comment | None:
        """One comment by id (``None`` when it cannot be read: that costs only it)."""
        try:
            data = await self._get(f"wp/v2/comments/{ident}", {"context": "edit"}, run.headers)
            comment = wp.read_comment(data)
        except (*LOOKUP_FAILURES, QuestionShapeError) as exc:
            run.skipped.add(f"comment {ident} could not be read ({one_line(exc, 120)})")
            return None
        run.known[ident] = comment
        return comment

    def _spend_lookup(self, run: _Run) -> bool:
        run.lookups += 1
        return run.lookups <= LOOKUPS

    async def _titles(self, posts: set[str], run: _Run) -> dict[str, str]:
        """The titles of ``posts`` (posts, or pages when no post has the id)."""
        wanted = sorted(posts, key=int)
        wanted = [p for p in wanted if self._spend_lookup(run)]

        async def one(post: str) -> str | None:
            params = {"_fields": "title,link"}
            url, query = self._api(f"wp/v2/posts/{post}", params)
            try:
                result = await self.http.request(
                    "GET", url, params=query, headers=run.headers, allow_statuses={404}
                )
                if result.status == 404:
                    url, query = self._api(f"wp/v2/pages/{post}", params)
                    result = await self.http.request("GET", url, params=query, headers=run.headers)
                return wp.post_title(self.http.decode_json(result))
            except LOOKUP_FAILURES as exc:
                run.skipped.add(f"post {post}: its title could not be read ({one_line(exc, 120)})")
                return None

        found = await read_at_once([one(p) for p in wanted], AT_ONCE)
        return {p: t for p, t in zip(wanted, found, strict=True) if t}

    async def _context(self, comment: wp.Comment, run: _Run) -> tuple[Message, ...]:
        """The parent comments of ``comment``, the oldest first (a failure costs them)."""
        chain: list[wp.Comment] = []
        parent = comment.parent
        while parent is not None and len(chain) < CONTEXT_DEPTH:
            known = run.known.get(parent)
            if known is None:
                if not self._spend_lookup(run):
                    break
                known = await self._comment(parent, run)
                if known is None:
                    run.skipped.add(f"comment {comment.id} comes without its earlier comments")
                    return ()
            if known.id == comment.id or any(c.id == known.id for c in chain):
                break  # a loop in the parents
            chain.append(known)
            parent = known.parent
        return tuple(
            Message(author=c.author, body=c.body, created_at=c.created_at) for c in reversed(chain)
        )

    def _question(
        self, c: wp.Comment, title: str | None, context: tuple[Message, ...], *, answered: bool
    ) -> Question:
        native = f"{c.post}:{c.id}"
        meta: dict[str, Any] = {"service": self.kind, "post": c.post, "comment": c.id}
        if c.status:
            meta["status"] = c.status
        if c.parent:
            meta["parent"] = c.parent
        if answered:
            meta["team_answered"] = True
        return Question(
            id=self.question_id(native), channel=self.name, kind=self.kind, native_id=native,
            thread_id=native, url=c.link, author=c.author, title=title, body=c.body,
            created_at=c.created_at, context=context, meta=meta,
        )  # fmt: skip

    # -- replying -------------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Post ``body`` as a reply comment under the comment asked (sent once)."""
        self.refuse_long_reply(
            body, question, MAX_REPLY_BYTES, "a WordPress comment holds", unit="bytes"
        )
        post, comment = wp.reply_target(question)
        headers = await self._auth()
        url, query = self._api("wp/v2/comments")
        payload = {"post": int(post), "parent": int(comment), "content": escape(body, quote=False)}
        result = await self.http.request(
            "POST", url, params=query, json_body=payload, headers=headers, repeatable=False,
            allow_statuses={409},
        )  # fmt: skip
        if result.status == 409:
            return await self._duplicate(question, body, idempotency_key, result)
        data = self.http.decode_json(result)
        reply_id = None
        with contextlib.suppress(QuestionShapeError):
            reply_id = wp.whole_id(data.get("id"), "id") if isinstance(data, dict) else None
        if reply_id is None:
            raise BadResponseError(
                f"POST {describe_url(result.url)} accepted the reply (HTTP {result.status}) but "
                "named no id for it",
                channel=self.name,
            )
        link = wp.web_link(data.get("link")) or question.url
        return SentReply(remote_id=reply_id, url=link)

    async def _duplicate(
        self, question: Question, body: str, idempotency_key: str, result: HttpResult
    ) -> SentReply:
        """A 409: WordPress already has this comment; ours is found, or a one-line error."""
        error = error_body(result.content) or {}
        code = error.get("code") if isinstance(error.get("code"), str) else "conflict"
        if code == "comment_duplicate":
            found = await self.find_own_reply(question, body, idempotency_key)
            if found is not None:
                return found
        said = service_message(result.content, self.http.scrub)
        raise StatusError(
            f"POST {describe_url(result.url)} refused the reply (HTTP 409 "
            f"{one_line(code, 40)}{': ' + said if said else ''}); no reply of ours with this "
            "text was found under the comment",
            status=409,
            channel=self.name,
        )

    async def _our_replies(self, question: Question) -> list[TicketMessage]:
        """Our user's comments under the question's comment."""
        _, comment = wp.reply_target(question)
        headers = await self._auth()
        me, _ = await self._whoami(headers)
        params = {"parent": comment, "author": me, "context": "edit", "per_page": PAGE_SIZE,
                  "orderby": "date_gmt", "order": "desc"}  # fmt: skip
        data = await self._get("wp/v2/comments", params, headers)
        replies = []
        for item in data if isinstance(data, list) else []:
            try:
                c = wp.read_comment(item)
            except QuestionShapeError:
                continue
            if c.author_id == me and c.parent == comment:
                replies.append(TicketMessage(c.id, c.author, c.body, c.created_at, False))
        return replies

    async def check(self) -> str:
        """The application password is accepted (``GET /wp/v2/users/me``)."""
        _, name = await self._whoami(await self._auth())
        host = httpx.URL(self.base_url or "").host
        return f"signed in as {name} on {host}"

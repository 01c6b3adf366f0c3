"""The ``khoros`` channel: new topics and replies by members of a Khoros Community (formerly
Lithium) as questions, answered in the same thread (Community API v2 and LiQL).

Config::

    [channels.community]
    kind = "khoros"
    base_url = "https://community.example.com"   # the community
    boards = ["support", "billing"]              # optional: board ids (none: every board)
    token_url = "https://community.example.com/auth/refreshToken"   # optional
    since_days = 7                               # optional: how far back the first fetch reads

Secrets (``cxdaily login NAME --field ...``): ``client_id`` and ``client_secret`` of the
community's API app, and ``refresh_token`` of the user replies are posted as (from the
OAuth 2.0 authorization grant). They buy an access token (``grant_type=refresh_token`` at
``token_url``), kept in memory until shortly before it expires and renewed once when the
API refuses it (see :mod:`cxdaily.connectors.oauth`). A refresh token the community
rotates is stored in place of the old one (the keyring), so the next run uses it.

Fetching: ``GET /api/2.0/search?q=SELECT ... FROM messages WHERE post_time > '<checkpoint>'
[AND board.id IN (...)] ORDER BY post_time ASC LIMIT 100``, page by page with the answer's
``next_cursor`` (a LiQL ``CURSOR`` clause), at most :data:`MAX_PAGES` pages a fetch (oldest
first, so the next fetch goes on from the newest message read). The checkpoint keeps that
message's ``post_time`` and the ids of the messages read at that instant; the next fetch
asks from one millisecond before it and leaves those out, so a message posted in the same
millisecond, or left there by the page cap, is not passed over. A message by a member (not
the API user, not ranked staff) is a question unless the team wrote later in its
conversation (then it is settled, and so is an earlier message a team reply answers: when
that message cannot be read for a reason that may pass, a timeout or a 5xx, the
checkpoint stays where it was, so the next fetch settles it).
Context is the message's parent chain (``GET /api/2.0/messages/{id}``, at most
:data:`CONTEXT_DEPTH` levels); a chain that cannot be read costs only that context.

Replying: ``POST /api/2.0/messages`` with ``{"data": {"type": "message", "subject": "Re: ...",
"body": <html>, "parent": {"id": ...}}}``, sent once. Khoros has no idempotency key: after
an unknown outcome the message's replies are read for ours (same author, same text).
Khoros documents no rate-limit headers: a 429 is waited out (``Retry-After`` when given).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from cxdaily.connectors import khoros_parse as kp
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.channel_tokens import (
    LazyGrant,
    secret_pair,
    store_again_advice,
    token_endpoint,
)
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, TicketMessage, read_at_once
from cxdaily.connectors.html_text import text_to_html
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.http_base import HttpConnector, site_options
from cxdaily.connectors.http_errors import bare_message, service_message
from cxdaily.connectors.oauth import PROCESS_TOKENS, ClientCredentialsToken
from cxdaily.connectors.options import Option, since_days
from cxdaily.connectors.pagination import PageTrail
from cxdaily.connectors.parsing import QuestionShapeError, checkpoint_marks, id_field
from cxdaily.connectors.public_channel import confirmed_reply, public_capabilities
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import AuthError, ConnectorError
from cxdaily.core.models import Question
from cxdaily.core.safe_text import one_line

MAX_PAGES = 20
"""Pages of messages (100 each) read per fetch."""
SEEN_IDS = 1000
"""Ids of the messages posted at the checkpoint's instant it keeps, at most."""
CONTEXT_DEPTH = 5
"""Parent messages read above a question at most."""
MAX_LOOKUPS = 60
"""Single messages read per fetch (parents for context and for settling)."""
AT_ONCE = 4
REPLY_PAGES = 5
"""Pages of a message's replies read to find our reply or the team's answers."""


class RefreshTokenGrant(ClientCredentialsToken):
    """Access tokens bought with the user's refresh token at Khoros's ``/auth/refreshToken``
    (a form with ``grant_type=refresh_token``, the client's id and secret and the refresh
    token); the answer is read bare or inside Khoros's ``data`` envelope."""

    refused_what = "the refresh token"
    refused_statuses = frozenset({400, 401, 403})

    def __init__(self, *args: Any, refresh_token: str, **kwargs: Any) -> None:
        super().__init__(
            *args, form={"refresh_token": refresh_token}, refresh_token=refresh_token, **kwargs
        )

    def token_request(
        self, client_id: str, client_secret: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The refresh grant: the client's id and secret and the latest refresh token."""
        form = {"grant_type": "refresh_token", "client_id": client_id,
                "client_secret": client_secret}  # fmt: skip
        return {**form, "refresh_token": self.refresh_token or ""}, {}

    def token_fields(self, data: Any) -> dict[str, Any] | None:
        """The token, bare or inside Khoros's ``data`` envelope."""
        return kp.token_fields(data)

    def refused_answer(
        self, where: str, status: int, content: bytes, data: Any
    ) -> AuthError | None:
        """A successful answer with ``"status": "error"`` refused the refresh token."""
        if not (isinstance(data, dict) and str(data.get("status")).lower() == "error"):
            return super().refused_answer(where, status, content, data)
        said = service_message(content, self.http.scrub)
        return AuthError(
            f"{where} refused the refresh token (HTTP {status}"
            f"{': ' + said if said else ''}); {self.advice()}",
            channel=self.http.channel,
        )

    def advice(self) -> str:
        """What to check when the community refuses the refresh (one line)."""
        fields = ("client_id", "client_secret", "refresh_token")
        return store_again_advice(self.http.channel, fields)


@dataclass
class _Lookups:
    """Single-message reads left in this fetch."""

    left: int = MAX_LOOKUPS


class KhorosConnector(HttpConnector):
    """Members' new topics and replies in a Khoros Community; replies posted in the thread."""

    kind = "khoros"
    capabilities = public_capabilities()
    declared_options = site_options(
        'the community (e.g. "https://community.example.com")',
        kp.BoardListOption("boards", "text", "board ids to watch (a list, or separated by "
                           "commas; none: every board)"),
        Option("token_url", "url", "where access tokens are refreshed (default: "
               "{base_url}/auth/refreshToken)"),
        since_days(7, of="messages"),
    )  # fmt: skip

    def configure(self) -> None:
        """The boards, the token endpoint and the first fetch's reach; no request yet."""
        super().configure()
        self.boards: tuple[str, ...] = self.option("boards") or ()
        self.since_days: int = self.option("since_days")
        self.token_url = token_endpoint(self, "token_url", "/auth/refreshToken")
        self.signed_in = LazyGrant(self._grant)
        self._me: tuple[str, str | None] | None = None
        self.thread_replies = ThreadReplies(
            self._replies, author=self._our_id, link=lambda _, found: _link(found)
        )

    # -- auth and requests -----------------------------------------------------------
    async def _grant(self) -> RefreshTokenGrant:
        """The refresh-token grant of the community's API app."""
        refresh = (await self.read_secret("refresh_token")).strip()
        return RefreshTokenGrant(
            self.http, self.token_url, cache=PROCESS_TOKENS,
            credentials=secret_pair(self, "client_id", "client_secret"),
            refresh_token=refresh, keep_refresh_token=self.secret_keeper("refresh_token"),
        )  # fmt: skip

    def _data(self, result: HttpResult) -> Any:
        """The ``data`` of a v2 envelope (``status: "error"`` is a one-line error)."""
        return kp.envelope_data(
            self.http.decode_json(result), result, self.name, scrub=self.http.scrub,
            auth_hint=self.auth_hint, secret_variables=self.http.secret_variables,
        )  # fmt: skip

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, HttpResult]:
        url = self.endpoint(path)

        async def read(headers: dict[str, str]) -> tuple[Any, HttpResult]:
            result = await self.http.request("GET", url, params=params, headers=headers)
            return self._data(result), result

        answer: tuple[Any, HttpResult] = await self.signed_in.call(read)
        return answer

    async def _search(self, liql: str) -> tuple[list[Any], str | None]:
        """One page of a LiQL query: its items and the next cursor."""
        data, result = await self._get("/api/2.0/search", {"q": liql})
        return kp.page_of(data, result, self.name)

    async def _pages(
        self,
        query: Callable[[str | None], str],
        unsafe: str,
        max_pages: int,
        unreadable: Callable[[Any, int, QuestionShapeError], None],
    ) -> AsyncIterator[tuple[int, list[kp.Post], bool]]:
        """Pages of the LiQL query ``query(cursor)`` makes, following ``next_cursor``:
        ``(page number, its messages, whether another page follows)``. A message that
        cannot be read goes to ``unreadable(item, index, error)``; a cursor the query
        cannot carry safely is a :class:`BadResponseError` saying ``unsafe``."""
        cursor: str | None = None
        trail = PageTrail(self.http, "pages of messages")
        for page in range(1, max_pages + 1):
            try:
                liql = query(cursor)
            except ValueError:
                raise BadResponseError(unsafe, channel=self.name) from None
            items, following = await self._search(liql)
            posts: list[kp.Post] = []
            for index, item in enumerate(items):
                try:
                    posts.append(kp.parse_post(item))
                except QuestionShapeError as exc:
                    unreadable(item, index, exc)
            more = following is not None and not trail.loops(following)
            yield page, posts, more
            if not more:
                return
            cursor = following

    async def _self(self) -> tuple[str, str | None]:
        """The API user's ``(id, login)`` (``GET /api/2.0/users/self``), read once."""
        if self._me is None:
            data, result = await self._get("/api/2.0/users/self")
            me = kp.user_of(data)
            if me is None:
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered without the user's id",
                    channel=self.name,
                )
            self._me = me
        return self._me

    # -- fetch ------------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Members' messages since the checkpoint: questions, and the ones the team answered."""
        our_id, _ = await self._self()
        first = self.now() - timedelta(days=self.since_days)
        since, seen = checkpoint_marks(checkpoint, "since", "ids", SEEN_IDS)
        since = since or first
        # With the ids read at the checkpoint's instant, that instant is asked for again
        # (post_time > one millisecond before it, LiQL's precision): a message posted in
        # the same millisecond as the last one read, or left by the page cap, comes too.
        after = since - timedelta(milliseconds=1) if seen else since
        skipped = SkippedItems()
        posts: dict[str, kp.Post] = {}
        newest, newest_ids = since, set(seen)
        # the messages read before at that instant come first: pages of their own beyond
        # the cap, so that a fetch always moves on
        max_pages = MAX_PAGES + -(-len(seen) // kp.PAGE_SIZE)
        pages = self._pages(
            lambda cursor: kp.messages_query(after, self.boards, cursor),
            "GET /api/2.0/search named a next_cursor that cannot be sent back",
            max_pages,
            lambda item, index, exc: skipped.add(
                f"message {kp.reference(item, index)} skipped: {exc}"
            ),
        )
        async for page, page_posts, more in pages:
            for post in page_posts:
                when = post.created_at
                if when <= since and (when < since or post.id in seen):
                    continue  # read by an earlier fetch
                posts[post.id] = post
                if when > newest:
                    newest, newest_ids = when, {post.id}
                elif when == newest:
                    newest_ids.add(post.id)
            if more and (page == max_pages or self.http.budget_spent()):
                self.http.note(f"stopped after {page} pages of messages; the next fetch goes "
                               "on from the newest one read")  # fmt: skip
                break
        questions, settled = await self._classify(list(posts.values()), our_id, skipped)
        if skipped.unread:  # a team answer's question left unread: this window again
            newest, newest_ids = since, set(seen)
        return FetchResult(
            questions=questions,
            checkpoint={"since": to_iso(newest), "ids": sorted(newest_ids)[:SEEN_IDS]},
            warnings=skipped.lines(),
            settled=settled,
        )

    async def _classify(
        self, listed: list[kp.Post], our_id: str, skipped: SkippedItems
    ) -> tuple[list[Question], list[Question]]:
        """The open questions (with context) and the settled ones among ``listed``."""
        cache = {post.id: post for post in listed}
        lookups = _Lookups()
        answered = kp.answered_ids(listed, our_id)
        members = [p for p in listed if not p.by_team(our_id)]
        settled = [self._question(p, [], settled=True) for p in members if p.id in answered]
        team_parents = {
            p.parent_id: p
            for p in listed
            if p.by_team(our_id) and p.parent_id and p.parent_id not in cache
        }
        parents = await read_at_once(
            [self._lookup(i, cache, lookups, skipped) for i in team_parents], AT_ONCE
        )
        for parent, reply in zip(parents, team_parents.values(), strict=True):
            if (
                parent is not None
                and not parent.by_team(our_id)
                and parent.created_at < reply.created_at
            ):
                settled.append(self._question(parent, [], settled=True))
        open_posts = [p for p in members if p.id not in answered]
        contexts = await read_at_once(
            [self._context(p, cache, lookups, skipped) for p in open_posts], AT_ONCE
        )
        questions = [self._question(p, c) for p, c in zip(open_posts, contexts, strict=True)]
        return questions, settled

    def _question(
        self, post: kp.Post, context: list[kp.Post], *, settled: bool = False
    ) -> Question:
        return kp.question_of(post, channel=self.name, kind=self.kind, context=context,
                              settled=settled)  # fmt: skip

    async def _read_post(
        self, ident: str, cache: dict[str, kp.Post], lookups: _Lookups
    ) -> kp.Post | None:
        """One message (from this fetch, else ``GET /api/2.0/messages/{id}``); ``None``
        once this fetch's look-ups are spent."""
        if ident in cache:
            return cache[ident]
        if not kp.safe_message_id(ident):
            raise QuestionShapeError(f"parent id {one_line(ident, 40)!r} is not a message id")
        if lookups.left <= 0:
            self.http.note(f"read at most {MAX_LOOKUPS} earlier messages; later questions "
                           "come with less context")  # fmt: skip
            return None
        lookups.left -= 1
        data, _ = await self._get(f"/api/2.0/messages/{ident}")
        post = cache[ident] = kp.parse_post(data)
        return post

    async def _lookup(
        self, ident: str, cache: dict[str, kp.Post], lookups: _Lookups, skipped: SkippedItems
    ) -> kp.Post | None:
        """A message the team answered, or ``None`` (a failed read is a warning)."""
        try:
            return await self._read_post(ident, cache, lookups)
        except (*LOOKUP_FAILURES, QuestionShapeError) as exc:
            said = (
                f"message {one_line(ident, 40)}, answered by the team, cannot be read "
                f"({_said(exc)})"
            )
            skipped.not_read(said, exc)  # when it may pass, the next fetch settles it
            return None

    async def _context(
        self, post: kp.Post, cache: dict[str, kp.Post], lookups: _Lookups, skipped: SkippedItems
    ) -> list[kp.Post]:
        """The parent chain above ``post`` (nearest first); a failed read costs the context."""
        chain: list[kp.Post] = []
        seen = {post.id}
        ident = post.parent_id
        try:
            while ident is not None and ident not in seen and len(chain) < CONTEXT_DEPTH:
                seen.add(ident)
                parent = await self._read_post(ident, cache, lookups)
                if parent is None:
                    break
                chain.append(parent)
                ident = parent.parent_id
        except (*LOOKUP_FAILURES, QuestionShapeError) as exc:
            skipped.add(f"message {post.id}: its thread cannot be read, it comes without "
                        f"context ({_said(exc)})")  # fmt: skip
            return []
        return chain

    # -- reply ------------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """POST the reply under the question's message, once."""
        parent = question.thread_id
        if not kp.safe_message_id(parent):
            raise ConnectorError(f"cannot reply to message {one_line(parent, 40)!r}: not a "
                                 "Khoros message id", channel=self.name)  # fmt: skip
        url = self.endpoint("/api/2.0/messages")
        payload = {"data": {"type": "message", "subject": kp.reply_subject(question.title),
                            "body": text_to_html(body), "parent": {"id": parent}}}  # fmt: skip

        async def post(headers: dict[str, str]) -> tuple[Any, HttpResult]:
            result = await self.http.request(
                "POST", url, json_body=payload, headers=headers, repeatable=False
            )
            return self._data(result), result

        data, result = await self.signed_in.call(post)  # a refused POST did nothing: safe again
        reply_id = None
        with contextlib.suppress(QuestionShapeError):
            reply_id = id_field(data.get("id"), "id") if isinstance(data, dict) else None
        if reply_id is not None:
            return SentReply(reply_id, kp.parse_url(data.get("view_href")))
        missing = "it is not among the message's replies yet"
        return await confirmed_reply(
            self, question, body, idempotency_key, result, not_found=missing
        )

    async def _our_id(self) -> str:
        """The id our replies are posted under (the API user's)."""
        our_id, _ = await self._self()
        return our_id

    async def _replies(self, question: Question) -> list[TicketMessage]:
        """The direct replies to the question's message (the team's: staff or our user)."""
        our_id = await self._our_id()

        def unreadable(item: Any, index: int, exc: QuestionShapeError) -> None:
            raise BadResponseError(  # a thread read in part could hide ours
                f"reply {index + 1} of message {question.thread_id} cannot be read: {exc}",
                channel=self.name,
            )

        pages = self._pages(
            lambda cursor: kp.replies_query(question.thread_id, cursor),
            "the message's replies cannot be asked for safely (an unusual id or cursor)",
            REPLY_PAGES,
            unreadable,
        )
        return [post.as_ticket_message(our_id) async for _, posts, _ in pages for post in posts]

    async def check(self) -> str:
        """Refresh a token and read the API user: credentials and reachability."""
        our_id, login = await self._self()
        host = httpx.URL(self.base_url or "").host
        boards = ", ".join(self.boards) if self.boards else "every board"
        return f"signed in as {login or 'user ' + our_id} on {host}; watching {boards}"


def _link(found: TicketMessage) -> str | None:
    """The public link of a reply read from the thread."""
    return found.url if isinstance(found, kp.PostMessage) else None


def _said(exc: Exception) -> str:
    return bare_message(exc) if isinstance(exc, ConnectorError) else one_line(exc, 200)

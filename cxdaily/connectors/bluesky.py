"""The ``bluesky`` channel: mentions, replies and quotes of the brand's Bluesky account as
questions, answered with a reply post in the same thread.

Config::

    [channels.bsky]
    kind = "bluesky"
    handle = "brand.bsky.social"        # the account (a handle or its DID)
    base_url = "https://bsky.social"    # optional: the PDS or entryway (default)
    web_url = "https://bsky.app"        # optional: where public links point

The secret is an app password (Settings, Privacy and security, App passwords). A
session is created with it only when there is none, stored in the keyring (the secret
field ``session``) for the next run, and refreshed when it expires (see
:mod:`~cxdaily.connectors.bluesky_session`); every request goes to ``base_url``, which
serves ``app.bsky.*`` for a signed-in account too.

Fetching: ``app.bsky.notification.listNotifications`` for the reasons mention, reply
and quote, newest first, paged with ``cursor`` until a notification at or before the
checkpoint (the newest ``indexedAt`` seen, with the uris seen at that instant), at most
:data:`MAX_PAGES` pages. A walk stopped by that cap or the fetch's byte budget leaves the
checkpoint where it was and stores the next page's cursor with the newest notification
read, so the next fetch goes on from that cursor down to the checkpoint before moving it
(a stored cursor the service refuses is dropped with a note: the walk starts over from
the newest). The first fetch looks back ``since_days``. Each post's thread
(``app.bsky.feed.getPostThread``, ``depth=1``, ``parentHeight=10``) gives its context
and tells whether our account already replied (then the question is settled); its
author's followers come from ``app.bsky.actor.getProfiles`` (25 at a time). A failed
look-up costs only that detail. Our own posts are left out.

Replying: ``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` whose
``reply`` names the post as parent and its thread's root, with link facets, under a
record key derived from the idempotency key (see
:func:`~cxdaily.connectors.bluesky_parse.reply_rkey`): a retry of the same reply names
the same record, so it collides instead of posting twice, and the collision counts as
sent only once ``com.atproto.repo.getRecord`` shows our record with the same text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.bluesky_parse import (
    MAX_POST_BYTES,
    MAX_POST_GRAPHEMES,
    POST_COLLECTION,
    Notification,
    Post,
    Thread,
    followers_by_did,
    grapheme_count,
    link_facets,
    page_cursor,
    parse_notification,
    parse_thread,
    read_resume,
    reply_rkey,
    split_uri,
)
from cxdaily.connectors.bluesky_session import SESSION_FIELD, BlueskySession, error_name
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, TicketMessage, read_at_once
from cxdaily.connectors.html_text import same_text
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.http_errors import page_list
from cxdaily.connectors.options import HTTP_OPTIONS, Option, since_days
from cxdaily.connectors.pagination import PageTrail, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError, checkpoint_marks
from cxdaily.connectors.public_channel import public_capabilities, web_url_option
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import answers_by_team
from cxdaily.core.errors import ReplyRejected
from cxdaily.core.models import Author, Message, Question

DEFAULT_WEB_URL = "https://bsky.app"
REASONS = ("mention", "reply", "quote")
PAGE_LIMIT = 100
MAX_PAGES = 20
MAX_SEEN_URIS = 200
PROFILE_BATCH = 25
AT_ONCE = 4
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
THREAD = "/xrpc/app.bsky.feed.getPostThread"
PROFILES = "/xrpc/app.bsky.actor.getProfiles"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
GET_RECORD = "/xrpc/com.atproto.repo.getRecord"
GET_SESSION = "/xrpc/com.atproto.server.getSession"

_IDENTIFIER = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9.-]{0,252}|did:[a-z]+:[A-Za-z0-9._:%-]{1,200}")


def _identifier_problem(value: str) -> str | None:
    if _IDENTIFIER.fullmatch(value):
        return None
    return 'must be a handle such as "brand.bsky.social" or a DID such as "did:plc:..."'


class BlueskyConnector(HttpConnector):
    """Mentions, replies and quotes of one Bluesky account; replies in their threads."""

    kind = "bluesky"
    capabilities = public_capabilities()
    renewed_secret_fields = (SESSION_FIELD,)
    declared_options = HTTP_OPTIONS.extended(
        Option("handle", "text", "the account's handle (brand.bsky.social) or DID",
               required=True, check=_identifier_problem),
        web_url_option(DEFAULT_WEB_URL, "posts"),
        since_days(7, maximum=90),
    )  # fmt: skip

    def configure(self) -> None:
        """The account and its session (no request is made)."""
        super().configure()
        self.identifier: str = self.option("handle").removeprefix("@")
        self.web_url: str = self.option("web_url").rstrip("/")
        assert self.base_url is not None
        self.session = BlueskySession(
            lambda: self.http, self.base_url, self.identifier, password=self.read_secret,
            auth_hint=self.auth_hint or "",
            stored=lambda: self.optional_secret(SESSION_FIELD),
            keep=self.secret_keeper(SESSION_FIELD, renewable=True),
        )  # fmt: skip

    def reply_length(self, text: str, question: Question | None = None) -> int:
        """Graphemes, as Bluesky counts its 300-grapheme limit (nothing is added to a reply)."""
        return grapheme_count(text)

    def post_url(self, uri: str, handle: str | None) -> str | None:
        """The public link of a post: ``{web_url}/profile/{handle}/post/{rkey}``."""
        try:
            authority, _, rkey = split_uri(uri)
        except QuestionShapeError:
            return None
        who = (handle or "").removeprefix("@")
        if not who or who == "handle.invalid":
            who = authority
        return f"{self.web_url}/profile/{quote(who, safe=':')}/post/{quote(rkey, safe='')}"

    # -- fetching ------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Notifications newer than the checkpoint, each a question (settled when our
        account already replied), with context and the author's followers."""
        since, seen_uris = read_checkpoint(checkpoint)
        floor = since or self.now() - timedelta(days=self.option("since_days"))
        resume = read_resume(checkpoint, MAX_SEEN_URIS)
        ours = (await self.session.current()).did
        skipped = SkippedItems()
        found: dict[str, Notification] = {}
        newest, newest_uris = since, set(seen_uris)
        if resume is not None and resume.newest is not None:
            newest, newest_uris = resume.newest, set(resume.newest_uris)
        cursor = resume.cursor if resume is not None else None
        trail = PageTrail(self.http, "pages of notifications", cursor)
        for page_number in pages_allowed(self.http, MAX_PAGES):
            result = await self._notifications(cursor, stored=page_number == 1)
            page = self.http.decode_json(result)
            reached = False
            missing = "without a list of notifications"
            items = page_list(page, "notifications", result, self.name, missing)
            for index, item in enumerate(items):
                try:
                    note = parse_notification(item)
                except QuestionShapeError as exc:
                    skipped.add(f"page {page_number}, item {index + 1}: skipped: {exc}")
                    continue
                at = note.indexed_at
                if newest is None or at > newest:
                    newest, newest_uris = at, {note.post.uri}
                elif at == newest:
                    newest_uris.add(note.post.uri)
                if at < floor or (at == since and note.post.uri in seen_uris):
                    reached = True
                    continue
                if note.reason in REASONS and note.post.did != ours:
                    found.setdefault(note.post.uri, note)
            cursor = page_cursor(page.get("cursor")) if isinstance(page, dict) else None
            if reached or cursor is None or trail.loops(cursor):
                cursor = None  # the walk is done: nothing is left for the next fetch
                break
        questions, settled = await self._questions(list(found.values()), ours, skipped)
        new_checkpoint = checkpoint
        if cursor is not None:  # stopped at a cap: the older notifications come next time
            new_checkpoint = {"indexed_at": _iso(floor), "uris": sorted(seen_uris)[:MAX_SEEN_URIS],
                              "cursor": cursor}  # fmt: skip
            if newest is not None:
                new_checkpoint["newest_indexed_at"] = _iso(newest)
                new_checkpoint["newest_uris"] = sorted(newest_uris)[:MAX_SEEN_URIS]
        elif newest is not None:
            uris = sorted(newest_uris)[:MAX_SEEN_URIS]
            new_checkpoint = {"indexed_at": _iso(newest), "uris": uris}
        return FetchResult(questions=questions, checkpoint=new_checkpoint,
                           warnings=skipped.lines(), settled=settled)  # fmt: skip

    async def _notifications(self, cursor: str | None, *, stored: bool) -> HttpResult:
        """One page of ``listNotifications`` from ``cursor`` (``None``: the newest). A
        ``stored`` cursor (the one a checkpoint kept) the service refuses with HTTP 400 is
        dropped with a note, and the page is read from the newest instead."""
        params: dict[str, Any] = {"reasons": list(REASONS), "limit": PAGE_LIMIT}
        if cursor is None:
            return await self.session.request("GET", NOTIFICATIONS, params=params)
        result = await self.session.request(
            "GET", NOTIFICATIONS, params={**params, "cursor": cursor},
            allow_statuses=frozenset({400} if stored else ()),
        )  # fmt: skip
        if result.status != 400:
            return result
        self.http.note("the stored cursor of notifications was refused: read again from the newest")
        return await self.session.request("GET", NOTIFICATIONS, params=params)

    async def _questions(
        self, notes: list[Notification], ours: str, skipped: SkippedItems
    ) -> tuple[list[Question], list[Question]]:
        threads = await read_at_once([self._thread_or_none(n.post, skipped) for n in notes],
                                     AT_ONCE)  # fmt: skip
        followers = await self._followers({n.post.did for n in notes}, skipped)
        questions: list[Question] = []
        settled: list[Question] = []
        for note, thread in zip(notes, threads, strict=True):
            answered = thread is not None and any(r.did == ours for r in thread.replies)
            question = self._question(note, thread, followers, answered)
            (settled if answered else questions).append(question)
        return questions, settled

    def _question(
        self, note: Notification, thread: Thread | None, followers: dict[str, int], answered: bool
    ) -> Question:
        post = note.post
        author = Author(id=post.author.id, handle=post.author.handle, name=post.author.name,
                        followers=followers.get(post.did))  # fmt: skip
        context = tuple(
            Message(author=p.author, body=p.text, created_at=p.created_at)
            for p in (thread.parents if thread is not None else [])
        )
        root = post.root or (post.uri, post.cid)
        meta: dict[str, Any] = {
            "service": self.kind,
            "reason": note.reason,
            "uri": post.uri,
            "cid": post.cid,
            "root_uri": root[0],
            "root_cid": root[1],
        }
        if answered:
            meta["team_answered"] = True
        return Question(
            id=self.question_id(post.uri), channel=self.name, kind=self.kind,
            native_id=post.uri, thread_id=post.uri, url=self.post_url(post.uri, post.author.handle),
            author=author, title=None, body=post.text, created_at=post.created_at,
            context=context, meta=meta,
        )  # fmt: skip

    async def _thread_or_none(self, post: Post, skipped: SkippedItems) -> Thread | None:
        try:
            return await self._thread(post.uri, depth=1, parents=10)
        except LOOKUP_FAILURES as exc:
            skipped.add(f"{post.uri}: thread not read ({exc}); kept without context")
        except QuestionShapeError as exc:
            skipped.add(f"{post.uri}: thread unreadable ({exc}); kept without context")
        return None

    async def _thread(self, uri: str, *, depth: int, parents: int) -> Thread:
        params = {"uri": uri, "depth": depth, "parentHeight": parents}
        result = await self.session.request("GET", THREAD, params=params)
        return parse_thread(self.http.decode_json(result))

    async def _followers(self, dids: set[str], skipped: SkippedItems) -> dict[str, int]:
        ordered = sorted(dids)
        batches = [ordered[n : n + PROFILE_BATCH] for n in range(0, len(ordered), PROFILE_BATCH)]

        async def one(batch: list[str]) -> dict[str, int]:
            try:
                result = await self.session.request("GET", PROFILES, params={"actors": batch})
                return followers_by_did(self.http.decode_json(result))
            except LOOKUP_FAILURES as exc:
                skipped.add(f"followers of {len(batch)} authors not read ({exc})")
                return {}

        counts: dict[str, int] = {}
        for part in await read_at_once([one(b) for b in batches], AT_ONCE):
            counts.update(part)
        return counts

    # -- replying ------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """A reply post in the question's thread, under the record key of this reply."""
        check_length(body)
        session = await self.session.current()
        parent, root = await self._reply_refs(question)
        rkey = reply_rkey(idempotency_key, question.created_at)
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": body,
                                  "createdAt": _iso(self.now(), millis=True),
                                  "reply": {"root": root, "parent": parent}}  # fmt: skip
        facets = link_facets(body)
        if facets:
            record["facets"] = facets
        payload = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey,
                   "record": record}  # fmt: skip
        result = await self.session.request(
            "POST", CREATE_RECORD, json_body=payload, repeatable=False,
            allow_statuses=frozenset({400, 409, 500}),
        )  # fmt: skip
        if 200 <= result.status < 300:
            data = self.http.decode_json(result)
            uri = data.get("uri") if isinstance(data, dict) else None
            if not isinstance(uri, str) or not uri.startswith("at://"):
                raise BadResponseError(
                    f"POST {describe_url(result.url)} answered without the new post's uri, so "
                    "the reply may or may not be there; its record is read before any retry",
                    channel=self.name,
                )
            return SentReply(remote_id=uri, url=self.post_url(uri, session.handle))
        # a 400, 409 or 500 may be a second create of the record a first attempt made
        existing = await self._own_reply(question, body, rkey)
        if existing is not None:
            return existing
        raise self.session.error_for(result)

    async def _reply_refs(self, question: Question) -> tuple[dict[str, str], dict[str, str]]:
        """The ``parent`` and ``root`` references of a reply to ``question``."""
        meta = question.meta
        parent_uri = question.thread_id
        cid, root_uri, root_cid = meta.get("cid"), meta.get("root_uri"), meta.get("root_cid")
        if not all(isinstance(v, str) and v for v in (cid, root_uri, root_cid)):
            post = (await self._thread(parent_uri, depth=0, parents=0)).post
            cid = post.cid
            root_uri, root_cid = post.root or (post.uri, post.cid)
        assert isinstance(cid, str) and isinstance(root_uri, str) and isinstance(root_cid, str)
        return {"uri": parent_uri, "cid": cid}, {"uri": root_uri, "cid": root_cid}

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Our reply of this idempotency key, read back by its record key."""
        return await self._own_reply(
            question, body, reply_rkey(idempotency_key, question.created_at)
        )

    async def _own_reply(self, question: Question, body: str, rkey: str) -> SentReply | None:
        """The record ``rkey`` of our account when it is our reply to the question with
        this text (``None`` when there is no such record)."""
        session = await self.session.current()
        params = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey}
        result = await self.session.request(
            "GET", GET_RECORD, params=params, allow_statuses=frozenset({400, 404})
        )
        if result.status in (400, 404):
            if result.status == 404 or error_name(result.content) == "RecordNotFound":
                return None
            raise self.session.error_for(result)
        data = self.http.decode_json(result)
        if not isinstance(data, dict) or not isinstance(data.get("value"), dict):
            return None
        uri, value = data.get("uri"), data["value"]
        reply = value.get("reply")
        parent = reply.get("parent") if isinstance(reply, dict) else None
        parent_uri = parent.get("uri") if isinstance(parent, dict) else None
        text = value.get("text")
        if not isinstance(uri, str) or not uri.startswith(f"at://{session.did}/"):
            return None
        if parent_uri != question.thread_id or not isinstance(text, str):
            return None
        if not same_text(text, body):
            return None
        return SentReply(remote_id=uri, url=self.post_url(uri, session.handle))

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Our account's replies to the question's post after ``since`` (the collision
        guard: a teammate answered from the Bluesky app)."""
        ours = (await self.session.current()).did
        thread = await self._thread(question.thread_id, depth=1, parents=0)
        messages = [
            TicketMessage(
                id=r.uri,
                author=r.author,
                body=r.text,
                created_at=r.created_at,
                from_customer=r.did != ours,
            )
            for r in thread.replies
        ]
        return answers_by_team(messages, since)

    async def check(self) -> str:
        """``com.atproto.server.getSession``: who the session is for, and where."""
        session = await self.session.current()
        result = await self.session.request("GET", GET_SESSION)
        data = self.http.decode_json(result)
        data = data if isinstance(data, dict) else {}
        handle = data.get("handle") if isinstance(data.get("handle"), str) else session.handle
        did = data.get("did") if isinstance(data.get("did"), str) else session.did
        host = httpx.URL(self.session.base_url).host or self.session.base_url
        text = f"signed in as @{str(handle)[:300]} ({str(did)[:200]}) on {host}"
        if session.pds and session.pds != self.session.base_url:
            text += f"; the account's own PDS is {session.pds} (base_url may name it)"
        return text


# ----------------------------------------------------------------------------- helpers
def check_length(body: str) -> None:
    """Refuse, before sending, a reply over 300 graphemes or 3,000 bytes."""
    count = grapheme_count(body)
    if count > MAX_POST_GRAPHEMES:
        raise ReplyRejected(
            f"the reply has {count} graphemes; a Bluesky post holds {MAX_POST_GRAPHEMES}"
        )
    size = len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_POST_BYTES:
        raise ReplyRejected(f"the reply has {size} bytes; a Bluesky post holds {MAX_POST_BYTES}")


def read_checkpoint(checkpoint: dict[str, Any] | None) -> tuple[datetime | None, set[str]]:
    """The stored newest ``indexedAt`` and the uris seen at that instant."""
    return checkpoint_marks(checkpoint, "indexed_at", "uris", MAX_SEEN_URIS)


def _iso(when: datetime, *, millis: bool = False) -> str:
    spec = "milliseconds" if millis else "microseconds"
    return when.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")

"""The ``mastodon`` channel: mentions of the brand's account on its Mastodon instance as
questions, replies as the brand's own statuses in the same thread.

Config::

    [channels.fedi]
    kind = "mastodon"
    base_url = "https://mastodon.social"   # the instance the brand's account lives on
    since_days = 7                         # optional: how far back the first fetch looks

The secret is the account's access token (scopes ``read:accounts read:notifications
read:statuses write:statuses``), sent as ``Authorization: Bearer`` to ``base_url`` only.

Fetching: ``GET /api/v1/accounts/verify_credentials`` once (who "we" are), then
``GET /api/v1/notifications?types[]=mention&limit=80``. The first fetch pages back
(``rel="next"``, ``max_id``) to ``since_days``; cut short by :data:`MAX_PAGES` or the byte
budget, it keeps where it stopped (``resume``) and the next fetch pages back on from
there before it moves forward; later ones ask with ``min_id`` = the
newest notification id seen and follow ``rel="prev"`` forward to the end, so nothing
between two fetches is skipped. Ids are compared as big integers. Each mention's status
is one question (HTML ``content`` as plain text, ``spoiler_text`` as its title, the
``direct`` visibility marking a direct message); ``GET /api/v1/statuses/:id/context``
gives its ancestors as context (a failure costs only that context). Statuses by our own
account are left out; a mention our account already answered (a descendant by us) is
settled. A question stays "open" in the checkpoint (the newest :data:`MAX_OPEN`) until
one of our new statuses (``GET /api/v1/accounts/:id/statuses``) replies to it; then it
is read again and returned settled (a read that fails in a way that may pass keeps it
open, and our statuses are read again from the same point by the next fetch).

Replying: ``POST /api/v1/statuses`` with ``in_reply_to_id``, the original's
``visibility`` (a direct message stays direct) and a ``status`` that starts with
``@acct`` of the person and of the others it mentioned (not us), as Mastodon's own reply
box does. The ``Idempotency-Key`` header carries the outbox's key: Mastodon drops a
repeated submission with the same key for an hour. Length is counted the way Mastodon
counts it: every URL as 23 characters, ``@user@domain`` as ``@user``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.helpdesk import LOOKUP_FAILURES, read_at_once, text_or_none
from cxdaily.connectors.http import BadResponseError, describe_url, origin_of
from cxdaily.connectors.http_base import HttpConnector, site_options
from cxdaily.connectors.mastodon_parse import (
    MAX_OPEN,
    VISIBILITIES,
    Checkpoint,
    Me,
    Resume,
    Status,
    author_dict,
    mastodon_length,
    named_accounts,
    notification,
    parse_account,
    parse_status,
    plain_id,
    read_checkpoint,
    statuses_of,
    team_message,
    without_leading_mentions,
)
from cxdaily.connectors.options import since_days
from cxdaily.connectors.pagination import id_key, newest_id, pages_allowed
from cxdaily.connectors.parsing import QuestionShapeError, parse_question, what_it_is
from cxdaily.connectors.public_channel import public_capabilities
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import answers_by_team, find_reply
from cxdaily.core.errors import ReplyRejected
from cxdaily.core.models import Message, Question

PAGE_LIMIT = 80
"""Notifications per page (Mastodon's maximum since 4.1)."""
OWN_PAGE_LIMIT = 40
"""Our own statuses per page (the maximum of ``/accounts/:id/statuses``)."""
MAX_PAGES = 100
"""Pages of a list one fetch reads at the most (the rest comes with the next fetch)."""
CONTEXT_AT_ONCE = 4
"""Threads read at the same time."""


def _instance_problem(value: str) -> str | None:
    return None if "://" in value else 'must be the instance, e.g. "https://mastodon.social"'


# ----------------------------------------------------------------------------- connector
class MastodonConnector(HttpConnector):
    """Mentions of the brand's Mastodon account; replies as its statuses in the thread."""

    kind = "mastodon"
    capabilities = public_capabilities(idempotency_keys=True)
    declared_options = site_options(
        'the Mastodon instance of the brand\'s account (e.g. "https://mastodon.social")',
        since_days(7, of="mentions"),
        check=_instance_problem,
    )

    def configure(self) -> None:
        """No request yet: our account is looked up once, on first use."""
        super().configure()
        self._me: Me | None = None

    async def _headers(self) -> dict[str, str]:
        return self.bearer(await self.read_secret())

    def _status_url(self, status_id: str, tail: str = "") -> str:
        return self.endpoint(f"/api/v1/statuses/{quote(status_id, safe='')}{tail}")

    async def _get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        data, _ = await self.http.get_json(url, params=params, headers=await self._headers())
        return data

    async def me(self) -> Me:
        """Our account (``verify_credentials``), read once."""
        if self._me is None:
            url = self.endpoint("/api/v1/accounts/verify_credentials")
            data = await self._get(url)
            try:
                author, acct, _ = parse_account(data, "account")
            except QuestionShapeError as exc:
                raise BadResponseError(
                    f"GET {describe_url(url)} answered without an account ({exc})",
                    channel=self.name,
                ) from None
            self._me = Me(author.id or "", acct or "")
        return self._me

    # -- fetching ------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Mentions since the checkpoint: unanswered ones are questions, the ones our
        account answered (now or since an earlier fetch) are settled."""
        me = await self.me()
        mark = read_checkpoint(checkpoint)
        skipped = SkippedItems()
        statuses, notes, newest, resume = await self._mentions(mark, me, skipped)
        answered, own_since = await self._our_replies(me, mark.own_since)
        threads = await read_at_once(
            [self._thread(s.id, skipped) for s in statuses.values()], CONTEXT_AT_ONCE
        )
        questions: list[Question] = []
        settled: list[Question] = []
        for status, thread in zip(statuses.values(), threads, strict=True):
            ancestors, descendants = thread or ([], [])
            done = status.id in answered or any(d.account_id == me.id for d in descendants)
            try:
                question = self._question(status, ancestors, me, notes[status.id], done)
            except QuestionShapeError as exc:
                skipped.add(f"status {status.id}: skipped: {exc}")
                continue
            (settled if done else questions).append(question)
        open_ids = set(mark.open) - {q.native_id for q in settled}
        unread_before = skipped.unread
        for status_id in sorted(open_ids & answered - statuses.keys(), key=id_key):
            unread = skipped.unread
            again = await self._settled_again(status_id, me, skipped)
            settled.extend([again] if again else [])
            if skipped.unread == unread:  # settled, or it would fail the same way again
                open_ids.discard(status_id)
        if skipped.unread > unread_before:  # our replies are read again next time
            own_since = mark.own_since
        open_ids.update(q.native_id for q in questions)
        keep = sorted(open_ids, key=id_key, reverse=True)[:MAX_OPEN]
        if len(open_ids) > MAX_OPEN:
            skipped.add(
                f"open mentions not followed: the {len(open_ids) - MAX_OPEN} oldest (at most "
                f"{MAX_OPEN} are); one answered outside cxdaily stays open here"
            )
        stored: dict[str, Any] = {"since_id": newest, "own_since": own_since, "open": keep}
        if resume is not None:  # the older mentions come next time, then the newer ones
            stored.update(since_id=None, resume=resume.stored())
        return FetchResult(
            questions=questions,
            checkpoint=stored,
            warnings=skipped.lines(),
            settled=settled,
        )

    async def _mentions(
        self, mark: Checkpoint, me: Me, skipped: SkippedItems
    ) -> tuple[dict[str, Status], dict[str, str], str | None, Resume | None]:
        """New mention statuses by others (by status id), their notification ids, the
        newest notification id seen, and where a first fetch's walk back, cut short by
        a cap, goes on at the next fetch (``None``: it reached ``since_days`` or the end)."""
        params: dict[str, Any] = {"types[]": "mention", "limit": PAGE_LIMIT}
        cutoff = None
        resume = mark.resume if mark.since_id is None else None
        if mark.since_id is None:
            cutoff = self.now() - timedelta(days=self.option("since_days"))
            if resume is not None:  # a first fetch cut short: on below where it stopped
                cutoff, params["max_id"] = resume.cutoff, resume.max_id
            follow = "next"
        else:
            params["min_id"] = mark.since_id
            follow = "prev"
        statuses: dict[str, Status] = {}
        notes: dict[str, str] = {}
        newest = mark.since_id or (resume.newest if resume else None)
        oldest: str | None = None  # the oldest notification read
        left: str | None = None  # the page after the last one read, when a cap stopped
        pages = self._pages("/api/v1/notifications", params, follow, PAGE_LIMIT)
        async with aclosing(pages) as walk:
            page_number = 0
            async for page, left in walk:
                page_number += 1
                older = False
                for index, item in enumerate(page):
                    try:
                        note_id, status = notification(item)
                    except QuestionShapeError as exc:
                        skipped.add(f"page {page_number}, item {index + 1}: skipped: {exc}")
                        continue
                    if mark.since_id and id_key(note_id) <= id_key(mark.since_id):
                        continue
                    newest = newest_id([note_id], newest)
                    oldest = note_id if oldest is None else min(oldest, note_id, key=id_key)
                    if status is None or status.account_id == me.id:
                        continue  # not a mention, its status is gone, or we wrote it
                    if cutoff is not None and status.created_at < cutoff:
                        older = True
                        continue
                    statuses[status.id] = status
                    notes[status.id] = note_id
                if older:
                    left = None  # back to since_days: the walk is done
                    break
        if cutoff is None or left is None or oldest is None or newest is None:
            return statuses, notes, newest, None
        return statuses, notes, newest, Resume(oldest, newest, cutoff)

    async def _pages(
        self, path: str, params: dict[str, Any], follow: str, limit: int
    ) -> AsyncGenerator[tuple[list[Any], str | None], None]:
        """Pages of a list, following its ``Link`` header's ``follow`` relation until a
        short or empty page (links naming another host are moved onto ``base_url``), or
        :data:`MAX_PAGES` or the byte budget (noted); each with the next page's address
        (``None``: the walk ends there)."""
        url = self.endpoint(path)
        seen: set[str] = set()
        headers = await self._headers()
        for number in pages_allowed(self.http, MAX_PAGES):
            data, result = await self.http.get_json(
                url, params=params if number == 1 else None, headers=headers
            )
            seen.add(str(result.url))
            if not isinstance(data, list):
                raise BadResponseError(
                    f"GET {describe_url(result.url)} answered {what_it_is(data)}, not a list",
                    channel=self.name,
                )
            following = self._on_base(result.links.get(follow))
            if len(data) < limit or following in seen:
                following = None
            yield data, following
            if following is None:
                return
            url = following

    def _on_base(self, link: str | None) -> str | None:
        """A next-page link, kept on ``base_url`` (the token goes nowhere else)."""
        if not link or self.base_url is None:
            return None
        try:
            target = httpx.URL(link)
        except (httpx.InvalidURL, TypeError, ValueError):
            return None
        if origin_of(target) == origin_of(self.base_url):
            return link
        base = httpx.URL(self.base_url)
        base_path = base.raw_path.decode("ascii").rstrip("/")
        path = target.raw_path.decode("ascii")
        if base_path and path.startswith(base_path + "/"):  # the link names the full path
            return f"{base.scheme}://{base.netloc.decode('ascii')}{path}"
        return self.base_url + path

    async def _our_replies(self, me: Me, own_since: str | None) -> tuple[set[str], str | None]:
        """The statuses our account replied to since ``own_since`` (our newest status seen
        before), and our newest status id now."""
        params: dict[str, Any] = {"limit": OWN_PAGE_LIMIT, "exclude_reblogs": "true"}
        if own_since:
            params["min_id"] = own_since
        answered: set[str] = set()
        newest = own_since
        path = f"/api/v1/accounts/{quote(me.id, safe='')}/statuses"
        async with aclosing(self._pages(path, params, "prev", OWN_PAGE_LIMIT)) as walk:
            async for page, _ in walk:
                for item in page:
                    if not isinstance(item, dict):
                        continue
                    ident = plain_id(item.get("id"))
                    if ident and (not own_since or id_key(ident) > id_key(own_since)):
                        newest = newest_id([ident], newest)
                        reply_to = plain_id(item.get("in_reply_to_id"))
                        if reply_to:
                            answered.add(reply_to)
                if not own_since:
                    break  # the first fetch: our newest status is enough
        return answered, newest

    async def _thread(
        self, status_id: str, skipped: SkippedItems | None
    ) -> tuple[list[Status], list[Status]] | None:
        """A status's ancestors and descendants (malformed ones left out); ``None`` with a
        warning when the context cannot be read (``skipped`` None: raise instead)."""
        try:
            data = await self._get(self._status_url(status_id, "/context"))
            if not isinstance(data, dict):
                raise BadResponseError(f"its context is {what_it_is(data)}", channel=self.name)
        except LOOKUP_FAILURES as exc:
            if skipped is None:
                raise
            skipped.add(f"status {status_id}: its thread cannot be read ({exc}); kept without it")
            return None
        return statuses_of(data.get("ancestors")), statuses_of(data.get("descendants"))

    async def _settled_again(
        self, status_id: str, me: Me, skipped: SkippedItems
    ) -> Question | None:
        """An open question our account has answered since, read again to settle it. A
        read that failed in a way that may pass is counted in ``skipped.unread`` (the
        caller keeps the question open and reads our replies again next fetch)."""
        try:
            status = parse_status(await self._get(self._status_url(status_id)))
            return self._question(status, [], me, None, True)
        except LOOKUP_FAILURES as exc:
            text = f"status {status_id}: answered, but cannot be read again ({exc})"
            skipped.not_read(text, exc)
        except QuestionShapeError as exc:
            skipped.add(f"status {status_id}: answered, but unreadable ({exc})")
        return None

    def _question(
        self, status: Status, ancestors: list[Status], me: Me, note_id: str | None, done: bool
    ) -> Question:
        """The question a mention asks (``done``: settled, answered by our account)."""
        meta: dict[str, Any] = {
            "visibility": status.visibility,
            "direct": status.visibility == "direct",
            "bot": status.bot,
            "reply_to": self._reply_accounts(status, me),
        }
        if note_id:
            meta["notification_id"] = note_id
        if status.language:
            meta["language"] = status.language
        if done:
            meta["team_answered"] = True
        context = [
            {"author": author_dict(a.author), "body": a.body, "created_at": a.created_at}
            for a in sorted(ancestors, key=lambda s: (s.created_at, id_key(s.id)))
        ]
        data = {"id": status.id, "thread_id": status.id, "url": status.url,
                "author": author_dict(status.author), "title": status.title,
                "body": status.body, "created_at": status.created_at, "context": context,
                "meta": meta}  # fmt: skip
        return parse_question(data, channel=self.name, kind=self.kind)

    @staticmethod
    def _reply_accounts(status: Status, me: Me) -> list[str]:
        """Whom a reply mentions: the author, then the others mentioned (never us)."""
        accounts = [status.acct] if status.acct and status.account_id != me.id else []
        accounts += [acct for ident, acct in status.mentions if ident != me.id and acct != me.acct]
        return list(dict.fromkeys(a for a in accounts if a))[:20]

    # -- replying ------------------------------------------------------------------
    def reply_length(self, text: str, question: Question | None = None) -> int:
        """Mastodon's count of the status sent (with the mentions put in front of the
        reply to ``question``): URLs as 23 characters, ``@user@domain`` as ``@user``."""
        return mastodon_length(self.status_text(question, text) if question else text)

    def is_public(self, question: Question) -> bool:
        """A reply to a followers-only or direct status is not public."""
        return question.meta.get("visibility") not in ("private", "direct")

    def status_text(self, question: Question, body: str) -> str:
        """The status sent: ``@acct`` of everyone to answer (not yet named), then ``body``."""
        reply_to = question.meta.get("reply_to")
        accounts = [a for a in reply_to if isinstance(a, str)] if isinstance(reply_to, list) else []
        if not accounts and question.author.handle:
            accounts = [question.author.handle.lstrip("@")]
        named = named_accounts(body)
        prefix = [f"@{a}" for a in accounts if a.lower() not in named]
        return " ".join([*prefix, body.strip()])

    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """One status in reply to the question's, with the same visibility (posted once
        here; the idempotency key makes a repeat by the outbox harmless)."""
        text = self.status_text(question, body)
        length, limit = mastodon_length(text), self.reply_limit(question)
        if limit is not None and length > limit:
            raise ReplyRejected(
                f"{self.name}: the reply with its mentions is {length} characters as Mastodon "
                f"counts them; the limit is {limit}"
            )
        payload: dict[str, Any] = {"status": text, "in_reply_to_id": question.thread_id}
        visibility = question.meta.get("visibility")
        if visibility in VISIBILITIES:
            payload["visibility"] = visibility
        headers = {**await self._headers(), "Idempotency-Key": idempotency_key}
        url = self.endpoint("/api/v1/statuses")
        result = await self.http.request(
            "POST", url, json_body=payload, headers=headers, repeatable=False
        )
        data = self.http.decode_json(result)
        ident = data.get("id") if isinstance(data, dict) else None
        if not isinstance(ident, str | int) or isinstance(ident, bool):
            raise BadResponseError(
                f"POST {describe_url(result.url)} answered without the new status's id",
                channel=self.name,
            )
        link = text_or_none(data.get("url")) or text_or_none(data.get("uri"))
        return SentReply(remote_id=str(ident), url=link)

    async def _ours_below(self, question: Question) -> tuple[Me, list[Status]]:
        """Our account and its statuses in the thread below the question, read again."""
        me = await self.me()
        thread = await self._thread(question.thread_id, None)
        return me, [s for s in (thread[1] if thread else []) if s.account_id == me.id]

    async def answers_since(self, question: Question, since: datetime) -> list[Message]:
        """Our account's replies below the question after ``since`` (the collision guard)."""
        _, ours = await self._ours_below(question)
        return answers_by_team([team_message(s) for s in ours], since)

    async def find_own_reply(
        self, question: Question, body: str, idempotency_key: str
    ) -> SentReply | None:
        """Our status replying to the question with this text, if it is there."""
        me, ours = await self._ours_below(question)
        direct = {s.id: s for s in ours if s.in_reply_to_id == question.thread_id}
        found = find_reply(
            [team_message(s) for s in direct.values()],
            without_leading_mentions(body.strip()),
            author_id=me.id,
            after=question.created_at,
        )
        return None if found is None else SentReply(found.id, direct[found.id].url)

    async def check(self) -> str:
        """``verify_credentials``: the token works; says whose account it is."""
        me = await self.me()
        host = httpx.URL(self.base_url or "").host
        return f"signed in as @{me.acct or me.id} on {host}"

"""The ``front`` channel: the open conversations of one Front inbox, answered as a teammate.

Config: ``inbox_id = "inb_..."`` and ``author_id = "tea_..."`` (the teammate replies are
sent as); optional ``base_url``, ``app_url`` (agent links) and ``archive_on_reply``. The
secret is a Front API token, sent as ``Authorization: Bearer`` to ``base_url`` only.

Fetching: ``GET /inboxes/{inbox_id}/conversations`` for the open statuses, every page:
Front has no "updated since" filter and orders by its bump settings, so only the
conversations whose activity (``updated_at``, ``waiting_since``, last message) is new
since the checkpoint have their messages read (drafts and comments never). One open at
the last fetch and no longer listed (archived on send, deleted) is read once more by id,
so its turns settle. A conversation whose messages failed in a way that may pass (a
timeout, a 5xx, a walk the byte budget cut short) is read again by the next fetch (the
newest :data:`~cxdaily.connectors.front_parse.MAX_TRACKED`, by activity), one that would
fail again (a 404, an unusable answer) is skipped with a warning, its preview standing
in. Payloads are read by :mod:`cxdaily.connectors.front_parse`. Next-page links may name
``https://{company}.api.frontapp.com``: only their path and query are kept, on
``base_url``, so the token goes nowhere else.

Replying: ``POST /conversations/{id}/messages`` with the reply as HTML, ``author_id``
and (unless ``archive_on_reply``) ``options.archive = false``; Front answers 202 with
the message. Nothing is deduplicated, so the post is never repeated blindly: after an
unknown outcome the thread is read for our reply.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from msgspec.structs import replace

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.front_parse import (
    MAX_TRACKED,
    OPEN_STATUSES,
    activity_of,
    conversation_link,
    on_base,
    parse_conversation,
    parse_message,
    read_checkpoint,
)
from cxdaily.connectors.html_text import text_to_html
from cxdaily.connectors.http import (
    BadResponseError,
    ChannelTimeoutError,
    HttpResult,
    describe_url,
)
from cxdaily.connectors.http_errors import bare_message, page_list
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import DEFAULT_MAX_PAGES, next_url_pages, whole_walk
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    id_field,
    what_it_is,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.errors import AuthError, ConnectorError, RateLimited
from cxdaily.core.models import Question
from cxdaily.core.safe_text import one_line

DEFAULT_APP_URL = "https://app.frontapp.com"
PAGE_LIMIT = 100
"""Results per page (Front's maximum)."""
LIST_PARAMS: dict[str, Any] = {"q[statuses][]": list(OPEN_STATUSES), "limit": PAGE_LIMIT}


def _plain_id(value: str) -> str | None:
    """What is wrong with an id used in a URL path (an ``inb_``/``tea_`` id or an alias)."""
    if any(c.isspace() or c in "/?#%\\" for c in value):
        return "must be one id such as inb_123 or tea_123 (no spaces, slashes or ?#%)"
    return None


@dataclass
class _Run:
    """What one fetch gathers as it goes."""

    headers: dict[str, Any]
    turns: desk.TicketTurns
    skipped: SkippedItems = field(default_factory=SkippedItems)
    again: set[str] = field(default_factory=set)  # listed, messages unread: read next time
    keep: set[str] = field(default_factory=set)  # no longer listed, not settled: next time


class _StopReading(Exception):
    """The channel's deadline or rate limit is spent: the rest waits for the next fetch."""


class FrontConnector(desk.HelpDeskConnector):
    """Open conversations of one Front inbox; public replies sent as one teammate."""

    kind = "front"
    declared_options = HTTP_OPTIONS.extended(
        Option("inbox_id", "text", "the inbox whose open conversations are fetched (inb_...)",
               required=True, check=_plain_id),
        Option("author_id", "text", "the teammate replies are sent as (tea_...)",
               required=True, check=_plain_id),
        Option("app_url", "url", "Front's web app, for the links to conversations",
               default=DEFAULT_APP_URL),
        Option("archive_on_reply", "bool", "archive the conversation when a reply is sent "
               "(Front's own default)", default=False),
    )  # fmt: skip

    def configure(self) -> None:
        """The inbox, the teammate and the app's address from the options."""
        super().configure()
        self.inbox_id: str = self.option("inbox_id")
        self.author_id: str = self.option("author_id")
        self.app_url: str = self.option("app_url").rstrip("/")

    # -- requests -------------------------------------------------------------------
    async def _auth(self) -> dict[str, Any]:
        return self.bearer((await self.read_secret()).strip())

    def _next_page(self, data: Any) -> str | None:
        assert self.base_url is not None
        pagination = data.get("_pagination") if isinstance(data, dict) else None
        return on_base(
            pagination.get("next") if isinstance(pagination, dict) else None, self.base_url
        )

    def _inbox_url(self) -> str:
        return self.endpoint(f"/inboxes/{quote(self.inbox_id, safe='')}/conversations")

    def _conversation_url(self, conversation_id: str, tail: str = "") -> str:
        return self.endpoint(f"/conversations/{quote(conversation_id, safe='')}{tail}")

    def _results(self, data: Any, result: HttpResult) -> list[Any]:
        """The ``_results`` of a page; anything else is a one-line error."""
        missing = f"{what_it_is(data)}, not with a page of results (an object with _results)"
        return page_list(data, "_results", result, self.name, missing)

    async def _thread(
        self, conversation_id: str, headers: dict[str, Any], skipped: SkippedItems | None = None
    ) -> list[desk.TicketMessage]:
        """The conversation's messages (every page; drafts left out). A bad message is
        skipped with a warning in a fetch (``skipped``); read again before a reply
        (``None``), it fails the whole read: a thread read in part could hide our own
        reply, or a colleague's answer."""
        messages: list[desk.TicketMessage] = []
        url = self._conversation_url(conversation_id, "/messages")
        walk = next_url_pages(
            self.http, url, next_url=self._next_page, params={"limit": PAGE_LIMIT}, headers=headers
        )
        if skipped is not None:  # in a fetch: a thread cut short is read again next time
            more = lambda data, _: self._next_page(data)  # noqa: E731
            walk = whole_walk(self.http, walk, more, DEFAULT_MAX_PAGES, "messages")
        async for data, result in walk:
            for number, item in enumerate(self._results(data, result), 1):
                try:
                    message = parse_message(item, f"message {number}")
                except QuestionShapeError as exc:
                    problem = f"conversation {conversation_id}: {exc}"
                    if skipped is None:
                        raise BadResponseError(problem, channel=self.name) from None
                    skipped.add(problem)
                    continue
                if message is not None:
                    messages.append(message)
        return messages

    # -- fetching -------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Open conversations changed since the checkpoint, as questions and settled turns."""
        mark = read_checkpoint(checkpoint)
        since = mark.since
        run = _Run(await self._auth(), desk.TicketTurns(self.name, self.kind))
        listed, complete = await self._list(run)
        to_read: list[desk.Ticket | str] = [
            ticket
            for ticket, when in sorted(listed.values(), key=lambda pair: -pair[1])
            if since is None
            or when > since
            or ticket.id in mark.retry
            or (when == since and ticket.id not in mark.at_since)
        ]
        gone = sorted(mark.open - listed.keys())
        if complete:  # open at the last fetch, not now: read once more so its turns settle
            to_read.extend(gone)
        else:  # the list stopped early: what is missing may still be open
            run.keep.update(gone)
        for position, item in enumerate(to_read):
            try:
                await self._read(item, run)
            except _StopReading as stop:
                for rest in to_read[position:]:
                    (
                        run.again.add(rest.id)
                        if isinstance(rest, desk.Ticket)
                        else run.keep.add(rest)
                    )
                waiting = len(to_read) - position
                run.skipped.add(f"{stop}; {waiting} conversations wait for the next fetch")
                break
        times = [when for _, when in listed.values()] + ([since] if since is not None else [])
        newest = max(times) if times else None
        by_activity = sorted(listed, key=lambda cid: -listed[cid][1])
        at_newest = {cid for cid, (_, when) in listed.items() if when == newest}
        if newest == since:
            at_newest |= mark.at_since
        retry = [cid for cid in by_activity if cid in run.again]  # the newest first
        if len(retry) > MAX_TRACKED:
            run.skipped.add(
                f"{len(retry) - MAX_TRACKED} more conversations whose messages were not read "
                f"are not read again (at most {MAX_TRACKED} are); each is read when it changes"
            )
        still_open = by_activity + sorted(run.keep - listed.keys())
        # said once: on the first fetch, then for those followed until now
        beyond = [cid for cid in still_open[MAX_TRACKED:] if checkpoint is None or cid in mark.open]
        if beyond:
            run.skipped.add(
                f"open conversations not followed: the {len(beyond)} least recently active "
                f"(at most {MAX_TRACKED} are); one closed in Front stays open here until it "
                "changes again"
            )
        return run.turns.result(
            {
                "since": newest,
                "at": sorted(at_newest)[:MAX_TRACKED],
                "open": still_open[:MAX_TRACKED],
                "retry": retry[:MAX_TRACKED],
            },
            run.skipped.lines(),
        )

    async def _list(self, run: _Run) -> tuple[dict[str, tuple[desk.Ticket, float]], bool]:
        """The inbox's open conversations (with their activity as epoch seconds), and
        whether the list was read to its end."""
        listed: dict[str, tuple[desk.Ticket, float]] = {}
        complete = False
        page = 0
        async for data, result in next_url_pages(
            self.http, self._inbox_url(), next_url=self._next_page, params=LIST_PARAMS,
            headers=run.headers,
        ):  # fmt: skip
            page += 1
            for number, item in enumerate(self._results(data, result), 1):
                try:
                    ticket = parse_conversation(item, self.app_url)
                    listed[ticket.id] = (ticket, activity_of(item).timestamp())
                except QuestionShapeError as exc:
                    run.skipped.add(f"page {page}, conversation {number}: {exc}")
            complete = self._next_page(data) is None
        return listed, complete

    async def _read(self, item: desk.Ticket | str, run: _Run) -> None:
        """Read a listed conversation's messages (or a no longer listed one, by id) and
        add its question and settled turns. A failure costs this conversation only."""
        conversation_id = item.id if isinstance(item, desk.Ticket) else item
        try:
            if isinstance(item, desk.Ticket):
                ticket = item
            else:
                url = self._conversation_url(item)
                found = await self.http.request("GET", url, headers=run.headers,
                                                allow_statuses={404})  # fmt: skip
                if found.status == 404:
                    return  # deleted for good: nothing is left to settle
                ticket = parse_conversation(self.http.decode_json(found), self.app_url)
            messages = await self._thread(ticket.id, run.headers, run.skipped)
            ticket = replace(ticket, messages=messages, fallback_body=None)
        except AuthError:
            raise
        except (ChannelTimeoutError, RateLimited) as exc:
            raise _StopReading(f"stopped reading conversations ({bare_message(exc)})") from None
        except QuestionShapeError as exc:
            run.skipped.add(f"conversation {conversation_id}: {exc}")
            return
        except ConnectorError as exc:  # a 404, a timeout, a page that is not messages
            text = f"conversation {conversation_id}: its messages cannot be read"
            again = run.skipped.not_read(f"{text} ({bare_message(exc)})", exc)
            listed = isinstance(item, desk.Ticket)
            if again:  # tried again at the next fetch; a 404 would come again
                (run.again if listed else run.keep).add(conversation_id)
            if not listed:
                return
        run.turns.add(ticket)  # without its messages, its preview stands in

    # -- replying -------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """Post the reply in the conversation as the configured teammate (sent once)."""
        conversation_id = question.thread_id or question.native_id.split(":")[0]
        payload: dict[str, Any] = {"body": text_to_html(body), "author_id": self.author_id}
        if not self.option("archive_on_reply"):
            payload["options"] = {"archive": False}
        headers = await self._auth()
        url = self._conversation_url(conversation_id, "/messages")
        result = await self.http.request(
            "POST", url, json_body=payload, headers=headers, repeatable=False
        )
        try:
            data = self.http.decode_json(result)
        except BadResponseError:
            data = None  # accepted without a readable body: look for the reply below
        reply_id = None
        with contextlib.suppress(QuestionShapeError):  # an id that is no id: as if none
            reply_id = id_field(data.get("id"), "id") if isinstance(data, dict) else None
        if reply_id is None:
            with contextlib.suppress(ConnectorError):  # accepted: a failed look is no failure
                found = await self.find_own_reply(question, body, idempotency_key)
                if found is not None:
                    return found
            uid = data.get("message_uid") if isinstance(data, dict) else None
            if isinstance(uid, str) and uid.strip() and _plain_id(uid.strip()) is None:
                reply_id = f"alt:uid:{uid.strip()}"  # Front's alias for a message being sent
        if reply_id is None:
            raise BadResponseError(
                f"POST {describe_url(url)} accepted the reply (HTTP {result.status}) but named "
                "no id for it, and it is not in the conversation yet",
                channel=self.name,
            )
        return SentReply(remote_id=reply_id, url=conversation_link(self.app_url, conversation_id))

    async def question_thread(self, question: Question) -> list[desk.TicketMessage]:
        """The conversation's public messages, read again."""
        return await self._thread(question.thread_id, await self._auth())

    async def reply_author_id(self) -> str | None:
        """The teammate replies are posted as (``None`` for an alias such as an email:
        Front names the teammate's id on the message)."""
        return self.author_id if self.author_id.startswith("tea_") else None

    def reply_url(self, question: Question) -> str:
        """The conversation in Front's web app."""
        return conversation_link(self.app_url, question.thread_id)

    async def check(self) -> str:
        """The token is accepted (``GET /me``) and the inbox's conversations can be read."""
        headers = await self._auth()
        me, _ = await self.http.get_json(self.endpoint("/me"), headers=headers)
        name = me.get("name") if isinstance(me, dict) else None
        company = one_line(name, 80) if isinstance(name, str) and name.strip() else "the company"
        data, result = await self.http.get_json(
            self._inbox_url(), params={**LIST_PARAMS, "limit": 1}, headers=headers
        )
        self._results(data, result)
        host = result.url.host
        return f"API token of {company} accepted; inbox {self.inbox_id} readable on {host}"

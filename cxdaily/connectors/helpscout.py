"""The ``helpscout`` channel: one Help Scout mailbox (Mailbox API 2.0, the "Inbox API").

Config::

    [channels.support]
    kind = "helpscout"
    mailbox_id = 85                       # the mailbox (inbox) to watch
    user_id = 4                           # optional: who replies (default: the app's owner)
    base_url = "https://api.helpscout.net"                   # optional
    token_url = "https://api.helpscout.net/v2/oauth2/token"  # optional

Secrets (``cxdaily login NAME``): ``client_id`` and ``client_secret``, the App ID and
App Secret of a Help Scout app (Your Profile > My Apps). They buy an access token
(OAuth 2.0 client credentials, see :mod:`cxdaily.connectors.oauth`), kept in memory
until shortly before it expires and renewed once when the API refuses it.

Fetching: ``GET /v2/conversations?mailbox=ID&embed=threads&sortField=modifiedAt&
sortOrder=asc`` page by page (HAL: ``_embedded.conversations``, ``_links.next.href`` or
``page.totalPages``). The first fetch asks for the active conversations; later ones for
every conversation modified since the checkpoint (the newest ``modifiedAt`` or
``userUpdatedAt`` seen), so one that was answered, set pending or closed in between
leaves the candidates. Threads come embedded, else from
``GET /v2/conversations/{id}/threads``: ``customer`` threads are the customer's,
``reply`` and ``message`` threads the team's, ``chat`` lines by their author; notes,
drafts, hidden threads, phone logs and line items are never read. A thread that cannot
be read (a 404, a timeout) leaves its conversation with its preview and a warning; when
the failure may pass (a timeout, a 5xx) the checkpoint stays a second before that
conversation, so the next fetch reads it again (as after a walk its page cap cut short: the
next page may hold more of the last second). A rate limit, a refused token or the
channel's deadline stops the fetch. A conversation
waits on the team while its status is ``active``.

A conversation changed during the walk moves to the end of the list; one that leaves it
(closed while the first fetch lists ``active`` ones, moved to another mailbox, deleted)
is never met again, yet either way the pages after its old place slide up by one and the
first conversation of the next page is never read. The first case shows as a conversation
met twice (:class:`~cxdaily.connectors.pagination.PageShifts`), the second as a
``page.totalElements`` lower than on the page before
(:class:`~cxdaily.connectors.pagination.ListShrinks`; a missing or malformed ``page``
tells nothing): the checkpoint then stays a second before the last conversation read
ahead of that page, so the next fetch reads on from there (what it reads twice is stored
again unchanged).

Replying: ``POST /v2/conversations/{id}/reply`` with ``{"customer": {"id": ...},
"text": <html>, "user": USER}`` (201; the thread's id in the ``Resource-ID`` header,
else found again in the thread). Help Scout has no idempotency key: a reply is posted
once, and after an unknown outcome the thread is read for it (``find_own_reply``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.html_text import text_to_html
from cxdaily.connectors.http import BadResponseError, HttpResult, describe_url
from cxdaily.connectors.oauth import PROCESS_TOKENS, ClientCredentialsToken
from cxdaily.connectors.options import HTTP_OPTIONS, Option
from cxdaily.connectors.pagination import (
    DEFAULT_MAX_PAGES,
    ListShrinks,
    PageShifts,
    next_url_pages,
)
from cxdaily.connectors.parsing import QuestionShapeError, checkpoint_time, id_field, parse_time
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import clean, one_line

WEB_URL = "https://secure.helpscout.net"
"""Where agents open a conversation: ``{WEB_URL}/conversation/{id}/{number}/``."""
MAX_NAME_CHARS = 200
MAX_SUBJECT_CHARS = 500
MAX_TAG_CHARS = 100
#: Public thread types by whose words they are: the customer's (True) or the team's
#: (False); ``chat`` lines go by their author's type; every other type is left out.
THREAD_SIDES = {"customer": True, "reply": False, "message": False}
MAX_PAGES = DEFAULT_MAX_PAGES
"""Pages of conversations read in one fetch; the rest comes with the next."""
SECOND = timedelta(seconds=1)
"""Help Scout's times are to the second: a checkpoint held back is held back one."""


class HelpScoutConnector(desk.HelpDeskConnector):
    """Conversations of one Help Scout mailbox; public replies as a Help Scout user."""

    kind = "helpscout"
    declared_options = HTTP_OPTIONS.extended(
        Option("mailbox_id", "int", "the mailbox (inbox) whose conversations are fetched",
               required=True, minimum=1),
        Option("user_id", "int", "the Help Scout user replies are sent as (default: the "
               "app's owner, from /v2/users/me)", minimum=1),
        Option("token_url", "url", "where access tokens are asked for (default: "
               "{base_url}/v2/oauth2/token)"),
    )  # fmt: skip

    def configure(self) -> None:
        """The mailbox, the replying user and the token endpoint from the options."""
        super().configure()
        self.mailbox_id: int = self.option("mailbox_id")
        self._user_id: int | None = self.option("user_id")
        token_url = self.option("token_url")
        if token_url:
            self.allow_credentials_to(token_url)  # configured explicitly: it gets them
        self.token_url: str = token_url or self.endpoint("/v2/oauth2/token")
        self._tokens: ClientCredentialsToken | None = None

    # -- auth -------------------------------------------------------------------------
    @property
    def tokens(self) -> ClientCredentialsToken:
        """The channel's access tokens (built on first use, on this channel's HTTP)."""
        if self._tokens is None:
            self._tokens = ClientCredentialsToken(
                self.http, self.token_url, credentials=self._credentials, cache=PROCESS_TOKENS
            )
        return self._tokens

    async def _credentials(self) -> tuple[str, str]:
        return await self.read_secret("client_id"), await self.read_secret("client_secret")

    # -- fetch ------------------------------------------------------------------------
    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Conversations new or changed since the checkpoint, as questions and settled turns."""
        return await self.tokens.call(lambda headers: self._fetch(checkpoint, headers))

    async def _fetch(
        self, checkpoint: dict[str, Any] | None, headers: dict[str, str]
    ) -> FetchResult:
        since = checkpoint_time(checkpoint, "modified_since")
        params: dict[str, Any] = {
            "mailbox": self.mailbox_id,
            "status": "all" if since else "active",  # later: see what left "active" too
            "sortField": "modifiedAt",
            "sortOrder": "asc",
            "embed": "threads",
            "page": 1,
        }
        if since is not None:
            params["modifiedSince"] = to_iso(since)
        turns = desk.TicketTurns(self.name, self.kind)
        skipped = SkippedItems()
        newest, hold, cut_before = since, None, self.http.walks_cut_short
        shifts, shrinks, read_up_to, unplaced = PageShifts(), ListShrinks(), since, False
        pages = next_url_pages(
            self.http,
            self.endpoint("/v2/conversations"),
            next_url=lambda data: _next_page(data, params),
            params=params,
            headers=headers,
            max_pages=MAX_PAGES,
        )
        async for data, result in pages:
            if shrinks.shrank(_nested(data, "page", "totalElements")):  # see ListShrinks
                if read_up_to is None:  # no time to hold at: the checkpoint stays as it was
                    unplaced = True
                else:
                    hold = min(hold or read_up_to, read_up_to)
            for index, item in enumerate(_embedded(data, "conversations", result, self.name)):
                newest = _later(newest, item)
                read_up_to = _time_of(item, "modifiedAt") or read_up_to
                unread = skipped.unread
                try:
                    ticket = await self._ticket(item, headers, skipped)
                except QuestionShapeError as exc:
                    skipped.add(f"conversation {_reference(item, index)} skipped: {exc}")
                    continue
                turns.add(ticket)
                if skipped.unread > unread and hold is None:  # read again by the next fetch
                    hold = _later(None, item) or since
                when = _later(None, item)
                shifted = shifts.met(ticket.id, when, since or when)
                if shifted is not None:  # the pages after it slid up: see PageShifts
                    hold = min(hold or shifted, shifted)
        if self.http.walks_cut_short > cut_before and newest is not None:
            hold = min(hold or newest, newest)  # the next page may hold more of that second
        if hold is not None and newest is not None:
            newest = max(since, hold - SECOND) if since else hold - SECOND
        if unplaced:
            newest = since
        return turns.result(
            {"modified_since": to_iso(newest)} if newest else checkpoint, skipped.lines()
        )

    async def _ticket(
        self, item: Any, headers: dict[str, str], skipped: SkippedItems
    ) -> desk.Ticket:
        """One conversation as a :class:`Ticket` (its thread read when not embedded)."""
        if not isinstance(item, dict):
            raise QuestionShapeError("expected a JSON object")
        ident = id_field(item.get("id"), "id", required=True) or ""
        created_at = parse_time(item.get("createdAt"), "createdAt")
        requester = _person(item.get("primaryCustomer"), "primaryCustomer")
        status, state = _word(item.get("status")), _word(item.get("state"))
        threads = _nested(item, "_embedded", "threads")
        fallback: str | None = None
        if isinstance(threads, list):
            messages = _messages(threads, f"conversation {ident}", skipped)
        else:
            try:
                messages = await self._thread(ident, headers, skipped)
            except desk.LOOKUP_FAILURES as exc:  # a 404, a timeout: this thread only; a
                # rate limit, the deadline, refused credentials stop the fetch (checkpoint kept)
                said = (
                    f"conversation {ident}: its thread could not be read, its preview is "
                    f"shown instead ({one_line(exc, 200)})"
                )
                skipped.not_read(said, exc)  # read again next time when it may pass
                messages = []
                fallback = _body(item.get("preview"), "preview") or ""
        number = item.get("number")
        has_number = isinstance(number, int) and not isinstance(number, bool) and number >= 0
        subject = _body(item.get("subject"), "subject")
        return desk.Ticket(
            id=ident,
            requester=requester,
            messages=messages,
            waiting_on_team=status == "active" and state in (None, "published"),
            created_at=created_at,
            subject=one_line(subject, MAX_SUBJECT_CHARS) if subject else None,
            status=status,
            url=f"{WEB_URL}/conversation/{quote(ident, safe='')}/{number}/" if has_number else None,
            tags=desk.tag_names(item.get("tags"), key="tag"),
            fallback_body=fallback,
            meta={"customer_id": requester.id, "number": number if has_number else None},
        )

    # -- threads ----------------------------------------------------------------------
    async def _thread(
        self, conversation_id: str, headers: dict[str, str], skipped: SkippedItems | None
    ) -> list[desk.TicketMessage]:
        """The public messages of a conversation, from its threads endpoint (every page);
        a bad thread costs itself in a fetch (``skipped``), the whole read otherwise."""
        url = self.endpoint(f"/v2/conversations/{quote(conversation_id, safe='')}/threads")
        messages: list[desk.TicketMessage] = []
        pages = next_url_pages(
            self.http, url, next_url=lambda d: _next_page(d, {}), headers=headers
        )
        async for data, result in pages:
            threads = _embedded(data, "threads", result, self.name)
            where = f"conversation {conversation_id}"
            messages.extend(_messages(threads, where, skipped, channel=self.name))
        return messages

    async def question_thread(self, question: Question) -> list[desk.TicketMessage]:
        """The conversation's public messages, read again."""
        return await self.tokens.call(
            lambda headers: self._thread(question.thread_id, headers, None)
        )

    async def reply_author_id(self) -> str:
        """The user replies are posted as."""
        return str(await self._replying_user())

    # -- reply ------------------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """POST a public reply to the conversation, as the configured user, once."""
        customer = _json_id(question.meta.get("customer_id") or question.author.id)
        if customer is None:
            raise ConnectorError(
                f"cannot reply to conversation {question.thread_id}: it names no customer",
                channel=self.name,
            )
        user_id = await self._replying_user()
        url = self.endpoint(f"/v2/conversations/{quote(question.thread_id, safe='')}/reply")
        payload = {"customer": {"id": customer}, "text": text_to_html(body), "user": user_id}
        result = await self.tokens.call(  # a refused POST did nothing: safe to ask again
            lambda headers: self.http.request(
                "POST", url, json_body=payload, headers=headers, repeatable=False
            )
        )
        return await self.sent_or_found(  # no Resource-ID header: found in the thread
            question, body, idempotency_key, _reply_id(result.headers.get("resource-id")),
            f"POST {describe_url(url)} answered HTTP {result.status} without a Resource-ID, "
            "and the reply is not in the conversation yet",
        )  # fmt: skip

    async def _replying_user(self) -> int:
        """The ``user_id`` option, else the app's owner (``GET /v2/users/me``), once."""
        if self._user_id is None:
            self._user_id, _ = await self._me()
        return self._user_id

    async def _me(self) -> tuple[int, str]:
        """The token's user: ``(id, "Name (email)")``."""
        url = self.endpoint("/v2/users/me")
        data, result = await self.tokens.call(lambda h: self.http.get_json(url, headers=h))
        user_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered without the user's id", channel=self.name
            )
        user = _person(data, "user")
        label = user.name or f"user {user_id}"
        return user_id, f"{label} ({user.handle})" if user.handle else label

    async def check(self) -> str:
        """Ask for a token and read the token's user: credentials and reachability."""
        user_id, label = await self._me()
        if self._user_id is None:
            self._user_id = user_id
        host = httpx.URL(self.base_url or "").host
        return (
            f"signed in as {label} on {host}; mailbox {self.mailbox_id}, replies as user "
            f"{self._user_id}"
        )


# ----------------------------------------------------------------------------- parsing
def _later(newest: datetime | None, item: Any) -> datetime | None:
    """``newest``, or the conversation's modification time when that is later."""
    for key in ("modifiedAt", "userUpdatedAt"):
        when = _time_of(item, key)
        if when is not None and (newest is None or when > newest):
            newest = when
    return newest


def _time_of(item: Any, key: str) -> datetime | None:
    """A conversation's time ``key`` (``modifiedAt`` is the list's order), or ``None``
    when it is missing or unreadable."""
    value = item.get(key) if isinstance(item, dict) else None
    try:
        return parse_time(value, key) if value is not None else None
    except QuestionShapeError:
        return None


def _nested(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...`` through JSON objects, or ``None``."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _embedded(data: Any, name: str, result: HttpResult, channel: str) -> list[Any]:
    """The HAL list ``_embedded.<name>`` of a page (HAL may leave out an empty one); a
    page of another shape is a :class:`BadResponseError`."""
    embedded = data.get("_embedded") if isinstance(data, dict) else None
    items = embedded.get(name) if isinstance(embedded, dict) else None
    if isinstance(items, list):
        return items
    hal = isinstance(data, dict) and ("page" in data or "_links" in data)
    if items is None and (embedded == {} or (embedded is None and hal)):
        return []
    raise BadResponseError(
        f"GET {describe_url(result.url)} answered without a list of {name} (_embedded.{name})",
        channel=channel,
    )


def _next_page(data: Any, params: dict[str, Any]) -> str | None:
    """The next page: ``_links.next.href`` (keeping our filters), else ``page.number + 1``
    while it is below ``page.totalPages``; ``None`` on the last page."""
    href = _nested(data, "_links", "next", "href")
    if isinstance(href, str) and href.strip():
        try:
            link = httpx.URL(href.strip())
        except (httpx.InvalidURL, TypeError, ValueError):
            return None
        ours = httpx.QueryParams({k: v for k, v in params.items() if k != "page"})
        return str(link.copy_with(params=ours.merge(link.params)))
    number, total = _nested(data, "page", "number"), _nested(data, "page", "totalPages")
    numbers = all(isinstance(n, int) and not isinstance(n, bool) for n in (number, total))
    if numbers and 0 < number < total:
        return "?" + str(httpx.QueryParams({**params, "page": number + 1}))
    return None


def _messages(
    threads: list[Any], where: str, skipped: SkippedItems | None, *, channel: str = ""
) -> list[desk.TicketMessage]:
    """The public messages among a conversation's threads; a bad thread costs itself in
    a fetch, and fails a thread read again before a reply (``skipped`` is ``None``: see
    :func:`~cxdaily.connectors.helpdesk.public_messages`)."""
    return desk.public_messages(
        threads, lambda thread, _: _message(thread),
        lambda index, exc: f"{where}: thread {index + 1} skipped: {exc}", skipped,
        channel=channel,
    )  # fmt: skip


def _message(thread: Any) -> desk.TicketMessage | None:
    """One thread as a public message; ``None`` for notes, drafts, line items and the like."""
    if not isinstance(thread, dict):
        raise QuestionShapeError("expected a JSON object")
    kind = _word(thread.get("type")) or ""
    from_customer = THREAD_SIDES.get(kind)
    if kind == "chat":  # a chat line: whose it is says its author
        from_customer = _word(_nested(thread, "createdBy", "type")) == "customer"
    if from_customer is None or _word(thread.get("state")) not in (None, "published"):
        return None
    author = thread.get("customer") if from_customer else None
    return desk.TicketMessage(
        id=id_field(thread.get("id"), "thread id", required=True) or "",
        author=_person(author or thread.get("createdBy"), "createdBy"),
        body=_body(thread.get("body"), "body") or "",
        created_at=parse_time(thread.get("createdAt"), "createdAt"),
        from_customer=from_customer,
    )


def _person(data: Any, where: str) -> Author:
    """A customer or user (``first``/``last`` or ``firstName``/``lastName``, ``email``)."""
    if not isinstance(data, dict):
        return Author()
    parts = [data.get(k) or data.get(f"{k}Name") for k in ("first", "last")]
    name = one_line(" ".join(p for p in parts if isinstance(p, str)), MAX_NAME_CHARS)
    email = data.get("email")
    email = one_line(email, MAX_NAME_CHARS) if isinstance(email, str) else None
    return desk.email_author(data.get("id"), name, email, where)


def _body(value: Any, where: str) -> str | None:
    """A text or HTML field as plain text, cleaned of terminal escapes and controls."""
    text = desk.message_text(value, where) if isinstance(value, str) else None
    return clean(text).strip() if text is not None else None


def _word(value: Any) -> str | None:
    """A short keyword of the API (a status, a type), lower-cased, or ``None``."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    return one_line(value).lower()


def _reference(item: Any, index: int) -> str:
    """How a warning names a conversation: its id, else its place on the page."""
    ident = item.get("id") if isinstance(item, dict) else None
    fits = isinstance(ident, int | str) and not isinstance(ident, bool) and len(str(ident)) <= 40
    return one_line(ident, 40) if fits else f"#{index + 1} on its page"


def _json_id(value: Any) -> int | str | None:
    """An id for a JSON body: a number when it is all digits (as Help Scout's are)."""
    text = str(value).strip() if isinstance(value, int | str) and value != "" else ""
    if not text:
        return None
    return int(text) if is_digits(text) and len(text) < 20 else text


def _reply_id(value: str | None) -> str | None:
    """A ``Resource-ID`` header as an id: printable, without spaces, at most 200 characters."""
    text = (value or "").strip()
    if not text or len(text) > 200 or not all(0x21 <= ord(c) < 0x7F for c in text):
        return None
    return text

"""The ``freshdesk`` channel: Freshdesk tickets that wait on the team, and public replies
to them.

Config::

    [channels.desk]
    kind = "freshdesk"
    domain = "acme"          # https://acme.freshdesk.com (or base_url = "https://...")
    agent_id = 4321          # optional: the replying agent's user id (else looked up)
    since_days = 14          # optional: how far back the first fetch looks

The secret is the agent's API key (``cxdaily login desk``), sent as HTTP Basic
``KEY:X``, and only to the channel's own host.

Fetching: ``GET /api/v2/tickets?updated_since=...&order_by=updated_at&order_type=asc``
(requester and description embedded), following ``Link: rel="next"`` to the end; the
newest ``updated_at`` seen is the checkpoint (the first fetch looks ``since_days`` back).
Company names come from ``GET /api/v2/companies/{id}``, once per fetch. A ticket's thread
is its description (the customer's first message) and its public conversations
(``GET /api/v2/tickets/{id}/conversations``; private notes never leave Freshdesk;
``incoming`` marks the customer's); a thread that cannot be read leaves the description
standing in, and when the failure may pass (a timeout, a 5xx) the checkpoint stays at
that ticket, so the next fetch reads it again, as it does a thread the byte budget or
the page cap cut short (:func:`~cxdaily.connectors.pagination.whole_walk`). Only status 2
(Open) waits on the team. The rules of :mod:`cxdaily.connectors.helpdesk` make each
ticket its question and settled turns.

Threads are read a few at once in the list's order (oldest change first). A rate limit or
the channel's deadline met on the way stops the fetch there
(:mod:`cxdaily.connectors.helpdesk_backlog`): the tickets read so far count, a warning says
how many are left for the next fetch, and the checkpoint is the ``updated_at`` of the
first one not read. ``updated_since`` takes tickets updated at that very second too, so
none of that second is lost; the tickets read that the next fetch lists again are kept
in the checkpoint with the ``updated_at`` they were read at (``read``) and skipped while
it is unchanged, so a fetch moves on even when many tickets share one second (a bulk
update). Met before any thread was read, the limit fails the fetch, as it always did.

Replying: ``POST /api/v2/tickets/{id}/reply`` with the text as HTML and the agent's
``user_id``. Freshdesk has no idempotency key, so the request is never repeated blindly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from msgspec.structs import replace

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors import helpdesk_backlog as backlog
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.html_text import text_to_html
from cxdaily.connectors.http import (
    BadResponseError,
    HttpResult,
    describe_url,
)
from cxdaily.connectors.http_credentials import basic_authorization
from cxdaily.connectors.http_errors import bare_message
from cxdaily.connectors.options import HTTP_OPTIONS, Option, since_days
from cxdaily.connectors.pagination import PageShifts, link_pages, whole_walk
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    checkpoint_time,
    id_field,
    parse_time,
    text_field,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural

TICKETS_PATH = "/api/v2/tickets"
EMBEDDED = "requester,description"
PER_PAGE = 100
OPEN = 2
"""The one status that waits on the team (3 Pending, 4 Resolved, 5 Closed and custom
statuses do not)."""
STATUS_WORDS = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}
PRIORITY_WORDS = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
OUTBOUND_EMAIL = 10
"""The ``source`` of a ticket an agent started: its description is the team's."""
DESCRIPTION_ID = "description"
"""The id of a ticket's first message (its description) in the thread."""
MAX_THREAD_PAGES = 30
THREADS_AT_ONCE = 4
MAX_NAME_CHARS = 1000


class FreshdeskConnector(desk.AgentDeskConnector):
    """Freshdesk: open tickets as questions, replies as public ticket replies."""

    kind = "freshdesk"
    account_option = "domain"
    account_domain = "freshdesk.com"
    agent_option = "agent_id"
    declared_options = HTTP_OPTIONS.extended(
        desk.account_name_option("domain", "freshdesk.com"),
        Option("agent_id", "int", "the replying agent's user id (looked up once when not "
               "given)", minimum=1),
        since_days(14, maximum=3650),
    )  # fmt: skip

    # -- requests ---------------------------------------------------------------------
    async def auth_headers(self) -> dict[str, str]:
        """HTTP Basic with the API key as the user name and ``X`` as the password."""
        key = (await self.read_secret("")).strip()
        return {"Authorization": basic_authorization(key, "X", self.scrubber)}

    def _ticket_url(self, ticket_id: str, suffix: str = "") -> str:
        return self.endpoint(f"{TICKETS_PATH}/{quote(ticket_id, safe='')}{suffix}")

    def agent_url(self, ticket_id: str) -> str:
        """The agent-facing link to a ticket."""
        return f"{self.base_url}/a/tickets/{quote(ticket_id, safe='')}"

    def _expect(self, data: Any, result: HttpResult, shape: type, what: str) -> Any:
        """``data`` when it is a JSON list or object as expected; else a one-line error."""
        if isinstance(data, shape):
            return data
        raise BadResponseError(
            f"{result.method} {describe_url(result.url)} answered {_kind_of(data)}, not {what}",
            channel=self.name,
        )

    async def me(self, headers: dict[str, str]) -> dict[str, Any]:
        """The signed-in agent (``GET /api/v2/agents/me``); remembers its id."""
        data, result = await self.http.get_json(self.endpoint("/api/v2/agents/me"), headers=headers)
        agent = self._expect(data, result, dict, "an agent")
        ident = _ident(agent.get("id"))
        if ident is None:
            raise BadResponseError(
                f"GET {describe_url(result.url)} answered an agent without a usable id",
                channel=self.name,
            )
        self.agent_id = self.agent_id or ident
        return agent

    # -- fetch ------------------------------------------------------------------------
    def _since(self, checkpoint: Mapping[str, Any] | None) -> datetime:
        saved = checkpoint_time(checkpoint, "updated_since")
        return saved or self.now() - timedelta(days=self.option("since_days"))

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Tickets updated since the checkpoint, each with its public thread, read in the
        list's order (a rate limit or the deadline met on the way keeps what was read: see
        the module's docstring)."""
        headers = await self.auth_headers()
        since = self._since(checkpoint)
        params = {
            "updated_since": to_iso(since),
            "order_by": "updated_at",
            "order_type": "asc",
            "per_page": PER_PAGE,
            "include": EMBEDDED,
        }
        raw: list[Any] = []
        async for data, result in link_pages(
            self.http, self.endpoint(TICKETS_PATH), params=params, headers=headers
        ):
            raw.extend(self._expect(data, result, list, "a list of tickets"))
        skipped = SkippedItems()
        listed: dict[str, tuple[desk.Ticket, datetime | None]] = {}
        shifts = PageShifts()
        newest, rewind = since, None
        for index, item in enumerate(raw):
            updated = _updated_at(item)
            newest = max(newest, updated or newest)
            try:
                ticket = self._ticket(item)
            except QuestionShapeError as exc:
                skipped.add(f"ticket {_label(item, index)}: skipped ({exc})")
                continue
            shifted = shifts.met(ticket.id, updated)  # updated during the walk: see PageShifts
            if shifted is not None:
                rewind = min(rewind or shifted, shifted)
            listed[ticket.id] = (ticket, updated)  # its latest state wins
        marks = backlog.read_marks(checkpoint)  # read by an earlier fetch, unchanged since
        read = {i: at for i, (_, at) in listed.items() if at and marks.get(i) == to_iso(at)}
        to_read = [ticket for ticket, _ in listed.values() if ticket.id not in read]
        companies = await self._companies(to_read, headers, skipped)
        reads = await backlog.read_in_order(
            [self._with_thread(t, companies, headers, skipped) for t in to_read], THREADS_AT_ONCE
        )
        if reads.stopped_by is not None and not reads.done:
            raise reads.stopped_by  # nothing read yet: the error says it best
        turns = desk.TicketTurns(self.name, self.kind)
        for ticket, unread in reads.done:
            turns.add(ticket)
            if unread:  # its thread is read by the next fetch: the checkpoint not past it
                at = shifts.first_met(ticket.id, since)
                rewind = min(rewind or at, at)
            elif (updated := listed[ticket.id][1]) is not None:
                read[ticket.id] = updated
        warnings = skipped.lines()
        if reads.stopped_by is not None:  # the rest from the first one not read
            at = shifts.first_met(to_read[len(reads.done)].id, since)
            rewind = min(rewind or at, at)
            left = plural(len(to_read) - len(reads.done), "ticket")
            warnings.append(backlog.left_for_next_fetch(reads.stopped_by, left))
        mark = min(newest, rewind) if rewind is not None else newest
        kept = {"updated_since": to_iso(mark)}
        if reads.stopped_by is None:
            return turns.result(kept, warnings)
        # the tickets read that the next fetch lists again (updated_since is inclusive):
        # skipped while unchanged, so a second shared by many tickets is read past
        again = {i: to_iso(at) for i, at in read.items() if at >= mark}
        return turns.result(backlog.with_read_marks(kept, again), warnings)

    def _ticket(self, item: Any) -> desk.Ticket:
        """A ticket of the list with its description as its thread's first message (the
        rest comes later); QuestionShapeError if malformed."""
        if not isinstance(item, dict):
            raise QuestionShapeError(f"expected a JSON object, got {_kind_of(item)}")
        ticket_id = id_field(item.get("id"), "id", required=True) or ""
        requester_id = id_field(desk.optional_id(item.get("requester_id")), "requester_id")
        requester = _person(item.get("requester"), requester_id)
        status = _whole(item.get("status"))
        created = parse_time(item.get("created_at"), "created_at")
        description = _body(item, "description", "description_text")
        company_id = id_field(desk.optional_id(item.get("company_id")), "company_id")
        meta = {"requester_id": requester_id, "company_id": company_id}
        by_customer = _whole(item.get("source")) != OUTBOUND_EMAIL
        first = desk.TicketMessage(
            id=DESCRIPTION_ID,
            author=requester if by_customer else Author(),
            body=description or "",
            created_at=created,
            from_customer=by_customer,
        )
        return desk.Ticket(
            id=ticket_id,
            requester=requester,
            messages=(first,),
            waiting_on_team=status == OPEN and item.get("spam") is not True,
            created_at=created,
            subject=text_field(desk.text_or_none(item.get("subject")), "subject"),
            status=STATUS_WORDS.get(status or 0, f"status {status}" if status else None),
            url=self.agent_url(ticket_id),
            priority=PRIORITY_WORDS.get(_whole(item.get("priority")) or 0),
            tags=desk.tag_names(item.get("tags")),
            fallback_body=description or "",
            meta={key: value for key, value in meta.items() if value is not None},
        )

    async def _companies(
        self, tickets: Iterable[desk.Ticket], headers: dict[str, str], skipped: SkippedItems
    ) -> dict[str, str]:
        """Company names by id, each read once (a failed look-up costs only the name)."""
        names: dict[str, str] = {}
        for company_id in dict.fromkeys(
            t.meta["company_id"] for t in tickets if t.meta.get("company_id")
        ):
            url = self.endpoint(f"/api/v2/companies/{quote(company_id, safe='')}")
            try:
                data, result = await self.http.get_json(url, headers=headers)
                name = self._expect(data, result, dict, "a company").get("name")
                text = text_field(name[:MAX_NAME_CHARS], "name") if isinstance(name, str) else None
            except desk.LOOKUP_FAILURES as exc:
                skipped.add(f"company {company_id}: its name could not be read ({_reason(exc)})")
                continue
            except QuestionShapeError:
                text = None
            if text and text.strip():
                names[company_id] = text.strip()
        return names

    async def _with_thread(
        self,
        ticket: desk.Ticket,
        companies: Mapping[str, str],
        headers: dict[str, str],
        skipped: SkippedItems,
    ) -> tuple[desk.Ticket, bool]:
        """The ticket with its company's name and its public thread (none, so that its
        description stands in as the fallback, when the thread cannot be read), and
        whether the next fetch reads it again (the failure may pass: a timeout, a 5xx)."""
        ticket = replace(ticket, organization=companies.get(ticket.meta.get("company_id", "")))
        try:
            messages = await self._thread(ticket.id, ticket.requester, headers, skipped)
        except desk.LOOKUP_FAILURES as exc:
            said = f"ticket {ticket.id}: its thread could not be read ({_reason(exc)})"
            return replace(ticket, messages=()), skipped.not_read(said, exc)
        return replace(ticket, messages=(*ticket.messages, *messages)), False

    # -- threads ----------------------------------------------------------------------
    async def _thread(
        self,
        ticket_id: str,
        requester: Author,
        headers: dict[str, str],
        skipped: SkippedItems | None = None,
    ) -> list[desk.TicketMessage]:
        """A ticket's public conversations, every page. One that cannot be read is a
        warning in a fetch (``skipped``); elsewhere it fails the whole thread, since a
        thread read in part could hide our own reply."""
        items: list[Any] = []
        walk = link_pages(
            self.http,
            self._ticket_url(ticket_id, "/conversations"),
            params={"per_page": PER_PAGE},
            headers=headers,
            max_pages=MAX_THREAD_PAGES,
        )
        if skipped is not None:  # in a fetch: a thread cut short is read again next time
            more = lambda _, result: "next" in result.links  # noqa: E731
            walk = whole_walk(self.http, walk, more, MAX_THREAD_PAGES, "conversations")
        async for data, result in walk:
            items.extend(self._expect(data, result, list, "a list of conversations"))
        return desk.public_messages(
            items, lambda item, _: _conversation(item, requester),
            lambda i, exc: f"ticket {ticket_id}: conversation {i + 1} cannot be read ({exc})",
            skipped, channel=self.name,
        )  # fmt: skip

    async def question_thread(self, question: Question) -> list[desk.TicketMessage]:
        """The ticket's public conversation, read again."""
        ticket_id = question.thread_id or question.native_id.split(":")[0]
        return await self._thread(ticket_id, question.author, await self.auth_headers())

    # -- replies and checks -------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """A public reply on the ticket by the agent (sent once: no idempotency key)."""
        headers = await self.auth_headers()
        agent = await self.agent(headers)
        ticket_id = question.thread_id
        result = await self.http.request(
            "POST",
            self._ticket_url(ticket_id, "/reply"),
            json_body={
                "body": text_to_html(body),
                "user_id": int(agent) if is_digits(agent) else agent,
            },
            headers=headers,
            repeatable=False,
        )
        data = self.http.decode_json(result)
        reply_id = _ident(data.get("id")) if isinstance(data, dict) else None
        return await self.sent_or_found(  # accepted without an id: found in the thread
            question, body, idempotency_key, reply_id,
            f"POST {describe_url(result.url)} was accepted, but the reply is neither in its "
            "answer nor in the ticket's thread",
        )  # fmt: skip

    async def check(self) -> str:
        """Who the API key signs in as (``GET /api/v2/agents/me``)."""
        agent = await self.me(await self.auth_headers())
        contact = agent.get("contact")
        name = contact.get("name") if isinstance(contact, dict) else None
        who = (one_line(name, 80) if isinstance(name, str) else "") or "an agent"
        ident = _ident(agent.get("id"))
        replying = f"replies go as agent {self.agent_id}"
        return f"signed in as {who} (agent {ident}) on {self.host}; {replying}"


# -- payloads ------------------------------------------------------------------------------
def _conversation(item: Any, requester: Author) -> desk.TicketMessage | None:
    """A public conversation as a thread message; ``None`` for a private note."""
    if not isinstance(item, dict):
        raise QuestionShapeError(f"expected a JSON object, got {_kind_of(item)}")
    private, incoming = item.get("private"), item.get("incoming") is True
    if private is True or (private is not False and not incoming):
        return None  # a note, or a message that does not say it is public
    user_id = id_field(desk.optional_id(item.get("user_id")), "user_id")
    by_requester = incoming and user_id in (None, requester.id)
    return desk.TicketMessage(
        id=id_field(item.get("id"), "id", required=True) or "",
        author=requester if by_requester else Author(id=user_id),
        body=_body(item, "body", "body_text") or "",
        created_at=parse_time(item.get("created_at"), "created_at"),
        from_customer=incoming,
    )


def _person(value: Any, requester_id: str | None) -> Author:
    """The embedded requester (name, email as the handle), or just its id."""
    if not isinstance(value, dict):
        return Author(id=requester_id)
    name = value.get("name")
    return desk.email_author(
        desk.optional_id(value.get("id")) or requester_id,
        name[:MAX_NAME_CHARS] if isinstance(name, str) else None,
        desk.text_or_none(value.get("email")),
        "requester",
    )


def _body(item: Mapping[str, Any], html_key: str, text_key: str) -> str | None:
    """A message's text: its HTML made plain, else the plain text the service made."""
    return desk.message_text(desk.text_or_none(item.get(html_key)), html_key) or desk.message_text(
        desk.text_or_none(item.get(text_key)), text_key
    )


def _updated_at(item: Any) -> datetime | None:
    """A listed ticket's ``updated_at``, when it can be read."""
    value = item.get("updated_at") if isinstance(item, Mapping) else None
    try:
        return parse_time(value, "updated_at") if isinstance(value, str) else None
    except QuestionShapeError:
        return None


def _whole(value: Any) -> int | None:
    """A small whole number (a status, a priority, a source), else ``None``."""
    if isinstance(value, str) and is_digits(value.strip()) and len(value) < 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9:
        return value
    return None


def _ident(value: Any) -> str | None:
    """An id from the service (text or a whole number), or ``None`` when unusable."""
    try:
        return id_field(desk.optional_id(value), "id")
    except QuestionShapeError:
        return None


def _label(item: Any, index: int) -> str:
    ident = _ident(item.get("id")) if isinstance(item, dict) else None
    return one_line(ident, 40) if ident else f"#{index + 1} of the list"


def _reason(exc: ConnectorError) -> str:
    return one_line(bare_message(exc), 200)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__

"""The ``zendesk`` channel: Zendesk Support tickets that wait on the team, and public
replies to them.

Config::

    [channels.support]
    kind = "zendesk"
    subdomain = "acme"                 # https://acme.zendesk.com (or base_url = "https://...")
    email = "anna@acme.example"        # the agent's address (with an API token)
    author_id = 3210                   # optional: the agent's user id (else looked up)
    since_days = 14                    # optional: how far back the first fetch looks

The secret is the agent's API token (``cxdaily login support --field ""``), sent as HTTP
Basic ``{email}/token:{token}``, or an OAuth access token (``--field oauth_token``), sent
as a Bearer token; either one is enough. Credentials go to the channel's own host only.

Fetching: ``GET /api/v2/incremental/tickets/cursor.json`` with ``start_time`` (the first
fetch looks ``since_days`` back), then ``cursor={after_cursor}`` until ``end_of_stream``,
:data:`EXPORT_PER_PAGE` tickets a page; the checkpoint is the cursor of the first page not
read in full. Requesters and organisations come sideloaded
(``include=users,organizations``); a requester missing there is read with
``GET /api/v2/users/{id}.json`` (a failed look-up costs only the name). Payloads are read
by :mod:`cxdaily.connectors.zendesk_parse`. Each ticket's public comments
(``GET /api/v2/tickets/{id}/comments.json``, cursor pages, authors sideloaded) become its
thread (when they cannot be read the description stands in, and a failure that may pass,
a timeout or a 5xx, keeps the checkpoint at the cursor of that ticket's page, so the next
fetch reads it again, as does a thread the byte budget or the page cap cut short:
:func:`~cxdaily.connectors.pagination.whole_walk`): a comment is the customer's when its
author is the ticket's requester or another end-user (someone copied on the ticket), the
team's otherwise. Tickets ``new`` or ``open`` wait on the team; the rules of
:mod:`cxdaily.connectors.helpdesk` turn each ticket into its question and its settled
turns. The checkpoint remembers each ticket's open question (``open``): a deleted ticket
has no thread, so its question is settled by the id remembered.

A page's threads are read (a few at once, in the export's order) before the next page is
asked for. A rate limit or the channel's deadline met on the way stops the fetch there
(:mod:`cxdaily.connectors.helpdesk_backlog`): the tickets read so far count, a warning
says how many are left for the next fetch, and the checkpoint keeps the cursor of the
page being read, with the tickets of that page already read and the state they were read
in (``read``), which the next fetch skips while they stay unchanged; met before any
thread was read, the limit fails the fetch, which starts again from the same checkpoint.

Replying: ``PUT /api/v2/tickets/{id}.json`` adds a public comment by the agent. Zendesk
has no idempotency key for it, so the request is never repeated blindly; the reply's id
is the new comment's (from the answer's audit, else found again in the thread).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from msgspec.structs import replace

from cxdaily.connectors import helpdesk as desk
from cxdaily.connectors import helpdesk_backlog as backlog
from cxdaily.connectors import zendesk_parse as parse
from cxdaily.connectors.base import FetchResult, SentReply
from cxdaily.connectors.http import (
    BadResponseError,
    HttpResult,
    describe_url,
)
from cxdaily.connectors.http_credentials import basic_authorization
from cxdaily.connectors.http_errors import bare_message
from cxdaily.connectors.options import HTTP_OPTIONS, Option, full_match, since_days
from cxdaily.connectors.pagination import next_url_pages, whole_walk
from cxdaily.connectors.parsing import QuestionShapeError, id_field
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.errors import AuthError, ConfigError, CredentialError
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line
from cxdaily.core.words import plural
from cxdaily.credentials import env_name

TOKEN_FIELD = ""
OAUTH_FIELD = "oauth_token"
EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
SIDELOADS = "users,organizations"
EXPORT_PER_PAGE = 100
"""Tickets per page of the export (``per_page``, documented for the incremental exports;
Zendesk's default and most is 1,000). A page's threads are read before the next page is
asked for, each at least one request: against an account limit of a few hundred requests
a minute (700 in Zendesk's example, fewer on small plans), 100 threads are read well
within a minute, where 1,000 would often meet the limit first. A page read in part is
asked for again by the next fetch, with its tickets already read remembered in the
checkpoint (``read``): 100 keeps both small. The export's own limit (10 requests a
minute) still lets 1,000 tickets a minute through, more than their threads can be read."""
COMMENTS_PER_PAGE = 100
MAX_THREAD_PAGES = 50
"""A ticket holds at most 5,000 comments: 50 pages of 100."""
THREADS_AT_ONCE = 4
"""Threads read at the same time during a fetch."""
MAX_TRACKED = 2000
"""Most open questions (ticket id: question id) a checkpoint remembers."""


class ZendeskConnector(desk.AgentDeskConnector):
    """Zendesk Support: open tickets as questions, replies as public ticket comments."""

    kind = "zendesk"
    account_option = "subdomain"
    account_domain = "zendesk.com"
    agent_option = "author_id"
    secrets_any_one = True
    declared_options = HTTP_OPTIONS.extended(
        desk.account_name_option("subdomain", "zendesk.com"),
        Option("email", "text", "the agent's email address (needed with an API token)",
               check=full_match(r"[^@\s]+@[^@\s]+", "is not an email address")),
        Option("author_id", "int", "the agent's user id (looked up once when not given)",
               minimum=1),
        since_days(14, maximum=3650),
    )  # fmt: skip

    # -- requests ---------------------------------------------------------------------
    async def auth_headers(self) -> dict[str, str]:
        """The Authorization header: Basic with the API token, or Bearer with OAuth."""
        token = await self.optional_secret(TOKEN_FIELD)
        email = self.option("email")
        if token and email:
            return {"Authorization": basic_authorization(f"{email}/token", token, self.scrubber)}
        oauth = await self.optional_secret(OAUTH_FIELD)
        if oauth:
            return self.bearer(oauth)
        if token:
            raise ConfigError(
                f'[channels.{self.name}] needs email = "..." (the agent\'s address) to use '
                "the API token"
            )
        raise CredentialError(
            f"{self.name}: no Zendesk credentials: store the API token with `cxdaily login "
            f"{self.name}` (or set {env_name(self.name)}), or an OAuth access "
            f"token with `cxdaily login {self.name} --field {OAUTH_FIELD}` (or set "
            f"{env_name(self.name, OAUTH_FIELD)})"
        )

    def _ticket_url(self, ticket_id: str, suffix: str = ".json") -> str:
        return self.endpoint(f"/api/v2/tickets/{quote(ticket_id, safe='')}{suffix}")

    def agent_url(self, ticket_id: str) -> str:
        """The agent-facing link to a ticket."""
        return f"{self.base_url}/agent/tickets/{quote(ticket_id, safe='')}"

    def _page(self, data: Any, result: HttpResult, key: str, what: str, kind: type = list) -> Any:
        """``data[key]`` when ``data`` is an object holding a ``kind`` there; else a
        one-line error for the channel."""
        if isinstance(data, dict) and isinstance(data.get(key), kind):
            return data[key]
        said = "an object" if isinstance(data, dict) else type(data).__name__
        raise BadResponseError(
            f"{result.method} {describe_url(result.url)} answered {said}, not {what}",
            channel=self.name,
        )

    async def me(self, headers: dict[str, str]) -> dict[str, Any]:
        """The signed-in user (``GET /api/v2/users/me.json``); anonymous is refused."""
        url = self.endpoint("/api/v2/users/me.json")
        data, result = await self.http.get_json(url, headers=headers)
        user = self._page(data, result, "user", "a user", dict)
        try:
            ident = id_field(desk.optional_id(user.get("id")), "user.id")
        except QuestionShapeError as exc:
            raise BadResponseError(f"GET {describe_url(url)}: {exc}", channel=self.name) from None
        if ident is None:
            raise AuthError(
                f"GET {describe_url(url)} answered for an anonymous user: the credentials "
                f"were not accepted; check {self.auth_hint}",
                channel=self.name,
            )
        self.agent_id = self.agent_id or ident
        return user

    # -- fetch ------------------------------------------------------------------------
    def _start(self, checkpoint: Mapping[str, Any] | None) -> dict[str, Any]:
        """Where the export starts: the saved cursor, a saved start time, or the look-back."""
        saved = checkpoint or {}
        cursor = saved.get("cursor")
        if isinstance(cursor, str) and cursor.strip():
            return {"cursor": cursor.strip()}
        start = saved.get("start_time")
        if isinstance(start, int) and not isinstance(start, bool) and 0 <= start < 2**40:
            return {"start_time": start}
        since = self.now() - timedelta(days=self.option("since_days"))
        return {"start_time": int(since.timestamp())}

    def _next_export_page(self, data: Any) -> str | None:
        """The next page of the export (built on base_url), until ``end_of_stream``."""
        cursor = desk.text_or_none(data.get("after_cursor")) if isinstance(data, dict) else None
        if not cursor or data.get("end_of_stream") is not False:
            return None
        query = urlencode({"cursor": cursor, "include": SIDELOADS, "per_page": EXPORT_PER_PAGE})
        return f"{self.endpoint(EXPORT_PATH)}?{query}"

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Tickets changed since the checkpoint, each with its public thread, a page of
        the export at a time (a rate limit or the deadline met on the way keeps what was
        read: see the module's docstring)."""
        start = self._start(checkpoint)
        marks, remembered = backlog.read_marks(checkpoint), parse.open_questions(checkpoint)
        run = _Run(await self.auth_headers(), start, start, marks, open=remembered)
        turns = desk.TicketTurns(self.name, self.kind)
        pages = next_url_pages(
            self.http,
            self.endpoint(EXPORT_PATH),
            next_url=self._next_export_page,
            params={**start, "include": SIDELOADS, "per_page": EXPORT_PER_PAGE},
            headers=run.headers,
        )
        stopped: str | None = None
        while stopped is None:
            try:
                data, result = await anext(pages)
            except StopAsyncIteration:
                break
            except backlog.LIMITS as exc:
                if not run.read:  # nothing read yet: the error says it best
                    raise
                stopped = backlog.left_for_next_fetch(exc, "the export's later pages")
                run.marks = {}
            else:
                stopped = await self._read_page(data, result, run, turns)
        run.open.update((q.thread_id, q.native_id) for q in turns.questions if ":" in q.native_id)
        kept = {"open": dict(list(run.open.items())[-MAX_TRACKED:])} if run.open else {}
        marks = run.marks if stopped else {}
        warnings = [*run.skipped.lines(), *([stopped] if stopped else [])]
        return turns.result(backlog.with_read_marks({**run.resume, **kept}, marks), warnings)

    async def _read_page(
        self, data: Any, result: HttpResult, run: _Run, turns: desk.TicketTurns
    ) -> str | None:
        """One page of the export: its tickets, then their threads in its order (those the
        checkpoint's ``read`` names in the same state are skipped: an earlier fetch read
        them). Returns the warning of a rate limit or the deadline that stopped the threads
        (``run.marks`` then names the page's tickets read), ``None`` when all were read
        (``run.resume`` then moves past the page, unless a thread was left unread)."""
        items = self._page(data, result, "tickets", "a page of the ticket export")
        run.people.update(parse.people(data.get("users")))
        run.organizations.update(parse.organizations(data.get("organizations")))
        listed: dict[str, tuple[desk.Ticket, str | None]] = {}
        for item in items:
            run.listed += 1
            try:
                ticket = parse.export_ticket(item, run.people, run.organizations, self.agent_url)
            except QuestionShapeError as exc:
                run.skipped.add(f"ticket {run.listed} of the export: skipped ({exc})")
                continue
            listed[ticket.id] = (ticket, parse.export_state(item))  # changed twice: the latest
        marks, run.marks = run.marks, {}
        page_read = {i: s for i, (_, s) in listed.items() if s is not None and marks.get(i) == s}
        jobs = [self._with_thread(t, run) for i, (t, _) in listed.items() if i not in page_read]
        reads = await backlog.read_in_order(jobs, THREADS_AT_ONCE)
        for ticket, unread in reads.done:
            turns.add(parse.as_deleted(ticket, run.open.get(ticket.id)))
            if ticket.messages or (ticket.status or "").lower() == "deleted":
                run.open.pop(ticket.id, None)  # settled now, or asking anew
            state = listed[ticket.id][1]
            if not unread and state is not None:
                page_read[ticket.id] = state
        run.read += len(reads.done)
        if reads.stopped_by is not None:
            if not run.read:  # nothing read yet: the error says it best
                raise reads.stopped_by
            run.marks = page_read if run.resume == run.asked else {}  # the page read again
            left = plural(len(jobs) - len(reads.done), "ticket")
            later = "" if data.get("end_of_stream") is True else " and the export's later pages"
            return backlog.left_for_next_fetch(reads.stopped_by, left + later)
        cursor = desk.text_or_none(data.get("after_cursor"))
        if cursor:
            run.asked = {"cursor": cursor}
            if not run.skipped.unread:  # no thread left to read again: past this page
                run.resume = run.asked
        return None

    async def _with_thread(self, ticket: desk.Ticket, run: _Run) -> tuple[desk.Ticket, bool]:
        """The ticket with its public thread (none when it cannot be read: the description
        stands in) and its requester's name and address, and whether the next fetch reads
        it again (the failure may pass: a timeout, a 5xx)."""
        requester_id = ticket.requester.id or ""
        messages: list[desk.TicketMessage] = []
        unread = False
        if (ticket.status or "").lower() != "deleted":
            try:
                messages = await self._thread(ticket.id, requester_id, run.headers, run)
            except desk.LOOKUP_FAILURES as exc:
                said = f"ticket {ticket.id}: its thread could not be read ({bare_message(exc)})"
                unread = run.skipped.not_read(said, exc)  # read again when it may pass
        if requester_id not in run.people and requester_id not in run.looked_up:
            run.looked_up.add(requester_id)  # once per fetch, whatever comes of it
            url = self.endpoint(f"/api/v2/users/{quote(requester_id, safe='')}.json")
            try:
                data, result = await self.http.get_json(url, headers=run.headers)
                run.people.update(parse.people([self._page(data, result, "user", "a user", dict)]))
            except desk.LOOKUP_FAILURES as exc:
                run.skipped.add(
                    f"ticket {ticket.id}: its requester's name is unknown ({bare_message(exc)})"
                )
        requester = run.people.get(requester_id) or ticket.requester
        return replace(ticket, messages=messages, requester=requester), unread

    # -- threads ----------------------------------------------------------------------
    async def _thread(
        self, ticket_id: str, requester_id: str, headers: dict[str, str], run: _Run | None = None
    ) -> list[desk.TicketMessage]:
        """A ticket's public comments, every page. In a fetch (``run``) a comment that
        cannot be read is a warning; elsewhere it makes the whole thread an error, since a
        thread read in part could hide our own reply."""
        people = run.people if run is not None else {}
        end_users: set[str] = set()
        comments: list[Any] = []
        walk = next_url_pages(
            self.http,
            self._ticket_url(ticket_id, "/comments.json"),
            next_url=parse.next_comments_page,
            params={"page[size]": COMMENTS_PER_PAGE, "include": "users"},
            headers=headers,
            max_pages=MAX_THREAD_PAGES,
        )
        if run is not None:  # in a fetch: a thread cut short is read again next time
            more = lambda data, _: parse.next_comments_page(data)  # noqa: E731
            walk = whole_walk(self.http, walk, more, MAX_THREAD_PAGES, "comments")
        async for data, result in walk:
            comments.extend(self._page(data, result, "comments", "a page of comments"))
            people.update(parse.people(data.get("users")))
            end_users.update(parse.end_users(data.get("users")))
        customers = end_users | {requester_id}
        return desk.public_messages(
            comments, lambda item, _: parse.comment(item, customers, people),
            lambda index, exc: f"ticket {ticket_id}: comment {index + 1} cannot be read ({exc})",
            run.skipped if run is not None else None, channel=self.name,
        )  # fmt: skip

    async def question_thread(self, question: Question) -> list[desk.TicketMessage]:
        """The ticket's public comments, read again."""
        requester = question.meta.get("requester_id")
        requester_id = requester if isinstance(requester, str) else question.author.id
        return await self._thread(question.thread_id, requester_id or "", await self.auth_headers())

    # -- replies and checks -------------------------------------------------------------
    async def send_reply(self, question: Question, body: str, idempotency_key: str) -> SentReply:
        """A public comment on the ticket by the agent (sent once: no idempotency key)."""
        headers = await self.auth_headers()
        agent = await self.agent(headers)
        author: int | str = int(agent) if is_digits(agent) else agent
        result = await self.http.request(
            "PUT",
            self._ticket_url(question.thread_id),
            json_body={"ticket": {"comment": {"body": body, "public": True, "author_id": author}}},
            headers=headers,
            repeatable=False,
        )
        return await self.sent_or_found(  # no audit in the answer: found in the thread
            question, body, idempotency_key, parse.new_comment_id(self.http.decode_json(result)),
            f"PUT {describe_url(result.url)} was accepted, but the new comment is neither in "
            "its answer nor in the ticket's thread",
        )  # fmt: skip

    async def check(self) -> str:
        """Who the credentials sign in as (``GET /api/v2/users/me.json``)."""
        user = await self.me(await self.auth_headers())
        name = one_line(desk.text_or_none(user.get("name")) or "", 80)
        role = one_line(desk.text_or_none(user.get("role")) or "unknown role", 40)
        if role == "end-user":
            raise AuthError(
                f"the credentials sign in as an end-user on {self.host}, not an agent; "
                f"check {self.auth_hint}",
                channel=self.name,
            )
        note = "" if role == "admin" else "; the ticket export needs an admin: fetch may fail"
        return (
            f"signed in as {name or 'user ' + str(user.get('id'))} ({role}) on {self.host}, "
            f"replying as user {self.agent_id}{note}"
        )


@dataclass
class _Run:
    """What one fetch gathers on the way: its auth, where the next fetch starts, the
    people and organisations met, the users looked up, the open questions, and its
    warnings."""

    headers: dict[str, str]
    resume: dict[str, Any]
    """Where the next fetch starts (``cursor`` or ``start_time``): the first page not
    read in full, or one with a thread left to read again."""
    asked: dict[str, Any]
    """What asks for the page being read (``cursor`` or ``start_time``)."""
    marks: dict[str, str]
    """The tickets of the page being read that were read (id: the state they were read
    in): from the checkpoint for the first page; after a stop, for the checkpoint."""
    read: int = 0
    """Tickets read by this fetch (their threads, or their deletion)."""
    listed: int = 0
    """Tickets of the export met so far (a skipped one is named by its number)."""
    open: dict[str, str] = field(default_factory=dict)
    """The open questions remembered (ticket id: question's native id)."""
    people: dict[str, Author] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    looked_up: set[str] = field(default_factory=set)
    skipped: SkippedItems = field(default_factory=SkippedItems)


__all__ = ["ZendeskConnector"]

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
fetch looks ``since_days`` back), then ``cursor={after_cursor}`` until ``end_of_stream``;
the last ``after_cursor`` is the checkpoint. Requesters and organisations come sideloaded
(``include=users,organizations``); a requester missing there is read with
``GET /api/v2/users/{id}.json`` (a failed look-up costs only the name). Each ticket's
public comments (``GET /api/v2/tickets/{id}/comments.json``, cursor pages, authors
sideloaded) become its thread (when they cannot be read the description stands in, and a
failure that may pass, a timeout or a 5xx, keeps the checkpoint where the fetch started,
so the next one reads that window again, as does a thread the byte budget or the page cap
cut short: :func:`~cxdaily.connectors.pagination.whole_walk`): a comment is the
customer's when its author is the
ticket's requester or another end-user (someone copied on the ticket), the team's
otherwise. Tickets ``new`` or ``open`` wait on the team; the rules of
:mod:`cxdaily.connectors.helpdesk` turn each ticket into its question and its settled
turns. The checkpoint remembers each ticket's open question (``open``): a deleted ticket
has no thread, so its question is settled by the id remembered.

Replying: ``PUT /api/v2/tickets/{id}.json`` adds a public comment by the agent. Zendesk
has no idempotency key for it, so the request is never repeated blindly; the reply's id
is the new comment's (from the answer's audit, else found again in the thread).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from cxdaily.connectors import helpdesk as desk
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
from cxdaily.connectors.parsing import QuestionShapeError, id_field, parse_time, text_field
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.core.errors import AuthError, ConfigError, CredentialError
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line
from cxdaily.credentials import env_name

TOKEN_FIELD = ""
OAUTH_FIELD = "oauth_token"
EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
SIDELOADS = "users,organizations"
WAITING_ON_TEAM = frozenset({"new", "open"})
"""Statuses that owe the customer an answer (pending, hold, solved, closed do not)."""
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
        query = urlencode({"cursor": cursor, "include": SIDELOADS})
        return f"{self.endpoint(EXPORT_PATH)}?{query}"

    async def fetch(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """Tickets changed since the checkpoint, each with its public thread."""
        run = _Run(headers=await self.auth_headers())
        start = self._start(checkpoint)
        cursor: str | None = start.get("cursor")
        raw: list[Any] = []
        async for data, result in next_url_pages(
            self.http,
            self.endpoint(EXPORT_PATH),
            next_url=self._next_export_page,
            params={**start, "include": SIDELOADS},
            headers=run.headers,
        ):
            raw.extend(self._page(data, result, "tickets", "a page of the ticket export"))
            run.people.update(_people(data.get("users")))
            run.organizations.update(_organizations(data.get("organizations")))
            cursor = desk.text_or_none(data.get("after_cursor")) or cursor
        tickets: dict[str, desk.Ticket] = {}
        for index, item in enumerate(raw):
            try:
                ticket = self._ticket(item, run)
            except QuestionShapeError as exc:
                run.skipped.add(f"ticket {index + 1} of the export: skipped ({exc})")
                continue
            tickets[ticket.id] = ticket  # a ticket changed twice: its latest state wins
        jobs = [self._with_thread(ticket, run) for ticket in tickets.values()]
        turns = desk.TicketTurns(self.name, self.kind)
        remembered = _open_questions(checkpoint)
        for ticket in await desk.read_at_once(jobs, THREADS_AT_ONCE):
            turns.add(_as_deleted(ticket, remembered.get(ticket.id)))
            if ticket.messages or (ticket.status or "").lower() == "deleted":
                remembered.pop(ticket.id, None)  # settled now, or asking anew below
        if run.skipped.unread:  # threads left for the next fetch: the export's window again
            cursor = start.get("cursor")
        new_checkpoint = {"cursor": cursor} if cursor else {"start_time": start["start_time"]}
        remembered.update((q.thread_id, q.native_id) for q in turns.questions if ":" in q.native_id)
        kept = {"open": dict(list(remembered.items())[-MAX_TRACKED:])} if remembered else {}
        return turns.result({**new_checkpoint, **kept}, run.skipped.lines())

    def _ticket(self, item: Any, run: _Run) -> desk.Ticket:
        """A ticket of the export (its thread comes later); QuestionShapeError if malformed."""
        if not isinstance(item, dict):
            raise QuestionShapeError("a ticket must be a JSON object")
        ticket_id = id_field(item.get("id"), "id", required=True) or ""
        requester_id = id_field(item.get("requester_id"), "requester_id", required=True) or ""
        status = text_field(desk.text_or_none(item.get("status")), "status", max_chars=100)
        organization_id = id_field(desk.optional_id(item.get("organization_id")), "organization_id")
        via = item.get("via")
        channel = desk.text_or_none(via.get("channel")) if isinstance(via, dict) else None
        meta = {"requester_id": requester_id, **({"via": channel[:100]} if channel else {})}
        return desk.Ticket(
            id=ticket_id,
            requester=run.people.get(requester_id) or Author(id=requester_id),
            messages=(),
            waiting_on_team=(status or "").lower() in WAITING_ON_TEAM,
            created_at=parse_time(item.get("created_at"), "created_at"),
            subject=text_field(desk.text_or_none(item.get("subject")), "subject"),
            status=status,
            url=self.agent_url(ticket_id),
            priority=_priority(item.get("priority")),
            tags=desk.tag_names(item.get("tags")),
            organization=run.organizations.get(organization_id or ""),
            fallback_body=desk.message_text(
                desk.text_or_none(item.get("description")), "description"
            ),
            meta=meta,
        )

    async def _with_thread(self, ticket: desk.Ticket, run: _Run) -> desk.Ticket:
        """The ticket with its public thread (none when it cannot be read: the description
        stands in) and its requester's name and address."""
        requester_id = ticket.requester.id or ""
        messages: list[desk.TicketMessage] = []
        if (ticket.status or "").lower() != "deleted":
            try:
                messages = await self._thread(ticket.id, requester_id, run.headers, run)
            except desk.LOOKUP_FAILURES as exc:
                said = f"ticket {ticket.id}: its thread could not be read ({bare_message(exc)})"
                run.skipped.not_read(said, exc)  # read again next time when it may pass
        if requester_id not in run.people and requester_id not in run.looked_up:
            run.looked_up.add(requester_id)  # once per fetch, whatever comes of it
            url = self.endpoint(f"/api/v2/users/{quote(requester_id, safe='')}.json")
            try:
                data, result = await self.http.get_json(url, headers=run.headers)
                run.people.update(_people([self._page(data, result, "user", "a user", dict)]))
            except desk.LOOKUP_FAILURES as exc:
                run.skipped.add(
                    f"ticket {ticket.id}: its requester's name is unknown ({bare_message(exc)})"
                )
        requester = run.people.get(requester_id) or ticket.requester
        return replace(ticket, messages=messages, requester=requester)

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
            next_url=_next_comments_page,
            params={"page[size]": COMMENTS_PER_PAGE, "include": "users"},
            headers=headers,
            max_pages=MAX_THREAD_PAGES,
        )
        if run is not None:  # in a fetch: a thread cut short is read again next time
            more = lambda data, _: _next_comments_page(data)  # noqa: E731
            walk = whole_walk(self.http, walk, more, MAX_THREAD_PAGES, "comments")
        async for data, result in walk:
            comments.extend(self._page(data, result, "comments", "a page of comments"))
            people.update(_people(data.get("users")))
            end_users.update(_end_users(data.get("users")))
        customers = end_users | {requester_id}
        return desk.public_messages(
            comments, lambda item, _: _comment(item, customers, people),
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
            question, body, idempotency_key, _new_comment_id(self.http.decode_json(result)),
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
    """What one fetch gathers on the way: its auth, the people and organisations met,
    the users looked up, and its warnings."""

    headers: dict[str, str]
    people: dict[str, Author] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    looked_up: set[str] = field(default_factory=set)
    skipped: SkippedItems = field(default_factory=SkippedItems)


# -- payloads ------------------------------------------------------------------------------
def _open_questions(checkpoint: Mapping[str, Any] | None) -> dict[str, str]:
    """The open questions a checkpoint remembers (ticket id: question's native id)."""
    saved = (checkpoint or {}).get("open")
    items = saved.items() if isinstance(saved, dict) else []
    return {k: v for k, v in items if isinstance(v, str) and v.startswith(f"{k}:")}


def _as_deleted(ticket: desk.Ticket, question_id: str | None) -> desk.Ticket:
    """A deleted ticket (its thread unread) with the customer's comment its remembered
    question (``TICKET:COMMENT``) began with, so that question settles by its own id; any
    other ticket as it is."""
    if (ticket.status or "").lower() != "deleted" or not question_id:
        return ticket
    opened = desk.TicketMessage(
        question_id.split(":", 1)[1], ticket.requester, ticket.fallback_body or "",
        ticket.created_at, from_customer=True,
    )  # fmt: skip
    return replace(ticket, messages=(opened,), waiting_on_team=False)


def _next_comments_page(data: Any) -> str | None:
    """The next page of a ticket's comments (``links.next`` while ``meta.has_more``), with
    ``include=users`` added when the link lacks it: whether the comments' authors are
    sideloaded tells an end-user copied on the ticket from an agent, so a later page
    without them would take a customer's follow-up for the team's answer."""
    if not isinstance(data, dict):
        return None
    meta, links = data.get("meta"), data.get("links")
    if not isinstance(meta, dict) or meta.get("has_more") is not True:
        return None
    following = links.get("next") if isinstance(links, dict) else None
    if not isinstance(following, str) or not following.strip():
        return None
    try:
        url = httpx.URL(following.strip())
    except (httpx.InvalidURL, ValueError):
        return following  # not a URL: the walk reports it as the service's fault
    return following if "include" in url.params else str(url.copy_add_param("include", "users"))


def _comment(
    item: Any, customers: set[str], people: Mapping[str, Author]
) -> desk.TicketMessage | None:
    """A public comment as a thread message (the customer's when its author is among
    ``customers``); ``None`` for an internal note."""
    if not isinstance(item, dict):
        raise QuestionShapeError("a comment must be a JSON object")
    if item.get("public") is not True:
        return None  # internal notes never leave Zendesk
    author_id = id_field(desk.optional_id(item.get("author_id")), "author_id")
    body = None
    for key in ("body", "plain_body", "html_body"):
        body = desk.message_text(desk.text_or_none(item.get(key)), key)
        if body:
            break
    return desk.TicketMessage(
        id=id_field(item.get("id"), "id", required=True) or "",
        author=people.get(author_id or "") or Author(id=author_id),
        body=body or "",
        created_at=parse_time(item.get("created_at"), "created_at"),
        from_customer=author_id is not None and author_id in customers,
    )


def _new_comment_id(data: Any) -> str | None:
    """The id of the comment a ticket update added, from the answer's audit events."""
    audit = data.get("audit") if isinstance(data, dict) else None
    events = audit.get("events") if isinstance(audit, dict) else None
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict) and event.get("type") == "Comment":
            try:
                return id_field(event.get("id"), "audit.events.id")
            except QuestionShapeError:
                return None
    return None


def _people(value: Any) -> dict[str, Author]:
    """Sideloaded users by id, with the email address as the handle; bad ones left out."""
    found: dict[str, Author] = {}
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        try:
            author = desk.email_author(
                item.get("id"),
                name[: desk.MAX_NAME_CHARS] if isinstance(name, str) else None,
                desk.text_or_none(item.get("email")),
                "user",
            )
        except QuestionShapeError:
            continue
        if author.id is not None:
            found[author.id] = author
    return found


def _end_users(value: Any) -> set[str]:
    """The ids of sideloaded users whose ``role`` is ``end-user``: customers (the
    requester, or someone copied on the ticket), never agents or admins."""
    found: set[str] = set()
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("role") == "end-user":
            with contextlib.suppress(QuestionShapeError):
                ident = id_field(desk.optional_id(item.get("id")), "user.id")
                if ident is not None:
                    found.add(ident)
    return found


def _organizations(value: Any) -> dict[str, str]:
    """Sideloaded organisations' names by id."""
    found: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        try:
            ident = (
                id_field(desk.optional_id(item.get("id")), "id") if isinstance(item, dict) else None
            )
            text = (
                text_field(name[: desk.MAX_NAME_CHARS], "name") if isinstance(name, str) else None
            )
        except QuestionShapeError:
            continue
        if ident and text and text.strip():
            found[ident] = text.strip()
    return found


def _priority(value: Any) -> str | None:
    text = value.strip().lower() if isinstance(value, str) else None
    return text if text in desk.PRIORITIES else None


__all__ = ["ZendeskConnector"]

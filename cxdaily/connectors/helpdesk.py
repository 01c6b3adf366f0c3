"""What every help desk connector shares: a ticket and its thread as cxdaily's questions,
who answered last, and our own reply found again.

A help-desk connector reads the service's payloads into a :class:`Ticket` (its public
messages as :class:`TicketMessage`, each marked as the customer's or the team's) and
hands it to :func:`ticket_questions`. The rules are the same for every help desk:

- **One question per customer turn.** A ticket waiting on the team (the service says it
  is open and the last public message is the customer's) is one question: its body is
  what the customer wrote since the team's last public reply, its context the public
  messages before. The question's ``native_id`` is ``TICKET:MESSAGE`` (the customer's
  first message of the turn), its ``thread_id`` the ticket's id, where replies go. When
  the customer writes again after an answer, that is a new question, so a ticket that
  comes back to open comes back to the leader.
- **Settled turns leave.** Every earlier turn of the ticket (and every turn of a ticket
  that is solved, pending on the customer or answered by the team last) is returned as
  *settled*, marked ``team_answered`` in ``meta``: a stored one leaves the candidates,
  one never stored is not added (see :class:`~cxdaily.connectors.base.FetchResult`).
- **The collision guard** (:func:`answers_by_team`) lists the team's public replies
  after a time; **our reply after an unknown outcome** (:func:`find_reply`) is a public
  reply by the configured agent with the text we sent, after the question was asked.
  :class:`HelpDeskConnector` answers both from the connector's own
  :meth:`~HelpDeskConnector.question_thread`, and finds a reply whose answer named no id
  (:meth:`~HelpDeskConnector.sent_or_found`).
- **Reading a thread**: :func:`public_messages` keeps the public messages of a thread's
  items; one that cannot be read is a warning in a fetch and an error elsewhere.
- **A fetch's tickets**: :class:`TicketTurns` gathers the questions and settled turns of
  every ticket a fetch reads (a ticket met twice counts in its latest state) and makes
  the fetch's result; :mod:`cxdaily.connectors.helpdesk_backlog` reads their threads
  in order until a rate limit or the deadline, for a backlog read over several fetches.
- **An account's own domain and one agent**: :class:`AgentDeskConnector` (Freshdesk,
  Zendesk) builds the base URL from the account option (declared by
  :func:`account_name_option`) and looks the agent up once.

Text is cleaned where it enters: the connector passes bodies through
:func:`message_text` (HTML to plain text, surrogates replaced).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import httpx
import msgspec

from cxdaily.connectors.base import Capabilities, FetchResult, SentReply
from cxdaily.connectors.html_text import html_to_text, looks_like_html
from cxdaily.connectors.http import (
    BadResponseError,
    RedirectError,
    StatusError,
    UnreachableError,
)
from cxdaily.connectors.http_base import HttpConnector
from cxdaily.connectors.options import Option, full_match
from cxdaily.connectors.parsing import (
    MAX_CONTEXT_MESSAGES,
    MAX_TEXT_CHARS,
    QuestionShapeError,
    id_field,
    meta_field,
    text_field,
    turn_question,
)
from cxdaily.connectors.skipped import SkippedItems
from cxdaily.connectors.thread_replies import ThreadReplies
from cxdaily.core.errors import ConfigError
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import one_line
from cxdaily.core.services import service_name

PRIORITIES = ("urgent", "high", "normal", "low")
"""How ``meta["priority"]`` spells a help desk's priority (curation reads ``urgent``)."""
MAX_NAME_CHARS = 1000
"""A person's name or email longer than this is cut (no real one is)."""
MAX_TAGS = 100
MAX_TAG_CHARS = 100
LOOKUP_FAILURES = (StatusError, BadResponseError, UnreachableError, RedirectError)
"""A thread, a person or a company that cannot be read for these reasons costs only that
item's detail; a refused credential, a rate limit or the channel's deadline stop the fetch."""
_T = TypeVar("_T")


class TicketMessage(msgspec.Struct, frozen=True):
    """One public message of a ticket's thread."""

    id: str
    author: Author
    body: str
    """Plain text (see :func:`message_text`)."""
    created_at: datetime
    from_customer: bool
    """Written by the customer (not by an agent, a teammate or a bot)."""

    def as_message(self) -> Message:
        """The message in cxdaily's model (for a question's context)."""
        return Message(author=self.author, body=self.body, created_at=self.created_at)


class Ticket(msgspec.Struct, frozen=True):
    """A help-desk ticket (or conversation) as read from the service."""

    id: str
    """The service's id of the ticket: where replies go."""
    requester: Author
    """The customer: ``name``, and the email address as ``handle``."""
    messages: Sequence[TicketMessage]
    """Its public messages, in any order (internal notes are never included)."""
    waiting_on_team: bool
    """The service's status says the team owes an answer (new, open, active ...), not
    solved, closed, pending on the customer or snoozed."""
    created_at: datetime
    subject: str | None = None
    status: str | None = None
    """The service's own word for the status, kept in ``meta`` as it is."""
    url: str | None = None
    """The agent-facing link to the ticket."""
    priority: str | None = None
    """One of :data:`PRIORITIES`, or ``None``."""
    tags: Sequence[str] = ()
    organization: str | None = None
    """The customer's organisation or company (VIP rules match it)."""
    fallback_body: str | None = None
    """The ticket's first message as the ticket itself gives it (a description or a
    preview), used when its thread could not be read."""
    meta: Mapping[str, Any] = msgspec.field(default_factory=dict)
    """Anything else worth keeping (plain JSON values)."""


def message_text(value: Any, where: str) -> str | None:
    """A message body from the service as cleaned plain text (HTML converted)."""
    text = text_field(value, where, max_chars=None)
    if text is None:
        return None
    if looks_like_html(text):
        text = html_to_text(text)
    return text[:MAX_TEXT_CHARS]


def ticket_questions(
    ticket: Ticket, *, channel: str, kind: str
) -> tuple[Question | None, list[Question]]:
    """The question a ticket asks now (``None`` when it waits on nobody here) and its
    settled turns (see the module's docstring)."""
    public = sorted(ticket.messages, key=lambda m: (m.created_at, m.id))
    turn_start = len(public)
    while turn_start > 0 and public[turn_start - 1].from_customer:
        turn_start -= 1
    turn = public[turn_start:]
    meta = _ticket_meta(ticket, kind)
    settled_meta = {**meta, "team_answered": True}
    settled = [
        _question(ticket, f"{ticket.id}:{m.id}", [m], [], channel, kind, settled_meta)
        for m in public
        if m.from_customer and (not turn or m.id != turn[0].id)
    ]
    if not public and ticket.fallback_body is not None:  # the thread could not be read
        fallback = TicketMessage(
            id="",
            author=ticket.requester,
            body=ticket.fallback_body,
            created_at=ticket.created_at,
            from_customer=True,
        )
        if not ticket.waiting_on_team:
            return None, [_question(ticket, ticket.id, [fallback], [], channel, kind, settled_meta)]
        return _question(ticket, ticket.id, [fallback], [], channel, kind, meta), settled
    if public and ticket.id:  # a question stored while the thread was unreadable
        settled.append(_question(ticket, ticket.id, public[-1:], [], channel, kind, settled_meta))
    if not turn:
        return None, settled
    native_id = f"{ticket.id}:{turn[0].id}"
    context = public[:turn_start][-MAX_CONTEXT_MESSAGES:]
    if not ticket.waiting_on_team:
        settled.append(_question(ticket, native_id, turn, context, channel, kind, settled_meta))
        return None, settled
    return _question(ticket, native_id, turn, context, channel, kind, meta), settled


class TicketTurns:
    """The questions and settled turns of the tickets one fetch reads, each once by its
    id: a ticket met twice (it changed while the fetch walked the list) counts in the
    state it was met in last."""

    def __init__(self, channel: str, kind: str) -> None:
        self.channel = channel
        self.kind = kind
        self._questions: dict[str, Question] = {}
        self._settled: dict[str, Question] = {}

    def add(self, ticket: Ticket) -> None:
        """Add the question ``ticket`` asks now (if any) and its settled turns."""
        question, settled = ticket_questions(ticket, channel=self.channel, kind=self.kind)
        for done in settled:
            self._questions.pop(done.id, None)
            self._settled[done.id] = done
        if question is not None:
            self._settled.pop(question.id, None)
            self._questions[question.id] = question

    @property
    def questions(self) -> list[Question]:
        """The questions waiting on the team, in the order they were first met."""
        return list(self._questions.values())

    @property
    def settled(self) -> list[Question]:
        """The turns that need no answer now."""
        return list(self._settled.values())

    def result(self, checkpoint: dict[str, Any] | None, warnings: list[str]) -> FetchResult:
        """The fetch's result: these questions and settled turns, with ``checkpoint``."""
        return FetchResult(self.questions, checkpoint, warnings, self.settled)


def _ticket_meta(ticket: Ticket, kind: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"service": kind, "ticket_id": ticket.id}
    if ticket.status is not None:
        meta["status"] = ticket.status
    if ticket.priority is not None:
        meta["priority"] = ticket.priority
    if ticket.tags:
        meta["tags"] = list(ticket.tags)
    if ticket.organization:
        meta["organization"] = ticket.organization
    return {**meta_field(dict(ticket.meta), "meta"), **meta}


def _question(
    ticket: Ticket,
    native_id: str,
    turn: Sequence[TicketMessage],
    context: Sequence[TicketMessage],
    channel: str,
    kind: str,
    meta: dict[str, Any],
) -> Question:
    native = id_field(native_id, "id", required=True) or native_id
    return turn_question(
        channel=channel, kind=kind, native_id=native, thread_id=ticket.id, url=ticket.url,
        author=_customer(turn, ticket.requester), title=ticket.subject, turn=turn,
        before=context, meta=dict(meta),
    )  # fmt: skip


def _customer(turn: Sequence[TicketMessage], requester: Author) -> Author:
    """The requester, completed by what the turn's author record adds."""
    author = turn[-1].author if turn else Author()
    return Author(
        id=requester.id or author.id,
        handle=requester.handle or author.handle,
        name=requester.name or author.name,
        followers=requester.followers,
    )


def email_author(ident: Any, name: Any, email: Any, where: str) -> Author:
    """An author from a help desk's person fields (email as the handle), cleaned; a field
    that is missing, not text or blank is ``None``, an overlong one is cut."""
    return Author(
        id=id_field(ident, f"{where}.id"),
        handle=optional_text(email, f"{where}.email"),
        name=optional_text(name, f"{where}.name"),
    )


def optional_text(value: Any, where: str, max_chars: int = MAX_NAME_CHARS) -> str | None:
    """A short text field the docs make optional, cleaned and cut to ``max_chars``;
    ``None`` when it is missing, not text, or blank."""
    if not isinstance(value, str):
        return None
    text = text_field(value[:max_chars], where, max_chars=max_chars)
    return text.strip() or None if text else None


def text_or_none(value: Any) -> str | None:
    """A text field the docs make optional, as it is: anything but text counts as absent."""
    return value if isinstance(value, str) else None


def optional_id(value: Any) -> str | int | None:
    """An id the service may send as text or a whole number; anything else is ``None``."""
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def tag_names(values: Any, key: str | None = None) -> list[str]:
    """A ticket's tags as one-line labels (control characters dropped), in order, each
    once: ``values`` is a list of names, or of objects whose ``key`` holds the name;
    anything else counts as no tags."""
    if not isinstance(values, list):
        return []
    if key is not None:
        values = [v.get(key) for v in values if isinstance(v, dict)]
    names = values
    cleaned = (one_line(optional_text(n, "tag") or "", MAX_TAG_CHARS) for n in names[:1000])
    return [n for n in dict.fromkeys(cleaned) if n][:MAX_TAGS]


def public_messages(
    items: Sequence[Any],
    parse: Callable[[Any, int], TicketMessage | None],
    problem: Callable[[int, QuestionShapeError], str],
    skipped: SkippedItems | None,
    *,
    channel: str = "",
) -> list[TicketMessage]:
    """The public messages among a thread's ``items`` in order (``parse`` reads the item at
    an index, ``None`` for a note or an event). An item that cannot be read is the warning
    ``problem`` makes in a fetch (``skipped``); elsewhere it fails the whole thread as a
    :class:`BadResponseError` of ``channel``, since a thread read in part could hide our
    own reply."""
    messages: list[TicketMessage] = []
    for index, item in enumerate(items):
        try:
            message = parse(item, index)
        except QuestionShapeError as exc:
            if skipped is None:
                raise BadResponseError(problem(index, exc), channel=channel) from None
            skipped.add(problem(index, exc))
            continue
        if message is not None:
            messages.append(message)
    return messages


async def read_at_once(jobs: Sequence[Awaitable[_T]], at_once: int) -> list[_T]:
    """Run ``jobs`` (thread reads) at most ``at_once`` at a time, results in order; the
    first failure cancels the rest and is raised as it is (to keep the reads done before
    a rate limit or the deadline: :func:`~cxdaily.connectors.helpdesk_backlog.read_in_order`)."""
    gate = asyncio.Semaphore(at_once)

    async def one(job: Awaitable[_T]) -> _T:
        async with gate:
            return await job

    tasks = [asyncio.ensure_future(one(job)) for job in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    finally:  # after a failure: stop the others (a no-op when all are done)
        await stop_reads(tasks, jobs)


async def stop_reads(tasks: Sequence[asyncio.Future[Any]], jobs: Sequence[Awaitable[Any]]) -> None:
    """Cancel the ``tasks`` still running and wait for them, and close the ``jobs`` (the
    reads they run) never started, so none is left pending (a no-op when all are done)."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for job in jobs:
        if inspect.iscoroutine(job) and inspect.getcoroutinestate(job) == "CORO_CREATED":
            job.close()


class HelpDeskConnector(HttpConnector):
    """An HTTP connector to a help desk: the collision guard and the search for our own
    reply read the ticket's public thread again (no help desk takes idempotency keys).

    A help desk implements :meth:`question_thread` and :meth:`reply_author_id`, and may
    point :meth:`reply_url` at its agent-facing page.
    """

    capabilities = Capabilities(
        idempotency_keys=False, threads=True, finds_own_replies=True, public=False
    )
    secret_fields: ClassVar[tuple[str, ...]] = ("",)

    def configure(self) -> None:
        """The options, and the ticket's thread as where our replies are looked for."""
        super().configure()
        self.thread_replies = ThreadReplies(
            self.question_thread,
            author=self.reply_author_id,
            link=lambda question, _: self.reply_url(question),
        )

    async def question_thread(self, question: Question) -> list[TicketMessage]:
        """The public messages of ``question``'s ticket, read again from the service."""
        raise NotImplementedError

    async def reply_author_id(self) -> str | None:
        """The id our replies are posted under (``None``: the service does not say)."""
        raise NotImplementedError

    def reply_url(self, question: Question) -> str | None:
        """The agent-facing page of the ticket a reply went to."""
        return question.url

    async def sent_or_found(
        self,
        question: Question,
        body: str,
        idempotency_key: str,
        reply_id: str | None,
        unseen: str,
    ) -> SentReply:
        """The reply just posted: by the id the service answered with, else found again in
        the thread; a :class:`BadResponseError` saying ``unseen`` when it is in neither."""
        if reply_id is not None:
            return SentReply(remote_id=reply_id, url=self.reply_url(question))
        found = await self.find_own_reply(question, body, idempotency_key)
        if found is None:
            raise BadResponseError(unseen, channel=self.name)
        return found


ACCOUNT_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
"""An account's name before the service's domain (one DNS label)."""


def account_name_option(name: str, domain: str) -> Option:
    """The option naming a help desk account: ``https://NAME.{domain}``."""
    return Option(
        name,
        "text",
        f"the account: https://{name.upper()}.{domain} (or base_url)",
        check=full_match(ACCOUNT_NAME, f'must be the name before .{domain}, such as "acme"'),
    )


class AgentDeskConnector(HelpDeskConnector):
    """A help desk on its own account's domain (``https://ACCOUNT.{domain}``, or
    ``base_url``) whose replies go out as one agent: the one its option names, else the
    signed-in one, looked up once.

    A kind names :attr:`account_option`, :attr:`account_domain` and :attr:`agent_option`
    (the service's name comes from its catalogue entry), and implements
    :meth:`auth_headers`, :meth:`me` and :meth:`agent_url`.
    """

    account_option: ClassVar[str] = "subdomain"
    """The option naming the account (the name before ``.{account_domain}``)."""
    account_domain: ClassVar[str] = ""
    agent_option: ClassVar[str] = "agent_id"
    """The option naming the replying agent's user id."""

    def configure(self) -> None:
        """The base URL from ``base_url`` or the account option (one of them is required),
        its host for messages, and the agent from its option."""
        super().configure()
        if self.base_url is None:
            account = self.option(self.account_option)
            if not account:
                placeholder = self.account_option.upper()
                raise ConfigError(
                    f'[channels.{self.name}] needs {self.account_option} = "..." (your '
                    f"{service_name(self.kind)} is "
                    f"https://{placeholder}.{self.account_domain}) or "
                    'base_url = "https://..."'
                )
            self.base_url = f"https://{account.lower()}.{self.account_domain}"
            self.allow_credentials_to(self.base_url)
        self.host = httpx.URL(self.base_url).netloc.decode("ascii", "replace")
        agent_id = self.option(self.agent_option)
        self.agent_id: str | None = str(agent_id) if agent_id else None
        """The agent replies are posted as (the option, or looked up once)."""

    async def auth_headers(self) -> dict[str, str]:
        """The headers that sign a request in."""
        raise NotImplementedError

    async def me(self, headers: dict[str, str]) -> dict[str, Any]:
        """The signed-in agent as the service gives it; sets :attr:`agent_id` when the
        option did not."""
        raise NotImplementedError

    def agent_url(self, ticket_id: str) -> str:
        """The agent-facing link to a ticket."""
        raise NotImplementedError

    async def agent(self, headers: dict[str, str]) -> str:
        """The agent's user id: the option, or the signed-in agent's (looked up once)."""
        if self.agent_id is None:
            await self.me(headers)
        assert self.agent_id is not None
        return self.agent_id

    async def reply_author_id(self) -> str:
        """The agent replies are posted as."""
        return await self.agent(await self.auth_headers())

    def reply_url(self, question: Question) -> str:
        """The ticket in the agent interface."""
        return self.agent_url(question.thread_id)

"""The freshdesk channel over a mock transport: tickets paged by Link headers, threads
without private notes, the Open status as the only one waiting on the team, replies as
the agent, our reply found again after an unknown outcome, and every failure costing only
what it must.

The payloads follow the shapes of Freshdesk's API v2 documentation (List All Tickets with
``include=requester,description``, List All Conversations of a Ticket, Reply to a
Ticket, View Company, View the Currently Authenticated Agent).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cxdaily.connectors import connector_class, freshdesk
from cxdaily.connectors.freshdesk import FreshdeskConnector
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import (
    BadResponseError,
    ChannelHttp,
    HttpPolicy,
    StatusError,
    UnreachableError,
    channel_deadline,
    make_client,
)
from cxdaily.core.errors import AuthError, ConfigError, RateLimited
from cxdaily.core.safe_text import clean
from cxdaily.settings import ChannelSettings

KEY = "fdKEY-71b2c9d0e4aa"
BASIC = "Basic " + base64.b64encode(f"{KEY}:X".encode()).decode("ascii")
BASE = "https://acme.freshdesk.com"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
AGENT = 77
TEAMMATE = 78


# -- payloads ------------------------------------------------------------------------------
def ticket(number: int, *, status: int = 2, updated: str = "2026-12-04T08:00:00Z", **over) -> dict:
    """A ticket as List All Tickets answers it with ``include=requester,description``."""
    item = {
        "id": number,
        "subject": f"Subject {number}",
        "description": f"<div>Question {number}, <b>please help</b>.</div>",
        "description_text": f"Question {number}, please help.",
        "status": status,
        "priority": 2,
        "source": 1,
        "type": "Question",
        "spam": False,
        "requester_id": 5000 + number,
        "requester": {
            "id": 5000 + number,
            "name": f"Customer {number}",
            "email": f"c{number}@example.com",
            "mobile": None,
            "phone": None,
        },
        "responder_id": None,
        "group_id": None,
        "company_id": None,
        "fr_escalated": False,
        "is_escalated": False,
        "cc_emails": [],
        "fwd_emails": [],
        "reply_cc_emails": [],
        "to_emails": None,
        "tags": [],
        "custom_fields": {},
        "due_by": "2026-12-06T08:00:00Z",
        "fr_due_by": "2026-12-05T08:00:00Z",
        "created_at": "2026-12-04T07:00:00Z",
        "updated_at": updated,
    }
    return {**item, **over}


def conversation(
    conv_id: int,
    text: str,
    at: str,
    *,
    incoming: bool = False,
    private: bool = False,
    user_id: int = TEAMMATE,
) -> dict:
    """A conversation as List All Conversations of a Ticket answers it."""
    return {
        "id": conv_id,
        "body": f"<div>{text}</div>",
        "body_text": text,
        "incoming": incoming,
        "private": private,
        "user_id": user_id,
        "support_email": None if incoming else "support@acme.freshdesk.com",
        "source": 2 if private else 0,
        "category": 2,
        "ticket_id": 0,
        "to_emails": [],
        "from_email": None,
        "cc_emails": [],
        "bcc_emails": [],
        "attachments": [],
        "created_at": at,
        "updated_at": at,
    }


def customer(conv_id: int, text: str, at: str, number: int) -> dict:
    return conversation(conv_id, text, at, incoming=True, user_id=5000 + number)


AGENT_ME = {
    "id": AGENT,
    "available": True,
    "occasional": False,
    "ticket_scope": 1,
    "type": "support_agent",
    "contact": {"name": "Anna Agent", "email": "anna@acme.example", "active": True},
    "created_at": "2025-01-10T09:00:00Z",
    "updated_at": "2026-11-01T09:00:00Z",
}

Answer = list | dict | httpx.Response | Exception | Callable[[httpx.Request], Any]


class Desk:
    """A scripted Freshdesk account for one test: pages of tickets, threads, companies,
    and every request it was sent (a thread or company may be an answer or an error)."""

    def __init__(
        self,
        *pages: list,
        threads: dict[int, Answer] | None = None,
        companies: dict[int, Answer] | None = None,
        thread_page_size: int = 100,
    ) -> None:
        self.pages = list(pages) or [[]]
        self.threads: dict[int, Answer] = threads or {}
        self.companies: dict[int, Answer] = companies or {}
        self.thread_page_size = thread_page_size
        self.requests: list[httpx.Request] = []
        self.reply: Answer = {"id": 9001, "body": "", "user_id": AGENT, "ticket_id": 0}
        self.ticket_list: Answer | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        parts = request.url.path.strip("/").split("/")
        if parts[:3] != ["api", "v2", "tickets"] or len(parts) == 3:
            if request.url.path == "/api/v2/agents/me":
                return httpx.Response(200, json=AGENT_ME)
            if parts[:3] == ["api", "v2", "companies"]:
                return _answer(self.companies.get(int(parts[3]), httpx.Response(404)), request)
            if self.ticket_list is not None:
                return _answer(self.ticket_list, request)
            return _paged(request, self.pages)
        number, what = int(parts[3]), parts[4]
        if what == "reply":
            return _answer(self.reply, request, status=201)
        thread = self.threads.get(number, [])
        if isinstance(thread, list):
            size = self.thread_page_size
            return _paged(request, [thread[i : i + size] for i in range(0, len(thread), size)])
        return _answer(thread, request)

    def sent(self, path: str, method: str = "GET") -> list[httpx.Request]:
        """The requests sent to ``path`` (without the query)."""
        return [r for r in self.requests if r.url.path == path and r.method == method]


def _paged(request: httpx.Request, pages: list[list]) -> httpx.Response:
    page = int(request.url.params.get("page", "1"))
    headers = {"X-RateLimit-Total": "200", "X-RateLimit-Remaining": "180"}
    if page < len(pages):
        following = request.url.copy_set_param("page", str(page + 1))
        headers["Link"] = f'<{following}>; rel="next"'
    return as_json(pages[page - 1] if pages else [], headers=headers)


def as_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer, escaped as services send it (a lone surrogate as ``\\ud800``)."""
    headers = {"content-type": "application/json", **(headers or {})}
    return httpx.Response(status, content=json.dumps(data).encode("ascii"), headers=headers)


def _answer(answer: Answer, request: httpx.Request, status: int = 200) -> httpx.Response:
    if isinstance(answer, Exception):
        raise answer
    if isinstance(answer, httpx.Response):
        return answer
    if callable(answer):
        return _answer(answer(request), request, status)
    return as_json(answer, status)


def build(desk: Desk, fake_sleep, **options) -> FreshdeskConnector:
    settings = ChannelSettings(
        name="desk", kind="freshdesk", options={"domain": "acme", "agent_id": AGENT, **options}
    )
    client = make_client(transport=httpx.MockTransport(desk))
    connector = FreshdeskConnector(settings, client=client, secrets=lambda f: KEY, now=lambda: NOW)
    connector.http = ChannelHttp(client, channel="desk", sleep=fake_sleep, rand=lambda: 0.0)
    return connector


async def fetched(desk: Desk, fake_sleep, checkpoint=None, **options):
    connector = build(desk, fake_sleep, **options)
    return connector, await connector.fetch(checkpoint)


def by_id(questions) -> dict[str, Any]:
    return {q.native_id: q for q in questions}


# -- the kind and its options ----------------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("freshdesk") is FreshdeskConnector
    assert FreshdeskConnector.capabilities.finds_own_replies is True
    assert FreshdeskConnector.capabilities.idempotency_keys is False


def test_without_domain_or_base_url_the_error_names_both_in_one_line():
    with pytest.raises(ConfigError) as caught:
        FreshdeskConnector(ChannelSettings(name="desk", kind="freshdesk"))
    message = str(caught.value)
    assert message.startswith("[channels.desk] needs domain")
    assert "base_url" in message and "\n" not in message


@pytest.mark.parametrize("bad", ["acme.freshdesk.com/x", "-acme", "ac me"])
def test_a_domain_that_is_not_a_name_is_refused(bad):
    with pytest.raises(ConfigError, match=r"\[channels.desk\] domain must be the name"):
        FreshdeskConnector(ChannelSettings(name="desk", kind="freshdesk", options={"domain": bad}))


def test_agent_id_must_be_a_positive_whole_number():
    options = {"domain": "acme", "agent_id": "Anna"}
    with pytest.raises(ConfigError, match="agent_id"):
        FreshdeskConnector(ChannelSettings(name="desk", kind="freshdesk", options=options))


async def test_base_url_changes_every_url_called(fake_sleep):
    desk = Desk([ticket(1)], threads={1: [conversation(11, "On it", "2026-12-04T07:30:00Z")]})
    connector = build(desk, fake_sleep, base_url="https://help.example.org/", agent_id=None)
    result = await connector.fetch(None)
    await connector.check()
    await connector.send_reply(result.settled[0], "Hello", "k")
    assert {r.url.host for r in desk.requests} == {"help.example.org"}
    assert result.settled[0].url == "https://help.example.org/a/tickets/1"


# -- fetching -----------------------------------------------------------------------------
async def test_first_fetch_reads_every_page_each_thread_and_each_company_once(fake_sleep):
    pages = [
        [
            ticket(1, priority=4, company_id=9, tags=["billing", "vip"]),
            ticket(2, updated="2026-12-04T08:05:00Z", company_id=9),
        ],
        [ticket(3, updated="2026-12-04T08:10:00Z", priority=1)],
        [ticket(4, updated="2026-12-04T08:20:00Z", priority=3)],
    ]
    long_thread = [
        conversation(31, "Which plan are you on?", "2026-12-04T07:10:00Z"),
        customer(32, "The business plan.", "2026-12-04T07:20:00Z", 3),
        customer(33, "And it still fails.", "2026-12-04T07:25:00Z", 3),
    ]
    desk = Desk(
        *pages,
        threads={3: long_thread},
        companies={9: {"id": 9, "name": "Globex", "domains": ["globex.example"]}},
        thread_page_size=2,
    )
    _, result = await fetched(desk, fake_sleep)

    lists = desk.sent("/api/v2/tickets")
    assert [r.url.params.get("page") for r in lists] == [None, "2", "3"]
    assert dict(lists[0].url.params) == {
        "updated_since": "2026-11-20T09:00:00Z",  # since_days = 14 before NOW
        "order_by": "updated_at",
        "order_type": "asc",
        "per_page": "100",
        "include": "requester,description",
    }
    assert len(desk.sent("/api/v2/tickets/3/conversations")) == 2  # its two pages
    assert len(desk.sent("/api/v2/companies/9")) == 1  # two tickets, one look-up
    assert {r.headers["authorization"] for r in desk.requests} == {BASIC}

    questions = by_id(result.questions)
    assert set(questions) == {"1:description", "2:description", "3:32", "4:description"}
    first = questions["1:description"]
    assert first.thread_id == "1"
    assert first.title == "Subject 1"
    assert first.body == "Question 1, please help."
    assert (first.author.name, first.author.handle, first.author.id) == (
        "Customer 1",
        "c1@example.com",
        "5001",
    )
    assert first.url == "https://acme.freshdesk.com/a/tickets/1"
    assert first.meta["priority"] == "urgent"
    assert first.meta["status"] == "open"
    assert first.meta["tags"] == ["billing", "vip"]
    assert first.meta["organization"] == "Globex"
    assert questions["3:32"].body == "The business plan.\n\nAnd it still fails."
    assert [m.body for m in questions["3:32"].context] == [
        "Question 3, please help.",
        "Which plan are you on?",
    ]
    assert [questions[n].meta["priority"] for n in ("2:description", "3:32", "4:description")] == [
        "normal",
        "low",
        "high",
    ]
    assert result.checkpoint == {"updated_since": "2026-12-04T08:20:00Z"}
    assert result.warnings == []


async def test_a_later_fetch_asks_only_for_what_changed_since_the_checkpoint(fake_sleep):
    desk = Desk([ticket(7, updated="2026-12-04T08:40:00Z")])
    _, result = await fetched(desk, fake_sleep, {"updated_since": "2026-12-04T08:00:00Z"})
    assert desk.sent("/api/v2/tickets")[0].url.params["updated_since"] == "2026-12-04T08:00:00Z"
    assert result.checkpoint == {"updated_since": "2026-12-04T08:40:00Z"}

    empty = Desk([])
    _, nothing = await fetched(empty, fake_sleep, result.checkpoint)
    assert nothing.questions == [] and nothing.checkpoint == result.checkpoint


async def test_a_damaged_checkpoint_looks_back_since_days(fake_sleep):
    desk = Desk([])
    await fetched(desk, fake_sleep, {"updated_since": "last tuesday"}, since_days=2)
    assert desk.sent("/api/v2/tickets")[0].url.params["updated_since"] == "2026-12-02T09:00:00Z"


async def test_a_ticket_updated_during_the_walk_makes_the_next_fetch_start_before_it(fake_sleep):
    """Page-numbered lists shift when a ticket moves to the end: one may have been missed."""
    pages = [
        [ticket(1, updated="2026-12-04T08:00:00Z"), ticket(2, updated="2026-12-04T08:10:00Z")],
        [ticket(3, updated="2026-12-04T08:20:00Z"), ticket(1, updated="2026-12-04T08:30:00Z")],
    ]
    _, result = await fetched(Desk(*pages), fake_sleep)
    assert sorted(q.native_id for q in result.questions) == [
        "1:description",
        "2:description",
        "3:description",
    ]
    assert result.checkpoint == {"updated_since": "2026-12-04T08:00:00Z"}


async def test_a_ticket_answered_by_an_agent_leaves_and_answers_since_shows_the_answer(
    fake_sleep,
):
    before = Desk([ticket(5)])
    connector, first = await fetched(before, fake_sleep)
    question = first.questions[0]
    assert question.native_id == "5:description"

    reply = conversation(51, "Fixed on our side.", "2026-12-04T08:15:00Z")
    after = Desk([ticket(5, updated="2026-12-04T08:15:00Z")], threads={5: [reply]})
    connector, second = await fetched(after, fake_sleep, first.checkpoint)
    assert second.questions == []
    settled = {q.id: q for q in second.settled}
    assert question.id in settled
    assert settled[question.id].meta["team_answered"] is True

    answers = await connector.answers_since(question, question.created_at)
    assert [(a.body, a.author.id) for a in answers] == [("Fixed on our side.", str(TEAMMATE))]
    assert await connector.answers_since(question, datetime(2026, 12, 4, 8, 30, tzinfo=UTC)) == []


async def test_a_ticket_back_to_open_with_a_new_customer_message_is_a_new_question(fake_sleep):
    thread = [
        conversation(61, "Try clearing the cache.", "2026-12-04T07:30:00Z"),
        customer(62, "Still broken after clearing it.", "2026-12-04T08:30:00Z", 6),
    ]
    desk = Desk([ticket(6, updated="2026-12-04T08:30:00Z")], threads={6: thread})
    _, result = await fetched(desk, fake_sleep)
    [question] = result.questions
    assert question.native_id == "6:62"
    assert question.body == "Still broken after clearing it."
    assert question.author.name == "Customer 6"
    assert [m.body for m in question.context] == [
        "Question 6, please help.",
        "Try clearing the cache.",
    ]
    assert "desk:6:description" in [q.id for q in result.settled]


@pytest.mark.parametrize("status", [3, 4, 5, 6, 12])
async def test_only_the_open_status_waits_on_the_team(status, fake_sleep):
    desk = Desk([ticket(8, status=status)])
    _, result = await fetched(desk, fake_sleep)
    assert result.questions == []
    settled = by_id(result.settled)
    assert "8:description" in settled
    words = {3: "pending", 4: "resolved", 5: "closed"}
    assert settled["8:description"].meta["status"] == words.get(status, f"status {status}")


async def test_spam_and_outbound_tickets_are_not_candidates(fake_sleep):
    desk = Desk([ticket(1, spam=True), ticket(2, source=10)])
    _, result = await fetched(desk, fake_sleep)
    assert result.questions == []


async def test_private_notes_are_never_read_into_a_question(fake_sleep):
    thread = [
        conversation(71, "Internal: refund approved by Sam", "2026-12-04T07:30:00Z", private=True),
        {**conversation(72, "Note without a flag", "2026-12-04T07:31:00Z"), "private": None},
    ]
    desk = Desk([ticket(7)], threads={7: thread})
    connector, result = await fetched(desk, fake_sleep)
    [question] = result.questions  # a note is no answer: the ticket still waits
    assert question.native_id == "7:description"
    assert "Internal" not in json.dumps(question.to_dict())
    assert await connector.answers_since(question, question.created_at) == []


# -- replies ------------------------------------------------------------------------------
async def test_a_reply_is_posted_once_as_html_by_the_agent(fake_sleep):
    desk = Desk([ticket(1)])
    connector, result = await fetched(desk, fake_sleep)
    sent = await connector.send_reply(result.questions[0], "Hi <Jane>,\n\nfixed & done.", "k")
    [post] = desk.sent("/api/v2/tickets/1/reply", "POST")
    assert json.loads(post.content) == {
        "body": "<p>Hi &lt;Jane&gt;,</p><p>fixed &amp; done.</p>",
        "user_id": AGENT,
    }
    assert post.headers["authorization"] == BASIC
    assert post.headers["content-type"] == "application/json"
    assert (sent.remote_id, sent.url) == ("9001", "https://acme.freshdesk.com/a/tickets/1")
    assert desk.sent("/api/v2/agents/me") == []  # agent_id is configured


async def test_without_agent_id_the_agent_is_looked_up_once(fake_sleep):
    desk = Desk([ticket(1)])
    connector, result = await fetched(desk, fake_sleep, agent_id=None)
    for _ in range(2):
        await connector.send_reply(result.questions[0], "Done.", "k")
    assert len(desk.sent("/api/v2/agents/me")) == 1
    posts = desk.sent("/api/v2/tickets/1/reply", "POST")
    assert [json.loads(p.content)["user_id"] for p in posts] == [AGENT, AGENT]


async def test_after_an_unknown_outcome_find_own_reply_finds_the_reply(fake_sleep):
    desk = Desk([ticket(1)])
    connector, result = await fetched(desk, fake_sleep)
    question = result.questions[0]
    text = "We refunded the order.\nIt shows in 3 days."

    def applied_then_cut(request: httpx.Request):
        ours = conversation(88, "", "2026-12-04T09:01:00Z", user_id=AGENT)
        ours["body"] = json.loads(request.content)["body"]
        desk.threads[1] = [
            conversation(87, text, "2026-12-04T09:00:30Z", user_id=TEAMMATE),  # not by us
            ours,
        ]
        raise httpx.ReadTimeout("the connection went quiet", request=request)

    desk.reply = applied_then_cut
    with pytest.raises(UnreachableError):
        await connector.send_reply(question, text, "k")
    assert len(desk.sent("/api/v2/tickets/1/reply", "POST")) == 1  # never repeated blindly

    found = await connector.find_own_reply(question, text, "k")
    assert found is not None
    assert (found.remote_id, found.url) == ("88", "https://acme.freshdesk.com/a/tickets/1")
    assert await connector.find_own_reply(question, "Another text", "k") is None


async def test_a_malformed_conversation_fails_find_own_reply_rather_than_hide_ours(fake_sleep):
    desk = Desk([ticket(1)], threads={1: ["not a conversation"]})
    connector, result = await fetched(desk, fake_sleep)
    assert result.warnings == [
        "ticket 1: conversation 1 cannot be read (expected a JSON object, got str)"
    ]
    with pytest.raises(BadResponseError, match="conversation 1 cannot be read"):
        await connector.find_own_reply(result.questions[0], "Hello", "k")


async def test_check_says_who_the_key_signs_in_as(fake_sleep):
    desk = Desk()
    text = await build(desk, fake_sleep, agent_id=None).check()
    assert (
        text == "signed in as Anna Agent (agent 77) on acme.freshdesk.com; replies go as agent 77"
    )
    assert desk.sent("/api/v2/agents/me")[0].headers["authorization"] == BASIC


# -- failures -----------------------------------------------------------------------------
async def test_a_429_waits_as_freshdesk_asks_then_goes_on(fake_sleep):
    desk = Desk([ticket(1)])
    throttles = [
        httpx.Response(
            429,
            json={"message": "You have exceeded the limit of requests per minute"},
            headers={
                "Retry-After": "7",
                "X-RateLimit-Total": "200",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Used-CurrentRequest": "1",
            },
        )
    ]
    desk.ticket_list = lambda request: throttles.pop() if throttles else _paged(request, desk.pages)
    _, result = await fetched(desk, fake_sleep)
    assert fake_sleep.calls == [7.0]
    assert [q.native_id for q in result.questions] == ["1:description"]


@pytest.mark.parametrize(
    ("status", "said"), [(401, "refused the credentials"), (403, "denied access")]
)
async def test_401_and_403_are_one_line_auth_errors_without_the_secret(status, said, fake_sleep):
    body = {"code": "invalid_credentials", "message": f"You have to be logged in ({KEY})"}
    desk = Desk()
    desk.ticket_list = httpx.Response(status, json=body)
    with pytest.raises(AuthError) as caught:
        await build(desk, fake_sleep).fetch(None)
    message = str(caught.value)
    assert said in message and "the API key" in message
    assert "\n" not in message
    assert KEY not in message and BASIC[6:] not in message
    if status == 401:
        assert "cxdaily login desk" in message


@pytest.mark.parametrize(
    "page",
    [
        httpx.Response(200, json={"tickets": []}),
        httpx.Response(200, text="<html>Maintenance</html>", headers={"content-type": "text/html"}),
    ],
)
async def test_a_malformed_page_is_one_bad_response_for_the_channel(page, fake_sleep):
    desk = Desk()
    desk.ticket_list = page
    with pytest.raises(BadResponseError) as caught:
        await build(desk, fake_sleep).fetch(None)
    assert "\n" not in str(caught.value)


async def test_one_malformed_ticket_is_skipped_with_a_warning(fake_sleep):
    items = [
        ticket(1),
        "nonsense",
        {**ticket(2), "created_at": None},
        {**ticket(3), "id": {"nested": True}},
        {**ticket(4), "created_at": "last week"},
        ticket(5, updated="2026-12-04T08:30:00Z"),
    ]
    _, result = await fetched(Desk(items), fake_sleep)
    assert sorted(q.native_id for q in result.questions) == ["1:description", "5:description"]
    assert result.warnings == [
        "ticket #2 of the list: skipped (expected a JSON object, got str)",
        "ticket 2: skipped (created_at is missing)",
        "ticket #4 of the list: skipped (id must be a string or an integer)",
        "ticket 4: skipped (created_at = 'last week' is not an ISO-8601 timestamp)",
    ]
    assert result.checkpoint == {"updated_since": "2026-12-04T08:30:00Z"}


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (httpx.Response(404), "HTTP 404"),
        (httpx.ReadTimeout("slow"), "stopped answering"),
        (
            httpx.Response(200, text="{not json", headers={"content-type": "application/json"}),
            "JSON",
        ),
        (httpx.Response(200, json={"conversations": []}), "not a list of conversations"),
    ],
)
async def test_a_thread_that_cannot_be_read_costs_only_that_ticket_its_thread(
    failure, reason, fake_sleep
):
    desk = Desk(
        [ticket(1), ticket(2)],
        threads={1: failure, 2: [customer(21, "Any news?", "2026-12-04T07:50:00Z", 2)]},
    )
    _, result = await fetched(desk, fake_sleep)
    questions = by_id(result.questions)
    assert set(questions) == {"1", "2:description"}
    assert questions["1"].body == "Question 1, please help."  # its description stands in
    assert questions["2:description"].body == "Question 2, please help.\n\nAny news?"
    [warning] = result.warnings
    assert warning.startswith("ticket 1: its thread could not be read (")
    assert reason in warning
    # a timeout may pass: the checkpoint stays at that ticket, which the next fetch reads
    passing = reason == "stopped answering"
    assert ("read again by the next fetch" in warning) is passing
    assert result.checkpoint["updated_since"] == "2026-12-04T08:00:00Z"  # both at that time


async def test_a_thread_a_passing_failure_left_unread_is_read_by_the_next_fetch(fake_sleep):
    desk = Desk(
        [ticket(1, updated="2026-12-04T07:00:00Z"), ticket(2, updated="2026-12-04T08:00:00Z")],
        threads={1: httpx.Response(503), 2: []},
    )
    connector, first = await fetched(desk, fake_sleep)
    assert first.checkpoint == {"updated_since": "2026-12-04T07:00:00Z"}  # not past ticket 1
    desk.threads[1] = [customer(11, "Still broken.", "2026-12-04T06:59:00Z", 1)]
    second = await connector.fetch(first.checkpoint)
    assert desk.sent("/api/v2/tickets")[-1].url.params["updated_since"] == "2026-12-04T07:00:00Z"
    assert by_id(second.questions)["1:11"].body.startswith("Still broken.")  # its latest
    assert "1" in {q.native_id for q in second.settled}  # the stand-in leaves
    assert second.checkpoint == {"updated_since": "2026-12-04T08:00:00Z"}
    assert second.warnings == []


async def test_a_failed_company_look_up_costs_only_the_name(fake_sleep):
    desk = Desk(
        [ticket(1, company_id=9), ticket(2, company_id=9)],
        companies={9: httpx.Response(404)},
    )
    _, result = await fetched(desk, fake_sleep)
    assert len(result.questions) == 2
    assert all("organization" not in q.meta for q in result.questions)
    assert len(desk.sent("/api/v2/companies/9")) == 1
    [warning] = result.warnings
    assert warning.startswith("company 9: its name could not be read (")


async def test_the_secret_never_appears_in_an_error_or_a_warning(fake_sleep):
    echo = {"description": "Validation failed", "message": f"bad key {KEY} / {BASIC}"}
    desk = Desk([ticket(1)], threads={1: httpx.Response(400, json=echo)})
    _, result = await fetched(desk, fake_sleep)
    assert result.warnings and all(KEY not in w and BASIC[6:] not in w for w in result.warnings)

    desk.ticket_list = httpx.Response(400, json=echo)
    with pytest.raises(StatusError, match="HTTP 400") as caught:
        await build(desk, fake_sleep).fetch(None)
    assert KEY not in str(caught.value) and BASIC[6:] not in str(caught.value)


async def test_credentials_never_follow_a_next_page_to_another_host(fake_sleep):
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.host == "evil.example":
            return httpx.Response(200, json=[])
        if request.url.path == "/api/v2/tickets":
            link = '<https://evil.example/api/v2/tickets?page=2>; rel="next"'
            return httpx.Response(200, json=[], headers={"Link": link})
        return httpx.Response(200, json=[])

    settings = ChannelSettings(name="desk", kind="freshdesk", options={"domain": "acme"})
    client = make_client(transport=httpx.MockTransport(handler))
    connector = FreshdeskConnector(settings, client=client, secrets=lambda f: KEY, now=lambda: NOW)
    await connector.fetch(None)
    assert [r.url.host for r in requests] == ["acme.freshdesk.com", "evil.example"]
    assert requests[0].headers["authorization"] == BASIC
    assert "authorization" not in requests[1].headers


# -- hostile text -------------------------------------------------------------------------
ANSI = "\x1b[2J\x1b]0;pwned\x07\x1b[31m"
BIDI = "\u202edlrow\u202c\u2066"
LONE = "\ud800"
SCRIPT = "<script>alert('x')</script>"


async def test_hostile_text_in_every_field_arrives_clean(fake_sleep):
    hostile = f"{ANSI}{BIDI}{LONE}"
    item = ticket(
        1,
        subject=f"Refund {hostile}",
        description=f"<p>Help {hostile}</p>{SCRIPT}<style>p{{}}</style>",
        description_text=None,
        tags=[f"vip{LONE}", "x" * 500, 42],
        company_id=9,
        requester={"id": 5001, "name": ("N" + LONE) * 5000, "email": f"a{ANSI}@b.example"},
    )
    thread = [
        conversation(11, f"Reply {hostile}{SCRIPT}", "2026-12-04T07:30:00Z"),
        customer(12, f"<b>Again</b> {hostile}", "2026-12-04T07:40:00Z", 1),
    ]
    companies = {9: {"id": 9, "name": f"Globex {hostile}" + "!" * 5000}}
    _, result = await fetched(Desk([item], threads={1: thread}, companies=companies), fake_sleep)
    [question] = result.questions
    texts = [
        question.title,
        question.body,
        question.author.name,
        question.author.handle,
        *(m.body for m in question.context),
        *question.meta["tags"],
        question.meta["organization"],
    ]
    for text in texts:
        assert isinstance(text, str)
        text.encode("utf-8")  # no lone surrogate survives
        assert "alert(" not in text and "<script" not in text
        shown = clean(text)
        assert "\x1b" not in shown and "\u202e" not in shown and "\u2066" not in shown
    assert question.body == f"Again {ANSI}{BIDI}\ufffd"
    assert question.context[0].body.startswith("Help ")
    assert len(question.author.name or "") == 1000
    assert len(question.meta["organization"]) <= 1000
    assert all(len(tag) <= 100 for tag in question.meta["tags"])
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")


# -- a thread read in part ------------------------------------------------------------
FIRST_UPDATED = "2026-12-04T08:00:00Z"


def two_ticket_desk() -> Desk:
    """Ticket 1: the team answered on page 1, the customer wrote again on page 2; ticket 2,
    updated later, has one page."""
    threads = {
        1: [
            conversation(11, "Try clearing the cache.", "2026-12-04T07:10:00Z"),
            customer(12, "Cleared it, still broken.", "2026-12-04T07:50:00Z", 1),
        ],
        2: [conversation(21, "Done: refunded.", "2026-12-04T08:20:00Z")],
    }
    pages = [ticket(1, updated=FIRST_UPDATED), ticket(2, updated="2026-12-04T08:30:00Z")]
    return Desk(pages, threads=threads, thread_page_size=1)


def from_thread(questions, number: int) -> list[str]:
    """Ids of ticket ``number``'s turns built from its thread (``TICKET:MESSAGE``)."""
    return [q.native_id for q in questions if q.native_id.startswith(f"{number}:")]


@pytest.mark.parametrize("limit", ["byte budget", "page cap"])
async def test_a_thread_cut_short_is_read_again_by_the_next_fetch(limit, fake_sleep, monkeypatch):
    desk = two_ticket_desk()
    connector = build(desk, fake_sleep)
    if limit == "byte budget":
        connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    else:
        monkeypatch.setattr(freshdesk, "MAX_THREAD_PAGES", 1)
    first = await connector.fetch(None)
    assert from_thread(first.questions, 1) == [] and from_thread(first.settled, 1) == []
    assert by_id(first.questions)["1"].body == "Question 1, please help."  # as after a timeout
    [warning] = first.warnings
    assert warning.startswith("ticket 1: its thread could not be read (conversations past page 1")
    assert limit in warning and warning.endswith("read again by the next fetch")
    assert first.checkpoint == {"updated_since": FIRST_UPDATED}  # not past ticket 1
    connector.http.policy, connector.http.bytes_read = HttpPolicy(), 0
    monkeypatch.setattr(freshdesk, "MAX_THREAD_PAGES", 30)
    second = await connector.fetch(first.checkpoint)
    assert by_id(second.questions)["1:12"].body == "Cleared it, still broken."
    assert second.checkpoint == {"updated_since": "2026-12-04T08:30:00Z"}
    assert second.warnings == []


async def test_a_thread_cut_short_for_over_a_day_is_skipped_with_a_warning(fake_sleep):
    connector = build(two_ticket_desk(), fake_sleep)
    connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    with fetch_holding(False):
        result = await connector.fetch(None)
    assert from_thread(result.questions, 1) == [] and from_thread(result.settled, 1) == []
    [warning] = result.warnings
    assert "conversations past page 1 were not read" in warning
    assert "held for over a day" in warning
    assert result.checkpoint == {"updated_since": "2026-12-04T08:30:00Z"}


# -- a backlog larger than one fetch ----------------------------------------------------
RATE_LIMITED = httpx.Response(
    429, json={"code": "rate_limit_exceeded"}, headers={"Retry-After": "600"}
)
"""Freshdesk's answer once the account's calls are spent: longer to wait than the HTTP
layer waits, so it gives up with RateLimited."""


def listed_since(tickets: list[dict]) -> Callable[[httpx.Request], httpx.Response]:
    """List All Tickets as Freshdesk answers it: the tickets updated at or after
    ``updated_since``, oldest change first."""

    def answer(request: httpx.Request) -> httpx.Response:
        since = request.url.params["updated_since"]
        chosen = [t for t in tickets if t["updated_at"] >= since]
        return as_json(sorted(chosen, key=lambda t: t["updated_at"]))

    return answer


def backlog_desk(updated: dict[int, str]) -> Desk:
    """Open tickets updated at the given times, each with one follow-up by its customer."""
    tickets = [ticket(n, updated=at) for n, at in updated.items()]
    desk = Desk(threads={n: [customer(n * 10, "Any news?", "2026-12-04T07:30:00Z", n)]
                         for n in updated})  # fmt: skip
    desk.ticket_list = listed_since(tickets)
    return desk


class Budget:
    """The account's rate limit on a desk's threads: ``left`` more reads, then 429 for
    every one (set ``left`` again for the next fetch); ``read`` lists the tickets whose
    thread was answered, in order."""

    def __init__(self, desk: Desk, left: int) -> None:
        self.left = left
        self.read: list[int] = []
        for number, thread in list(desk.threads.items()):
            assert isinstance(thread, list)
            desk.threads[number] = self._limited(number, thread)

    def _limited(self, number: int, thread: list) -> Callable[[httpx.Request], Any]:
        def read(request: httpx.Request) -> Any:
            if self.left <= 0:
                return RATE_LIMITED
            self.left -= 1
            self.read.append(number)
            return thread

        return read


def asked(questions) -> list[str]:
    return [q.native_id for q in questions]


TIE = "2026-12-04T08:10:00Z"


async def test_a_backlog_is_read_over_several_fetches_never_past_the_first_not_read(fake_sleep):
    desk = backlog_desk({1: "2026-12-04T08:00:00Z", 2: TIE, 3: TIE, 4: TIE, 5: TIE,
                         6: "2026-12-04T08:20:00Z"})  # fmt: skip
    connector = build(desk, fake_sleep)
    budget = Budget(desk, 3)
    first = await connector.fetch(None)
    assert asked(first.questions) == ["1:description", "2:description", "3:description"]
    # ticket 4 shares its second with 2 and 3: the checkpoint is that second (the list
    # takes it again), and 2 and 3 are remembered as read at it
    assert first.checkpoint == {"updated_since": TIE, "read": {"2": TIE, "3": TIE}}
    assert first.warnings == [
        "stopped reading threads at the service's rate limit (it asks to wait 600 s) with "
        "3 tickets not read; the rest is read by the next fetch"
    ]
    budget.left = 3
    second = await connector.fetch(first.checkpoint)
    assert desk.sent("/api/v2/tickets")[-1].url.params["updated_since"] == TIE
    assert budget.read == [1, 2, 3, 4, 5, 6]  # 2 and 3 were not read again
    assert asked(second.questions) == ["4:description", "5:description", "6:description"]
    assert second.checkpoint == {"updated_since": "2026-12-04T08:20:00Z"}
    assert second.warnings == []


async def test_tickets_sharing_one_second_are_read_in_three_fetches_none_lost(fake_sleep):
    desk = backlog_desk({n: TIE for n in range(1, 6)})  # a bulk update: one second for all
    connector = build(desk, fake_sleep)
    budget = Budget(desk, 2)
    checkpoint, seen = None, []
    for expected in (["1", "2"], ["1", "2", "3", "4"], None):
        budget.left = 2
        result = await connector.fetch(checkpoint)
        seen += asked(result.questions)
        checkpoint = result.checkpoint
        assert checkpoint is not None and checkpoint["updated_since"] == TIE
        assert sorted(checkpoint.get("read", {})) == (expected or [])
    assert seen == [f"{n}:description" for n in range(1, 6)]  # each once, in order
    assert budget.read == [1, 2, 3, 4, 5]


async def test_a_limit_before_any_thread_fails_the_fetch_and_after_one_keeps_it(fake_sleep):
    desk = backlog_desk({1: "2026-12-04T08:00:00Z", 2: "2026-12-04T08:05:00Z"})
    connector = build(desk, fake_sleep)
    budget = Budget(desk, 0)
    since = {"updated_since": "2026-12-04T07:00:00Z"}
    with pytest.raises(RateLimited):  # as before: nothing comes of it
        await connector.fetch(since)
    budget.left = 1
    result = await connector.fetch(since)
    assert asked(result.questions) == ["1:description"]
    assert result.checkpoint == {"updated_since": "2026-12-04T08:05:00Z"}  # ticket 2's
    [warning] = result.warnings
    assert "rate limit" in warning and "with 1 ticket not read;" in warning


async def test_the_deadline_met_mid_threads_keeps_the_tickets_before_the_first_not_read(
    fake_sleep,
):
    times = {n: f"2026-12-04T08:0{n}:00Z" for n in range(1, 7)}
    desk = backlog_desk(times)

    async def never() -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("the deadline ends this read first")

    def slow_thread_4(request: httpx.Request) -> Any:
        if request.url.path == "/api/v2/tickets/4/conversations":
            return never()
        return desk(request)

    connector = build(slow_thread_4, fake_sleep)  # a Desk that answers ticket 4 slowly
    with channel_deadline(1.0):
        first = await connector.fetch(None)
    # 5 and 6 may have been read at the same time as 4: they come after it, so not yet
    assert asked(first.questions) == ["1:description", "2:description", "3:description"]
    assert first.checkpoint == {"updated_since": times[4]}
    assert first.warnings == [
        "stopped reading threads at the channel's deadline with 3 tickets not read; the rest "
        "is read by the next fetch"
    ]
    second = await build(desk, fake_sleep).fetch(first.checkpoint)
    assert asked(second.questions) == ["4:description", "5:description", "6:description"]
    assert second.checkpoint == {"updated_since": times[6]}


async def test_a_passing_failure_before_the_stop_holds_the_checkpoint_at_its_ticket(fake_sleep):
    times = {n: f"2026-12-04T08:0{n}:00Z" for n in range(1, 5)}
    desk = backlog_desk(times)
    budget = Budget(desk, 2)
    desk.threads[2] = httpx.Response(503)  # may pass: read again next time
    result = await build(desk, fake_sleep).fetch(None)
    assert asked(result.questions) == ["1:description", "2", "3:description"]
    assert budget.read == [1, 3]
    assert result.checkpoint == {"updated_since": times[2], "read": {"3": times[3]}}
    assert len(result.warnings) == 2 and "read again by the next fetch" in result.warnings[0]

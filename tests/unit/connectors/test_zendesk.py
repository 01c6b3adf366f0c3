"""The zendesk channel against a mock of the Support API: the cursor-based ticket export,
ticket comments, users, ticket updates; auth, throttles, bad pages and hostile text.

The payloads below are shaped like the documented ones (Tickets, Ticket Comments,
Users, Incremental Exports, Ticket Audits); :class:`Desk` serves them and records
every request.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cxdaily.connectors import check_channel_settings, connector_class, zendesk
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import (
    BadResponseError,
    ChannelHttp,
    HttpPolicy,
    channel_deadline,
    make_client,
)
from cxdaily.connectors.zendesk import ZendeskConnector
from cxdaily.core.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    CredentialError,
    RateLimited,
)
from cxdaily.core.safe_text import clean
from cxdaily.settings import ChannelSettings

BASE = "https://acme.zendesk.com"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TOKEN = "zd-T0KEN-4fj29Xq"
EMAIL = "anna@acme.example"
AGENT = {"id": 900, "name": "Anna Berg", "email": EMAIL, "role": "admin"}
CUSTOMER = {"id": 501, "name": "Jane Doe", "email": "jane@shop.example", "role": "end-user"}
OTHER = {"id": 502, "name": "Ravi Rao", "email": "ravi@cafe.example", "role": "end-user"}
ORG = {"id": 77, "name": "Shop & Co"}
SIDE = "users,organizations"
"""What the export asks to sideload."""
PAGED = {"include": SIDE, "per_page": "100"}
"""What every page of the export asks for besides where it starts."""


def at(hours: float) -> str:
    """A time ``hours`` after 2026-12-03T00:00Z, as Zendesk writes it."""
    return (datetime(2026, 12, 3, tzinfo=UTC) + timedelta(hours=hours)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def ticket(tid: int, requester: int = 501, status: str = "open", **extra: Any) -> dict:
    return {
        "id": tid,
        "url": f"{BASE}/api/v2/tickets/{tid}.json",
        "subject": f"Subject of {tid}",
        "description": f"First message of {tid}",
        "requester_id": requester,
        "submitter_id": requester,
        "assignee_id": None,
        "organization_id": ORG["id"],
        "status": status,
        "priority": "high",
        "tags": ["billing", "vip"],
        "via": {"channel": "email"},
        "created_at": at(1),
        "updated_at": at(5),
        **extra,
    }


def comment(cid: int, author: int, body: str, hours: float, public: bool = True) -> dict:
    return {
        "id": cid,
        "type": "Comment",
        "author_id": author,
        "body": body,
        "html_body": f"<div class='zd-comment'><p>{body}</p></div>",
        "plain_body": body,
        "public": public,
        "attachments": [],
        "audit_id": cid + 10_000,
        "via": {"channel": "web"},
        "created_at": at(hours),
        "metadata": {"system": {}},
    }


class Desk:
    """A small Zendesk: tickets in export pages, threads, users; replies applied."""

    def __init__(self) -> None:
        self.pages: dict[str, dict] = {}
        """Export pages by the cursor that asks for them ("start": the first)."""
        self.threads: dict[int, list[dict]] = {}
        self.users = {u["id"]: u for u in (AGENT, CUSTOMER, OTHER)}
        self.requests: list[httpx.Request] = []
        self.puts: list[dict] = []
        self.faults: dict[str, Callable[[httpx.Request], httpx.Response]] = {}
        """Answers that replace the normal one, by path."""
        self.audits = True
        """Ticket updates answer with their audit (its events name the new comment)."""
        self.comment_users = True
        """Comment pages sideload their authors (``include=users``)."""
        self.next_id = 7000

    def export(self, key: str, tickets: list, after: str | None, end: bool, **extra) -> None:
        after_url = f"{BASE}/api/v2/incremental/tickets/cursor.json?cursor={after}"
        self.pages[key] = {
            "tickets": tickets,
            "after_url": after_url if after else None,
            "after_cursor": after,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": end,
            **extra,
        }

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path in self.faults:
            return self.faults[path](request)
        if path == "/api/v2/incremental/tickets/cursor.json":
            return answer(200, self.pages[request.url.params.get("cursor", "start")])
        if path == "/api/v2/users/me.json":
            return answer(200, {"user": AGENT})
        parts = path.strip("/").split("/")
        if parts[:3] == ["api", "v2", "users"]:
            found = self.users.get(int(parts[3].removesuffix(".json")))
            return answer(200, {"user": found}) if found else not_found()
        tid = int(parts[3].removesuffix(".json"))
        if parts[-1] == "comments.json":
            return self.comments_page(request, tid)
        return self.update(request, tid)

    def comments_page(self, request: httpx.Request, tid: int) -> httpx.Response:
        size = int(request.url.params.get("page[size]", "100"))
        start = int(request.url.params.get("page[after]", "0"))
        thread = self.threads.get(tid, [])
        chunk, more = thread[start : start + size], start + size < len(thread)
        query = f"page[size]={size}&page[after]={start + size}"
        nxt = f"{BASE}/api/v2/tickets/{tid}/comments.json?{query}"
        return answer(
            200,
            {
                "comments": chunk,
                "users": [
                    self.users[c["author_id"]]
                    for c in chunk
                    if self.sideloads(c, request.url.params.get("include", ""))
                ],
                "meta": {
                    "has_more": more,
                    "after_cursor": str(start + size),
                    "before_cursor": None,
                },
                "links": {"next": nxt if more else None, "prev": None},
            },
        )

    def sideloads(self, comment: dict, asked: str = "users") -> bool:
        wanted = "users" in asked.split(",")
        return self.comment_users and wanted and comment.get("author_id") in self.users

    def update(self, request: httpx.Request, tid: int) -> httpx.Response:
        data = json.loads(request.content)
        self.puts.append(data)
        new = data["ticket"]["comment"]
        self.next_id += 1
        added = comment(self.next_id, new["author_id"], new["body"], 30)
        self.threads.setdefault(tid, []).append(added)
        updated: dict[str, Any] = {"ticket": ticket(tid, status="open")}
        if self.audits:
            updated["audit"] = {
                "id": self.next_id + 10_000,
                "ticket_id": tid,
                "author_id": new["author_id"],
                "created_at": at(30),
                "events": [
                    {"id": self.next_id - 1000, "type": "Notification", "body": "sent"},
                    {**{k: added[k] for k in ("id", "type", "body", "public")}},
                ],
            }
        return answer(200, updated)


def answer(status: int, data: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer as a server writes it (a lone surrogate stays an escape)."""
    return httpx.Response(
        status,
        content=json.dumps(data).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )


def not_found() -> httpx.Response:
    return answer(404, {"error": "RecordNotFound", "description": "Not found"})


def secrets_of(values: dict[str, str]) -> Callable[[str], str]:
    def read(field: str) -> str:
        if field not in values:
            raise CredentialError(f"the {field or 'secret'} of channel 'desk' is missing")
        return values[field]

    return read


def build(
    desk: Desk,
    fake_sleep=None,
    secrets: dict[str, str] | None = None,
    **options: Any,
) -> ZendeskConnector:
    settings = ChannelSettings(
        name="desk",
        kind="zendesk",
        options={"subdomain": "acme", "email": EMAIL, **options},
    )
    client = make_client(transport=httpx.MockTransport(desk.handler))
    connector = ZendeskConnector(
        settings,
        client=client,
        secrets=secrets_of({"": TOKEN} if secrets is None else secrets),
        now=lambda: NOW,
    )

    async def no_sleep(seconds: float) -> None:
        pass

    connector.http = ChannelHttp(
        client, channel="desk", sleep=fake_sleep or no_sleep, rand=lambda: 0.0
    )
    return connector


def basic() -> str:
    return "Basic " + base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()


def two_page_desk() -> Desk:
    """Ticket 101 waits on the team, 102 was answered (pending), 103 is new on page 2
    with a requester the sideloads lack."""
    desk = Desk()
    desk.export(
        "start",
        [ticket(101), ticket(102, status="pending")],
        "c1",
        False,
        users=[CUSTOMER, AGENT],
        organizations=[ORG],
    )
    desk.export("c1", [ticket(103, requester=502, status="new", priority=None)], "c2", True)
    desk.threads = {
        101: [
            comment(1, 501, "My invoice export fails.", 1),
            comment(2, 900, "Internal: check the logs", 2, public=False),
            comment(3, 501, "Any news? It still fails.", 3),
        ],
        102: [comment(4, 501, "Can I change my email?", 1), comment(5, 900, "Yes: settings.", 2)],
        103: [comment(6, 502, "The card reader drops.", 4)],
    }
    return desk


def by_id(result) -> dict[str, Any]:
    return {q.native_id: q for q in result.questions}


def settled_ids(result) -> set[str]:
    """Native ids of the settled questions (every earlier customer message of a ticket,
    and the ticket itself as it would be stored had its thread been unreadable)."""
    return {q.native_id for q in result.settled}


# -- registration and options ------------------------------------------------------------


def test_registered_as_the_zendesk_kind():
    assert connector_class("zendesk") is ZendeskConnector
    assert ZendeskConnector.secret_fields == ("", "oauth_token")
    assert ZendeskConnector.capabilities.finds_own_replies is True
    assert ZendeskConnector.capabilities.idempotency_keys is False


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({}, "needs subdomain"),
        ({"subdomain": "acme.zendesk.com"}, "subdomain must be the name"),
        ({"subdomain": "acme", "email": "not an address"}, "email is not an email address"),
        ({"subdomain": "acme", "since_days": 0}, "since_days must be"),
        ({"subdomain": "acme", "author_id": "me"}, "author_id must be"),
        ({"subdomain": "acme", "base_url": "http://desk.example"}, "plain http://"),
    ],
)
def test_a_bad_or_missing_option_is_a_one_line_config_error(options, named):
    with pytest.raises(ConfigError) as caught:
        check_channel_settings(ChannelSettings(name="desk", kind="zendesk", options=options))
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith("[channels.desk] ") and named in text


async def test_base_url_changes_every_url_called():
    desk = two_page_desk()
    c = build(desk, base_url="https://support.shop.example/")
    result = await c.fetch(None)
    await c.send_reply(result.questions[0], "Fixed now.", "k-1")
    await c.check()
    assert {r.url.host for r in desk.requests} == {"support.shop.example"}
    assert all(r.headers["authorization"] == basic() for r in desk.requests)
    assert result.questions[0].url == "https://support.shop.example/agent/tickets/101"


# -- fetching ---------------------------------------------------------------------------


async def test_first_fetch_pages_through_the_export_and_reads_each_thread():
    desk = two_page_desk()
    desk.comment_users = False
    result = await build(desk).fetch(None)
    exports = [r for r in desk.requests if "incremental" in r.url.path]
    assert [dict(r.url.params) for r in exports] == [
        {"start_time": str(int((NOW - timedelta(days=14)).timestamp())), **PAGED},
        {"cursor": "c1", **PAGED},
    ]
    assert result.checkpoint == {"cursor": "c2", "open": {"101": "101:1", "103": "103:6"}}
    questions = by_id(result)
    assert sorted(questions) == ["101:1", "103:6"]
    first = questions["101:1"]
    assert first.body == "My invoice export fails.\n\nAny news? It still fails."
    assert "Internal" not in first.body and first.context == ()
    assert (first.author.id, first.author.name, first.author.handle) == (
        "501",
        "Jane Doe",
        "jane@shop.example",
    )
    assert first.thread_id == "101" and first.title == "Subject of 101"
    assert first.url == f"{BASE}/agent/tickets/101"
    assert first.meta["priority"] == "high" and first.meta["status"] == "open"
    assert first.meta["organization"] == "Shop & Co" and first.meta["tags"] == ["billing", "vip"]
    assert questions["103:6"].author.name == "Ravi Rao"  # looked up: not sideloaded
    assert "priority" not in questions["103:6"].meta
    assert settled_ids(result) == {"101:3", "101", "102:4", "102", "103"}
    assert all(q.meta["team_answered"] is True for q in result.settled)
    assert result.warnings == []
    users = [r.url.path for r in desk.requests if r.url.path.startswith("/api/v2/users/")]
    assert users == ["/api/v2/users/502.json"]  # the only requester not sideloaded
    assert all(r.headers["authorization"] == basic() for r in desk.requests)


async def test_a_thread_of_several_pages_is_read_to_its_end():
    desk = Desk()
    desk.export("start", [ticket(101)], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[101] = [comment(n, 501 if n % 2 else 900, f"m{n}", n) for n in range(1, 251)]
    desk.threads[101].append(comment(300, 501, "the last word", 300))
    result = await build(desk).fetch(None)
    pages = [r for r in desk.requests if r.url.path.endswith("comments.json")]
    assert len(pages) == 3
    assert pages[0].url.params["page[size]"] == "100"
    [question] = result.questions
    assert (question.native_id, question.body) == ("101:300", "the last word")
    assert [m.body for m in question.context][-2:] == ["m249", "m250"]


async def test_a_second_fetch_asks_only_for_what_is_new():
    desk = two_page_desk()
    desk.export("c2", [], "c3", True)
    c = build(desk)
    first = await c.fetch(None)
    desk.requests.clear()
    second = await c.fetch(first.checkpoint)
    exports = [r for r in desk.requests if "incremental" in r.url.path]
    assert [dict(r.url.params) for r in exports] == [{"cursor": "c2", **PAGED}]
    assert second.questions == [] and second.checkpoint["cursor"] == "c3"


async def test_an_empty_first_export_keeps_its_start_time_for_next_time():
    desk = Desk()
    desk.export("start", [], None, True)
    result = await build(desk).fetch(None)
    assert result.checkpoint == {"start_time": int((NOW - timedelta(days=14)).timestamp())}
    assert result.questions == []


async def test_a_ticket_the_team_answered_in_between_is_settled_with_its_answer():
    desk = two_page_desk()
    desk.export("c2", [ticket(101, status="pending")], "c3", True)
    c = build(desk)
    first = await c.fetch(None)
    asked = by_id(first)["101:1"]
    desk.threads[101].append(comment(9, 900, "Fixed: please try again.", 6))
    second = await c.fetch(first.checkpoint)
    assert second.questions == []
    assert "101:1" in settled_ids(second)
    answers = await c.answers_since(asked, asked.created_at)
    assert [(a.author.name, a.body) for a in answers] == [("Anna Berg", "Fixed: please try again.")]


async def test_a_ticket_that_comes_back_to_open_is_a_new_question():
    desk = Desk()
    desk.export("start", [ticket(101, status="solved")], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[101] = [comment(1, 501, "Export fails.", 1), comment(2, 900, "Fixed.", 2)]
    c = build(desk)
    first = await c.fetch(None)
    assert first.questions == [] and "101:1" in settled_ids(first)
    desk.threads[101].append(comment(3, 501, "It fails again since today.", 8))
    desk.export("c1", [ticket(101, status="open")], "c2", True, users=[CUSTOMER])
    second = await c.fetch(first.checkpoint)
    [question] = second.questions
    assert question.native_id == "101:3" and question.body == "It fails again since today."
    assert [m.body for m in question.context] == ["Export fails.", "Fixed."]
    assert "101:1" in settled_ids(second) and "101:3" not in settled_ids(second)


async def test_a_comment_by_an_end_user_copied_on_the_ticket_is_the_customer_s():
    """Zendesk sideloads each comment's author with its ``role``: an end-user other than
    the requester (a colleague in CC) writing again is the customer asking, not the team
    answering; an agent who is not the requester is still the team."""
    desk = Desk()
    desk.export("start", [ticket(101)], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[101] = [
        comment(1, 501, "The export fails.", 1),
        comment(2, 900, "Which format?", 2),
        comment(3, 502, "CSV, same here: any news?", 3),  # OTHER, an end-user in CC
    ]
    result = await build(desk).fetch(None)
    [question] = result.questions
    assert question.native_id == "101:3" and question.body == "CSV, same here: any news?"
    assert [m.body for m in question.context] == ["The export fails.", "Which format?"]
    answers = await build(desk).answers_since(question, question.created_at)
    assert answers == []


async def test_an_end_user_in_cc_on_a_later_page_of_comments_is_still_the_customer():
    """The authors of comments are sideloaded only with ``include=users``; Zendesk's
    ``links.next`` need not carry it, and a page without them took a colleague in CC
    writing again (comment 101 of a long ticket, after the team's) for the team
    answering."""
    desk = Desk()
    desk.export("start", [ticket(101)], "c1", True, users=[CUSTOMER, AGENT])
    thread = [comment(n, 501 if n % 2 else 900, f"Turn {n}.", n / 100) for n in range(1, 101)]
    desk.threads[101] = [*thread, comment(101, 502, "Same here: any news?", 2)]
    result = await build(desk).fetch(None)
    [question] = result.questions
    assert question.native_id == "101:101" and question.body == "Same here: any news?"
    pages = [r for r in desk.requests if r.url.path.endswith("/comments.json")]
    assert len(pages) == 2
    assert all(r.url.params.get("include") == "users" for r in pages)
    assert pages[1].url.params.get("page[after]") == "100"


async def test_one_malformed_ticket_is_skipped_with_a_warning_and_the_rest_kept():
    desk = two_page_desk()
    desk.pages["start"]["tickets"] = [
        ticket(101),
        {"id": 104, "status": "open"},  # no requester, no created_at
        "not a ticket",
        ticket(105, created_at="yesterday"),
        ticket(102, status="pending"),
    ]
    result = await build(desk).fetch(None)
    assert sorted(by_id(result)) == ["101:1", "103:6"]
    assert result.warnings == [
        "ticket 2 of the export: skipped (requester_id is missing)",
        "ticket 3 of the export: skipped (a ticket must be a JSON object)",
        "ticket 4 of the export: skipped (created_at = 'yesterday' is not an ISO-8601 timestamp)",
    ]


@pytest.mark.parametrize(
    "answer",
    [
        answer(200, [{"id": 1}]),
        answer(200, {"tickets": "none", "end_of_stream": True}),
        answer(200, {"count": 0}),
        httpx.Response(200, text="<html>Help Center</html>", headers={"content-type": "text/html"}),
    ],
)
async def test_a_malformed_export_page_is_a_one_line_error(answer):
    desk = Desk()
    desk.faults["/api/v2/incremental/tickets/cursor.json"] = lambda request: answer
    with pytest.raises(BadResponseError) as caught:
        await build(desk).fetch(None)
    assert "\n" not in str(caught.value)
    assert "/api/v2/incremental/tickets/cursor.json" in str(caught.value)


async def test_a_thread_that_cannot_be_read_costs_only_that_ticket_its_thread():
    desk = two_page_desk()

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    desk.faults["/api/v2/tickets/101/comments.json"] = lambda request: not_found()
    desk.faults["/api/v2/tickets/103/comments.json"] = timeout
    result = await build(desk).fetch(None)
    questions = by_id(result)
    assert questions["101"].body == "First message of 101"  # the description stands in
    assert questions["103"].body == "First message of 103"
    assert "102:4" in settled_ids(result) and "101" not in settled_ids(result)
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith("ticket 101: its thread could not be read (GET")
    assert "HTTP 404" in result.warnings[0]
    assert "ticket 103: its thread could not be read" in result.warnings[1]
    assert "read again by the next fetch" in result.warnings[1]  # a timeout may pass
    assert "read again" not in result.warnings[0]  # a 404 would come again
    assert result.checkpoint == {"cursor": "c1"}  # the page of ticket 103: not past it


async def test_a_thread_a_passing_failure_left_unread_is_read_by_the_next_fetch():
    desk = two_page_desk()
    connector = build(desk)
    first = await connector.fetch(None)
    assert first.checkpoint["cursor"] == "c2"
    desk.export("c2", [ticket(103, requester=502, status="open", priority=None)], "c3", True)
    desk.threads[103].append(comment(7, 502, "It drops again.", 5))
    desk.faults["/api/v2/tickets/103/comments.json"] = lambda request: httpx.Response(503)
    second = await connector.fetch(first.checkpoint)
    assert second.checkpoint["cursor"] == "c2"  # not past ticket 103
    del desk.faults["/api/v2/tickets/103/comments.json"]
    third = await connector.fetch(second.checkpoint)
    assert by_id(third)["103:6"].body.endswith("It drops again.")  # the latest read too
    assert third.checkpoint["cursor"] == "c3" and third.warnings == []


async def test_a_failed_requester_look_up_costs_only_the_name():
    desk = two_page_desk()
    del desk.users[502]
    result = await build(desk).fetch(None)
    question = by_id(result)["103:6"]
    assert question.author.id == "502" and question.author.name is None
    assert result.warnings == [
        "ticket 103: its requester's name is unknown (GET "
        f"{BASE}/api/v2/users/502.json was not found (HTTP 404); check the address desk is "
        "set up with (its url or base_url, or the address kept as its secret))"
    ]


async def test_hostile_text_in_every_field_arrives_clean():
    evil = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u202eevil\ud800"
    long_name = "N" * 10_000 + evil
    desk = Desk()
    hostile = ticket(
        101,
        subject="Help " + evil,
        tags=["ok", evil, 5, None],
        priority="URGENT",
        organization_id=78,
    )
    desk.export(
        "start",
        [hostile],
        "c1",
        True,
        users=[{**CUSTOMER, "name": long_name, "email": evil}],
        organizations=[{"id": 78, "name": evil * 3}],
    )
    body = f"<p>Hi {evil}</p><script>alert('x')</script><b>bold</b>"
    desk.threads[101] = [{**comment(1, 501, body, 1), "body": body}]
    [question] = (await build(desk).fetch(None)).questions
    for text in (question.body, question.title, question.author.name, question.author.handle):
        assert text is not None
        text.encode("utf-8")  # no lone surrogate is left
        assert "\ud800" not in text
    assert "alert" not in question.body and "<script" not in question.body
    assert "bold" in question.body and "\ufffd" in question.body
    assert len(question.author.name) <= 1000
    assert question.meta["priority"] == "urgent"
    assert question.meta["tags"][0] == "ok" and len(question.meta["tags"]) == 2
    json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")
    assert "\x1b" not in clean(question.body) and "\u202e" not in clean(question.title or "")


# -- replies ----------------------------------------------------------------------------


async def test_a_reply_is_one_public_comment_by_the_agent_and_its_id_comes_from_the_audit():
    desk = two_page_desk()
    c = build(desk)
    question = by_id(await c.fetch(None))["101:1"]
    desk.requests.clear()
    sent = await c.send_reply(question, "Fixed, please retry.", "k-1")
    me, put = desk.requests
    assert me.url.path == "/api/v2/users/me.json"  # author_id not configured: looked up once
    assert (put.method, put.url.path) == ("PUT", "/api/v2/tickets/101.json")
    assert json.loads(put.content) == {
        "ticket": {"comment": {"body": "Fixed, please retry.", "public": True, "author_id": 900}}
    }
    assert put.headers["authorization"] == basic()
    assert sent.remote_id == str(desk.next_id)
    assert sent.url == f"{BASE}/agent/tickets/101"
    await c.send_reply(question, "And one more thing.", "k-2")
    assert [r.url.path for r in desk.requests].count("/api/v2/users/me.json") == 1


async def test_a_configured_author_id_and_an_oauth_token_are_used_as_given():
    desk = two_page_desk()
    c = build(desk, secrets={"oauth_token": "oauth-abc-123"}, author_id=4242, email=None)
    question = by_id(await c.fetch(None))["101:1"]
    desk.requests.clear()
    await c.send_reply(question, "On it.", "k-1")
    [put] = desk.requests
    assert put.headers["authorization"] == "Bearer oauth-abc-123"
    assert json.loads(put.content)["ticket"]["comment"]["author_id"] == 4242


async def test_without_an_audit_the_reply_id_is_found_in_the_thread():
    desk = two_page_desk()
    desk.audits = False
    c = build(desk, author_id=900)
    question = by_id(await c.fetch(None))["101:1"]
    sent = await c.send_reply(question, "Fixed, please retry.", "k-1")
    assert sent.remote_id == str(desk.next_id)


async def test_an_unknown_outcome_is_not_repeated_and_find_own_reply_finds_it():
    desk = two_page_desk()
    c = build(desk, author_id=900)
    question = by_id(await c.fetch(None))["101:1"]

    def applied_then_cut(request: httpx.Request) -> httpx.Response:
        desk.update(request, 101)  # the service applies it, the answer is lost
        raise httpx.ReadError("connection reset", request=request)

    desk.faults["/api/v2/tickets/101.json"] = applied_then_cut
    with pytest.raises(ConnectorError):
        await c.send_reply(question, "Fixed, please retry.", "k-1")
    assert len(desk.puts) == 1  # a comment-adding PUT is never retried blindly
    found = await c.find_own_reply(question, "Fixed, please retry.", "k-1")
    assert found is not None and found.remote_id == str(desk.next_id)
    assert await c.find_own_reply(question, "Something else.", "k-2") is None


async def test_find_own_reply_refuses_a_thread_it_cannot_read_in_full():
    desk = two_page_desk()
    c = build(desk, author_id=900)
    question = by_id(await c.fetch(None))["101:1"]
    desk.threads[101].append({"id": None, "public": True, "body": "?", "created_at": at(9)})
    with pytest.raises(BadResponseError, match="comment 4 cannot be read"):
        await c.find_own_reply(question, "Fixed, please retry.", "k-1")


# -- auth, throttles, secrets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "7", "X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "0"}, 7.0),
        ({"ratelimit-limit": "10", "ratelimit-remaining": "0", "ratelimit-reset": "12"}, 12.0),
    ],
)
async def test_a_429_is_waited_out_as_zendesk_asks(fake_sleep, headers, wait):
    desk = two_page_desk()
    throttled = []

    def once(request: httpx.Request) -> httpx.Response:
        if not throttled:
            throttled.append(request)
            return answer(429, headers=headers, data={"error": "TooManyRequests"})
        return answer(200, desk.pages[request.url.params.get("cursor", "start")])

    desk.faults["/api/v2/incremental/tickets/cursor.json"] = once
    result = await build(desk, fake_sleep).fetch(None)
    assert fake_sleep.calls == [wait]
    assert sorted(by_id(result)) == ["101:1", "103:6"]


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_refused_credentials_are_a_one_line_auth_error(status, said):
    desk = Desk()
    desk.faults["/api/v2/incremental/tickets/cursor.json"] = lambda request: httpx.Response(
        status, json={"error": "Couldn't authenticate you", "token": TOKEN}
    )
    with pytest.raises(AuthError) as caught:
        await build(desk).fetch(None)
    text = str(caught.value)
    assert "\n" not in text and said in text
    assert "the email option and the API token" in text
    assert TOKEN not in text and basic().split()[1] not in text
    if status == 401:
        assert "cxdaily login desk" in text
        assert "set CXDAILY_SECRET_DESK or CXDAILY_SECRET_DESK_OAUTH_TOKEN" in text


async def test_the_secret_appears_in_no_error_or_warning(fake_sleep):
    desk = two_page_desk()
    echo = {"error": f"bad token {TOKEN} / {basic()}"}  # a server that echoes what it got
    desk.faults["/api/v2/tickets/101/comments.json"] = lambda request: answer(422, echo)
    c = build(desk, fake_sleep)
    result = await c.fetch(None)
    desk.faults["/api/v2/users/me.json"] = lambda request: answer(500, echo)
    with pytest.raises(ConnectorError) as caught:
        await c.check()
    texts = [*result.warnings, str(caught.value)]
    assert len(texts) == 2 and all("bad token *** / Basic ***" in text for text in texts)
    for text in texts:
        assert TOKEN not in text and basic().split()[1] not in text


async def test_credentials_never_go_to_a_next_page_on_another_host():
    desk = two_page_desk()
    elsewhere = "https://collector.evil.example/api/v2/tickets/101/comments.json?page[after]=1"

    def first_page(request: httpx.Request) -> httpx.Response:
        if request.url.host != "acme.zendesk.com":
            return answer(200, {"comments": [], "meta": {"has_more": False}})
        page = desk.comments_page(request, 101)
        data = json.loads(page.content)
        data["meta"]["has_more"], data["links"]["next"] = True, elsewhere
        return answer(200, data)

    desk.faults["/api/v2/tickets/101/comments.json"] = first_page
    await build(desk).fetch(None)
    [away] = [r for r in desk.requests if r.url.host == "collector.evil.example"]
    assert "authorization" not in away.headers


async def test_no_credentials_say_how_to_store_either_one():
    with pytest.raises(CredentialError) as caught:
        await build(Desk(), secrets={}).fetch(None)
    text = str(caught.value)
    assert "cxdaily login desk` (or set" in text
    assert "cxdaily login desk --field oauth_token" in text
    assert "CXDAILY_SECRET_DESK_OAUTH_TOKEN" in text


async def test_an_api_token_without_the_email_option_names_the_option():
    with pytest.raises(ConfigError, match=r"\[channels.desk\] needs email"):
        await build(Desk(), email=None).fetch(None)


# -- check --------------------------------------------------------------------------------


async def test_check_says_who_signed_in_where():
    desk = Desk()
    said = await build(desk).check()
    assert said == "signed in as Anna Berg (admin) on acme.zendesk.com, replying as user 900"
    [me] = desk.requests
    assert me.headers["authorization"] == basic()


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"id": None, "name": "Anonymous user", "role": "end-user"}, "anonymous"),
        ({**CUSTOMER}, "end-user"),
    ],
)
async def test_check_refuses_an_anonymous_or_end_user_sign_in(user, expected):
    desk = Desk()
    desk.faults["/api/v2/users/me.json"] = lambda request: answer(200, {"user": user})
    with pytest.raises(AuthError, match=expected):
        await build(desk).check()


async def test_check_warns_that_an_agent_cannot_export():
    desk = Desk()
    agent = {**AGENT, "role": "agent"}
    desk.faults["/api/v2/users/me.json"] = lambda request: answer(200, {"user": agent})
    assert "the ticket export needs an admin" in await build(desk).check()


# -- a thread read in part ------------------------------------------------------------
def long_thread_desk() -> Desk:
    """Ticket 55 waits on the team: a first page of 100 comments ending with the team's,
    then the customer's follow-up alone on page 2."""
    desk = Desk()
    desk.export("c0", [ticket(55)], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[55] = [comment(n, 900 if n % 2 else 501, f"m{n}", n / 10) for n in range(100)]
    desk.threads[55].append(comment(100, 501, "Still broken, any news?", 20))
    return desk


def from_thread(questions) -> list[str]:
    """Ids of turns built from the thread's comments (``TICKET:COMMENT``)."""
    return [q.native_id for q in questions if ":" in q.native_id]


@pytest.mark.parametrize("limit", ["byte budget", "page cap"])
async def test_a_thread_cut_short_is_read_again_by_the_next_fetch(limit, monkeypatch):
    desk = long_thread_desk()
    connector = build(desk)
    if limit == "byte budget":
        connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    else:
        monkeypatch.setattr(zendesk, "MAX_THREAD_PAGES", 1)
    first = await connector.fetch({"cursor": "c0"})
    assert from_thread(first.questions) == [] and from_thread(first.settled) == []
    assert [q.body for q in first.questions] == ["First message of 55"]  # as after a timeout
    [warning] = first.warnings
    assert warning.startswith("ticket 55: its thread could not be read (comments past page 1")
    assert limit in warning and warning.endswith("read again by the next fetch")
    assert first.checkpoint is not None and first.checkpoint["cursor"] == "c0"  # held
    connector.http.policy, connector.http.bytes_read = HttpPolicy(), 0
    monkeypatch.setattr(zendesk, "MAX_THREAD_PAGES", 50)
    second = await connector.fetch(first.checkpoint)
    assert by_id(second)["55:100"].body == "Still broken, any news?"
    assert "55" in settled_ids(second)  # the stand-in question leaves
    assert second.checkpoint is not None and second.checkpoint["cursor"] == "c1"
    assert second.warnings == []


async def test_a_thread_cut_short_for_over_a_day_is_skipped_with_a_warning():
    desk = long_thread_desk()
    connector = build(desk)
    connector.http.policy = HttpPolicy(max_fetch_bytes=1)
    with fetch_holding(False):
        result = await connector.fetch({"cursor": "c0"})
    assert from_thread(result.questions) == [] and from_thread(result.settled) == []
    [warning] = result.warnings
    assert "comments past page 1 were not read" in warning and "held for over a day" in warning
    assert result.checkpoint is not None and result.checkpoint["cursor"] == "c1"


async def test_a_deleted_ticket_settles_the_question_it_asked():
    desk = Desk()
    desk.export("c0", [ticket(123)], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads[123] = [comment(456, 501, "My export fails.", 1)]
    connector = build(desk)
    first = await connector.fetch({"cursor": "c0"})
    assert [q.id for q in first.questions] == ["desk:123:456"]
    desk.export("c1", [ticket(123, status="deleted")], "c2", True, users=[CUSTOMER, AGENT])
    desk.faults["/api/v2/tickets/123/comments.json"] = lambda request: not_found()
    second = await connector.fetch(first.checkpoint)
    assert second.questions == []
    assert {"desk:123:456", "desk:123"} <= {q.id for q in second.settled}
    assert all(q.meta["team_answered"] for q in second.settled)
    assert second.checkpoint == {"cursor": "c2"}  # nothing open is remembered any more
    assert not [r for r in desk.requests if r.url.path.endswith("/123/comments.json")][1:]


async def test_only_open_questions_are_remembered_and_the_newest_kept(monkeypatch):
    monkeypatch.setattr(zendesk, "MAX_TRACKED", 2)
    desk = Desk()
    desk.export("c0", [ticket(1), ticket(2), ticket(3), ticket(4, status="solved")], "c1", True)
    desk.threads = {n: [comment(10 * n, 501, f"q{n}", n)] for n in (1, 2, 3, 4)}
    result = await build(desk).fetch({"cursor": "c0", "open": {"9": "9:90", "8": "bad", 7: 1}})
    assert result.checkpoint == {"cursor": "c1", "open": {"2": "2:20", "3": "3:30"}}


# -- a backlog larger than one fetch ----------------------------------------------------
RATE_LIMITED = {"Retry-After": "600", "X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "0"}
"""Zendesk's answer once the account's requests for the minute are spent: longer to wait
than the HTTP layer waits, so it gives up with RateLimited."""


def backlog_desk(*pages: list[int]) -> Desk:
    """One export page per list of ticket ids ("start", then "c1", "c2" ...), each ticket
    open with one comment by its customer."""
    desk = Desk()
    for n, ids in enumerate(pages):
        key, after = ("start" if n == 0 else f"c{n}"), f"c{n + 1}"
        tickets = [ticket(t, updated_at=at(5 + t / 100)) for t in ids]
        desk.export(key, tickets, after, n == len(pages) - 1, users=[CUSTOMER])
        desk.threads.update({t: [comment(t * 10, 501, f"Question {t}", 1)] for t in ids})
    return desk


class Budget:
    """The account's rate limit on a desk's comment reads: ``left`` more, then 429 for
    every one (set ``left`` again for the next fetch); ``read`` lists the tickets whose
    comments were answered, in order."""

    def __init__(self, desk: Desk, left: int) -> None:
        self.desk = desk
        self.left = left
        self.read: list[int] = []
        for tid in desk.threads:
            desk.faults[f"/api/v2/tickets/{tid}/comments.json"] = self._limited

    def _limited(self, request: httpx.Request) -> httpx.Response:
        if self.left <= 0:
            return answer(429, {"error": "TooManyRequests"}, RATE_LIMITED)
        self.left -= 1
        tid = int(request.url.path.split("/")[4])
        self.read.append(tid)
        return self.desk.comments_page(request, tid)


def thread_reads(desk: Desk) -> list[int]:
    """The tickets whose comments were asked for, in order."""
    return [int(r.url.path.split("/")[4]) for r in desk.requests if "comments" in r.url.path]


def state(tid: int) -> str:
    """A ticket of :func:`backlog_desk` as the checkpoint remembers it read."""
    return f"{at(5 + tid / 100)} open"


async def test_a_backlog_larger_than_a_fetch_is_read_over_several_in_order():
    desk = backlog_desk([1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12])
    connector = build(desk)
    budget = Budget(desk, 5)
    first = await connector.fetch(None)
    assert [q.native_id for q in first.questions] == ["1:10", "2:20", "3:30", "4:40", "5:50"]
    assert first.checkpoint == {  # the page of ticket 6, with what was read of it
        "cursor": "c1",
        "open": {f"{t}": f"{t}:{t}0" for t in range(1, 6)},
        "read": {"5": state(5)},
    }
    assert first.warnings == [
        "stopped reading threads at the service's rate limit (it asks to wait 600 s) with "
        "3 tickets and the export's later pages not read; the rest is read by the next fetch"
    ]
    budget.left = 5
    second = await connector.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["6:60", "7:70", "8:80", "9:90", "10:100"]
    assert budget.read == list(range(1, 11))  # ticket 5 was not read again
    assert second.checkpoint is not None
    assert (second.checkpoint["cursor"], second.checkpoint["read"]) == (
        "c2",
        {"9": state(9), "10": state(10)},
    )
    budget.left = 5
    third = await connector.fetch(second.checkpoint)
    assert [q.native_id for q in third.questions] == ["11:110", "12:120"]
    assert budget.read == list(range(1, 13)) and third.warnings == []
    assert third.checkpoint == {
        "cursor": "c3",
        "open": {f"{t}": f"{t}:{t}0" for t in range(1, 13)},
    }


async def test_a_limit_before_any_thread_fails_the_fetch_and_after_one_keeps_it():
    desk = backlog_desk([1, 2, 3])
    connector = build(desk)
    budget = Budget(desk, 0)
    with pytest.raises(RateLimited) as caught:
        await connector.fetch({"cursor": "start"})  # as before: nothing comes of it
    assert TOKEN not in str(caught.value)
    budget.left = 1
    result = await connector.fetch({"cursor": "start"})
    assert [q.native_id for q in result.questions] == ["1:10"]
    assert result.checkpoint == {"cursor": "start", "open": {"1": "1:10"}, "read": {"1": state(1)}}
    [warning] = result.warnings
    assert "rate limit" in warning and "with 2 tickets not read;" in warning


async def test_the_deadline_met_mid_threads_keeps_the_tickets_before_the_first_not_read():
    desk = backlog_desk([1, 2, 3, 4, 5, 6])
    connector = build(desk)

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("the deadline ends this read first")

    desk.faults["/api/v2/tickets/4/comments.json"] = lambda request: never(request)
    with channel_deadline(1.0):
        first = await connector.fetch({"cursor": "start"})
    # 5 and 6 may have been read at the same time as 4: they come after it, so not yet
    assert [q.native_id for q in first.questions] == ["1:10", "2:20", "3:30"]
    assert first.checkpoint is not None and first.checkpoint["cursor"] == "start"
    assert first.checkpoint["read"] == {"1": state(1), "2": state(2), "3": state(3)}
    [warning] = first.warnings
    assert warning == (
        "stopped reading threads at the channel's deadline with 3 tickets not read; the rest "
        "is read by the next fetch"
    )
    del desk.faults["/api/v2/tickets/4/comments.json"]
    desk.requests.clear()
    second = await connector.fetch(first.checkpoint)
    assert [q.native_id for q in second.questions] == ["4:40", "5:50", "6:60"]
    assert sorted(thread_reads(desk)) == [4, 5, 6]
    assert second.checkpoint is not None and second.checkpoint["cursor"] == "c1"
    assert "read" not in second.checkpoint and second.warnings == []


async def test_a_limit_on_the_export_s_next_page_keeps_the_pages_read():
    desk = backlog_desk([1, 2], [3, 4])

    def export(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor", "start")
        if cursor == "c1":  # the export's own limit: 10 requests a minute
            return answer(429, {"error": "TooManyRequests"}, RATE_LIMITED)
        return answer(200, desk.pages[cursor])

    desk.faults["/api/v2/incremental/tickets/cursor.json"] = export
    result = await build(desk).fetch(None)
    assert [q.native_id for q in result.questions] == ["1:10", "2:20"]
    assert result.checkpoint == {"cursor": "c1", "open": {"1": "1:10", "2": "2:20"}}
    [warning] = result.warnings
    assert "with the export's later pages not read" in warning


async def test_a_stopped_fetch_keeps_settling_deleted_tickets_and_remembering_open_ones():
    desk = Desk()
    deleted, asking, untouched = ticket(123, status="deleted"), ticket(125), ticket(124)
    desk.export("c0", [deleted, asking, untouched], "c1", True, users=[CUSTOMER, AGENT])
    desk.threads = {125: [comment(7, 501, "New here.", 2)], 124: [comment(9, 501, "Hm?", 2)]}
    connector = build(desk)
    budget = Budget(desk, 1)  # ticket 123 is deleted: no thread to read
    remembered = {"123": "123:456", "124": "124:789"}
    first = await connector.fetch({"cursor": "c0", "open": remembered})
    assert [q.id for q in first.questions] == ["desk:125:7"]
    assert {"desk:123:456", "desk:123"} <= {q.id for q in first.settled}
    assert first.checkpoint is not None
    assert first.checkpoint["open"] == {"124": "124:789", "125": "125:7"}  # 123 settled
    assert first.checkpoint["cursor"] == "c0" and set(first.checkpoint["read"]) == {"123", "125"}
    budget.left = 1
    second = await connector.fetch(first.checkpoint)
    assert [q.id for q in second.questions] == ["desk:124:9"]
    assert second.checkpoint == {"cursor": "c1", "open": {"124": "124:9", "125": "125:7"}}


async def test_a_ticket_read_by_a_stopped_fetch_that_changed_since_is_read_again():
    desk = backlog_desk([1, 2, 3])
    connector = build(desk)
    budget = Budget(desk, 2)
    first = await connector.fetch({"cursor": "start"})
    assert first.checkpoint is not None and set(first.checkpoint["read"]) == {"1", "2"}
    desk.pages["start"]["tickets"][1] = ticket(2, status="solved", updated_at=at(5.02))
    budget.left = 5
    second = await connector.fetch(first.checkpoint)
    assert budget.read == [1, 2, 2, 3]  # 1 unchanged; 2 solved since
    assert "desk:2:20" in {q.id for q in second.settled}

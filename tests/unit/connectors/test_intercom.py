"""The intercom channel: conversation search and threads, replies as a teammate, the
rules of a help desk (who answered last, closed conversations settle), and hostile input.

Payloads follow Intercom's documented shapes: ``conversation.list`` pages with
``pages.next.starting_after``, conversations with ``source`` and
``conversation_parts.conversation_parts``, ``error.list`` errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from msgspec.structs import replace

from cxdaily.connectors import connector_class, intercom
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import BadResponseError, ChannelHttp, ChannelTimeoutError, make_client
from cxdaily.connectors.intercom import IntercomConnector
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError, RateLimited
from cxdaily.core.safe_text import clean
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
T = int(NOW.timestamp())
HOUR = 3600
BASE = "https://api.intercom.io"
TOKEN = "dG9rOmludGVyY29tLXNlY3JldC0xMjM="
ADMIN = "814860"
SEARCH = "/conversations/search"
NOT_FOUND = {"type": "error.list", "errors": [{"code": "not_found", "message": "Not Found"}]}


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_DESK", TOKEN)


# -- payloads ---------------------------------------------------------------------------
def user(uid: str = "6571a0", name: Any = "Jane Doe", email: Any = "jane@example.com") -> dict:
    return {"type": "user", "id": uid, "name": name, "email": email}


def admin(aid: str = ADMIN, name: str = "Anna Agent") -> dict:
    return {"type": "admin", "id": aid, "name": name, "email": "anna@acme.example"}


def conversation(cid: str, updated: int, *, state: str = "open", body: Any = None, **extra) -> dict:
    """A conversation as the search lists it (no parts)."""
    return {
        "type": "conversation",
        "id": cid,
        "title": None,
        "created_at": updated - 5 * HOUR,
        "updated_at": updated,
        "source": {
            "type": "conversation",
            "id": f"9{cid}",
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": body if body is not None else f"<p>Question number <b>{cid}</b></p>",
            "author": extra.pop("author", user()),
            "attachments": [],
            "url": None,
            "redacted": False,
        },
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6571a0"}]},
        "open": state == "open",
        "state": state,
        "read": False,
        "waiting_since": updated,
        "snoozed_until": None,
        "priority": "not_priority",
        "tags": {"type": "tag.list", "tags": []},
        "admin_assignee_id": None,
        "team_assignee_id": None,
        **extra,
    }


def part(pid: str, who: dict, body: str | None, at: int, part_type: str = "comment") -> dict:
    return {
        "type": "conversation_part",
        "id": pid,
        "part_type": part_type,
        "body": body,
        "created_at": at,
        "updated_at": at,
        "notified_at": at,
        "assigned_to": None,
        "author": who,
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }


def with_parts(conv: dict, *parts: dict) -> dict:
    """The conversation as ``GET /conversations/{id}`` answers it."""
    return {
        **conv,
        "conversation_parts": {
            "type": "conversation_part.list",
            "conversation_parts": list(parts),
            "total_count": len(parts),
        },
    }


def page(convs: list, cursor: str | None = None, number: int = 1) -> dict:
    pages: dict[str, Any] = {"type": "pages", "page": number, "per_page": 50, "total_pages": 2}
    if cursor:
        pages["next"] = {"page": number + 1, "starting_after": cursor}
    return {"type": "conversation.list", "conversations": convs, "total_count": 3, "pages": pages}


# -- a mock Intercom --------------------------------------------------------------------
def answer(status: int, data: Any) -> httpx.Response:
    """JSON as a service sends it (ASCII, so a lone surrogate arrives as the legal \\ud800)."""
    body = json.dumps(data).encode("ascii")
    return httpx.Response(status, content=body, headers={"content-type": "application/json"})


Override = Callable[[httpx.Request], httpx.Response | None]


class Api:
    """Search pages by cursor, threads by id, replies applied to the thread."""

    def __init__(self, pages: dict[str | None, Any] | None = None, **threads: dict) -> None:
        self.pages = pages or {None: page([])}
        self.threads = threads
        self.requests: list[httpx.Request] = []
        self.override: Override = lambda request: None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        forced = self.override(request)
        if forced is not None:
            return forced
        path = request.url.path
        if request.method == "POST" and path == SEARCH:
            cursor = json.loads(request.content)["pagination"].get("starting_after")
            return answer(200, self.pages[cursor])
        if request.method == "GET" and path == "/me":
            app = {"type": "app", "id_code": "abc123de", "name": "Acme"}
            return answer(200, {**admin(), "app": app})
        cid = path.removeprefix("/conversations/").removesuffix("/reply")
        if cid not in self.threads:
            return answer(404, NOT_FOUND)
        if request.method == "POST":
            self.apply_reply(cid, json.loads(request.content))
        return answer(200, self.threads[cid])

    def apply_reply(self, cid: str, payload: dict) -> None:
        parts = self.threads[cid]["conversation_parts"]["conversation_parts"]
        new = part(f"77{len(parts)}", admin(payload["admin_id"]), payload["body"], T + 60)
        parts.append(new)

    def searches(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.url.path == SEARCH]

    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST" and r.url.path != SEARCH]


def build(api: Api, fake_sleep=None, *, clock: float = T, **options) -> IntercomConnector:
    settings = ChannelSettings(name="desk", kind="intercom", options={"admin_id": ADMIN, **options})
    client = make_client(transport=httpx.MockTransport(api))
    connector = IntercomConnector(
        settings, client=client, secrets=secret_reader("desk"), now=lambda: NOW
    )
    if fake_sleep is not None:
        connector.http = ChannelHttp(
            client, channel="desk", sleep=fake_sleep, rand=lambda: 0, wall_clock=lambda: clock
        )
    return connector


def one_waiting(cid: str = "101", updated: int = T - HOUR) -> Api:
    """One open conversation whose customer wrote last."""
    conv = conversation(cid, updated)
    thread = with_parts(conv, part("501", user(), "<p>Any news?</p>", updated))
    return Api({None: page([conv])}, **{cid: thread})


# -- the kind and its options -------------------------------------------------------------
def test_registered_as_a_builtin_kind():
    assert connector_class("intercom") is IntercomConnector
    assert IntercomConnector.capabilities.finds_own_replies is True
    assert IntercomConnector.capabilities.idempotency_keys is False


def test_admin_id_is_required_in_one_line():
    with pytest.raises(ConfigError) as caught:
        IntercomConnector(ChannelSettings(name="desk", kind="intercom"))
    assert str(caught.value) == "[channels.desk] needs admin_id = \"...\" (kind 'intercom')"


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("api_version", "2.11\r\nX-Evil: 1", "api_version must be a version"),
        ("workspace_id", "../../evil", "workspace_id must be an id"),
        ("since_days", 0, "since_days must be a whole number of days from 1 to 365"),
        ("colour", "red", "unknown option 'colour'"),
    ],
)
def test_bad_options_are_one_line_config_errors(option, value, said):
    options = {"admin_id": ADMIN, option: value}
    with pytest.raises(ConfigError, match=said) as caught:
        IntercomConnector(ChannelSettings(name="desk", kind="intercom", options=options))
    assert "\n" not in str(caught.value) and "[channels.desk]" in str(caught.value)


# -- fetching ------------------------------------------------------------------------------
def three_conversations() -> Api:
    a = conversation("101", T - 3 * HOUR, priority="priority", title="Export <i>broken</i>")
    a["tags"]["tags"] = [{"type": "tag", "id": "1", "name": "billing"}]
    b = conversation("102", T - 2 * HOUR)
    c = conversation("103", T - HOUR, author=user("u3", "Ravi", "ravi@example.com"))
    threads = {
        "101": with_parts(
            a,
            part("601", admin(), "<p>Which browser?</p>", T - 4 * HOUR),
            part("602", admin(), "<p>internal: VIP</p>", T - 4 * HOUR, "note"),
            part("603", admin(), None, T - 4 * HOUR, "assignment"),
            part("604", user(), "<p>Firefox 120</p>", T - 3 * HOUR),
        ),
        "102": with_parts(b),
        "103": with_parts(c, part("605", user("u3"), "<p>still there?</p>", T - HOUR)),
    }
    return Api({None: page([a, b], "WzE3MDA="), "WzE3MDA=": page([c], number=2)}, **threads)


async def test_first_fetch_reads_every_page_and_every_thread():
    api = three_conversations()
    result = await build(api, workspace_id="abc123de").fetch(None)

    since = int((NOW - timedelta(days=14)).timestamp())
    assert api.searches() == [
        {
            "query": {
                "operator": "AND",
                "value": [
                    {"field": "updated_at", "operator": ">", "value": since},
                    {"field": "state", "operator": "=", "value": "open"},
                ],
            },
            "pagination": {"per_page": 50},
            "sort": {"field": "updated_at", "order": "ascending"},
        },
        {
            "query": api.searches()[0]["query"],
            "pagination": {"per_page": 50, "starting_after": "WzE3MDA="},
            "sort": {"field": "updated_at", "order": "ascending"},
        },
    ]
    assert [r.url.path for r in api.requests if r.method == "GET"] == [
        "/conversations/101",
        "/conversations/102",
        "/conversations/103",
    ]
    for request in api.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["intercom-version"] == "2.11"
        assert request.url.host == "api.intercom.io"
    by_id = {q.native_id: q for q in result.questions}
    assert sorted(by_id) == ["101:604", "102:9102", "103:9103"]
    first = by_id["101:604"]
    assert first.thread_id == "101"
    assert first.body == "Firefox 120"
    assert [m.body for m in first.context] == ["Question number 101", "Which browser?"]
    assert first.title == "Export broken"
    assert first.author.name == "Jane Doe" and first.author.handle == "jane@example.com"
    assert first.url == "https://app.intercom.com/a/inbox/abc123de/inbox/conversation/101"
    assert first.meta["priority"] == "high" and first.meta["status"] == "open"
    assert first.meta["tags"] == ["billing"]
    assert by_id["102:9102"].meta["priority"] == "normal"
    assert by_id["103:9103"].body == "Question number 103\n\nstill there?"
    assert by_id["103:9103"].author.name == "Ravi"
    assert result.checkpoint == {"updated_after": T - HOUR}
    assert result.warnings == []


async def test_since_days_sets_how_far_back_the_first_fetch_looks():
    api = Api()
    result = await build(api, since_days=3).fetch(None)
    since = int((NOW - timedelta(days=3)).timestamp())
    assert api.searches()[0]["query"]["value"][0]["value"] == since
    assert result.checkpoint == {"updated_after": since}  # nothing new: kept where it was


async def test_a_later_fetch_asks_only_for_what_changed_in_every_state():
    api = one_waiting()
    result = await build(api).fetch({"updated_after": T - 2 * HOUR})
    assert api.searches()[0]["query"] == {
        "operator": "AND",
        "value": [{"field": "updated_at", "operator": ">", "value": T - 2 * HOUR}],
    }
    assert [q.native_id for q in result.questions] == ["101:9101"]
    assert result.checkpoint == {"updated_after": T - HOUR}


async def test_a_conversation_the_team_answered_is_settled_and_answers_since_shows_it():
    api = one_waiting()
    connector = build(api)
    question = (await connector.fetch(None)).questions[0]
    api.threads["101"]["conversation_parts"]["conversation_parts"].append(
        part("502", admin(aid="42", name="Bo"), "<p>Fixed, sorry!</p>", T - 30 * 60)
    )
    api.threads["101"]["updated_at"] = T - 30 * 60
    api.pages = {None: page([api.threads["101"]])}

    later = await connector.fetch({"updated_after": T - HOUR})
    assert later.questions == []
    assert question.id in {q.id for q in later.settled}
    assert all(q.meta["team_answered"] for q in later.settled)
    answers = await connector.answers_since(question, question.created_at)
    assert [(a.author.name, a.body) for a in answers] == [("Bo", "Fixed, sorry!")]
    assert await connector.answers_since(question, NOW) == []


async def test_a_conversation_closed_since_the_checkpoint_is_settled():
    api = one_waiting()
    api.threads["101"]["state"] = "closed"
    result = await build(api).fetch({"updated_after": T - 2 * HOUR})
    assert result.questions == []
    assert "101:9101" in {q.native_id for q in result.settled}
    assert {q.meta["status"] for q in result.settled} == {"closed"}


async def test_a_conversation_back_to_open_with_a_new_message_is_a_new_question():
    conv = conversation("101", T)
    thread = with_parts(
        conv,
        part("501", admin(), "<p>Done, closing this.</p>", T - 2 * HOUR),
        part("502", admin(), None, T - 2 * HOUR, "close"),
        part("503", user(), "<p>It broke again</p>", T - 10 * 60),
        part("504", admin(), None, T - 10 * 60, "open"),
    )
    result = await build(Api({None: page([conv])}, **{"101": thread})).fetch(
        {"updated_after": T - HOUR}
    )
    assert [(q.native_id, q.body) for q in result.questions] == [("101:503", "It broke again")]
    assert [m.body for m in result.questions[0].context] == [
        "Question number 101",
        "Done, closing this.",
    ]
    # the earlier turn, and the id a question would have had without its thread
    assert sorted(q.native_id for q in result.settled) == ["101", "101:9101"]


async def test_a_teammate_s_reply_made_while_assigning_or_closing_answers_the_customer():
    """Intercom's reply endpoint takes an optional ``body`` with ``message_type`` open,
    close or assignment: the part it makes is a message the customer sees."""
    conv = conversation("101", T - HOUR)
    thread = with_parts(
        conv,
        part("501", user(), "<p>Is the export fixed?</p>", T - 2 * HOUR),
        part("502", admin(), "<p>Yes, since this morning.</p>", T - HOUR, "assignment"),
    )
    api = Api({None: page([conv])}, **{"101": thread})
    connector = build(api)
    result = await connector.fetch(None)
    assert result.questions == []
    assert "101:9101" in {q.native_id for q in result.settled}  # the turn was answered

    closed = with_parts(
        conversation("102", T - HOUR, state="closed"),
        part("601", admin(), "<p>Closing: fixed in 4.2.</p>", T - HOUR, "close"),
    )
    api.threads["102"] = closed
    question = result.settled[0]
    messages = await connector.question_thread(replace(question, thread_id="102"))
    assert [(m.id, m.body, m.from_customer) for m in messages] == [
        ("9102", "Question number 102", True),
        ("601", "Closing: fixed in 4.2.", False),
    ]


async def test_a_rate_limited_thread_stops_the_fetch_instead_of_skipping_every_thread(fake_sleep):
    """Intercom answers 429 with ``X-RateLimit-Reset`` (epoch seconds): far off, the fetch
    stops with RateLimited and keeps its checkpoint, rather than moving past every
    conversation whose thread it could not read."""
    a, b = conversation("101", T - HOUR), conversation("102", T - HOUR)
    api = Api({None: page([a, b])}, **{"101": with_parts(a), "102": with_parts(b)})
    limited = httpx.Response(
        429,
        json={"type": "error.list", "errors": [{"code": "rate_limit_exceeded"}]},
        headers={"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0",
                 "X-RateLimit-Reset": str(T + 2 * HOUR)},
    )  # fmt: skip
    api.override = lambda r: limited if r.url.path.startswith("/conversations/10") else None
    with pytest.raises(RateLimited):
        await build(api, fake_sleep).fetch({"updated_after": T - 2 * HOUR})
    assert [r.url.path for r in api.requests].count("/conversations/102") == 0


# -- replying ------------------------------------------------------------------------------
async def test_a_reply_is_one_comment_from_the_admin_and_its_id_is_our_new_part():
    api = one_waiting()
    connector = build(api, workspace_id="abc123de")
    question = (await connector.fetch(None)).questions[0]
    sent = await connector.send_reply(question, "Thanks Jane!\n\nTry <this> & that.", "k-1")

    [post] = api.posts()
    assert post.url == f"{BASE}/conversations/101/reply"
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert json.loads(post.content) == {
        "message_type": "comment",
        "type": "admin",
        "admin_id": ADMIN,
        "body": "<p>Thanks Jane!</p><p>Try &lt;this&gt; &amp; that.</p>",
    }
    assert sent.remote_id == "771"
    assert sent.url == "https://app.intercom.com/a/inbox/abc123de/inbox/conversation/101"


async def test_an_unknown_outcome_is_never_repeated_and_find_own_reply_finds_it():
    api = one_waiting()
    connector = build(api)
    question = (await connector.fetch(None)).questions[0]

    def applied_then_cut_off(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/reply"):
            api.apply_reply("101", json.loads(request.content))
            raise httpx.ReadTimeout("the answer never came", request=request)
        return None

    api.override = applied_then_cut_off
    with pytest.raises(ConnectorError):
        await connector.send_reply(question, "We are on it.", "k-1")
    assert len(api.posts()) == 1  # a POST without an idempotency key is sent once
    api.override = lambda request: None

    found = await connector.find_own_reply(question, "We are on it.", "k-1")
    assert found is not None and found.remote_id == "771"
    assert await connector.find_own_reply(question, "Something else.", "k-2") is None
    other = build(api, admin_id="999")
    assert await other.find_own_reply(question, "We are on it.", "k-1") is None


async def test_a_reply_answer_without_our_part_leaves_the_outcome_unknown():
    api = one_waiting()
    connector = build(api)
    question = (await connector.fetch(None)).questions[0]
    api.apply_reply = lambda cid, payload: None  # the answer shows no new part
    with pytest.raises(BadResponseError, match="without our new comment"):
        await connector.send_reply(question, "Hello", "k-1")


# -- service errors ------------------------------------------------------------------------
async def test_a_429_waits_until_intercoms_reset_time(fake_sleep):
    api = one_waiting()
    limited = [
        httpx.Response(
            429,
            json={"type": "error.list", "errors": [{"code": "rate_limit_exceeded"}]},
            headers={
                "X-RateLimit-Limit": "1000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(T + 7),
            },
        )
    ]
    api.override = lambda r: limited.pop() if r.url.path == SEARCH and limited else None
    result = await build(api, fake_sleep).fetch(None)
    assert fake_sleep.calls == [7.0]
    assert len(api.searches()) == 2
    assert [q.native_id for q in result.questions] == ["101:9101"]


@pytest.mark.parametrize(("status", "said"), [(401, "refused the credentials"), (403, "denied")])
async def test_refused_credentials_are_a_one_line_auth_error(status, said):
    api = one_waiting()
    body = {"type": "error.list", "errors": [{"code": "unauthorized", "message": TOKEN}]}
    api.override = lambda request: httpx.Response(status, json=body)
    with pytest.raises(AuthError, match=said) as caught:
        await build(api).fetch(None)
    message = str(caught.value)
    assert "the access token and the admin_id option" in message
    assert TOKEN not in message and "\n" not in message
    if status == 401:
        assert "cxdaily login desk" in message


async def test_the_service_s_own_error_message_is_quoted():
    api = one_waiting()
    body = {
        "type": "error.list",
        "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}],
    }
    api.override = lambda request: httpx.Response(401, json=body)
    with pytest.raises(AuthError, match="HTTP 401\\): Access Token Invalid;"):
        await build(api).fetch(None)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json=[{"id": "1"}]),
        httpx.Response(200, json={"type": "conversation.list", "conversations": "none"}),
        httpx.Response(200, text="<html>maintenance</html>"),
    ],
)
async def test_a_malformed_page_is_a_one_line_bad_response(answer):
    api = one_waiting()
    api.override = lambda request: answer if request.url.path == SEARCH else None
    with pytest.raises(BadResponseError) as caught:
        await build(api).fetch(None)
    assert "/conversations/search" in str(caught.value) and "\n" not in str(caught.value)


async def test_one_malformed_conversation_is_skipped_and_the_rest_kept():
    good = conversation("101", T - HOUR)
    broken = conversation("102", T - HOUR, created_at="yesterday")
    items = ["nonsense", {"type": "conversation", "id": None}, broken, good]
    api = Api({None: page(items)}, **{"101": with_parts(good), "102": with_parts(broken)})
    result = await build(api).fetch(None)
    assert [q.native_id for q in result.questions] == ["101:9101"]
    assert len(result.warnings) == 4
    assert result.warnings[0] == (
        "page 1, item 1: skipped: expected a conversation object, got a string"
    )
    assert result.warnings[1] == "page 1, item 2: skipped: id is missing"
    assert "thread unreadable" in result.warnings[2]
    assert result.warnings[3].startswith("page 1, item 3: skipped: created_at")
    assert result.checkpoint == {"updated_after": T - HOUR}


async def test_a_malformed_part_costs_only_itself():
    conv = conversation("101", T - HOUR)
    thread = with_parts(conv, part("501", user(), "<p>more</p>", "soon"), "oops")
    result = await build(Api({None: page([conv])}, **{"101": thread})).fetch(None)
    assert [q.native_id for q in result.questions] == ["101:9101"]
    assert len(result.warnings) == 2
    assert all("conversation 101: a message was skipped" in w for w in result.warnings)


async def test_a_thread_that_cannot_be_read_costs_only_that_conversation_its_thread(fake_sleep):
    a, b, c = (conversation(cid, T - HOUR) for cid in ("101", "102", "103"))
    api = Api({None: page([a, b, c])}, **{"101": with_parts(a), "103": with_parts(c)})

    def slow(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/conversations/103":
            raise httpx.ReadTimeout("too slow", request=request)
        return None

    api.override = slow
    result = await build(api, fake_sleep).fetch(None)
    by_id = {q.native_id: q for q in result.questions}
    assert sorted(by_id) == ["101:9101", "102", "103"]  # unread threads: the conversation id
    assert by_id["102"].body == "Question number 102"  # the search's own first message
    assert by_id["103"].author.handle == "jane@example.com"
    assert len(result.warnings) == 2
    assert "conversation 102: thread not read" in result.warnings[0]
    assert "HTTP 404" in result.warnings[0]
    assert "conversation 103: thread not read" in result.warnings[1]
    assert "read again by the next fetch" in result.warnings[1]  # a timeout may pass
    assert "read again" not in result.warnings[0]  # a 404 would come again
    assert result.checkpoint == {  # not past 103; the others not read again while unchanged
        "updated_after": T - HOUR - 1,
        "read": {"101": str(T - HOUR), "102": str(T - HOUR)},
    }


async def test_a_thread_a_passing_failure_left_unread_is_read_by_the_next_fetch(fake_sleep):
    a, b = conversation("101", T - 2 * HOUR), conversation("102", T - HOUR)
    api = Api({None: page([a, b])}, **{"101": with_parts(a), "102": with_parts(b)})
    failing = [True]
    api.override = lambda r: (
        answer(503, {"type": "error.list", "errors": [{"code": "server_error"}]})
        if failing[0] and r.url.path == "/conversations/101" else None
    )  # fmt: skip
    first = await build(api, fake_sleep).fetch({"updated_after": T - 3 * HOUR})
    assert "101" in {q.native_id for q in first.questions}  # its first message stands in
    # before 101, with 102 (read whole) remembered: its thread is not read again
    assert first.checkpoint == {"updated_after": T - 2 * HOUR - 1, "read": {"102": str(T - HOUR)}}
    failing[0] = False
    second = await build(api, fake_sleep).fetch(first.checkpoint)
    assert api.searches()[-1]["query"]["value"][0]["value"] == T - 2 * HOUR - 1
    assert "101:9101" in {q.native_id for q in second.questions}
    assert "101" in {q.native_id for q in second.settled}  # the stand-in leaves
    assert second.checkpoint == {"updated_after": T - HOUR} and second.warnings == []


async def test_a_thread_held_for_over_a_day_is_skipped_and_the_checkpoint_moves_on(fake_sleep):
    a, b = conversation("101", T - 2 * HOUR), conversation("102", T - HOUR)
    api = Api({None: page([a, b])}, **{"101": with_parts(a), "102": with_parts(b)})
    failure = answer(503, {"type": "error.list", "errors": [{"code": "server_error"}]})
    api.override = lambda r: failure if r.url.path == "/conversations/101" else None
    with fetch_holding(False):  # the runner's choice once the channel held for a day
        result = await build(api, fake_sleep).fetch({"updated_after": T - 3 * HOUR})
    assert result.checkpoint == {"updated_after": T - HOUR}  # past 101 at last
    assert "101" in {q.native_id for q in result.questions}  # its first message stands in
    assert "conversation 101: thread not read" in result.warnings[0]
    assert "held for over a day" in result.warnings[0]


async def test_a_fetch_cut_by_its_page_cap_reads_the_last_second_again(fake_sleep, monkeypatch):
    monkeypatch.setattr(intercom, "MAX_PAGES", 1)
    a, b = conversation("101", T - HOUR), conversation("102", T - HOUR)  # the same second
    api = Api({None: page([a], cursor="c2"), "c2": page([b], number=2)},
              **{"101": with_parts(a), "102": with_parts(b)})  # fmt: skip
    first = await build(api, fake_sleep).fetch({"updated_after": T - 3 * HOUR})
    assert [q.native_id for q in first.questions] == ["101:9101"]
    # 102 comes next time; 101, of the same second, is listed again but not read again
    assert first.checkpoint == {"updated_after": T - HOUR - 1, "read": {"101": str(T - HOUR)}}


async def test_the_secret_appears_in_no_warning_and_no_error():
    conv = conversation("101", T - HOUR)
    api = Api({None: page([conv])})
    leak = {"type": "error.list", "errors": [{"code": "x", "message": f"bad token {TOKEN}"}]}
    api.override = lambda r: httpx.Response(400, json=leak) if r.method == "GET" else None
    result = await build(api).fetch(None)
    assert result.warnings and all(TOKEN not in w for w in result.warnings)
    api.override = lambda request: httpx.Response(422, json=leak)
    with pytest.raises(ConnectorError) as caught:
        await build(api).fetch(None)
    assert TOKEN not in str(caught.value) and "HTTP 422" in str(caught.value)


# -- hostile text --------------------------------------------------------------------------
async def test_hostile_text_in_every_field_arrives_clean():
    evil = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u202eevil\u202c \ud800"
    who = user("u\ud800", name=evil + "N" * 10_000, email=evil + "@x.example")
    body = f"<p>{evil}</p><script>alert('x')</script><p>[@click=app.quit]x[/]</p>"
    conv = conversation("101", T - HOUR, body=body, author=who, title=evil)
    conv["tags"]["tags"] = [{"type": "tag", "name": evil}]
    thread = with_parts(conv, part("501", who, body + "\ud83d", T - HOUR))
    result = await build(Api({None: page([conv])}, **{"101": thread})).fetch(None)

    [question] = result.questions
    assert result.warnings == []
    stored = json.dumps(question.to_dict(), ensure_ascii=False).encode("utf-8")
    assert b"alert" not in stored and b"<script" not in stored
    assert "\ufffd" in question.body and "[@click=app.quit]x[/]" in question.body
    assert len(question.author.name or "") <= 1000
    for text in (question.body, question.title, question.author.name, *question.meta["tags"]):
        shown = clean(text)
        assert "\x1b" not in shown and "\u202e" not in shown


# -- addresses and credentials ---------------------------------------------------------------
async def test_base_url_changes_every_url_called():
    api = one_waiting()
    connector = build(api, base_url="https://api.eu.intercom.io")
    question = (await connector.fetch(None)).questions[0]
    await connector.send_reply(question, "Hi", "k")
    await connector.answers_since(question, question.created_at)
    await connector.check()
    assert {r.url.host for r in api.requests} == {"api.eu.intercom.io"}
    assert {r.url.path for r in api.requests} == {
        SEARCH,
        "/conversations/101",
        "/conversations/101/reply",
        "/me",
    }


async def test_credentials_never_follow_a_redirect_to_another_host():
    api = one_waiting()

    def elsewhere(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "evil.example":
            return httpx.Response(200, json=api.threads["101"])
        if request.method == "GET":
            return httpx.Response(302, headers={"location": "https://evil.example/steal"})
        return None

    api.override = elsewhere
    result = await build(api).fetch(None)  # another site's data never comes in as ours
    assert [r for r in api.requests if r.url.host == "evil.example"] == []
    assert any("another site" in warning for warning in result.warnings), result.warnings


def stored_headers(request: httpx.Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


async def test_a_hostile_conversation_id_stays_inside_the_path():
    conv = conversation("../../me", T - HOUR)
    api = Api({None: page([conv])})
    await build(api).fetch(None)
    [thread_read] = [r for r in api.requests if r.method == "GET"]
    assert thread_read.url.raw_path == b"/conversations/..%2F..%2Fme"


async def test_a_repeated_cursor_ends_the_paging():
    looping = page([conversation("101", T - HOUR)], "WzE=")
    api = Api({None: looping, "WzE=": looping})
    connector = build(api)
    await connector.fetch(None)
    assert len(api.searches()) == 2
    assert "the service named a page already read" in " ".join(connector.fetch_notes())


async def test_check_names_the_admin_and_the_workspace():
    api = Api()
    text = await build(api, workspace_id="other1").check()
    assert text.startswith(
        "signed in as Anna Agent (anna@acme.example, admin 814860) on Acme (abc123de)"
    )
    assert "replies go out as admin 814860" in text
    assert "workspace_id is other1" in text
    assert [r.url.path for r in api.requests] == ["/me"]


async def test_a_thread_read_again_before_a_reply_is_never_taken_in_part():
    """A part that cannot be read costs only itself in a fetch, but read again before a
    reply (``question_thread``: our own reply, or a colleague's answer, could be that
    part) it fails the whole read instead of passing for the thread."""
    conv = conversation("101", T - HOUR)
    broken = {**part("502", admin(), "<p>We fixed it.</p>", T - HOUR), "created_at": None}
    thread = with_parts(conv, part("501", user(), "<p>Is it fixed?</p>", T - 2 * HOUR), broken)
    api = Api({None: page([conv])}, **{"101": thread})
    connector = build(api)
    result = await connector.fetch(None)
    assert any("a message was skipped" in w for w in result.warnings)
    question = (result.questions or result.settled)[0]
    with pytest.raises(BadResponseError, match="a message was skipped"):
        await connector.question_thread(question)


@pytest.mark.parametrize(
    "stop",
    [
        RateLimited("rate-limited by the API; wait 600 s", retry_after=600, channel="desk"),
        ChannelTimeoutError("no complete answer within 60 s", channel="desk"),
    ],
    ids=["rate limit", "deadline"],
)
async def test_a_backlog_larger_than_a_fetch_is_read_over_several(monkeypatch, stop):
    """A rate limit or the deadline met while reading threads keeps what was read (the
    conversations come oldest first) and holds the checkpoint before the first one not
    read: the next fetch goes on from there, instead of failing at every fetch."""
    convs = [conversation(str(100 + n), T - 10 * HOUR + n * 60) for n in range(6)]
    api = Api({None: page(convs)})
    connector = build(api)
    read = connector._read_thread
    stopped_at = "103"

    async def limited(conversation_id, headers):
        if conversation_id == stopped_at:
            raise stop
        return await read(conversation_id, headers)

    monkeypatch.setattr(connector, "_read_thread", limited)
    first = await connector.fetch(None)
    assert sorted(q.thread_id for q in first.questions) == ["100", "101", "102"]
    assert any("the rest is read by the next fetch" in w for w in first.warnings)
    assert first.checkpoint == {"updated_after": convs[2]["updated_at"]}  # the last read
    stopped_at = ""
    api.pages = {None: page(convs[3:])}  # what the search answers after that checkpoint
    second = await connector.fetch(first.checkpoint)
    assert sorted(q.thread_id for q in second.questions) == ["103", "104", "105"]
    assert second.checkpoint == {"updated_after": convs[5]["updated_at"]}


def _thread_reads(api: Api) -> list[str]:
    return [
        r.url.path.removeprefix("/conversations/")
        for r in api.requests
        if r.method == "GET" and r.url.path.startswith("/conversations/")
    ]


async def test_a_second_shared_by_many_conversations_is_read_past_over_fetches(monkeypatch):
    """A limit met inside one second shared by every conversation read: the next fetch
    lists them again (the checkpoint is before that second) but skips their threads while
    they are unchanged, so each fetch moves on instead of stopping at the same place."""
    convs = [conversation(str(100 + n), T - HOUR) for n in range(4)]  # one second
    api = Api({None: page(convs)}, **{c["id"]: with_parts(c) for c in convs})
    connector = build(api)
    read = connector._read_thread
    limited_after = [2]  # threads allowed before the limit, this fetch

    async def limited(conversation_id, headers):
        if limited_after[0] == 0:
            raise RateLimited("rate-limited by the API; wait 60 s", retry_after=60, channel="desk")
        limited_after[0] -= 1
        return await read(conversation_id, headers)

    monkeypatch.setattr(connector, "_read_thread", limited)
    first = await connector.fetch({"updated_after": T - 2 * HOUR})
    assert sorted(q.thread_id for q in first.questions) == ["100", "101"]
    assert first.checkpoint == {
        "updated_after": T - HOUR - 1,
        "read": {"100": str(T - HOUR), "101": str(T - HOUR)},
    }
    assert any("2 conversations not read" in w for w in first.warnings)

    api.requests.clear()
    limited_after[0] = 1
    second = await connector.fetch(first.checkpoint)
    assert _thread_reads(api) == ["102"]  # 100 and 101 are skipped: unchanged since
    assert [q.thread_id for q in second.questions] == ["102"]
    assert second.checkpoint == {
        "updated_after": T - HOUR - 1,
        "read": {"100": str(T - HOUR), "101": str(T - HOUR), "102": str(T - HOUR)},
    }

    api.requests.clear()
    limited_after[0] = 10
    third = await connector.fetch(second.checkpoint)
    assert _thread_reads(api) == ["103"]
    assert [q.thread_id for q in third.questions] == ["103"]
    assert third.checkpoint == {"updated_after": T - HOUR}  # past the second, no marks
    assert third.warnings == []


async def test_a_conversation_remembered_as_read_is_read_again_once_it_changes():
    a, b = conversation("101", T - HOUR), conversation("102", T - HOUR + 30)
    api = Api({None: page([a, b])}, **{"101": with_parts(a), "102": with_parts(b)})
    checkpoint = {"updated_after": T - HOUR - 1, "read": {"101": str(T - HOUR - 600)}}
    result = await build(api).fetch(checkpoint)
    assert _thread_reads(api) == ["101", "102"]  # 101 changed since it was read
    assert sorted(q.thread_id for q in result.questions) == ["101", "102"]
    assert result.checkpoint == {"updated_after": T - HOUR + 30}


@pytest.mark.parametrize("marks", [None, "x", ["101"], {"101": 5}, {"101": "soon"}])
async def test_malformed_read_marks_only_cost_a_thread_read_again(marks):
    conv = conversation("101", T - HOUR)
    api = Api({None: page([conv])}, **{"101": with_parts(conv)})
    result = await build(api).fetch({"updated_after": T - HOUR - 1, "read": marks})
    assert _thread_reads(api) == ["101"]
    assert [q.thread_id for q in result.questions] == ["101"]
    assert result.checkpoint == {"updated_after": T - HOUR}

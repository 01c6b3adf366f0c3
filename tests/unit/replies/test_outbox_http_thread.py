"""The ``http`` channel's reply options and its thread: own replies and the team's answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from cxdaily.connectors.http import BadResponseError, StatusError, make_client
from cxdaily.connectors.http_json import HttpJsonConnector
from cxdaily.connectors.http_thread import answers_by_others, own_reply, parse_thread
from cxdaily.connectors.parsing import QuestionShapeError, parse_question
from cxdaily.core.errors import CxDailyError
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings

BASE = "https://portal.example.com/api"
QUESTION = parse_question(
    {
        "id": "q 1/2",
        "body": "My export is stuck",
        "created_at": "2026-11-21T08:00:00Z",
        "author": {"id": "u1", "name": "Ana"},
    },
    channel="portal",
    kind="http",
)
THREAD = [
    {"id": "m1", "author": {"id": "u1"}, "body": "My export is stuck",
     "created_at": "2026-11-21T08:00:00Z"},
    {"id": "m2", "author": {"id": "u1"}, "body": "Any news?", "created_at": "2026-11-21T09:00:00Z"},
    {"id": "m3", "author": {"name": "Sam"}, "body": "Looking into it",
     "created_at": "2026-11-21T07:00:00Z", "role": "agent"},
    {"id": "m4", "author": {"name": "Sam"}, "body": "Fixed  now!",
     "created_at": "2026-11-21T10:00:00Z", "role": "agent"},
    {"id": "r9", "body": "Our reply", "created_at": "2026-11-21T11:00:00Z",
     "idempotency_key": "k-9"},
]  # fmt: skip


def build(handler, **options) -> HttpJsonConnector:
    settings = ChannelSettings(
        name="portal",
        kind="http",
        options={"url": f"{BASE}/questions", "reply_url": f"{BASE}/replies", **options},
    )
    client = make_client(transport=httpx.MockTransport(handler))
    return HttpJsonConnector(settings, client=client, secrets=secret_reader("portal"))


def test_the_options_set_the_capabilities():
    c = build(lambda r: httpx.Response(200, json=[]))
    caps = c.capabilities
    # No deduplication is promised unless the config says so: a failed post is never
    # repeated blindly (the thread check or the hold applies).
    assert (caps.idempotency_keys, caps.finds_own_replies, caps.public) == (False, False, False)
    assert caps.max_reply_length is None
    c = build(
        lambda r: httpx.Response(200, json=[]),
        thread_url=f"{BASE}/threads/{{native_id}}",
        idempotency_keys=True,
        public=True,
        max_reply_length=500,
        signature="— Dana",
    )
    caps = c.capabilities
    assert (caps.idempotency_keys, caps.finds_own_replies, caps.public) == (True, True, True)
    assert caps.max_reply_length == 500
    assert c.is_public(QUESTION)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"idempotency_keys": "yes"}, "idempotency_keys must be true or false"),
        ({"public": 1}, "public must be true or false"),
        ({"max_reply_length": 0}, "max_reply_length must be a whole number above 0"),
        ({"max_reply_length": "500"}, "max_reply_length must be a whole number above 0"),
        ({"thread_url": "http://example.com/t/{native_id}"}, "plain http://"),
        ({"signatur": "x"}, "unknown option 'signatur'"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(CxDailyError, match=message):
        build(lambda r: httpx.Response(200, json=[]), **options)


async def test_without_key_support_the_key_goes_in_the_body_and_a_5xx_is_not_repeated():
    posts = []

    def handler(request):
        posts.append(request)
        return httpx.Response(502)

    c = build(handler, idempotency_keys=False)
    with pytest.raises(StatusError, match="HTTP 502"):
        await c.send_reply(QUESTION, "We are on it.", "idem-7")
    assert len(posts) == 1, "a post that may have landed is never repeated blindly"
    assert "idempotency-key" not in posts[0].headers
    assert json.loads(posts[0].content)["idempotency_key"] == "idem-7"


async def test_the_thread_finds_our_reply_and_the_teams_answers():
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(200, json={"messages": THREAD})

    c = build(handler, thread_url=f"{BASE}/threads/{{native_id}}?q={{question_id}}")
    found = await c.find_own_reply(QUESTION, "whatever", "k-9")
    assert found is not None and found.remote_id == "r9"
    assert seen[0] == f"{BASE}/threads/q%201%2F2?q=portal%3Aq%201%2F2"
    by_text = await c.find_own_reply(QUESTION, "Fixed now!", "other-key")
    assert by_text is not None and by_text.remote_id == "m4"
    assert await c.find_own_reply(QUESTION, "never said", "other-key") is None
    since = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    answers = await c.answers_since(QUESTION, since)
    assert [a.body for a in answers] == ["Fixed  now!"]  # not the customer's, not ours, newer


async def test_without_thread_url_nothing_is_read():
    def handler(request):
        raise AssertionError("no request expected")

    c = build(handler)
    assert await c.find_own_reply(QUESTION, "x", "k") is None
    assert await c.answers_since(QUESTION, datetime(2026, 1, 1, tzinfo=UTC)) == []


async def test_a_thread_in_the_wrong_shape_is_a_one_line_error():
    c = build(
        lambda r: httpx.Response(200, json={"items": []}), thread_url=f"{BASE}/t/{{thread_id}}"
    )
    with pytest.raises(BadResponseError, match="thread that cannot be read: the thread must"):
        await c.find_own_reply(QUESTION, "x", "k")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1], r"messages\[0\] must be an object"),
        ([{"body": "x", "created_at": "2026-11-21T08:00:00Z"}], r"messages\[0\].id is missing"),
        ([{"id": "1", "body": 3, "created_at": "2026-11-21T08:00:00Z"}], "body must be text"),
        ([{"id": "1", "body": "x"}], "created_at"),
    ],
)
def test_bad_thread_messages(data, message):
    with pytest.raises(QuestionShapeError, match=message):
        parse_thread(data)


def test_role_decides_before_the_author_id():
    messages = parse_thread(
        [
            {"id": "1", "author": {"id": "u1"}, "body": "by Ana but as agent", "role": "agent",
             "created_at": "2026-11-21T10:00:00Z"},
            {"id": "2", "author": {"id": "zz"}, "body": "customer", "role": "Customer",
             "created_at": "2026-11-21T10:00:00Z"},
        ]
    )  # fmt: skip
    since = datetime(2026, 11, 21, tzinfo=UTC)
    assert [m.body for m in answers_by_others(messages, QUESTION, since)] == ["by Ana but as agent"]
    assert own_reply(messages, QUESTION, "customer", "k") is None

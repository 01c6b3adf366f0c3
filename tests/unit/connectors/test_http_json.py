"""The http channel: pages, since, bearer auth, replies with a stable Idempotency-Key."""

from __future__ import annotations

import json

import httpx
import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.http import (
    BadResponseError,
    ChannelHttp,
    StatusError,
    UnsafeURLError,
    make_client,
)
from cxdaily.connectors.http_json import HttpJsonConnector
from cxdaily.connectors.parsing import parse_question
from cxdaily.core.errors import AuthError, ConfigError, ConnectorError
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings

URL = "https://portal.example.com/api/questions"
REPLY_URL = "https://portal.example.com/api/replies"


def item(native_id: str, created: str = "2026-11-21T10:00:00Z", **extra) -> dict:
    return {"id": native_id, "body": f"question {native_id}", "created_at": created, **extra}


def build(handler, fake_sleep=None, **options) -> HttpJsonConnector:
    settings = ChannelSettings(
        name="portal", kind="http", options={"url": URL, "reply_url": REPLY_URL, **options}
    )
    client = make_client(transport=httpx.MockTransport(handler))
    connector = HttpJsonConnector(settings, client=client, secrets=secret_reader("portal"))
    if fake_sleep is not None:
        connector.http = ChannelHttp(client, channel="portal", sleep=fake_sleep, rand=lambda: 0)
    return connector


def test_registered_as_a_builtin_kind():
    assert connector_class("http") is HttpJsonConnector


def test_url_is_required_and_checked():
    with pytest.raises(ConfigError, match="needs url"):
        HttpJsonConnector(ChannelSettings(name="p", kind="http"))
    with pytest.raises(UnsafeURLError):
        HttpJsonConnector(ChannelSettings(name="p", kind="http", options={"url": "http://x.io/"}))


def test_without_reply_url_the_channel_cannot_reply():
    c = HttpJsonConnector(ChannelSettings(name="p", kind="http", options={"url": URL}))
    assert c.capabilities.can_reply is False
    assert HttpJsonConnector.capabilities.can_reply is True


def test_url_may_be_relative_to_base_url():
    settings = ChannelSettings(
        name="p", kind="http", options={"base_url": "https://h.example/api/", "url": "q"}
    )
    assert HttpJsonConnector(settings).url == "https://h.example/api/q"


async def test_fetch_follows_pages_and_then_asks_since_the_checkpoint(memory_keyring):
    requests = []

    def handler(request):
        requests.append(request)
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json=[item("3", "2026-11-21T12:00:00Z")])
        link = f'<{URL}?page=2>; rel="next"'
        return httpx.Response(
            200,
            json=[item("1"), item("2", "2026-11-21T11:00:00Z", author={"name": "Kim"})],
            headers={"link": link},
        )

    c = build(handler)
    first = await c.fetch(None)
    assert [q.id for q in first.questions] == ["portal:1", "portal:2", "portal:3"]
    assert first.questions[1].author.name == "Kim"
    assert first.checkpoint == {"since": "2026-11-21T12:00:00Z"}
    assert "since" not in requests[0].url.params
    assert "authorization" not in requests[0].headers  # the secret is optional
    requests.clear()
    await c.fetch(first.checkpoint)
    assert requests[0].url.params["since"] == "2026-11-21T12:00:00Z"


async def test_empty_fetch_keeps_the_checkpoint():
    c = build(lambda request: httpx.Response(200, json=[]))
    result = await c.fetch({"since": "2026-11-20T00:00:00Z"})
    assert result.checkpoint == {"since": "2026-11-20T00:00:00Z"}


async def test_the_secret_is_sent_as_a_bearer_token(memory_keyring, monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_PORTAL", "tok-abc-123")
    seen = []

    def handler(request):
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=[])

    await build(handler).fetch(None)
    assert seen == ["Bearer tok-abc-123"]


async def test_a_keyring_secret_is_used_too(memory_keyring):
    memory_keyring.set_password("cxdaily", "portal", "from-keyring")
    seen = []

    def handler(request):
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=[])

    await build(handler).fetch(None)
    assert seen == ["Bearer from-keyring"]


async def test_bad_items_are_warnings_and_good_ones_import():
    data = [item("1"), {"id": "2"}, "nonsense", item("4")]
    result = await build(lambda request: httpx.Response(200, json=data)).fetch(None)
    assert [q.native_id for q in result.questions] == ["1", "4"]
    assert result.warnings == [
        "page 1, item 2: body is missing",
        "page 1, item 3: expected a JSON object, got a string",
    ]


async def test_an_object_instead_of_an_array_is_a_typed_error():
    c = build(lambda request: httpx.Response(200, json={"questions": []}))
    with pytest.raises(BadResponseError, match="not a JSON array"):
        await c.fetch(None)


async def test_401_says_to_log_in(monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_PORTAL", "wrong-token")
    c = build(lambda request: httpx.Response(401, json={"error": "invalid token"}))
    with pytest.raises(AuthError) as caught:
        await c.fetch(None)
    assert "cxdaily login portal" in str(caught.value)
    assert "wrong-token" not in str(caught.value)


async def test_reply_posts_the_body_with_its_idempotency_key_once(fake_sleep, monkeypatch):
    """A POST that failed is not repeated by the HTTP layer: the outbox decides."""
    monkeypatch.setenv("CXDAILY_SECRET_PORTAL", "tok-1")
    posts = []

    def handler(request):
        if request.method == "GET":
            return httpx.Response(200, json=[item("7")])
        posts.append(request)
        if len(posts) == 1:
            return httpx.Response(503)
        return httpx.Response(201, json={"id": 991, "url": "https://portal.example.com/r/991"})

    c = build(handler, fake_sleep)
    question = (await c.fetch(None)).questions[0]
    with pytest.raises(StatusError, match="HTTP 503"):
        await c.send_reply(question, "We are on it.", "idem-42")
    assert len(posts) == 1
    sent = await c.send_reply(question, "We are on it.", "idem-42")  # the outbox's retry
    assert sent.remote_id == "991"
    assert sent.url == "https://portal.example.com/r/991"
    assert [json.loads(p.content)["idempotency_key"] for p in posts] == ["idem-42", "idem-42"]
    assert "idempotency-key" not in posts[0].headers  # the default: no deduplication promised
    assert json.loads(posts[0].content) == {
        "question_id": "portal:7",
        "native_id": "7",
        "body": "We are on it.",
        "idempotency_key": "idem-42",
    }
    assert posts[0].headers["authorization"] == "Bearer tok-1"


async def test_idempotency_keys_option_sends_the_header(fake_sleep):
    posts = []

    def handler(request):
        posts.append(request)
        return httpx.Response(201, json={"id": "r-1"})

    c = build(handler, fake_sleep, idempotency_keys=True)
    assert c.capabilities.idempotency_keys is True
    question = parse_question(item("7"), channel="portal", kind="http")
    await c.send_reply(question, "hi", "idem-7")
    assert posts[0].headers["idempotency-key"] == "idem-7"


async def test_reply_without_an_id_in_the_answer_is_an_error():
    def handler(request):
        if request.method == "GET":
            return httpx.Response(200, json=[item("7")])
        return httpx.Response(200, json={"ok": True})

    c = build(handler)
    question = (await c.fetch(None)).questions[0]
    with pytest.raises(BadResponseError, match="did not answer a usable id"):
        await c.send_reply(question, "hi", "k")


async def test_reply_without_reply_url_is_refused():
    settings = ChannelSettings(name="p", kind="http", options={"url": URL})
    c = HttpJsonConnector(settings, client=make_client())
    from cxdaily.connectors.parsing import parse_question

    question = parse_question(item("1"), channel="p", kind="http")
    with pytest.raises(ConnectorError, match="no reply_url"):
        await c.send_reply(question, "hi", "k")


async def test_check_reports_the_first_page():
    c = build(lambda request: httpx.Response(200, json=[item("1"), item("2")]))
    text = await c.check()
    assert "2 questions on the first page" in text
    assert "without a secret" in text


async def test_check_reports_a_404():
    c = build(lambda request: httpx.Response(404))
    with pytest.raises(StatusError, match="HTTP 404"):
        await c.check()

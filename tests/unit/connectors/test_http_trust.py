"""Secrets stay home and every fetch has a limit: the HTTP layer's one credential gate,
secret scrubbing on every connector, byte and page budgets that say so, and POSTs that
the HTTP layer never repeats."""

from __future__ import annotations

import json

import httpx
import pytest

from cxdaily.connectors.base import Connector, FetchResult, SecretScrubber, SentReply
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client, origin_of
from cxdaily.connectors.http_json import HttpJsonConnector, placeholder_problem
from cxdaily.connectors.runner import fetch_one
from cxdaily.core.errors import ConfigError, ConnectorError
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings

SECRET = "sk-canary-7f3e9a1c"
URL = "https://portal.example.com/api/questions"


def item(native_id: str) -> dict:
    return {"id": native_id, "body": f"question {native_id}", "created_at": "2026-11-21T10:00:00Z"}


def portal(handler, monkeypatch, **options) -> HttpJsonConnector:
    monkeypatch.setenv("CXDAILY_SECRET_PORTAL", SECRET)
    settings = ChannelSettings(name="portal", kind="http", options={"url": URL, **options})
    client = make_client(transport=httpx.MockTransport(handler))
    return HttpJsonConnector(settings, client=client, secrets=secret_reader("portal"))


# ----------------------------------------------------------------------------- origins
def test_origin_fills_in_the_default_port_and_folds_case():
    assert origin_of("https://API.Example.com/x") == ("https", "api.example.com", 443)
    assert origin_of("https://api.example.com:443/y?z") == ("https", "api.example.com", 443)
    assert origin_of("http://127.0.0.1:8080/") == ("http", "127.0.0.1", 8080)
    assert origin_of("not a url") is None


async def test_a_next_page_on_another_origin_gets_no_credentials(monkeypatch):
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("authorization")))
        if request.url.host == "portal.example.com":
            return httpx.Response(
                200,
                json=[item("1")],
                headers={"Link": '<http://127.0.0.2:18080/steal?page=2>; rel="next"'},
            )
        return httpx.Response(200, json=[item("2")])

    result = await portal(handler, monkeypatch).fetch(None)
    assert [q.native_id for q in result.questions] == ["1", "2"]
    assert seen[0][1] == f"Bearer {SECRET}"
    assert seen[1] == ("http://127.0.0.2:18080/steal?page=2", None)


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://portal.example.com:8443/api/next",  # same host, other port
        "http://portal.example.com/api/next",  # same host, other scheme (refused anyway)
        "https://evil.example.net/api/next",
        "https://portal.example.com.evil.net/api/next",
    ],
)
def test_only_the_declared_origin_may_get_credentials(elsewhere):
    http = ChannelHttp(make_client(), channel="portal", credentials_to=(URL,))
    assert http.may_send_credentials("https://portal.example.com/other/path?x=1")
    assert http.may_send_credentials("https://PORTAL.example.com:443/")
    assert not http.may_send_credentials(elsewhere)


async def test_redirects_cursors_and_query_secrets_to_another_origin_are_stripped():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "portal.example.com":
            return httpx.Response(302, headers={"Location": "https://cdn.example.net/page"})
        return httpx.Response(200, json={"ok": True})

    client = make_client(transport=httpx.MockTransport(handler))
    http = ChannelHttp(client, channel="portal", credentials_to=(URL,))
    http.register_secret(SECRET)
    headers = {"Authorization": f"Bearer {SECRET}", "X-Custom-Key": SECRET, "Accept": "x/y"}
    # a signed-in request redirected elsewhere is not followed: sent on without its
    # credentials, its answer would stand for the signed-in one
    with pytest.raises(ConnectorError, match=r"cdn\.example\.net/page, another site") as caught:
        await http.get_json(f"{URL}?access_token={SECRET}&page=2", headers=headers)
    (first,) = seen
    assert first.headers["x-custom-key"] == SECRET
    assert SECRET not in str(caught.value)

    seen.clear()  # a request without credentials (a public page) follows it
    assert (await http.get_json(URL, headers={"Accept": "x/y"}))[0] == {"ok": True}
    _public, redirected = seen
    assert redirected.url.host == "cdn.example.net"
    assert redirected.headers["accept"] == "x/y"

    seen.clear()  # an absolute cursor or thread URL elsewhere, secret in the query
    await http.get_json(f"https://cdn.example.net/c?access_token={SECRET}&page=2", headers=headers)
    (request,) = seen
    assert SECRET not in str(request.url)
    assert request.url.params["page"] == "2"
    assert all(SECRET not in value for value in request.headers.values())


async def test_thread_and_reply_urls_on_their_own_origin_get_credentials(monkeypatch):
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers.get("authorization")
        if request.method == "POST":
            return httpx.Response(201, json={"id": "r-1"})
        if request.url.host == "threads.example.org":
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=[item("1")])

    c = portal(
        handler,
        monkeypatch,
        reply_url="https://replies.example.org/post",
        thread_url="https://threads.example.org/t/{native_id}",
    )
    question = (await c.fetch(None)).questions[0]
    await c.send_reply(question, "hello", "k-1")
    await c.answers_since(question, question.created_at)
    assert set(seen.values()) == {f"Bearer {SECRET}"}
    assert set(seen) == {"portal.example.com", "replies.example.org", "threads.example.org"}


# ----------------------------------------------------------------------------- scrubbing
def test_the_scrubber_removes_every_form_a_secret_takes():
    scrubber = SecretScrubber()
    scrubber.add("sk/abc 123\n")
    for shown in (
        "Illegal header value b'Bearer sk/abc 123\\n'",
        "GET https://x.example/t/sk%2Fabc%20123/next",
        "GET https://x.example/t/sk/abc%20123/next",
        "token=sk%2Fabc+123",
        "raw sk/abc 123 here",
    ):
        assert "abc" not in scrubber.scrub(shown), shown
    short = SecretScrubber()
    short.add("ab")  # too short to scrub without mangling every message
    assert short.scrub("tab") == "tab"


async def test_a_redirect_to_a_path_holding_the_token_is_not_echoed(monkeypatch):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/questions":
            return httpx.Response(302, headers={"Location": f"/session/{SECRET}/expired"})
        return httpx.Response(404, json={"message": f"no session {SECRET}"})

    c = portal(handler, monkeypatch)
    outcome = await fetch_one(c, None, deadline_s=5)
    assert outcome.error is not None
    assert "HTTP 404" in outcome.error
    assert SECRET not in outcome.error
    assert SECRET not in repr(outcome.exception)
    assert outcome.exception is not None and outcome.exception.__cause__ is None


class LeakyConnector(Connector):
    """A connector that puts its secret in every error, as a careless one might."""

    kind = "leaky"
    secret_fields = ("",)

    async def fetch(self, checkpoint):
        token = self.secret()
        raise RuntimeError(f"Illegal header value {('Bearer ' + token).encode()!r}")

    async def send_reply(self, question, body, idempotency_key) -> SentReply:
        raise ConnectorError(f"refused {self.secret()}", channel=self.name)

    async def check(self) -> str:
        raise ValueError(f"cannot check with {self.secret()}")


async def test_every_connector_scrubs_its_secrets_from_every_error(monkeypatch):
    monkeypatch.setenv("CXDAILY_SECRET_LEAKY", SECRET)
    c = LeakyConnector(ChannelSettings(name="leaky", kind="leaky"), secrets=secret_reader("leaky"))
    outcome = await fetch_one(c, None, deadline_s=5)
    assert outcome.error is not None and "Illegal header value" in outcome.error
    assert SECRET not in outcome.error
    with pytest.raises(ConnectorError) as caught:
        await c.send_reply(None, "hi", "k")  # type: ignore[arg-type]
    assert SECRET not in str(caught.value)
    with pytest.raises(ValueError) as raised:
        await c.check()
    assert SECRET not in str(raised.value)


# ----------------------------------------------------------------------------- budgets
def endless(page_bytes: int):
    """A service whose every page links to one more, each about ``page_bytes`` long."""
    pages: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("p", "1"))
        pages.append(n)
        filler = "x" * max(page_bytes - 200, 0)
        body = json.dumps([{**item(str(n)), "meta": {"filler": filler}}])
        link = f'<{URL}?p={n + 1}>; rel="next"'
        return httpx.Response(200, content=body, headers={"Link": link})

    return handler, pages


async def test_endless_pagination_stops_at_the_byte_budget_and_says_so(monkeypatch):
    handler, pages = endless(512 * 1024)
    c = portal(handler, monkeypatch, max_fetch_mb=2, max_pages=1000)
    outcome = await fetch_one(c, None, deadline_s=30)
    assert outcome.result is not None
    assert 4 <= len(pages) <= 5  # 2 MB of 0.5 MB pages, plus the one that crossed the line
    assert len(outcome.result.questions) == len(pages)
    assert any("byte budget" in w and "max_fetch_mb" in w for w in outcome.result.warnings)


async def test_the_page_cap_is_never_silent(monkeypatch):
    handler, pages = endless(300)
    c = portal(handler, monkeypatch, max_pages=3)
    outcome = await fetch_one(c, None, deadline_s=30)
    assert outcome.result is not None
    assert pages == [1, 2, 3]
    assert any("stopped after 3 pages" in w for w in outcome.result.warnings)


def test_the_byte_budget_is_a_checked_option():
    options = {"url": URL, "max_fetch_mb": 7}
    c = HttpJsonConnector(ChannelSettings(name="p", kind="http", options=options))
    assert c.policy.max_fetch_bytes == 7 * 1024 * 1024
    assert HttpPolicy().max_fetch_bytes == 50 * 1024 * 1024
    for bad in (0, -1, "50MB", True, 10**6):
        options = {"url": URL, "max_fetch_mb": bad}
        with pytest.raises(ConfigError, match="max_fetch_mb"):
            HttpJsonConnector(ChannelSettings(name="p", kind="http", options=options))


# ----------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("https://x.example/t/{id}", "unknown placeholder {id}"),
        ("https://x.example/t/{}", "unknown placeholder {}"),
        ("https://x.example/t/{native_id!r}", "no format spec"),
        ("https://x.example/t/{native_id", "broken placeholder"),
        ("https://x.example/t/{native_id}/{{literal}}", None),
    ],
)
def test_thread_url_placeholders_are_checked_when_the_config_is_read(template, problem):
    found = placeholder_problem(template)
    if problem is None:
        assert found is None
        return
    assert found is not None and problem in found
    options = {"url": URL, "thread_url": template}
    with pytest.raises(ConfigError, match="thread_url"):
        HttpJsonConnector(ChannelSettings(name="p", kind="http", options=options))


async def test_a_fetch_result_keeps_the_connectors_own_warnings(monkeypatch):
    class Warned(Connector):
        kind = "warned"

        async def fetch(self, checkpoint):
            return FetchResult(questions=[], checkpoint=None, warnings=["line 3: bad"])

        async def send_reply(self, question, body, idempotency_key):
            raise NotImplementedError

    outcome = await fetch_one(Warned(ChannelSettings(name="w", kind="warned")), None, 5)
    assert outcome.result is not None and outcome.result.warnings == ["line 3: bad"]

"""The served app's guard (``cxdaily.ui.serve``), over aiohttp's test server: loopback
``Host`` names, same origin, the access token and its cookie, one session per store,
and the headers on pages and handed-over files. No app process is started here."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cxdaily.store.lock import FolderLock
from cxdaily.ui.serve.access import (
    cookie_name,
    cookie_value,
    host_allowed,
    host_name,
    host_well_formed,
    is_loopback,
    same_origin,
    token_matches,
)
from cxdaily.ui.serve.pages import SESSION_ELSEWHERE
from cxdaily.ui.serve.server import (
    DOWNLOAD_POLICY,
    LOCK_FILE,
    CxDailyServer,
    OneLineWithoutToken,
    ServeSettings,
    browser_message,
    store_in_use,
)

TOKEN = "k3Y-" + "x" * 40
COOKIE = cookie_name(0)  # the test servers' settings say port 0

Client = Callable[..., Any]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    """Start a guarded server with some settings; returns an aiohttp test client."""
    clients: list[TestClient] = []

    async def start(**settings: Any) -> TestClient:
        options: dict[str, Any] = {
            "command": "true",
            "host": "127.0.0.1",
            "port": 0,
            "data_dir": tmp_path / "data",
            **settings,
        }
        server = CxDailyServer(ServeSettings(**options))
        test_client = TestClient(TestServer(await server._make_app()))
        await test_client.start_server()
        clients.append(test_client)
        return test_client

    yield start
    for started in clients:
        await started.close()


# ---------------------------------------------------------------------------- loopback
async def test_loopback_serves_the_page_with_addresses_of_the_request(client: Client) -> None:
    http = await client()
    response = await http.get("/")
    page = await response.text()
    assert response.status == 200
    assert f'data-session-websocket-url="ws://127.0.0.1:{http.port}/ws"' in page
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"

    response = await http.get("/", headers={"Host": f"localhost:{http.port}"})
    assert response.status == 200
    assert f"ws://localhost:{http.port}/ws" in await response.text()


async def test_the_page_loads_nothing_from_another_site(client: Client) -> None:
    http = await client()
    response = await http.get("/")
    page = await response.text()
    origin = f"http://127.0.0.1:{http.port}"
    assert "fonts.googleapis" not in page and "https://" not in page
    assert f'src:url("{origin}/static/fonts/RobotoMono-VariableFont_wght.ttf")' in page
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert f"connect-src 'self' ws://127.0.0.1:{http.port};" in policy
    font = await http.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")
    assert font.status == 200 and len(await font.read()) > 10_000


@pytest.mark.parametrize(
    "host", ["rebound.example", "127.0.0.1.nip.io:8765", "", 'localhost:1"><script>']
)
async def test_loopback_refuses_other_host_names(client: Client, host: str) -> None:
    http = await client()
    response = await http.get("/", headers={"Host": host})
    assert response.status == 403
    assert "not served here" in await response.text()


async def test_a_token_server_still_refuses_a_malformed_host(client: Client) -> None:
    http = await client(host="0.0.0.0", token=TOKEN)
    response = await http.get("/", headers={"Host": "cx.example.com/<b>"})
    assert response.status == 403


@pytest.mark.parametrize("path", ["/", "/ws", "/static/js/textual.js"])
async def test_requests_from_another_site_are_refused(client: Client, path: str) -> None:
    http = await client()
    response = await http.get(path, headers={"Origin": "http://evil.example"})
    assert response.status == 403
    assert "another site" in await response.text()


async def test_requests_from_the_page_itself_pass(client: Client) -> None:
    http = await client()
    origin = f"http://127.0.0.1:{http.port}"
    response = await http.get("/static/js/textual.js", headers={"Origin": origin})
    assert response.status == 200


# ---------------------------------------------------------------------------- one session
async def test_a_store_held_elsewhere_gets_the_session_open_page(
    client: Client, tmp_path: Path
) -> None:
    http = await client()
    data = tmp_path / "data"
    data.mkdir()
    held = FolderLock(data / LOCK_FILE)
    held.acquire()
    try:
        response = await http.get("/")
        assert response.status == 409
        assert SESSION_ELSEWHERE in await response.text()
        response = await http.get("/ws")
        assert response.status == 409, "the websocket starts no second app"
    finally:
        held.release()
    assert (await http.get("/")).status == 200, "free again once the other session ends"


def test_the_lock_is_only_probed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert not store_in_use(data), "a store not made yet is free"
    data.mkdir()
    assert not store_in_use(data)
    writer = FolderLock(data / LOCK_FILE)
    writer.acquire()  # the probe left the lock free for the app
    try:
        assert store_in_use(data)
    finally:
        writer.release()


# ---------------------------------------------------------------------------- token
@pytest.mark.parametrize("path", ["/", "/ws", "/static/js/textual.js", "/download/abc"])
async def test_without_the_token_every_route_is_refused(client: Client, path: str) -> None:
    http = await client(host="0.0.0.0", token=TOKEN)
    response = await http.get(path)
    assert response.status == 401
    assert "access token" in await response.text()
    response = await http.get(path, cookies={COOKIE: cookie_value(TOKEN[:-1] + "y")})
    assert response.status == 401
    response = await http.get(path, cookies={COOKIE: TOKEN})  # the token is no cookie
    assert response.status == 401


async def test_a_wrong_token_in_the_address_is_refused(client: Client) -> None:
    http = await client(host="0.0.0.0", token=TOKEN)
    response = await http.get(f"/?token={TOKEN[:-1]}y", allow_redirects=False)
    assert response.status == 401
    assert "Set-Cookie" not in response.headers


async def test_the_token_becomes_a_strict_http_only_cookie(client: Client) -> None:
    http = await client(host="0.0.0.0", token=TOKEN)
    response = await http.get(f"/?fontsize=20&token={TOKEN}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/?fontsize=20", "the token leaves the address"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}={cookie_value(TOKEN)};")
    assert TOKEN not in cookie, "sent to every port of the host: never the token itself"
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie, "plain http here"

    response = await http.get("/?fontsize=20", cookies={COOKIE: cookie_value(TOKEN)})
    assert response.status == 200
    assert 'data-font-size="20"' in await response.text()


async def test_behind_a_tls_proxy_the_cookie_is_secure_and_the_page_uses_wss(
    client: Client,
) -> None:
    http = await client(token=TOKEN, public_url="https://cx.example.com")
    headers = {"Host": "cx.example.com"}
    response = await http.get(f"/?token={TOKEN}", headers=headers, allow_redirects=False)
    assert response.status == 303
    assert "Secure" in response.headers["Set-Cookie"]
    response = await http.get(
        "/",
        headers={**headers, "Origin": "https://cx.example.com"},
        cookies={COOKIE: cookie_value(TOKEN)},
    )
    assert response.status == 200
    assert 'data-session-websocket-url="wss://cx.example.com/ws"' in await response.text()
    response = await http.get("/", headers={"Host": "other.example"})
    assert response.status == 403


async def test_handed_over_files_run_no_script(client: Client) -> None:
    http = await client(host="0.0.0.0", token=TOKEN)
    response = await http.get("/download/unknown", cookies={COOKIE: cookie_value(TOKEN)})
    assert response.status == 404
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_POLICY
    assert "script-src" not in DOWNLOAD_POLICY and "default-src 'none'" in DOWNLOAD_POLICY


# ---------------------------------------------------------------------------- the rules
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("app.localhost", True),
        ("LOCALHOST.", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("cx.example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_host_headers_are_read_with_or_without_port() -> None:
    assert host_name("[::1]:8765") == "::1"
    assert host_name("LocalHost:8765") == "localhost"
    assert host_name("cx.example.com.") == "cx.example.com"
    assert host_allowed("127.0.0.1:8765")
    assert host_allowed("cx.example.com", frozenset({"cx.example.com"}))
    assert not host_allowed(None)
    assert not host_allowed("evil.example:8765")
    assert host_well_formed("[::1]:8765") and host_well_formed("cx.example.com")
    assert not host_well_formed("localhost:8765 x") and not host_well_formed(None)


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        (None, "127.0.0.1:8765", True),
        ("http://127.0.0.1:8765", "127.0.0.1:8765", True),
        ("https://cx.example.com", "cx.example.com", True),
        ("http://127.0.0.1:8766", "127.0.0.1:8765", False),
        ("http://evil.example", "127.0.0.1:8765", False),
        ("null", "127.0.0.1:8765", False),
        ("http://127.0.0.1:99999", "127.0.0.1:8765", False),
        ("http://127.0.0.1:8765", None, False),
    ],
)
def test_same_origin(origin: str | None, host: str | None, same: bool) -> None:
    assert same_origin(origin, host) is same


def test_tokens_compare_whole_and_never_empty() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(TOKEN[:-1], TOKEN)
    assert not token_matches("", "")
    assert not token_matches(None, TOKEN)
    assert not token_matches("é" * 10, TOKEN)


# ---------------------------------------------------------------------------- hostile input
async def test_the_websocket_route_wants_an_upgrade_and_a_bounded_screen(client: Client) -> None:
    http = await client()
    assert (await http.get("/ws")).status == 400  # no upgrade: a clean 400, no traceback
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    huge = await http.get("/ws?width=20000&height=20000", headers=upgrade)
    assert huge.status == 400 and "at most 1000x500" in await huge.text()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('["stdin", "q"]', ("stdin", "q")),
        ('["resize", {"width": 120, "height": 40}]', ("resize", (120, 40))),
        ('["resize", {"width": 20000, "height": 20000}]', None),  # gigabytes of screen
        ('["resize", {"width": "80", "height": 0}]', None),
        ('["ping", "1"]', ("ping", "1")),
        ('["focus"]', ("focus", None)),
        ("not json", None),
        ('["stdin", 5]', None),
        ('{"stdin": "q"}', None),
        ("[]", None),
        ('["exec", "rm"]', None),
        ("[" * 100_000 + "]" * 100_000, None),  # too deep for json.loads: no exception
    ],
)
def test_browser_messages_are_checked_before_the_app_sees_them(text: str, found: Any) -> None:
    assert browser_message(text) == found


def test_a_logged_error_is_one_line_with_the_token_masked() -> None:
    import logging

    try:
        raise ValueError(f"Got more than 8190 bytes: b'/?token={TOKEN}&pad=AAA'")
    except ValueError:
        record = logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1,
                                   "Error handling request from %s", ("127.0.0.1",),
                                   sys.exc_info())  # fmt: skip
    assert OneLineWithoutToken(TOKEN).filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert TOKEN not in text and "token=***" in text
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith("Error handling request from 127.0.0.1: ValueError: ")

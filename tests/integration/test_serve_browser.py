"""The served app in a real headless Chromium: the same session as in a terminal.

``cxdaily serve`` runs as a child process on a free port; the system's Chromium loads the
page and types into its terminal over the DevTools protocol (``browser_kit.py``). The
tests read the terminal's text from the page, check what the session wrote in the store,
and that a second tab, a request without the token and a page of another site are
refused. The start screen's screenshot is saved under ``tests/artifacts/``.

Under ``CI=1`` a missing Chromium fails these tests (``.ci/run`` installs it); elsewhere
they are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from cxdaily.core.models import ReplyState
from cxdaily.paths import DEMO_PROFILE
from cxdaily.service import Service
from cxdaily.ui.serve.pages import SESSION_ELSEWHERE
from tests.integration.browser_kit import HeadlessChromium, ServedApp, Tab, find_chromium, free_port
from tests.integration.keyring_kit import sandbox_env

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: The start screen's headline on the demo inbox at the tests' fixed instant.
HEADLINE = "cxdaily · Saturday 21 November · demo inbox"
REPLY = "Thank you for writing to us about this, Margaret."
#: A question of the batch on the start screen (its estimate, then why it is there):
#: ``~3 min · churn, ...`` (the summary line's ``budget 30 min · `` shows before it).
BATCH_READY = re.compile(r"~\d+ min · ")
#: The start screen of a profile with no channel.
NO_CHANNEL = "No channel is connected yet"


@pytest.fixture
async def chromium(tmp_path: Path) -> AsyncIterator[HeadlessChromium]:
    """The system's headless Chromium in a throwaway profile."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no Chromium here: `apt-get install chromium` runs the browser tests")
    browser = await HeadlessChromium(executable, tmp_path / "chromium").start()
    try:
        yield browser
    finally:
        await browser.stop()


@pytest.fixture
def serve_env(subprocess_env: dict[str, str], home: Path, tmp_path: Path) -> dict[str, str]:
    """The child's environment: this checkout, the fixed clock, a sandbox keyring; replies
    go out at once (the clock is fixed, so an undo window would never end)."""
    (home / "config.toml").write_text("[session]\nundo_seconds = 0\n")
    return {**subprocess_env, **sandbox_env(tmp_path)}


@pytest.fixture
def demo_server(serve_env: dict[str, str], tmp_path: Path) -> Iterator[ServedApp]:
    """``cxdaily serve --demo`` on a free loopback port; it must stop cleanly (exit 0)."""
    served = ServedApp(serve_env, "--demo", "--port", str(free_port()), folder=tmp_path).start()
    try:
        yield served
    finally:
        assert served.stop() == 0, served.error_output()


def save_artifact(shot: Path) -> Path:
    """Copy a screenshot to ``tests/artifacts/`` and say where it is."""
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / shot.name
    shutil.copyfile(shot, kept)
    print(f"screenshot: {kept}")
    return kept


async def open_app(tab: Tab, url: str) -> str:
    """Load the page and wait for the start screen with its batch; the screen's text."""
    await tab.navigate(url)
    return await tab.wait_for_match(BATCH_READY, timeout=90)


def headline_of(screen: str) -> str:
    """The start screen's title line as the terminal shows it ("" when none shows)."""
    return next(
        (ln.strip() for ln in screen.splitlines() if ln.strip().startswith("cxdaily ·")), ""
    )


async def page_status(tab: Tab, path: str = "/") -> int:
    """The HTTP status the page's own origin answers ``path`` with (same cookies)."""
    return await tab.evaluate(f"fetch({path!r}, {{cache: 'no-store'}}).then(r => r.status)")


async def wait_for_sent(text: str, timeout: float = 60) -> list:
    """Wait until the demo store holds a sent reply with ``text``; the matching replies."""
    deadline = time.monotonic() + timeout
    while True:
        with Service.open(DEMO_PROFILE, read_only=True) as service:
            found = [reply for reply in service.outbox() if reply.body.strip() == text]
        if any(reply.state == ReplyState.SENT for reply in found):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"no sent reply {text!r} in the store; found {found}")
        await asyncio.sleep(0.5)


async def test_a_session_in_the_browser_answers_a_question(
    chromium: HeadlessChromium, demo_server: ServedApp, tmp_path: Path
) -> None:
    assert demo_server.token_url is None, "loopback asks for no token"
    tab = await chromium.new_tab()
    screen = await open_app(tab, demo_server.url)
    assert headline_of(screen) == HEADLINE
    origin = f"{urlsplit(demo_server.url).scheme}://{urlsplit(demo_server.url).netloc}"
    loaded = await tab.evaluate("performance.getEntriesByType('resource').map(entry => entry.name)")
    assert loaded and all(name.startswith(origin) for name in loaded), loaded
    assert await tab.evaluate("document.fonts.check('16px \"Roboto Mono\"')")
    assert await tab.evaluate(
        "[...document.fonts].some(f => f.family.includes('Roboto Mono') && f.status === 'loaded')"
    ), "the terminal's font comes from the page's own origin"
    shot = save_artifact(await tab.screenshot(tmp_path / "serve-start-screen.png"))
    assert shot.stat().st_size > 10_000, "the screenshot shows the app"

    await tab.focus_terminal()
    await tab.press("enter")
    await tab.wait_for_text("to go", timeout=30)  # the session's clock line
    await tab.press("j")
    await tab.press("r")
    await tab.wait_for_text("Send", timeout=30)  # the composer's footer
    await tab.type_text(REPLY)
    await tab.wait_for_text("Margaret.", timeout=30)
    await tab.press("ctrl+s")

    replies = await wait_for_sent(REPLY)
    assert len(replies) == 1, "sent once"

    second = await chromium.new_tab()
    await second.navigate(demo_server.url)
    refusal = await second.wait_for("document.querySelector('#refusal')?.textContent")
    assert refusal == SESSION_ELSEWHERE
    assert await page_status(second) == 409
    assert await tab.screen_text(), "the first tab's session goes on"


async def test_a_second_tab_never_starts_a_second_writer(
    chromium: HeadlessChromium, demo_server: ServedApp
) -> None:
    first = await chromium.new_tab()
    await open_app(first, demo_server.url)
    url = demo_server.url
    rebound = {"Host": f"rebound.example:{urlsplit(url).port}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "ws") as response:
            assert response.status == 409, "the websocket too refuses a second session"
        async with session.get(url, headers={"Origin": "http://evil.example"}) as response:
            assert response.status == 403, "a page of another site is refused"
        async with session.get(url, headers=rebound) as response:
            assert response.status == 403, "a rebound DNS name is refused on loopback"
    assert await first.screen_text()

    assert demo_server.stop() == 0, demo_server.error_output()
    with Service.open(DEMO_PROFILE) as service:  # the served session released the lock
        assert service.outbox() == []


async def test_the_html_digest_opens_in_a_new_tab(
    chromium: HeadlessChromium, demo_server: ServedApp
) -> None:
    tab = await chromium.new_tab()
    await open_app(tab, demo_server.url)
    await tab.focus_terminal()
    await tab.press("D")
    await tab.wait_for_text("Digest · ", timeout=30)
    await tab.wait_for_text("In a tab", timeout=30)  # the key shows when served
    before = await chromium.targets()
    await tab.press("o")
    opened = await chromium.wait_for_new_target(before, timeout=30)
    assert urlsplit(opened["url"]).path.startswith("/download/")
    digest = await chromium.attach(opened)
    title = await digest.wait_for("document.title", timeout=30)
    assert title.startswith("Customer insights · 14 Nov 2026")  # the last 7 days
    assert await digest.evaluate("document.contentType") == "text/html"
    assert await digest.evaluate("document.scripts.length") == 0


async def test_a_non_loopback_bind_asks_for_the_token(
    chromium: HeadlessChromium, serve_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port("0.0.0.0")
    args = ("--demo", "--host", "0.0.0.0", "--port", str(port))
    served = ServedApp(serve_env, *args, folder=tmp_path).start()
    try:
        assert served.token_url is not None, "a new token is shown once"
        token = parse_qs(urlsplit(served.token_url).query)["token"][0]
        assert len(token) >= 40
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            for path in ("/", "/ws", "/static/js/textual.js", f"/?token={token[:-1]}x"):
                async with session.get(base + path, allow_redirects=False) as response:
                    assert response.status == 401, path

        tab = await chromium.new_tab()
        await tab.navigate(base + "/")
        refusal = await tab.wait_for("document.querySelector('#refusal')?.textContent")
        assert "access token" in refusal

        screen = await open_app(tab, f"{base}/?token={token}")
        assert headline_of(screen) == HEADLINE
        assert await tab.evaluate("location.search") == "", "the token leaves the address"
        assert "cxdaily_serve" not in await tab.evaluate("document.cookie"), "HttpOnly"
    finally:
        assert served.stop() == 0, served.error_output()

    again = ServedApp(serve_env, *args, folder=tmp_path).start()
    try:
        assert again.token_url is None, "the kept token is not shown again"
        async with (
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session,
            session.get(f"http://127.0.0.1:{port}/?token={token}") as response,
        ):
            assert response.status == 200, "the kept token still opens the app"
    finally:
        assert again.stop() == 0, again.error_output()


async def test_a_session_that_ends_frees_the_store_for_the_next_tab(
    chromium: HeadlessChromium, serve_env: dict[str, str], tmp_path: Path
) -> None:
    served = ServedApp(serve_env, "--port", str(free_port()), folder=tmp_path).start()
    try:
        tab = await chromium.new_tab()
        await tab.navigate(served.url)
        await tab.wait_for_text(NO_CHANNEL, timeout=90)
        await tab.focus_terminal()
        await tab.press("q")  # the leader quits: that app ends (its tab shows it closed)
        await tab.wait_for("document.body.classList.contains('-closed')", timeout=30)
        # its process quits and lets the store go: the next tab gets a session, not a 409
        await tab.wait_for("fetch('/').then(r => r.status === 200)", timeout=30)
        await tab.navigate(served.url)
        await tab.wait_for_text(NO_CHANNEL, timeout=90)
    finally:
        assert served.stop() == 0, served.error_output()

"""Sending the digest from the app: the send dialog of the digest screen (destinations
with their last send, tick all or some, one line per outcome; without destinations, how to
configure one), and the start screen's weekly offer on the digest day and after.

Destinations are JSON webhooks answered by a mock transport through the service's HTTP
client factory; the clock is moved with ``CXDAILY_NOW``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from textual.widgets import SelectionList, Static

from cxdaily.connectors.http import make_client
from cxdaily.insights.delivery.model import PeriodRecord, PeriodState
from cxdaily.service import Service
from cxdaily.ui.modals.digest_send import DigestSendScreen
from cxdaily.ui.screens.digest import DigestScreen
from cxdaily.ui.screens.start import StartScreen
from tests.ui.pilot_kit import (
    SMALL,
    footer_line,
    make_app,
    open_digest,
    plain,
    screen_lines,
    settle,
    tag_three,
    wait_for_start,
)

HOOKS = """
[destinations.hook]
kind = "webhook"
format = "json"
url = "https://hooks.example/in"

[destinations.down]
kind = "webhook"
format = "json"
url = "https://down.example/in"
"""
THURSDAY = "2026-11-26T08:00:00Z"
FRIDAY = "2026-11-27T08:00:00Z"
LAST_WEEK = "2026-11-13T04:00:00Z..2026-11-20T04:00:00Z"  # days start at 04:00


class Hooks:
    """The mock receiver: hooks.example answers 200, down.example 500; keeps each body."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[dict]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.bodies.setdefault(host, []).append(json.loads(request.content))
        return httpx.Response(500 if host == "down.example" else 200, json={"ok": True})


@pytest.fixture
def hooks() -> Hooks:
    return Hooks()


@pytest.fixture
def open_service(
    write_config: Callable[[str], Path], hooks: Hooks
) -> Iterator[Callable[..., Service]]:
    """Writes the config (the two hooks by default) and opens the demo profile with the
    mock receiver (closed after the test)."""
    opened: list[Service] = []

    def open_it(config: str = HOOKS) -> Service:
        write_config(config)
        transport = httpx.MockTransport(hooks)
        service = Service.open("demo", make_client=lambda: make_client(transport=transport))
        opened.append(service)
        return service

    yield open_it
    for service in opened:
        service.close()


async def open_send_dialog(app, pilot) -> DigestSendScreen:
    await pilot.press("s")
    await settle(app, pilot)
    assert isinstance(app.screen, DigestSendScreen), app.screen
    return app.screen


def result_text(dialog: DigestSendScreen) -> str:
    return plain(dialog.query_one("#send-result", Static))


async def test_send_from_the_digest_screen_shows_a_line_per_destination(
    open_service: Callable[..., Service], hooks: Hooks
) -> None:
    service = open_service()
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_three(service, hostile="Write to jane.doe@example.com")
        digest = await open_digest(app, pilot)
        assert digest.period_label() == "Digest week"  # the week's digest is due
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        dialog = await open_send_dialog(app, pilot)
        what = plain(dialog.query_one("#send-what"))
        assert "Last 7 days · all teams · all tags" in what and "16 Nov 2026" in what
        chosen = dialog.query_one("#send-list", SelectionList)
        assert chosen.selected == ["hook", "down"]  # all ticked at first
        prompt = chosen.get_option_at_index(0).prompt.plain
        assert "hook  JSON digest to hooks.example" in prompt and "never sent" in prompt
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        lines = result_text(dialog).splitlines()
        assert lines[0].startswith("hook: sent (JSON digest") and "16 Nov 2026" in lines[0]
        assert lines[1].startswith("down: ") and "500" in lines[1]
        assert recorder.find("Digest sent to 1 of 2 destinations.")
        # the rows say what just went out, and no key offers to send again
        prompt = chosen.get_option_at_index(0).prompt.plain
        assert "never sent" not in prompt and "(sent)" in prompt, prompt
        footer = screen_lines(app)[-1]
        assert "Send" not in footer and "All" not in footer, footer
        (sent,) = hooks.bodies["hooks.example"]
        assert len(sent["insights"]) == 3
        assert "jane.doe" not in json.dumps(sent)  # redacted
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is digest
        # The next time, the dialog shows what went out; nothing is sent twice.
        dialog = await open_send_dialog(app, pilot)
        prompt = dialog.query_one("#send-list", SelectionList).get_option_at_index(0).prompt
        assert "last: 16 Nov 2026" in prompt.plain and "(sent)" in prompt.plain
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "hook: already sent on" in result_text(dialog)
        assert len(hooks.bodies["hooks.example"]) == 1


async def test_tick_some_or_none(open_service: Callable[..., Service], hooks: Hooks) -> None:
    service = open_service()
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await open_digest(app, pilot)
        dialog = await open_send_dialog(app, pilot)
        await pilot.press("a")  # every one was ticked: none now
        assert dialog.query_one("#send-list", SelectionList).selected == []
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert recorder.find("Tick at least one destination.") and not hooks.bodies
        await pilot.press("space")  # the highlighted one: hook
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert result_text(dialog).startswith("hook: sent")
        assert list(hooks.bodies) == ["hooks.example"]


async def test_without_destinations_the_dialog_says_how_to_add_one(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await open_digest(app, pilot)
        dialog = await open_send_dialog(app, pilot)
        text = result_text(dialog)
        assert "No destination is configured" in text and "[destinations.NAME]" in text
        assert '"Sending the digest" in the README' in text
        # nothing to send to: no Send button, and the footer offers no key that does nothing
        assert not dialog.query_one("#send-confirm").display
        footer = footer_line(app)
        assert "Send" not in footer and "All" not in footer and "esc" in footer, footer
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DigestScreen)


def offer_line(app) -> Static:
    assert isinstance(app.screen, StartScreen)
    return app.screen.query_one("#start-digest", Static)


async def test_the_start_screen_offers_the_week_on_the_digest_day_not_the_day_before(
    open_service: Callable[..., Service], hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXDAILY_NOW", THURSDAY)
    service = open_service('[digest]\nday = "friday"\n' + HOOKS.split("[destinations.down]")[0])
    (outcome,) = service.send_digest()  # the week of 13 to 19 Nov went out
    assert outcome.ok and outcome.period.key == LAST_WEEK
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await settle(app, pilot)
        assert offer_line(app).display is False
        assert app.screen.check_action("send_digest_week", ()) is False
    monkeypatch.setenv("CXDAILY_NOW", FRIDAY)
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await settle(app, pilot)
        line = offer_line(app)
        assert line.display is True
        assert plain(line) == (
            "Friday: the week's digest is ready for 1 destination — s to send, D to read it"
        )
        digest = await open_digest(app, pilot)
        assert digest.period_label() == "Digest week"
        assert "20 Nov 2026 – 26 Nov 2026" in digest.markdown
        await pilot.press("escape")
        await pilot.pause()
        dialog = await open_send_dialog(app, pilot)
        assert "20 Nov 2026 – 26 Nov 2026" in plain(dialog.query_one("#send-what"))
        assert dialog.query_one("#send-list", SelectionList).selected == ["hook"]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert result_text(dialog).startswith("hook: sent (JSON digest")
        assert recorder.find("Digest sent to 1 of 1 destination.")
        await pilot.press("escape")
        await settle(app, pilot)
        assert offer_line(app).display is False  # sent: nothing left to offer
        assert len(hooks.bodies["hooks.example"]) == 2


async def test_a_held_destination_is_shown_with_what_to_do(
    open_service: Callable[..., Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXDAILY_NOW", FRIDAY)
    service = open_service()
    at = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    service.delivery.repository.save_period(
        PeriodRecord(
            destination="down",
            kind="webhook",
            period="2026-11-20T04:00:00Z..2026-11-27T04:00:00Z",
            label="20 Nov 2026 – 26 Nov 2026 (UTC)",
            state=PeriodState.UNKNOWN,
            attempts=1,
            updated_at=at,
            error="the request timed out",
        )
    )
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await settle(app, pilot)
        first, held = plain(offer_line(app)).splitlines()
        assert first.startswith("Friday: the week's digest is ready for 1 destination")
        assert held == (
            "down is held (an earlier send may have gone out): check down, then "
            "`cxdaily digest --send down --again` sends it anyway"
        )

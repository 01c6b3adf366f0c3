"""The app says why a reply did not go out (issue 11, item 10).

A reply whose attempt failed in any way (here: a connector that raises an exception
nothing expected) is shown as ``failed`` with its reason in the promises-and-outbox
screen, toasted when the leader retries it, counted in the ledger line, and never shown
as "sending · waiting to be sent". A reply the store still says is ``sending`` (a crash
mid-post) is shown as interrupted.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from textual.widgets import OptionList

from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.models import Reply, ReplyState
from cxdaily.service import Service
from cxdaily.ui.outbox_status import flushed_messages, ledger_line, retry_due
from cxdaily.ui.screens.promises import PromisesScreen, reply_prompt
from tests.ui.pilot_kit import SMALL, UI_NOW, WIDE, make_app, screen_text, settle

REASON = "demo: the attempt failed unexpectedly (RecursionError: maximum recursion depth)"


def stored_reply(**changes) -> Reply:
    base = Reply(
        id="r1",
        question_id="demo:q1",
        channel="demo",
        body="Thanks!",
        state=ReplyState.QUEUED,
        created_at=UI_NOW,
        updated_at=UI_NOW,
        idempotency_key="k1",
    )
    return base.with_changes(**changes)


def test_a_failed_reply_shows_its_whole_reason():
    long_reason = "portal: POST https://portal.example.com/" + "a" * 150 + " answered garbage"
    failed = stored_reply(
        state=ReplyState.FAILED,
        attempts=1,
        error=long_reason,
        next_attempt_at=UI_NOW + timedelta(minutes=2),
    )
    shown = reply_prompt(failed, UI_NOW).plain
    assert shown.startswith("failed · r1 · ")
    assert f"{long_reason}; next try in 2 min" in shown
    rate_limited = failed.with_changes(next_attempt_at=UI_NOW + timedelta(hours=24))
    assert "; next try in 24 h" in reply_prompt(rate_limited, UI_NOW).plain


def test_a_held_reply_also_shows_the_error_that_led_to_the_hold():
    held = stored_reply(
        state=ReplyState.FAILED, uncertain=True, hold="it may have reached demo", error=REASON
    )
    shown = reply_prompt(held, UI_NOW).plain
    assert "held" in shown and f"it may have reached demo; last error: {REASON}" in shown


def test_a_reply_left_sending_is_shown_as_interrupted_unless_it_is_being_sent():
    sending = stored_reply(state=ReplyState.SENDING, attempts=1)
    shown = reply_prompt(sending, UI_NOW).plain
    assert shown.startswith("interrupted") and "waiting to be sent" not in shown
    assert "outcome" in shown
    assert reply_prompt(sending, UI_NOW, in_flight=True).plain.startswith("sending")
    assert "waiting to be sent" in reply_prompt(stored_reply(), UI_NOW).plain


def test_the_flush_message_and_the_ledger_line_name_the_failure():
    failed = stored_reply(state=ReplyState.FAILED, attempts=1, error=REASON)
    ((message, severity),) = flushed_messages([failed])
    assert severity == "warning" and f"1 reply still in the outbox ({REASON})" in message
    two = flushed_messages([failed, failed.with_changes(id="r2")])
    assert f"2 replies still in the outbox (first: {REASON})" in two[0][0]
    line = ledger_line([failed, stored_reply(id="r3")], [], UI_NOW.date()).plain
    assert "outbox: 2 unsent, 1 failed" in line


async def test_an_unexpected_exception_is_shown_as_a_failed_reply_with_its_reason(
    service: Service, monkeypatch
) -> None:
    await asyncio.to_thread(service.refresh)
    first, second = (item.question.id for item in service.batch().items[:2])
    queued = service.queue_reply(first, "On it, the export is fixed.")

    async def broken(self, question, body, key):
        raise RecursionError("maximum recursion depth")

    monkeypatch.setattr(DemoConnector, "send_reply", broken)
    app, recorder = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)  # the start screen flushes the outbox: it fails
        assert recorder.find(f"1 reply still in the outbox ({REASON})")
        crashed = service.queue_reply(second, "Crashed mid-post")
        service.store.outbox.save(crashed.with_changes(state=ReplyState.SENDING, attempts=1))
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PromisesScreen)
        text = screen_text(app)
        assert "interrupted" in text and "sending · waiting to be sent" not in text
        assert f"failed · {queued.id}" in text and f"{REASON}; next try in 1 min" in text
        outbox = app.screen.query_one("#promises-outbox", OptionList)
        outbox.focus()
        outbox.highlighted = [r.id for r in app.screen.unsent].index(queued.id)
        await pilot.press("r")
        await settle(app, pilot)
        stored = service.find_reply(queued.id)
        assert (stored.state, stored.attempts, stored.error) == (ReplyState.FAILED, 2, REASON)
        assert recorder.find(f"Not sent yet: {REASON}")
        assert "2 attempts" in screen_text(app)


async def test_the_periodic_retry_tells_an_unexpected_error(service: Service, monkeypatch) -> None:
    def broken() -> list[Reply]:
        raise KeyError("id")

    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(service, "send_pending", broken)
        retry_due(app)
        await settle(app, pilot)
        assert recorder.find("unexpected KeyError: 'id'")

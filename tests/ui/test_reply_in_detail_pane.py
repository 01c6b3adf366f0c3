"""The detail pane shows the reply the leader sent (issue 13, item 15): its text, when it
went (how long ago and the local time) and the service's link; before it goes out, where
it is (queued, sending, failed, held) with its attempts and the reason. "Send now"
updates the pane in place."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from cxdaily.connectors.base import SentReply
from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.service import Service
from cxdaily.ui.outbox_status import send_now
from cxdaily.ui.question_parts import reply_content
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.widgets.question_view import QuestionView
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    WIDE,
    assert_cells_safe,
    assert_terminal_safe,
    begin,
    make_app,
    settle,
    shown_part,
    type_text,
)

REPLY = "Fixed on our side, sorry for the double charge!"
LINK = "https://support.example.com/replies/42"
REASON = "demo: the service answered HTTP 502 (bad gateway)"


def stored(**changes) -> Reply:
    base = Reply(
        id="r1",
        question_id="demo:q1",
        channel="demo",
        body=REPLY,
        state=ReplyState.QUEUED,
        created_at=UI_NOW,
        updated_at=UI_NOW,
        idempotency_key="k1",
    )
    return base.with_changes(**changes)


async def answer_first(app, pilot, screen: SessionScreen) -> str:
    """Reply to the highlighted question with the documented keys, then come back to it."""
    question_id = screen.current().question.id
    await pilot.press("r")
    await pilot.pause()
    await type_text(pilot, REPLY)
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    await pilot.press("k")  # the selection moved on: back to the answered question
    await settle(app, pilot)
    assert screen.current().question.id == question_id
    return question_id


# ----------------------------------------------------------------------------- the words
def test_a_sent_reply_says_when_in_the_home_zone_and_links_to_the_service():
    sent = stored(
        state=ReplyState.SENT, attempts=1, sent_at=UI_NOW - timedelta(minutes=5), remote_url=LINK
    )
    shown = reply_content(sent, UI_NOW, ZoneInfo("Europe/Berlin")).plain
    first, *rest = shown.splitlines()
    assert first == "Your reply, sent 5 min ago (Mon 23 Nov, 08:55)"
    assert rest == [REPLY, f"Link: {LINK}"]


@pytest.mark.parametrize(
    ("changes", "heading", "reason"),
    [
        ({}, "queued · no attempt yet", "waiting to be sent"),
        (
            {
                "state": ReplyState.FAILED,
                "attempts": 2,
                "error": REASON,
                "next_attempt_at": UI_NOW + timedelta(minutes=3),
            },
            "failed · 2 attempts",
            f"{REASON}; next try in 3 min",
        ),
        (
            {"state": ReplyState.FAILED, "attempts": 1, "hold": "it may have reached demo"},
            "held · 1 attempt",
            "it may have reached demo",
        ),
        (
            {"state": ReplyState.SENDING, "attempts": 1},
            "interrupted · 1 attempt",
            "the last attempt stopped before its outcome was known",
        ),
    ],
    ids=["queued", "failed", "held", "interrupted"],
)
def test_an_unsent_reply_says_where_it_is_its_attempts_and_why(changes, heading, reason):
    shown = reply_content(stored(**changes), UI_NOW).plain.splitlines()
    assert shown[0] == f"Your reply is in the outbox: {heading} · p to review"
    assert shown[1].startswith(reason)
    assert shown[2] == REPLY


def test_a_reply_being_sent_by_this_app_says_so():
    sending = stored(state=ReplyState.SENDING, attempts=1)
    shown = reply_content(sending, UI_NOW, in_flight=True).plain.splitlines()
    assert shown[:2] == [
        "Your reply is in the outbox: sending · 1 attempt · p to review",
        "being sent now",
    ]


# ----------------------------------------------------------------------------- in the app
async def test_the_pane_shows_the_sent_reply_its_time_and_link(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def with_link(self, question, body, idempotency_key):
        return SentReply(remote_id="42", url=LINK)

    monkeypatch.setattr(DemoConnector, "send_reply", with_link)
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await answer_first(app, pilot, screen)
        shown = shown_part(screen, "reply")
        assert "Your reply, sent just now (Mon 23 Nov, 08:00)" in shown
        assert REPLY in shown and f"Link: {LINK}" in shown
        assert REPLY in assert_terminal_safe(app)

        await pilot.press("j")  # another question has no reply: nothing is shown
        await settle(app, pilot)
        assert shown_part(screen, "reply") == ""


async def test_a_failed_reply_shows_why_and_send_now_updates_the_pane(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send = DemoConnector.send_reply

    async def bad_gateway(self, question, body, idempotency_key):
        raise ConnectorError("the service answered HTTP 502 (bad gateway)", channel="demo")

    monkeypatch.setattr(DemoConnector, "send_reply", bad_gateway)
    app, recorder = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await begin(app, pilot)
        question_id = await answer_first(app, pilot, screen)
        customer = screen.current().question.author.name
        shown = shown_part(screen, "reply")
        assert "Your reply is in the outbox: failed · 1 attempt" in shown
        assert REASON in shown and "next try in" in shown and REPLY in shown
        assert recorder.find(f"the reply to {customer}, 1 attempt"), recorder.messages

        monkeypatch.setattr(DemoConnector, "send_reply", real_send)
        (reply,) = service.unsent_replies()
        send_now(app, reply.id)
        await settle(app, pilot)
        assert recorder.find(f"Sending the reply to {customer}…"), recorder.messages
        assert recorder.find(f"Reply sent (to {customer})."), recorder.messages
        assert screen.current().question.id == question_id, "the pane stayed where it was"
        assert "Your reply, sent just now" in shown_part(screen, "reply")


async def test_a_hostile_reply_is_shown_literally(service: Service) -> None:
    hostile = "Done [@click=app.quit]x[/] [link=https://evil.example]y[/link] \x1b]52;c;SGk=\x07 ok"
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        question_id = screen.current().question.id
        service.send(service.queue_reply(question_id, hostile))
        screen.show_current()
        await settle(app, pilot)
        view = screen.query_one(QuestionView)
        shown = view.section("reply").plain
        assert "[@click=app.quit]x[/]" in shown and "[link=https://evil.example]y[/link]" in shown
        assert "SGk=" not in shown and "\x1b" not in shown
        for strip in view.drawn_lines():
            assert_cells_safe(strip, view)
        assert_terminal_safe(app)
        assert app.is_running

"""The checks between the composer and the outbox, driven with the documented keys: the
live counter and the length refusal, the risky-words confirmation, the collision guard,
and the promises-and-outbox screen."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from textual.widgets import OptionList, TextArea

from cxdaily.connectors.demo import DemoConnector
from cxdaily.core.models import Author, Message, ReplyState
from cxdaily.service import Service
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.screens.promises import PromisesScreen
from cxdaily.ui.widgets.reply_composer import ReplyComposer, ReplySetup, counter_content
from tests.ui.pilot_kit import (
    RISKY_REPLY,
    SMALL,
    UI_NOW,
    WIDE,
    assert_terminal_safe,
    begin,
    composer_of,
    composing,
    highlight_by_reach,
    make_app,
    plain,
    screen_text,
    settle,
    type_text,
    write_and_send,
)


def test_the_counter_counts_the_signature_and_turns_red_over_the_limit():
    plain_count = counter_content("Thanks!", 280, None)
    assert plain_count.plain.startswith("7 / 280  ctrl+s send")
    signed_count = counter_content("Thanks!", 280, "— Dana", public=True)
    assert signed_count.plain.startswith("15 / 280 · with signature · public reply")
    over = counter_content("x" * 12, 10, None)
    assert "12 / 10  2 over the limit" in over.plain
    assert counter_content("   ", None, "— Dana").plain.startswith("0 characters")


async def test_a_reply_over_the_limit_is_refused_in_the_composer(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        question = screen.items[0].question
        screen.query_one(ReplyComposer).open(
            ReplySetup(question, "", 20, lambda body: None, signature="— Dana")
        )
        await pilot.pause()
        assert composer_of(app).question_id == question.id
        await type_text(pilot, "Twelve chars")
        await pilot.pause()
        counter = plain(app.screen.query_one("#composer-counter"))
        assert counter.startswith("20 / 20 · with signature")
        await type_text(pilot, "!")
        await pilot.pause()
        assert "21 / 20  1 over the limit" in plain(app.screen.query_one("#composer-counter"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert composing(app), "refused: the composer stays open"
        assert recorder.find("Not sent: 21 characters with the signature")
        assert recorder.find("accepts at most 20. Cut 1.")


async def test_risky_words_in_a_public_reply_need_a_confirmation(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        qid = await highlight_by_reach(screen, pilot, public=True)
        await pilot.press("r")
        await pilot.pause()
        assert "public reply" in plain(app.screen.query_one("#composer-counter"))
        await type_text(pilot, RISKY_REPLY)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "risky"
        findings = plain(app.screen.query_one("#risky-findings"))
        for words in ('promise "I\'ll"', 'date    "Friday"', 'refund  "refund"'):
            assert words in findings, findings
        assert_terminal_safe(app)
        await pilot.press("e")  # back to the composer, text intact
        await pilot.pause()
        assert composing(app)
        assert app.screen.query_one(TextArea).text == RISKY_REPLY
        assert service.outbox() == []
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is screen and not composing(app)
        assert screen.statuses[qid] == "answered"
        assert recorder.find("Reply sent.")
        (reply,) = service.outbox()
        assert reply.state is ReplyState.SENT and reply.checked_at == UI_NOW
        (promise,) = service.promises()
        assert promise.text == "I'll check with the team by Friday and refund the fee."

        await pilot.press("p")  # the ledger shows it; d marks it kept
        await pilot.pause()
        assert isinstance(app.screen, PromisesScreen)
        text = screen_text(app)
        assert "Open promises (1)" in text and "I'll check with the team" in text
        assert "Unsent replies (0)" in text
        assert app.screen.check_action("keep_promise", ()) is True
        assert app.screen.check_action("cancel_reply", ()) is None  # no unsent reply: dimmed
        await pilot.press("d")
        await pilot.pause()
        assert service.promises() == [] and recorder.find("Promise kept.")
        # nothing left to keep: d is dimmed, and pressing it does nothing
        assert app.screen.check_action("keep_promise", ()) is None
        await pilot.press("d")
        await pilot.pause()
        assert not recorder.find("No promise selected.")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_a_private_reply_goes_out_without_the_risky_words_check(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await write_and_send(screen, pilot, RISKY_REPLY, public=False)
        await settle(app, pilot)
        assert app.screen is screen and recorder.find("Reply sent.")


async def test_an_answer_by_the_team_is_shown_before_sending(service: Service, monkeypatch) -> None:
    hostile = "Refunded [b]today[/b] \x1b]52;c;aGk=\x07 [@click=app.quit]x[/]"

    async def answered(self, question, since):
        return [Message(Author(name="Sam [support]"), hostile, UI_NOW)]

    monkeypatch.setattr(DemoConnector, "answers_since", answered)
    app, recorder = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await begin(app, pilot)
        qid = await write_and_send(screen, pilot, "On it, Ana.", public=False)
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "collision"
        shown = plain(app.screen.query_one("#collision-text"))
        assert "Sam [support] · just now" in shown and "[@click=app.quit]x[/]" in shown
        assert_terminal_safe(app)
        await pilot.press("n")  # keep mine as a draft
        await pilot.pause()
        assert app.screen is screen and not composing(app) and service.outbox() == []
        assert service.draft(qid) == "On it, Ana."
        assert recorder.find("kept as the draft")

        await pilot.press("r")  # the draft comes back; this time send anyway
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "On it, Ana."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "collision"
        await pilot.press("y")
        await settle(app, pilot)
        (reply,) = service.outbox()
        assert reply.state is ReplyState.SENT and reply.body == "On it, Ana."


async def test_unsent_replies_are_shown_and_can_be_sent_or_cancelled(
    service: Service, monkeypatch
) -> None:
    await asyncio.to_thread(service.refresh)  # the demo inbox, fetched off the event loop
    first, second = (item.question.id for item in service.batch().items[:2])
    held = service.queue_reply(first, "Written offline, waiting")
    service.store.outbox.save(held.with_changes(hold='Sam answered meanwhile: "done"'))
    cancelled = service.queue_reply(second, "Second thoughts")
    service.store.outbox.save(  # failed, and not due before the test ends
        cancelled.with_changes(
            state=ReplyState.FAILED,
            attempts=1,
            error="demo: HTTP 503",
            next_attempt_at=UI_NOW + timedelta(hours=1),
        )
    )
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PromisesScreen)
        text = screen_text(app)
        assert "Unsent replies (2)" in text, text
        assert "held" in text and "Sam answered" in text
        assert "failed" in text and "HTTP 503; next try in 60 min" in text
        outbox = app.screen.query_one("#promises-outbox", OptionList)
        outbox.focus()
        outbox.highlighted = 1
        await pilot.press("x")
        await pilot.pause()
        assert service.find_reply(cancelled.id).state is ReplyState.CANCELLED
        assert service.draft(second) == "Second thoughts"
        outbox.highlighted = 0
        await pilot.press("r")  # the leader decides: send the held one now
        await settle(app, pilot)
        assert service.find_reply(held.id).state is ReplyState.SENT
        assert recorder.find("Sending the reply to ")  # progress, then the outcome
        assert recorder.find("Reply sent (to ")
        assert "Unsent replies (0)" in screen_text(app)

"""Undo on the desk: the newest skip, snooze, hand-off or tag of the session comes back with
the question's place and state; a sent reply waits its undo window with a live countdown,
can be pulled back into the composer (nothing sent), and goes out by itself when the
window passes, after a restart too."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import TextArea

from cxdaily.core.models import ReplyState
from cxdaily.paths import DEMO_PROFILE, locations
from cxdaily.service import Service
from cxdaily.ui.keys import COMMANDS_BY_ID, KeyNames
from cxdaily.ui.modals.earlier_answers import EarlierAnswersScreen
from cxdaily.ui.modals.link_customer import LinkCustomerScreen
from cxdaily.ui.modals.past_question import PastQuestionScreen
from cxdaily.ui.modals.saved_reply_picker import SavedReplyPicker
from cxdaily.ui.screens.customer_history import CustomerHistoryScreen
from cxdaily.ui.screens.help import help_sections
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.undo_flow import status_without
from cxdaily.ui.widgets.queue import STATUSES
from cxdaily.ui.widgets.undo_countdown import UndoCountdown, countdown_content
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    a_reply,
    begin,
    composer_of,
    composing,
    find_on_screen,
    make_app,
    plain,
    screen_text,
    settle,
    start_reply,
    type_text,
)

TINY = (60, 15)
WINDOW = '[session]\ntimezone = "UTC"\nundo_seconds = {seconds}\n'


@pytest.fixture
def windowed(write_config: Callable[[str], Path]) -> Iterator[Callable[..., Service]]:
    """Open the demo profile's service with ``undo_seconds`` set; with ``running`` its
    clock runs from UI_NOW at the real pace (so windows end). Closed after the test."""
    opened: list[Service] = []

    def open_service(seconds: int, running: bool = False) -> Service:
        write_config(WINDOW.format(seconds=seconds))
        service = Service.open("demo")
        if running:
            started = time.monotonic()
            settings = service.settings
            service.close()
            service = Service(
                locations(DEMO_PROFILE),
                settings,
                now=lambda: UI_NOW + timedelta(seconds=time.monotonic() - started),
            )
        opened.append(service)
        return service

    yield open_service
    for service in opened:
        service.close()


async def send_reply(app, pilot, text: str) -> None:
    """Start a reply on the highlighted question, type ``text`` and send it."""
    await start_reply(app, pilot)
    await type_text(pilot, text)
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def tag_highlighted(app, pilot, tag: str) -> None:
    """Tag the highlighted question with ``tag`` through the insight form."""
    await pilot.press("t")
    await pilot.pause()
    await type_text(pilot, tag)
    await pilot.press("ctrl+s")
    await settle(app, pilot)


def queue_line(screen: SessionScreen, question_id: str) -> str:
    """The plain text of the queue's line of a question."""
    return screen.pane.queue.get_option(question_id).prompt.plain


def test_undoing_one_half_of_answered_and_tagged_keeps_the_other() -> None:
    assert status_without("answered+tagged", "tagged") == "answered"
    assert status_without("answered+tagged", "answered") == "tagged"
    assert status_without("skipped", "skipped") == ""
    assert status_without("answered", "skipped") == "answered"  # answered since: kept


async def test_u_with_nothing_to_undo_says_so(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await begin(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        assert recorder.find("Nothing to undo in this session.")


async def test_u_brings_a_skipped_question_back_to_its_place(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=TINY, notifications=True) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0].question
        await pilot.press("s")
        await pilot.pause()
        assert screen.statuses[first.id] == "skipped"
        assert screen.current().question.id != first.id  # moved on
        assert service.can_undo(screen.session.id)
        await pilot.press("u")
        await pilot.pause()
        assert first.id not in screen.statuses
        assert screen.current().question.id == first.id  # highlighted again, same place
        assert screen.items[0].question.id == first.id  # its place in the queue
        (toast,) = recorder.find("Skip undone")
        assert "is back" in toast["message"]
        assert not service.can_undo(screen.session.id)
        assert first.id in {i.question.id for i in service.batch().items}  # in the store too
        await pilot.pause(0.2)
        assert "Skip undone" in screen_text(app)  # the toast fits at 60x15


async def test_u_undoes_a_tag_and_then_the_skip_before_it(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        skipped = screen.items[0].question.id
        await pilot.press("s")
        await pilot.pause()
        tagged = screen.current().question.id
        await tag_highlighted(app, pilot, "billing")
        assert screen.statuses[tagged] == "tagged" and screen.tags[tagged]
        tagged_mark = STATUSES["tagged"].mark
        assert queue_line(screen, tagged).lstrip().startswith(tagged_mark)
        await pilot.press("u")
        await pilot.pause()
        assert tagged not in screen.statuses and tagged not in screen.tags
        assert queue_line(screen, tagged).lstrip().startswith("·")  # open again
        assert recorder.find("Tag undone")
        assert screen.statuses[skipped] == "skipped"  # one step at a time
        await pilot.press("u")
        await pilot.pause()
        assert skipped not in screen.statuses
        assert recorder.find("Skip undone")


async def test_a_sent_reply_counts_down_and_u_pulls_it_back(
    windowed: Callable[..., Service],
) -> None:
    service = windowed(10)
    app, recorder = make_app(service)
    async with app.run_test(size=TINY, notifications=True) as pilot:
        screen = await begin(app, pilot)
        question = screen.items[0].question
        await send_reply(app, pilot, "On it today.")
        (reply,) = service.outbox()
        assert reply.state is ReplyState.QUEUED and reply.send_after is not None
        assert screen.statuses[question.id] == "answered"
        countdown = screen.query_one(UndoCountdown)
        assert countdown.display
        shown = plain(countdown)
        assert "sending in 10 s" in shown and "u to pull back" in shown
        app.clear_notifications()  # toasts cover the bottom rows at 60x15
        await pilot.pause()
        assert find_on_screen(app, "sending in 10 s") is not None  # on screen at 60x15
        assert not recorder.find("Reply sent.")

        await pilot.press("u")
        await settle(app, pilot)
        assert composing(app)
        composer = composer_of(app)
        assert composer.question_id == question.id
        assert composer.query_one(TextArea).text == "On it today."
        (pulled,) = service.outbox()
        assert pulled.state is ReplyState.CANCELLED and pulled.attempts == 0
        assert question.id not in screen.statuses
        assert not countdown.display
        assert recorder.find("Reply pulled back: nothing was sent.")


async def test_the_reply_goes_out_by_itself_when_the_window_passes(
    windowed: Callable[..., Service],
) -> None:
    service = windowed(4, running=True)
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await send_reply(app, pilot, "Thanks, fixed now.")
        assert service.outbox()[0].state is ReplyState.QUEUED
        assert screen.query_one(UndoCountdown).display
        await pilot.pause(4.2)  # the window ends: the timer sends it
        await settle(app, pilot)
        (reply,) = service.outbox()
        assert reply.state is ReplyState.SENT and reply.attempts == 1
        assert not screen.query_one(UndoCountdown).display
        assert recorder.find("Reply sent (to ")


async def test_a_reply_in_its_window_at_start_is_shown_then_sent_when_due(
    windowed: Callable[..., Service],
) -> None:
    service = windowed(5, running=True)
    service.refresh()  # the last run fetched the questions and sent a reply just before it quit
    waiting = service.queue_reply(service.batch().items[0].question.id, "Sent before a restart.")
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        countdown = screen.query_one(UndoCountdown)
        assert countdown.display and "sending in" in plain(countdown)
        assert service.find_reply(waiting.id).state is ReplyState.QUEUED
        await pilot.pause(5.2)  # the app set its timer at start: the reply goes out when due
        await settle(app, pilot)
        assert service.find_reply(waiting.id).state is ReplyState.SENT


def test_the_countdown_names_the_newest_reply_and_counts_the_others() -> None:
    older = a_reply(id="r1", send_after=UI_NOW + timedelta(seconds=3))
    newer = a_reply(
        id="r2",
        question_id="demo:q2",
        created_at=UI_NOW + timedelta(seconds=1),
        send_after=UI_NOW + timedelta(seconds=8),
    )
    names = {"demo:q1": "Jane [b]Doe[/b]", "demo:q2": "Sam Lee"}
    shown = countdown_content([older, newer], names, UI_NOW).plain
    assert shown == "Reply to Sam Lee sending in 8 s — u to pull back (1 more waiting)"
    hostile = countdown_content([older], names, UI_NOW).plain
    assert "Jane [b]Doe[/b]" in hostile  # literal, never markup
    assert countdown_content([], names, UI_NOW).plain == ""


@pytest.mark.parametrize(
    "screen",
    [
        CustomerHistoryScreen,
        PastQuestionScreen,
        SavedReplyPicker,
        LinkCustomerScreen,
        EarlierAnswersScreen,
    ],
    ids=lambda s: s.__name__,
)
def test_the_new_screens_take_their_keys_from_the_one_table(screen: type) -> None:
    assert [b.id for b in screen.BINDINGS] == [c.id for c in screen.KEY_COMMANDS]
    for command in screen.KEY_COMMANDS:
        assert COMMANDS_BY_ID[command.id] is command


def test_help_lists_the_new_keys() -> None:
    rows = {
        (group, row.keys): row.words for group, lines in help_sections(KeyNames()) for row in lines
    }
    assert "undo the last action" in rows[("Session", "u")]
    assert "history" in rows[("Session", "c")]
    assert "saved reply" in rows[("Composer", "ctrl+o")]
    assert "earlier answers" in rows[("Composer", "ctrl+g")]
    assert ("Customer history", "l") in rows and ("Choose from a list", "enter") in rows

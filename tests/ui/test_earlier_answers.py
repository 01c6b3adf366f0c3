"""Earlier answers: when a reply is started on a question like one the leader answered
before (any channel, any time), a line in the composer says so; a key shows the earlier
question and reply; one key puts that reply into the composer as a starting point, and
nothing is sent."""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace
from textual.widgets import TextArea

from cxdaily.core.models import Author, Question
from cxdaily.history import EarlierAnswer
from cxdaily.service import Service
from cxdaily.ui.modals.earlier_answers import EarlierAnswersScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.widgets.earlier_answer import EarlierAnswerLine, earlier_line
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    assert_terminal_safe,
    begin,
    composer_of,
    find_on_screen,
    make_app,
    plain,
    screen_text,
    settle,
    start_reply,
)
from tests.unit.history.history_kit import reply as sent_reply

TINY = (60, 15)
ANSWER = "Thanks for asking: Settings > Plan shows the change, and I can walk you through it."


def answered_before(service: Service, question: Question, body: str = ANSWER) -> Question:
    """Store an earlier question like ``question`` (another customer, another thread,
    20 days ago) and the reply the leader sent to it."""
    earlier = replace(
        question,
        id=f"{question.channel}:earlier-1",
        native_id="earlier-1",
        thread_id="earlier-1",
        created_at=UI_NOW - timedelta(days=20),
        author=Author(id="bo", handle="bo@lind.example", name="Bo Lind"),
        context=[],
        url=None,
    )
    service.store.questions.upsert_many([earlier])
    service.store.outbox.save(sent_reply("r-earlier", earlier.id, body, days_ago=17))  # 4 Nov
    return earlier


async def reply_with_lookup(app, pilot) -> EarlierAnswerLine:
    """Start a reply and wait for the look-up; the composer's line."""
    await start_reply(app, pilot)
    await settle(app, pilot)
    return app.screen.query_one(EarlierAnswerLine)


def test_the_line_names_the_day_and_the_service() -> None:
    answer = EarlierAnswer(
        question_id="demo:1",
        reply_id="r1",
        body="x",
        sent_at=UI_NOW - timedelta(days=265),
        channel="demo",
        service="helpscout",
        question_title=None,
        question_excerpt="y",
        asked_at=UI_NOW - timedelta(days=266),
        score=0.8,
    )
    line = earlier_line([answer, answer], UI_NOW).plain
    assert line == (
        "ctrl+g: you answered something like this on 3 Mar (Help Scout) and 1 more time"
    )
    older = replace(answer, sent_at=UI_NOW - timedelta(days=400))
    assert earlier_line([older], UI_NOW).plain.endswith("on 19 Oct 2025 (Help Scout)")


async def test_an_earlier_answer_is_offered_and_starts_the_reply(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=TINY, notifications=True) as pilot:
        screen = await begin(app, pilot)
        question = screen.current().question
        answered_before(service, question)
        line = await reply_with_lookup(app, pilot)
        assert line.display and [a.reply_id for a in line.answers] == ["r-earlier"]
        assert plain(line).startswith("ctrl+g: you answered something like this on 4 Nov")
        app.clear_notifications()
        await pilot.pause()
        assert find_on_screen(app, "ctrl+g: you answered") is not None  # at 60x15

        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, EarlierAnswersScreen)
        text = screen_text(app)  # fits 60x15: what was asked, the reply, the keys
        assert "They asked:" in text and "You replied:" in text and "Thanks for asking" in text
        assert "enter choose" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert composer_of(app).query_one(TextArea).text == ANSWER
        assert recorder.find("starting point")
        assert [r.id for r in service.outbox()] == ["r-earlier"]  # nothing sent


async def test_escape_leaves_the_composer_as_it_was(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        answered_before(service, screen.current().question)
        await reply_with_lookup(app, pilot)
        await pilot.press(*"Draft")
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert composer_of(app).text == "Draft"


async def test_no_line_when_nothing_earlier_is_alike(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await begin(app, pilot)
        line = await reply_with_lookup(app, pilot)
        assert not line.display and line.answers == []
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert recorder.find("No earlier answer of yours is like this question.")


async def test_a_hostile_earlier_reply_is_shown_literally(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        hostile = f"[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07 {ANSWER}"
        answered_before(service, screen.current().question, body=hostile)
        await reply_with_lookup(app, pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        text = assert_terminal_safe(app)
        assert "[@click=app.quit]x[/]" in text and "SGVsbG8" not in text

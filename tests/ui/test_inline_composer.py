"""The composer is docked in the session: the question stays in view while the leader
writes, below the composer's editor on small terminals (down to 60x15) and beside it on
wide ones; a key scrolls the question while the editor keeps the focus; the queue marks
the questions with a saved draft."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widget import Widget
from textual.widgets import TextArea

from cxdaily.core.safe_text import clean
from cxdaily.service import Service
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.queue import DRAFT_MARK
from cxdaily.ui.widgets.reply_composer import ReplyComposer
from tests.ui.pilot_kit import (
    SMALL,
    begin,
    composer_of,
    composing,
    make_app,
    plain,
    screen_lines,
    screen_text,
    settle,
    start_reply,
    type_text,
)

TINY = (60, 15)
HUGE = (200, 50)


def visible_rows(app, widget: Widget) -> int:
    """Rows of ``widget`` inside the terminal."""
    region = widget.region.intersection(app.screen.region)
    return region.height if region.width > 0 else 0


def queue_line(screen: SessionScreen, question_id: str) -> str:
    """The plain text of the queue's line of a question."""
    queue = screen.pane.queue
    return queue.get_option(question_id).prompt.plain


def thread_item_index(screen: SessionScreen) -> int:
    """The first question of the session with earlier messages in its thread."""
    return next(i for i, item in enumerate(screen.items) if item.question.context)


async def test_at_60x15_the_reply_and_the_question_both_show(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        screen = await begin(app, pilot)
        screen.pane.queue.highlighted = thread_item_index(screen)
        await pilot.pause()
        question = screen.current().question
        composer = await start_reply(app, pilot)
        await type_text(pilot, "Hello there.")
        await pilot.pause()
        area = composer.query_one(TextArea)
        view = screen.query_one(QuestionView)
        assert visible_rows(app, area) >= 3, area.region
        assert visible_rows(app, view) >= 3, view.region
        assert not view.region.overlaps(composer.region)
        text = screen_text(app)
        assert "Hello there." in text
        assert clean(question.title or question.body)[:20] in text, text
        assert visible_rows(app, composer.query_one("#composer-counter")) >= 1
        assert "ctrl+s send" in text and "12 / " in text
        # the compact view keeps the thread's last messages, one line each
        last = question.context[-1]
        assert clean(last.author.display)[:12] in view.section("thread").plain


async def test_a_key_scrolls_the_question_while_the_editor_keeps_the_focus(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        screen = await begin(app, pilot)
        await start_reply(app, pilot)
        view = screen.query_one(QuestionView)
        assert view.max_scroll_y > 0, "at 60x15 the question is longer than its rows"
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert view.scroll_y > 0
        assert composer_of(app)  # the editor still has the focus
        await type_text(pilot, "ok")
        assert composer_of(app).text == "ok"
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert view.scroll_y == 0


async def test_at_80x24_the_composer_is_below_the_question(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        question = screen.current().question
        composer = await start_reply(app, pilot)
        view = screen.query_one(QuestionView)
        assert composer.region.y >= view.region.bottom
        assert composer.region.x == view.region.x
        assert visible_rows(app, view) >= 8 and visible_rows(app, composer.query_one(TextArea)) >= 3
        assert screen.pane.display and screen.pane.region.width > 0, "the queue stays at 80"
        assert clean(question.title or question.body)[:20] in screen_text(app)


async def test_on_a_wide_terminal_the_composer_is_beside_the_question(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=HUGE) as pilot:
        screen = await begin(app, pilot)
        composer = await start_reply(app, pilot)
        view = screen.query_one(QuestionView)
        assert composer.region.x >= view.region.right
        assert composer.region.y == view.region.y
        assert composer.query_one(TextArea).region.height >= 20
        title = view.section("title").plain or view.section("body").plain
        assert title[:20] in screen_text(app)


async def test_the_queue_marks_questions_with_a_draft(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0].question.id
        assert DRAFT_MARK not in queue_line(screen, first)
        await start_reply(app, pilot)
        await type_text(pilot, "Draft")
        await pilot.pause()
        assert DRAFT_MARK in queue_line(screen, first), "marked as soon as a draft is typed"
        for _ in "Draft":
            await pilot.press("backspace")
        await pilot.pause()
        assert DRAFT_MARK not in queue_line(screen, first), "an emptied draft is no draft"
        await type_text(pilot, "Kept for later")
        await pilot.press("escape")
        await pilot.pause()
        assert not composing(app)
        assert DRAFT_MARK in queue_line(screen, first)
        assert any(DRAFT_MARK in line for line in screen_lines(app)), "drawn on the terminal"
        await start_reply(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.statuses[first] == "answered"
        assert DRAFT_MARK not in queue_line(screen, first), "the sent reply has no draft"


async def test_a_draft_saved_before_the_session_is_marked(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        third = screen.items[2].question.id
        service.save_draft(third, "written yesterday")
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        assert DRAFT_MARK in queue_line(screen, third)
        assert DRAFT_MARK not in queue_line(screen, screen.items[0].question.id)


async def test_moving_to_another_question_closes_the_composer_and_keeps_the_draft(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0].question.id
        await start_reply(app, pilot)
        await type_text(pilot, "Half")
        screen.pane.queue.focus()
        await pilot.press("j")
        await pilot.pause()
        assert not composing(app)
        assert service.draft(first) == "Half"
        await pilot.press("r")  # the second question's reply starts empty
        await pilot.pause()
        assert composer_of(app).question_id == screen.items[1].question.id
        assert composer_of(app).text == ""


async def test_r_while_writing_elsewhere_returns_to_the_text(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        await start_reply(app, pilot)
        await type_text(pilot, "Dear Ana")
        screen.pane.queue.focus()
        composer = await start_reply(app, pilot)
        assert composer.text == "Dear Ana"


async def test_the_composer_api_sets_and_inserts_text(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        qid = screen.items[0].question.id
        await start_reply(app, pilot)
        composer = screen.query_one(ReplyComposer)
        composer.set_text("Hello Ana,\n\nThanks.")
        await pilot.pause()
        composer.query_one(TextArea).move_cursor((1, 0))
        composer.insert_text("The fix is out. ")
        await pilot.pause()
        assert composer.text == "Hello Ana,\nThe fix is out. \nThanks."
        counter = plain(composer.query_one("#composer-counter"))
        assert composer.length >= len(composer.text) and counter.startswith(f"{composer.length} ")
        await pilot.press("escape")
        await pilot.pause()
    assert service.draft(qid) == "Hello Ana,\nThe fix is out. \nThanks."


async def test_remapped_scroll_keys_scroll_the_question(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nquestion_down = "alt+j"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=TINY) as pilot:
            screen = await begin(app, pilot)
            await pilot.press("r")
            await pilot.pause()
            view = screen.query_one(QuestionView)
            await pilot.press("alt+j")
            await pilot.pause()
            assert view.scroll_y > 0
            assert composer_of(app).text == ""
    finally:
        service.close()

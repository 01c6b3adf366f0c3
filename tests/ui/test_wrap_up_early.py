"""q during a session: with questions open and time left it asks first (q or enter wraps
up, escape goes back to the session untouched); when the time is up or nothing is left it
goes straight to the wrap-up, as it always did."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from cxdaily.service import Service
from cxdaily.store import Store
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.screens.help import HelpScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from cxdaily.ui.widgets.queue import QuestionQueue
from tests.ui.pilot_kit import SMALL, begin, make_app, plain, screen_text, settle, type_text

DRAFT = "Looking into it"


def stored(service: Service, session_id: str):
    """The session as saved on disk, and the actions recorded in it."""
    with Store(service.locations.data_dir, read_only=True) as store:
        session = next(s for s in store.activity.sessions() if s.id == session_id)
        actions = [a for a in store.activity.actions() if a.session_id == session_id]
    return session, actions


def asking(app) -> bool:
    """Whether the wrap-up-early question is open."""
    return isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "endearly"


async def test_a_stray_q_then_escape_keeps_the_session_as_it_was(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        session_id = screen.session.id
        await pilot.press("s")  # one action recorded, the next question highlighted
        await pilot.pause()
        await pilot.press("r")  # a draft on it, the composer closed (the draft kept)
        await pilot.pause()
        await type_text(pilot, DRAFT)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen
        question = screen.current()
        assert question is not None and question.question.id in screen.drafted
        highlighted = screen.query_one(QuestionQueue).highlighted
        started, statuses = screen.started, dict(screen.statuses)
        _, actions_before = stored(service, session_id)

        await pilot.press("q")
        await pilot.pause()
        assert asking(app)
        text = screen_text(app)
        assert "Wrap up early?" in text
        left = len(screen.pending())
        assert plain(app.screen.query_one("#endearly-text")) == (
            f"{left} questions still open and about 30 minutes left. "
            "Wrap up now, or go back to the session?"
        )
        assert "Wrap up (q)" in text and "Back (esc)" in text
        session, _ = stored(service, session_id)
        assert session.ended_at is None, "nothing is recorded while it asks"

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen, "the same session screen, not a new one"
        assert screen.current() is question  # the same question
        assert screen.query_one(QuestionQueue).highlighted == highlighted
        assert screen.started == started and screen.session.extra_s == 0  # the same clock
        assert "left" in plain(screen.query_one("#timer"))
        assert screen.statuses == statuses
        assert question.question.id in screen.drafted
        assert service.draft(question.question.id) == DRAFT
        session, actions = stored(service, session_id)
        assert session.ended_at is None and session.reflection is None
        assert actions == actions_before
        assert not recorder.find("Session done")

        # The session goes on as before: the draft opens again, a second stray q asks again.
        await pilot.press("r")
        await pilot.pause()
        assert screen.composer.question_id == question.question.id
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert asking(app)


@pytest.mark.parametrize("confirm", ["q", "enter"])
async def test_q_or_enter_on_the_question_wraps_up_once(service: Service, confirm: str) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        session_id = screen.session.id
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert asking(app)
        await pilot.press(confirm)
        await settle(app, pilot)
        assert isinstance(app.screen, WrapUpScreen)
        assert "1 skipped" in plain(app.screen.query_one("#wrapup-summary"))
        assert app.screen.query_one(Input).value == "", "the key is not typed in the reflection"
        session, actions = stored(service, session_id)
        assert session.ended_at is not None
        assert len(actions) == 1
    with Store(service.locations.data_dir, read_only=True) as store:
        assert [s.id for s in store.activity.sessions()] == [session_id]


async def test_q_when_the_time_is_up_goes_straight_to_the_wrap_up(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        assert screen.pending()
        # The budget is spent and the clock has not asked its time-up question yet (the
        # leader was typing, say): q does not ask a second question.
        screen.clock.asked = True
        screen.started -= screen.total_s
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, WrapUpScreen), app.screen
        session, _ = stored(service, screen.session.id)
        assert session.ended_at is not None


async def test_q_when_every_question_is_done_goes_straight_to_the_wrap_up(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        for _ in screen.items:
            await pilot.press("s")  # skip
            await pilot.pause()
        assert not screen.pending() and screen.total_s - screen.elapsed_s > 0
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, WrapUpScreen), app.screen
        summary = plain(app.screen.query_one("#wrapup-summary"))
        assert f"{len(screen.items)} skipped" in summary


async def test_time_running_out_while_it_asks_brings_the_time_up_question_after(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert asking(app)
        screen.started -= screen.total_s
        screen.tick()
        await pilot.pause()
        assert asking(app), "one question at a time"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "timeup"


async def test_help_lists_the_keys_of_the_question(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(120, 50), notifications=True) as pilot:
        await begin(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Wrap up early" in text, text
        assert "q           Questions open, time left: wrap up anyway" in text
        assert "esc         Questions open, time left: back to the" in text


async def test_the_question_answers_with_remapped_keys(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nend = "x"\nearly_wrap = "y"\nearly_back = "b"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            screen = await begin(app, pilot)
            await pilot.press("x")
            await pilot.pause()
            assert asking(app)
            assert "Wrap up (y)" in screen_text(app) and "Back (b)" in screen_text(app)
            await pilot.press("b")
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("y")
            await settle(app, pilot)
            assert isinstance(app.screen, WrapUpScreen)
    finally:
        service.close()

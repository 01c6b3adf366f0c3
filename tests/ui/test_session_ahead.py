"""The session screen is built ahead while the leader reads the start screen: ``enter``
then only begins the session in it. Nothing is saved before ``enter``, the clock starts
at ``enter``, a screen built for an older batch is never shown, and a draft written in
the meantime is marked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from msgspec.structs import replace
from textual import events
from textual.geometry import Size
from textual.pilot import Pilot

from cxdaily.curation import Batch
from cxdaily.service import Service
from cxdaily.store import Store
from cxdaily.ui import session_ahead
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.screens import start as start_module
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import SCREENS_PREPARED_AFTER_S, StartScreen
from cxdaily.ui.session_ahead import DRAW_PASSES, SessionAhead
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.queue import DRAFT_MARK, QuestionQueue
from tests.ui.pilot_kit import SMALL, make_app, screen_text, wait_for_start

TEN_MINUTES = '[session]\nbudget = "10m"\n'


def saved_sessions(service: Service) -> list[str]:
    """The ids of the sessions saved on disk."""
    with Store(service.locations.data_dir, read_only=True) as store:
        return [session.id for session in store.activity.sessions()]


async def built_ahead(app: CxDailyApp, pilot: Pilot) -> tuple[StartScreen, SessionScreen]:
    """The start screen once the session screen is built ahead for its batch, and that
    screen (composed and filled, off the screen stack)."""
    start = await wait_for_start(app, pilot)
    for _ in range(100):
        screen = app.session_ahead.screen
        if screen is not None and screen.session_batch is start.todays_batch and screen.is_mounted:
            return start, screen
        await pilot.pause(0.02)
    raise AssertionError("the session screen was never built ahead")


async def test_enter_begins_the_session_in_the_screen_built_ahead(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start, ahead = await built_ahead(app, pilot)
        batch = start.todays_batch
        assert batch is not None
        first = batch.items[0].question.id
        # Built and filled, but not shown, not begun, and nothing saved.
        assert app.screen is start and ahead not in app.screen_stack
        assert ahead.query_one(QuestionView).question_id == first
        assert not ahead.begun and saved_sessions(service) == []

        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is ahead and ahead.begun
        assert app.session_ahead.screen is None
        assert saved_sessions(service) == [ahead.session.id]
        assert ahead.session.planned == tuple(item.question.id for item in batch.items)
        assert ahead.elapsed_s < 5, "the clock starts at enter, not when the screen was built"
        assert "left" in screen_text(app)  # the clock is on screen from the first frame
        assert app.focused is ahead.query_one(QuestionQueue)


async def wait_until(condition: Callable[[], bool], pilot: Pilot) -> None:
    """Pause until ``condition()`` holds (an AssertionError after two seconds)."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("waited two seconds in vain")


async def drawn_ahead(app: CxDailyApp, pilot: Pilot) -> tuple[StartScreen, SessionScreen]:
    """The start screen once the session screen built ahead for its batch is also drawn
    ahead (laid out and rendered off the terminal), and that screen."""
    start, screen = await built_ahead(app, pilot)
    for _ in range(100):
        if screen.drawn_ahead:
            return start, screen
        await pilot.pause(0.02)
    raise AssertionError("the session screen was never drawn ahead")


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Batch, Size]]:
    """The batch and size of every drawing of a screen built ahead, as they happen."""
    seen: list[tuple[Batch, Size]] = []
    original = session_ahead.draw_offstage

    def draw(screen: SessionScreen, size: Size) -> None:
        seen.append((screen.session_batch, size))
        original(screen, size)

    monkeypatch.setattr(session_ahead, "draw_offstage", draw)
    return seen


def looks(screen: SessionScreen) -> list[tuple[str, str, str]]:
    """Each node's type, styles (as CSS) and text style: what its look depends on."""
    return [
        (type(node).__name__, node.styles.css, str(node.rich_style))
        for node in screen.walk_children(with_self=True)
    ]


@pytest.mark.parametrize("theme_changed", [False, True])
async def test_the_screen_drawn_ahead_is_shown_styled_as_a_restyle_would(
    service: Service, theme_changed: bool, draws: list[tuple[Batch, Size]]
) -> None:
    """The screen drawn ahead is shown without Textual's restyle on push: what it shows
    is what restyling it would give, also after the theme changed on the start screen."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start, ahead = await drawn_ahead(app, pilot)
        background = ahead.styles.background
        if theme_changed:
            app.theme = next(name for name in app.available_themes if name != app.theme)
            drawn = len(draws)
            await wait_until(lambda: len(draws) >= drawn + DRAW_PASSES, pilot)
            await drawn_ahead(app, pilot)  # drawn again, in the new theme
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is ahead and not ahead.drawn_ahead
        assert ahead.stack_updates == 1  # Textual's own handler ran, once
        assert start.todays_batch is not None
        title = start.todays_batch.items[0].question.title
        assert title[:20] in screen_text(app)
        shown = looks(ahead)
        ahead.update_node_styles(animate=False)
        await pilot.pause()
        assert looks(ahead) == shown
        assert (ahead.styles.background != background) is theme_changed


async def test_the_screen_drawn_ahead_is_drawn_again_at_a_new_size(
    service: Service, draws: list[tuple[Batch, Size]]
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        _, ahead = await drawn_ahead(app, pilot)
        assert not ahead.has_class("-narrow") and draws[-1][1] == SMALL
        drawn = len(draws)
        for width, height in ((90, 22), (75, 21), (70, 20)):  # a window being dragged
            await pilot.resize_terminal(width, height)
        await wait_until(lambda: draws[-1][1] == (70, 20), pilot)
        await drawn_ahead(app, pilot)
        assert {size for _, size in draws[drawn:]} == {(70, 20)}  # drawn once it stopped
        assert ahead.size == (70, 20) and ahead.has_class("-narrow")

        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is ahead and ahead.size == (70, 20)
        for widget in ahead.query("*"):
            assert widget.region.right <= 70 and widget.region.bottom <= 20


async def test_keys_typed_right_after_enter_reach_the_session(service: Service) -> None:
    """``enter j j s`` typed in one burst: the start screen used to swallow what came
    before the session showed (the session opened on its first question, nothing
    skipped). Keys typed within 0.4 s of the first frame, before the screen is built
    ahead, still reach a screen that is not filled yet."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start, _ = await built_ahead(app, pilot)
        batch = start.todays_batch
        assert batch is not None
        for key, character in (("enter", None), ("j", "j"), ("j", "j"), ("s", "s")):
            app.post_message(events.Key(key, character))  # as the terminal sends them
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(app.screen, SessionScreen) and app.screen.statuses:
                break
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert screen.statuses == {batch.items[2].question.id: "skipped"}


async def test_the_screen_built_ahead_takes_in_a_new_batch(
    write_config: Callable[[str], Path], draws: list[tuple[Batch, Size]]
) -> None:
    write_config(TEN_MINUTES)  # a must-see question does not fit: `a` adds it
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            start, ahead = await built_ahead(app, pilot)
            old = start.todays_batch
            assert old is not None and old.must_see_left_out
            await pilot.press("a")
            await wait_until(lambda: draws[-1][0] is start.todays_batch, pilot)
            _, same = await drawn_ahead(app, pilot)  # drawn again with the new batch
            new = start.todays_batch
            assert same is ahead and new is not old and ahead.session_batch is new
            added = {e.item.question.id for e in old.must_see_left_out}
            assert added <= {item.question.id for item in ahead.items}
            listed = [option.id for option in ahead.query_one(QuestionQueue).options]
            assert listed == [item.question.id for item in new.items]

            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is ahead
            assert ahead.session.planned == tuple(item.question.id for item in new.items)
            first = new.items[0].question.id  # the first of the new batch, not the old one's
            assert ahead.query_one(QuestionQueue).highlighted_id == first
            assert ahead.query_one(QuestionView).question_id == first
            assert saved_sessions(service) == [ahead.session.id]
    finally:
        service.close()


async def test_a_draft_written_after_the_screen_was_built_is_marked(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        _, ahead = await built_ahead(app, pilot)
        second = ahead.items[1].question.id
        assert second not in ahead.drafted
        service.save_draft(second, "Looking into it")

        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is ahead and second in ahead.drafted
        assert DRAFT_MARK in screen_text(app)


async def test_leaving_without_beginning_saves_no_session(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await built_ahead(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert saved_sessions(service) == []


async def test_the_session_opens_as_before_when_nothing_is_built_ahead(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SessionAhead, "build", lambda self, batch: None)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start = await wait_for_start(app, pilot)
        await pilot.pause(SCREENS_PREPARED_AFTER_S + 0.1)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen) and screen.begun
        assert start.todays_batch is not None
        first = start.todays_batch.items[0].question.id
        assert screen.query_one(QuestionView).question_id == first
        assert saved_sessions(service) == [screen.session.id]


@pytest.fixture
def built_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """The start screen builds nothing ahead during the test: the test does."""
    monkeypatch.setattr(start_module, "SCREENS_PREPARED_AFTER_S", 60)


@pytest.mark.usefixtures("built_by_hand")
@pytest.mark.parametrize("ticks", [0, 1, 2, 3, 5, 8, 13])
@pytest.mark.parametrize("leave", ["exit", "close"])
async def test_leaving_while_the_screen_is_being_built_is_clean(
    service: Service, leave: str, ticks: int
) -> None:
    """Closing the app at any point of the screen's building: by ``q`` (``exit``), or
    as the test harness closes it (``close``)."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start = await wait_for_start(app, pilot)
        assert start.todays_batch is not None and app.session_ahead.screen is None
        app.session_ahead.build(start.todays_batch)
        for _ in range(ticks):  # a few turns of the event loop into the building
            await asyncio.sleep(0)
        if leave == "exit":
            app.exit()
    assert app.return_code == (0 if leave == "exit" else None)  # None: closed, not exited
    assert not (service.locations.data_dir / "crash.log").exists()
    assert saved_sessions(service) == []


@pytest.mark.usefixtures("built_by_hand")
async def test_no_screen_is_built_once_the_app_is_closing(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start = await wait_for_start(app, pilot)
        assert start.todays_batch is not None
        app.exit()
        app.session_ahead.build(start.todays_batch)  # a batch landing as the app closes
        assert app.session_ahead.screen is None
    assert app.return_code == 0
    assert not (service.locations.data_dir / "crash.log").exists()


@pytest.mark.usefixtures("built_by_hand")
async def test_a_batch_that_lands_while_the_screen_is_being_built_is_the_one_shown(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start = await wait_for_start(app, pilot)
        batch = start.todays_batch
        assert batch is not None and len(batch.items) > 2
        ahead = app.session_ahead
        ahead.build(batch)
        fewer = replace(batch, items=batch.items[1:])
        ahead.build(fewer)  # before the screen has composed
        start.todays_batch = fewer
        _, built = await built_ahead(app, pilot)
        assert built.items == list(fewer.items)
        assert built.query_one(QuestionView).question_id == fewer.items[0].question.id

        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is built
    assert not (service.locations.data_dir / "crash.log").exists()

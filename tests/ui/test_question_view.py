"""The question view draws its own lines: moving between questions that fit repaints it
alone (no layout of the screen), a longer question scrolls to its last line, the text
fits every width, themes style its parts, the compact view shows three parts, and its
text can be selected for copying."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.color import Color
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection
from textual.visual import Visual

from cxdaily.core.models import Question
from cxdaily.core.safe_text import clean
from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.question_parts import LAST_MESSAGES
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.widgets.question_view import QuestionView
from tests.ui.pilot_kit import (
    SMALL,
    begin,
    composing,
    count_layouts,
    make_app,
    screen_lines,
    settle,
)

TALL = (100, 60)
"""Tall enough for most demo questions to fit the view."""


@asynccontextmanager
async def session_view(
    service: Service, size: tuple[int, int]
) -> AsyncIterator[tuple[CxDailyApp, Pilot, SessionScreen, QuestionView]]:
    """The app at ``size`` with a session begun: the app, its pilot, the session screen
    and its question view."""
    app, _ = make_app(service)
    async with app.run_test(size=size) as pilot:
        screen = await begin(app, pilot)
        yield app, pilot, screen, screen.query_one(QuestionView)


def squeezed(text: str) -> str:
    """``text`` without its whitespace (wrapping moves line breaks, never words)."""
    return "".join(text.split())


def drawn_text(view: QuestionView) -> str:
    """Every line the view draws (those scrolled away too), one per line."""
    return "\n".join(strip.text for strip in view.drawn_lines())


async def test_moving_between_questions_that_fit_lays_nothing_out(service: Service) -> None:
    async with session_view(service, TALL) as (app, pilot, screen, view):
        await settle(app, pilot)
        height = view.scrollable_content_region.height
        passes = count_layouts(screen)
        checked = 0
        for index in range(1, len(screen.items)):
            fitted_before = len(view.drawn_lines()) <= height
            passes.clear()
            await pilot.press("j")
            await settle(app, pilot)
            question = screen.items[index].question
            assert view.question_id == question.id
            author = clean(question.author.name or question.author.handle or "")[:12]
            assert any(author in line for line in screen_lines(app)), "painted"
            if fitted_before and len(view.drawn_lines()) <= height:
                assert passes == [], f"a layout moving to question {index}"
                checked += 1
        assert checked >= 3, "enough moves between questions that fit"


async def test_a_long_question_scrolls_to_its_last_line(service: Service) -> None:
    async with session_view(service, SMALL) as (app, pilot, screen, view):
        height = view.scrollable_content_region.height
        passes = count_layouts(screen)
        longest, longest_index, long_to_long = 0, 0, 0
        for index in range(len(screen.items)):
            was_long = view.show_vertical_scrollbar
            passes.clear()
            screen.pane.queue.highlighted = index
            await settle(app, pilot)
            lines = len(view.drawn_lines())
            # the scroll area is the text, or none when it fits
            assert view.virtual_size.height == (lines if lines > height else 0)
            assert view.show_vertical_scrollbar == (lines > height)
            if lines > height:
                assert view.vertical_scrollbar.window_virtual_size == lines
                assert view.max_scroll_y == lines - height
                if was_long:  # the scrollbar stays: its range changes without a layout
                    assert passes == [], index
                    long_to_long += 1
            if lines > longest:
                longest, longest_index = lines, index
        assert longest > height, "a demo question longer than the view at 80x24"
        assert long_to_long, "a move between two questions longer than the view"
        screen.pane.queue.highlighted = longest_index
        await settle(app, pilot)
        view.scroll_end(animate=False)
        await settle(app, pilot)
        last = view.drawn_lines()[-1].text.strip()
        assert last and last in view.render_line(height - 1).text


async def test_the_text_fits_every_size(service: Service) -> None:
    for size in ((60, 15), SMALL, (200, 50)):
        async with session_view(service, size) as (app, pilot, screen, view):
            for index in range(len(screen.items)):
                screen.pane.queue.highlighted = index
                await settle(app, pilot)
                question = screen.items[index].question
                width = view.scrollable_content_region.width
                assert all(strip.cell_length <= view.size.width for strip in view.drawn_lines())
                assert all(len(strip.text.rstrip()) <= width for strip in view.drawn_lines())
                text = squeezed(drawn_text(view))
                assert squeezed(clean(question.body)) in text, (size, index)
                for message in question.context:
                    assert squeezed(clean(message.body)) in text.replace("▎", ""), size


async def test_a_wide_terminal_keeps_the_text_at_a_readable_length(service: Service) -> None:
    """At 200 columns the question's lines stay about 100 characters long (the view is
    no wider than 104 columns with its padding); narrower, it takes the desk's width."""
    async with session_view(service, (200, 50)) as (_app, _pilot, screen, view):
        assert view.outer_size.width == 104
        longest = max(len(strip.text.rstrip()) for strip in view.drawn_lines())
        assert 90 <= longest <= 100
    async with session_view(service, SMALL) as (_app, _pilot, screen, view):
        assert view.outer_size.width == screen.query_one("#desk").size.width


async def test_a_resize_wraps_the_text_again(service: Service) -> None:
    async with session_view(service, (200, 50)) as (app, pilot, _screen, view):
        wide = len(view.drawn_lines())
        await pilot.resize_terminal(60, 15)
        await settle(app, pilot)
        narrow = view.drawn_lines()
        assert len(narrow) > wide
        assert all(
            len(strip.text.rstrip()) <= view.scrollable_content_region.width for strip in narrow
        )
        height = view.scrollable_content_region.height
        assert view.virtual_size.height == (len(narrow) if len(narrow) > height else 0)


def _coloured(view: QuestionView, starts: str, colour: str) -> bool:
    """Whether the view's line starting with ``starts`` has text in ``colour``."""
    line = next(s for s in view.drawn_lines() if s.text.strip().startswith(starts))
    expected = Color.parse(colour).rgb
    return any(
        segment.style.color.triplet is not None and tuple(segment.style.color.triplet) == expected
        for segment in line
        if segment.text.strip() and segment.style and segment.style.color
    )


async def test_the_theme_colours_the_reasons_and_the_status(service: Service) -> None:
    async with session_view(service, TALL) as (app, pilot, _screen, view):
        await settle(app, pilot)
        for theme in ("cxdaily-dark", "cxdaily-light"):  # and again after a change of theme
            app.theme = theme
            await settle(app, pilot)
            variables = app.theme_variables
            assert _coloured(view, "Why:", variables["cx-reason"]), theme
            assert _coloured(view, "Source:", variables["cx-done"]), theme


async def test_the_compact_view_shows_the_title_the_last_messages_and_the_question(
    service: Service,
) -> None:
    async with session_view(service, SMALL) as (app, pilot, screen, view):
        index = max(range(len(screen.items)), key=lambda i: len(screen.items[i].question.context))
        context = screen.items[index].question.context
        assert context, "a demo question with a thread"
        screen.pane.queue.highlighted = index
        await settle(app, pilot)
        assert "Why:" in drawn_text(view)
        await pilot.press("r")
        await settle(app, pilot)
        assert composing(app) and view.compact
        text = drawn_text(view)
        assert "Why:" not in text and view.section("heading").plain == ""
        question = screen.items[index].question
        assert squeezed(clean(question.body)) in squeezed(text)
        thread = view.section("thread").plain.split("\n")
        earlier = len(context) > LAST_MESSAGES  # a line says how many are left out
        assert len(thread) == min(len(context), LAST_MESSAGES) + earlier
        assert thread[0].startswith("… ") == earlier
        width = view.scrollable_content_region.width
        assert all(len(strip.text.rstrip()) <= width for strip in view.drawn_lines())
        await pilot.press("escape")
        await settle(app, pilot)
        assert not view.compact and "Why:" in drawn_text(view)


async def test_the_text_can_be_selected(service: Service) -> None:
    async with session_view(service, SMALL) as (app, pilot, screen, view):
        await settle(app, pilot)
        question = screen.current().question
        selected = view.get_selection(Selection(None, None))
        assert selected is not None
        text, ending = selected
        assert ending == "\n"
        assert squeezed(clean(question.body)) in squeezed(text)
        assert text.lstrip().startswith(view.section("heading").plain)


def count_drawings(view: QuestionView, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """From now on, the texts ``view`` draws into lines, in order (the list grows)."""
    drawn: list[object] = []
    original = Visual.to_strips

    def counted(widget, *args, **kwargs):  # type: ignore[no-untyped-def]
        if widget is view:
            drawn.append(args[0])
        return original(widget, *args, **kwargs)

    monkeypatch.setattr(Visual, "to_strips", staticmethod(counted))
    return drawn


async def test_the_questions_beside_the_one_shown_are_drawn_ahead(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with session_view(service, SMALL) as (app, pilot, screen, view):
        await settle(app, pilot)
        drawn = count_drawings(view, monkeypatch)
        for move, index in ((screen.action_next, 1), (screen.action_previous, 0)):
            drawn.clear()
            move()  # shown at once, within the key's handling
            assert view.question_id == screen.items[index].question.id
            assert drawn == [], "its lines were drawn ahead"
            await settle(app, pilot)  # then its own neighbours are drawn
        await pilot.press("j", "j")
        await settle(app, pilot)
        assert drawn, "the neighbours of a new question are drawn after it shows"
        before = len(drawn)
        view.show(screen.items[2], screen.service.now())
        assert len(drawn) == before, "a question drawn lately is not drawn again"


async def test_a_question_grouped_with_one_outside_the_session_is_drawn_ahead_too(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config('[session]\nbudget = "45m"\n')  # one near-duplicate is left out
    service = Service.open("demo")
    try:
        async with session_view(service, SMALL) as (app, pilot, screen, view):
            ids = {item.question.id for item in screen.items}
            grouped = next(
                n
                for n, item in enumerate(screen.items)
                if n and any(member not in ids for member in item.group)
            )
            item = screen.items[grouped]
            outside = next(member for member in item.group if member not in ids)
            stored = service.question(outside)
            await settle(app, pilot)  # the names outside the session are read meanwhile
            screen.pane.queue.highlighted = grouped - 1
            await settle(app, pilot)
            drawn = count_drawings(view, monkeypatch)

            def no_store_read(question_id: str) -> Question:
                raise AssertionError(f"the store was read on the move: {question_id}")

            monkeypatch.setattr(service, "question", no_store_read)
            screen.action_next()
            assert view.question_id == item.question.id
            assert drawn == [], "its lines were drawn ahead"
            assert stored.author.display in view.section("reasons").plain
    finally:
        service.close()


async def test_names_read_after_the_session_closed_are_dropped(service: Service) -> None:
    async with session_view(service, SMALL) as (app, pilot, screen, _view):
        await settle(app, pilot)
        app.pop_screen()
        await settle(app, pilot)
        screen.showing._labels_read({screen.items[1].question.id: ["Nikhil Rao (GitHub)"]})
        await settle(app, pilot)
        assert not screen.is_attached and app.screen is not screen


async def test_a_selection_shows_and_copies_what_it_covers(service: Service) -> None:
    async with session_view(service, SMALL) as (app, pilot, screen, view):
        await settle(app, pilot)
        plain_lines = view.section("body").plain.split("\n")
        text_lines = view.get_selection(Selection(None, None))[0].split("\n")  # type: ignore[index]
        row = text_lines.index(plain_lines[0])  # the question's first line
        unselected = view.drawn_lines()
        screen.selections = {view: Selection(Offset(0, row), Offset(8, row))}
        await settle(app, pilot)
        assert screen.get_selected_text() == plain_lines[0][:8]
        selected = view.drawn_lines()
        changed = [y for y, (a, b) in enumerate(zip(unselected, selected, strict=True)) if a != b]
        assert changed and all(selected[y].text == unselected[y].text for y in changed)
        screen.clear_selection()
        await settle(app, pilot)
        assert view.drawn_lines() == unselected


async def test_the_thread_is_cut_to_the_width_the_view_has_now(service: Service) -> None:
    """On a narrow screen the queue steps aside while a reply is written: the view widens,
    and the compact thread's lines are cut to its new width, not the one it had."""
    async with session_view(service, (60, 15)) as (app, pilot, screen, view):
        index = max(range(len(screen.items)), key=lambda i: len(screen.items[i].question.context))
        screen.pane.queue.highlighted = index
        await settle(app, pilot)
        narrow = view.scrollable_content_region.width
        await pilot.press("r")
        await settle(app, pilot)
        width = view.scrollable_content_region.width
        assert view.compact and width > narrow
        cut = [s.text.rstrip() for s in view.drawn_lines() if s.text.rstrip().endswith("…")]
        assert cut and all(len(line) == width for line in cut), (width, cut)

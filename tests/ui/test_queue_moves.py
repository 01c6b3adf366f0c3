"""Moving through the queue paints the queue and the question in one frame, redraws only
the options the highlight left and reached, and the start screen curates its refreshed
batch off the UI thread."""

from __future__ import annotations

import threading

import pytest
from textual.geometry import Region
from textual.strip import Strip

from cxdaily.service import Service
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.queue import DONE, STATUSES, QuestionQueue, queue_prompt
from tests.ui.pilot_kit import SMALL, begin, make_app, wait_for_start


def highlighted_options(queue: QuestionQueue) -> set[int]:
    """The options whose lines the queue draws (through its line cache, as the screen
    gets them) with the highlight's background."""
    highlight = queue.get_visual_style(
        "option-list--option", "option-list--option-highlighted"
    ).rich_style.bgcolor
    width, height = queue.scrollable_content_region.size
    lines: list[Strip] = queue.render_lines(Region(0, 0, width, height))
    found = set()
    for y, strip in enumerate(lines):
        if any(segment.style and segment.style.bgcolor == highlight for segment in strip):
            found.add(queue._lines[y + queue.scroll_offset.y][0])
    return found


async def test_j_shows_the_next_question_before_the_queue_says_so(service: Service) -> None:
    """The view follows within the key's own handling: no frame shows the queue moved and
    the old question still in the view."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        view = screen.query_one(QuestionView)
        for action, expected in ((screen.action_next, 1), (screen.action_previous, 0)):
            action()  # no pause: the queue's highlight message has not been handled yet
            assert screen.pane.queue.highlighted == expected
            assert view.question_id == screen.items[expected].question.id
            await pilot.pause()
            assert view.question_id == screen.items[expected].question.id


async def test_moving_between_unanswered_questions_draws_each_once(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question with no reply has no reply part: the reply look-up after each j/k finds
    nothing new and draws nothing again (one drawing per move)."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        view = screen.query_one(QuestionView)
        await app.workers.wait_for_complete()
        await pilot.pause()
        drawings: list[str | None] = []
        original = view._changed

        def changed() -> None:
            drawings.append(view.question_id)
            original()

        monkeypatch.setattr(view, "_changed", changed)
        for key in ("j", "j", "k"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert drawings == [screen.items[i].question.id for i in (1, 2, 1)]
        assert view.section("reply").plain == ""


async def test_moving_redraws_the_options_the_highlight_left_and_reached(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await begin(app, pilot)
        queue = screen.pane.queue
        assert highlighted_options(queue) == {0}
        for key, expected in (("j", 1), ("j", 2), ("k", 1), ("k", 0)):
            await pilot.press(key)
            await pilot.pause()
            assert highlighted_options(queue) == {expected}, key


async def test_a_status_change_still_shows_in_the_queue(service: Service) -> None:
    """Skipping marks the question and moves on; both lines are drawn again."""
    app, _ = make_app(service)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await begin(app, pilot)
        first = screen.items[0]
        await pilot.press("s")
        await pilot.pause()
        assert screen.statuses[first.question.id] == "skipped"
        assert queue_prompt(first, "skipped").plain.startswith(STATUSES["skipped"].mark)
        assert highlighted_options(screen.pane.queue) == {1}
        line = screen.pane.queue.get_option_at_index(0).prompt
        assert str(line).startswith(STATUSES["skipped"].mark)


def test_every_status_has_a_mark_and_words() -> None:
    assert STATUSES[""].words == "" and "" not in DONE
    assert set(STATUSES) - {""} == DONE
    for status in DONE:
        look = STATUSES[status]
        assert len(look.mark) == 1 and look.style and look.words.endswith(".")


async def test_the_refreshed_batch_is_curated_off_the_ui_thread(
    service: Service, monkeypatch
) -> None:
    ui_thread = threading.get_ident()
    curated_on: list[int] = []
    real_batch = service.batch

    def batch(*args, **kwargs):
        curated_on.append(threading.get_ident())
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(service, "batch", batch)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        start = await wait_for_start(app, pilot)
        assert len(curated_on) >= 2, "once for the first frame, once after the refresh"
        assert curated_on[0] == ui_thread, "the first frame shows the batch at once"
        assert all(thread != ui_thread for thread in curated_on[1:])
        assert start.todays_batch is not None and start.todays_batch.items
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert [i.question.id for i in app.screen.items] == [
            i.question.id for i in start.todays_batch.items
        ]


async def test_the_heap_is_frozen_only_after_a_paused_start(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cxdaily` loads the store with the collector paused: the app then freezes what it
    keeps (first frame, streak, refreshed batch) and collection resumes. Started with the
    collector running (as in tests and other hosts), nothing is frozen."""
    import gc

    freezes: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(gc.isenabled()))
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        assert not app.settles_heap and gc.isenabled()
        assert freezes == []
    gc.disable()
    try:
        paused, _ = make_app(service)
        assert paused.settles_heap
        async with paused.run_test(size=SMALL) as pilot:
            await wait_for_start(paused, pilot)
            assert gc.isenabled()
            assert freezes and freezes[0] is False, "frozen once, while still paused"
            assert paused.streak is not None
    finally:
        gc.enable()


async def test_the_queue_turns_a_page_past_its_edges(service: Service) -> None:
    """Moves within the view leave the list still; a move past the bottom turns a page,
    the question it came from at the top, and a move past the top turns one back, the
    question it came from at the bottom (unless the list ends first): a scroll (a whole
    redraw) per page, not per move."""
    app, _ = make_app(service)
    async with app.run_test(size=(80, 12)) as pilot:
        screen = await begin(app, pilot)
        queue = screen.pane.queue
        view_lines = queue.scrollable_content_region.height
        assert queue._lines and len(queue._lines) > view_lines, "more questions than fit"
        lines, heights = queue._index_to_line, queue._heights
        scrolls = {"j": 0, "k": 0}
        for key, moves in (("j", len(screen.items) - 1), ("k", len(screen.items) - 1)):
            for _ in range(moves):
                before, came_from = round(queue.scroll_y), queue.highlighted
                await pilot.press(key)
                await pilot.pause()
                at = queue.highlighted
                assert at is not None and came_from is not None
                top = round(queue.scroll_y)
                assert top <= lines[at] and lines[at] + heights[at] <= top + view_lines
                if top == before:
                    continue
                scrolls[key] += 1
                if key == "j":  # the question it came from is the first one shown
                    assert top in (lines[came_from], round(queue.max_scroll_y)), (at, top)
                else:  # it is the last one shown, or the list is at its start
                    assert top == 0 or top + view_lines == lines[came_from] + heights[came_from]
        per_page = view_lines // max(heights.values())
        pages = -(-len(screen.items) // max(per_page - 1, 1))
        assert 0 < scrolls["j"] <= pages and 0 < scrolls["k"] <= pages, (scrolls, pages)

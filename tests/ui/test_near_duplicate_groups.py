"""Near-duplicate groups in the app: the view names the group, one tag covers it, and the
start screen says what was left out and why."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cxdaily.service import Service
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from cxdaily.ui.widgets.queue import QuestionQueue
from tests.ui.pilot_kit import (
    SMALL,
    WIDE,
    begin,
    make_app,
    plain,
    settle,
    shown_part,
    type_text,
    wait_for_start,
)

WIDGET_GROUP = {
    "demo:zd-48213",
    "demo:tw-1906612384410297344",
    "demo:as-11290384756",
    "demo:rd-1jnq8xa",
}


async def test_the_start_screen_lists_what_was_left_out_and_why(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await wait_for_start(app, pilot)
        text = plain(screen.query_one("#start-list"))
        assert "Left out: " in text and "do not fit the time left" in text
        left = screen.todays_batch.left_out[0]
        assert left.reason in text


@pytest.fixture
def roomy_service(write_config: Callable[[str], Path]) -> Iterator[Service]:
    """The demo with a 90-minute budget: room for the must-see questions and a group."""
    write_config('[session]\nbudget = "90m"\n')
    opened = Service.open("demo")
    try:
        yield opened
    finally:
        opened.close()


async def test_tagging_a_grouped_question_tags_its_near_duplicates_in_the_session(
    roomy_service: Service,
) -> None:
    service = roomy_service
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        members = [n for n, item in enumerate(screen.items) if item.question.id in WIDGET_GROUP]
        assert len(members) >= 2, [i.question.id for i in screen.items]
        screen.query_one(QuestionQueue).highlighted = members[0]
        await pilot.pause()
        first = screen.items[members[0]]
        reasons = shown_part(screen, "reasons")
        assert f"Also asked by {len(first.group)} others" in reasons
        assert "t tags the whole group" in reasons
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        await type_text(pilot, "bug, ios")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        for n in members:
            assert screen.statuses[screen.items[n].question.id] == "tagged"
        assert recorder.find("Same insight saved for")
        insights = service.store.insights.between()
        tagged = {i.question_id for i in insights}
        assert {screen.items[n].question.id for n in members} <= tagged
        copies = [i for i in insights if i.question_id != first.question.id]
        assert all(i.tags == ("bug", "ios") and i.quote == "" for i in copies)


async def test_tagging_a_group_tags_its_members_left_out_of_the_session(
    roomy_service: Service,
) -> None:
    """ "t tags the whole group": the members curation left out of the session (as near-
    duplicates of the pick) get the insight too, so the digest counts every customer."""
    service = roomy_service
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        in_session = {item.question.id for item in screen.items}
        grouped = [
            n
            for n, item in enumerate(screen.items)
            if any(member not in in_session for member in item.group)
        ]
        assert grouped, "the demo batch has a pick whose near-duplicates were left out"
        item = screen.items[grouped[0]]
        outside = [member for member in item.group if member not in in_session]
        screen.query_one(QuestionQueue).highlighted = grouped[0]
        await pilot.pause()
        assert "t tags the whole group" in shown_part(screen, "reasons")
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "widgets")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        tagged = {i.question_id for i in service.store.insights.between()}
        assert {item.question.id, *item.group} <= tagged
        assert set(outside) <= tagged
        count = len(item.group)
        others = "question" if count == 1 else "questions"
        assert recorder.find(f"Same insight saved for {count} near-duplicate {others}.")
        # the wrap-up counts the session's own questions, as its header does
        in_group = len([m for m in item.group if m in in_session])
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, WrapUpScreen)
        summary = plain(app.screen.query_one("#wrapup-summary"))
        tagged_words = "tagged as an insight" if in_group == 0 else "tagged as insights"
        assert f"Done: {1 + in_group} {tagged_words}." in summary
        along = len(outside)
        them = "near-duplicate" if along == 1 else "near-duplicates"
        assert f"({along} of them for {'a ' if along == 1 else ''}{them} outside the session)" in (
            summary
        )

"""The start screen never leaves a must-see question out silently: when VIP, data-loss,
security, legal or churn questions do not fit the budget, the very first line says so and
names the key that adds them to the session (which grows by their time)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.widgets import Static

from cxdaily.curation.explain import must_see_summary
from cxdaily.service import Service
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from tests.ui.pilot_kit import (
    SMALL,
    assert_terminal_safe,
    footer_line,
    make_app,
    plain,
    screen_lines,
    settle,
    wait_for_start,
)

TINY = (60, 15)
TEN_MINUTES = '[session]\nbudget = "10m"\n'
#: In the demo inbox, a VIP whose SSO outage takes longer than a 10-minute batch has left.
VIP = "demo:zd-48222"


@contextmanager
def demo_with(write_config: Callable[[str], Path], config: str) -> Iterator[Service]:
    """The demo profile's service over ``config``."""
    write_config(config)
    service = Service.open("demo")
    try:
        yield service
    finally:
        service.close()


def top_lines(app) -> list[str]:
    """The screen's rows down to the title, blank rows dropped."""
    rows: list[str] = []
    for row in screen_lines(app):
        if "cxdaily · " in row:
            break
        if row.strip():
            rows.append(row.strip())
    return rows


async def test_a_must_see_question_that_does_not_fit_is_said_first_and_the_key_adds_it(
    write_config: Callable[[str], Path],
) -> None:
    with demo_with(write_config, TEN_MINUTES) as service:
        app, recorder = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            start = await wait_for_start(app, pilot)
            batch = start.todays_batch
            assert batch is not None and batch.must_see_left_out
            missing = {entry.item.question.id for entry in batch.must_see_left_out}
            assert VIP in missing
            summary = must_see_summary(batch)
            assert summary.endswith("do not fit today's 10 minutes")
            minutes = math.ceil(sum(e.item.estimate_s for e in batch.must_see_left_out) / 60)
            top = " ".join(top_lines(app))
            assert top == f"{summary} · a add them (+{minutes} min)"
            assert "Add must-see" in footer_line(app)
            listed = plain(start.query_one("#start-list", Static))
            assert "VIP · [URGENT] SSO login loop" in listed  # named in what was left out

            await pilot.press("a")
            await settle(app, pilot)
            added = start.todays_batch
            assert added is not None and not added.must_see_left_out
            assert missing <= {item.question.id for item in added.items}
            assert added.budget_s == batch.budget_s + minutes * 60
            assert not start.query_one("#start-must-see", Static).display
            assert top_lines(app) == []
            assert "Add must-see" not in footer_line(app)
            assert f"budget {10 + minutes} min" in plain(start.query_one("#start-summary"))
            assert recorder.find(f"today's session is {10 + minutes} minutes.")

            start.show_batch()  # a refresh recomputes the batch: what was added stays
            await pilot.pause()
            assert start.todays_batch is not None
            assert not start.todays_batch.must_see_left_out
            assert start.todays_batch.budget_s == added.budget_s

            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SessionScreen)
            assert app.screen.session.budget_s == added.budget_s
            assert missing <= set(app.screen.session.planned)


async def test_the_add_key_follows_the_keymap(write_config: Callable[[str], Path]) -> None:
    with demo_with(write_config, TEN_MINUTES + '[keys]\nadd_must_see = "A"\n') as service:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            start = await wait_for_start(app, pilot)
            assert " · A add them (+" in " ".join(top_lines(app))
            await pilot.press("a")
            await settle(app, pilot)
            assert start.todays_batch is not None and start.todays_batch.must_see_left_out
            await pilot.press("A")
            await settle(app, pilot)
            assert not start.todays_batch.must_see_left_out


async def test_when_every_must_see_question_fits_there_is_no_line_and_no_key(
    write_config: Callable[[str], Path],
) -> None:
    with demo_with(write_config, '[session]\nbudget = "60m"\n') as service:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            start = await wait_for_start(app, pilot)
            batch = start.todays_batch
            assert batch is not None and not batch.must_see_left_out
            assert VIP in {item.question.id for item in batch.items}
            assert top_lines(app) == []
            assert not start.query_one("#start-must-see", Static).display
            assert "Add must-see" not in footer_line(app)
            await pilot.press("a")
            await settle(app, pilot)
            assert start.todays_batch is batch


@pytest.mark.parametrize("size", [SMALL, TINY], ids=["80x24", "60x15"])
async def test_the_must_see_line_is_whole_on_a_small_terminal(
    write_config: Callable[[str], Path], size: tuple[int, int]
) -> None:
    with demo_with(write_config, TEN_MINUTES) as service:
        app, _ = make_app(service)
        async with app.run_test(size=size, notifications=True) as pilot:
            start = await wait_for_start(app, pilot)
            assert_terminal_safe(app)
            width, height = size
            for selector in ("#start-must-see", "#start-title", "#start-summary"):
                widget = start.query_one(selector, Static)
                region = widget.region
                assert region.y >= 0 and region.bottom <= height, (selector, region)
                assert region.right <= width, (selector, region)
                rows = screen_lines(app)[region.y : region.bottom]
                shown = " ".join(row[region.x : region.right].strip() for row in rows)
                assert " ".join(shown.split()) == " ".join(plain(widget).split()), selector
            first = next(n for n, row in enumerate(screen_lines(app)) if row.strip())
            assert first == start.query_one("#start-must-see", Static).region.y  # the very top
            assert isinstance(app.screen, StartScreen)

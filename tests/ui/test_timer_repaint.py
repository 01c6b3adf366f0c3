"""The session clock repaints itself alone each second, without laying out the screen."""

from __future__ import annotations

import os

from cxdaily.service import Service
from cxdaily.ui import REPAINT_RATE
from cxdaily.ui.repaint import size_is_fixed
from cxdaily.ui.widgets.timer import SessionTimer
from tests.child_python_kit import run_python
from tests.ui.pilot_kit import SMALL, begin, count_layouts, make_app, plain


async def test_a_tick_repaints_the_clock_without_a_layout(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        timer = screen.query_one(SessionTimer)
        assert size_is_fixed(timer)  # the theme gives it one line across the screen
        await pilot.pause()
        passes = count_layouts(screen)
        screen.started -= 125  # two minutes and five seconds on
        screen.tick()
        await pilot.pause()
        shown = plain(timer)
        assert "27:5" in shown or "27:4" in shown, shown
        assert shown.split(" left")[0] in timer.render_line(0).text  # painted, too
        assert passes == []
        assert timer.size.height == 1


async def test_a_clock_a_theme_lets_grow_is_laid_out_again(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(40, 24)) as pilot:
        screen = await begin(app, pilot)
        timer = screen.query_one(SessionTimer)
        timer.styles.height = "auto"  # as a user's theme may say
        assert not size_is_fixed(timer)
        screen.tick()
        await pilot.pause()
        assert timer.size.height > 1  # its figures wrap on a narrow screen


async def test_a_narrow_clock_leaves_the_estimate_out_and_keeps_the_streak(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(60, 15)) as pilot:
        screen = await begin(app, pilot)
        timer = screen.query_one(SessionTimer)
        await pilot.pause()
        shown = plain(timer)
        assert "about" not in shown and "on pace · streak 0 days" in shown, shown
        assert len(shown) <= timer.content_region.width
        assert timer.render_line(0).text.rstrip().endswith("streak 0 days")
        await pilot.resize_terminal(100, 15)
        await pilot.pause()
        assert "to go (about" in plain(timer) and "streak 0 days" in plain(timer)


_PACE = "import cxdaily.ui.app; from textual import screen; print(round(1 / screen.UPDATE_PERIOD))"


def test_the_app_repaints_a_key_soon_after_the_clock() -> None:
    """Textual paces repaints to ticks of 1/TEXTUAL_FPS: the app asks for ticks of 1/240 s,
    so a key pressed just after the clock's repaint waits up to 4 ms for its frame, not
    17 ms; a rate the user set is kept."""
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    assert run_python(_PACE, env) == str(REPAINT_RATE) == "240"
    assert run_python(_PACE, {**env, "TEXTUAL_FPS": "30"}) == "30"

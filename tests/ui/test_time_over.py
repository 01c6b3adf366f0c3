"""Five more minutes are five minutes from now; the clock says '5 min over', never '-5:01'."""

from __future__ import annotations

import pytest

from cxdaily.service import Service
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.widgets.timer import clock_words
from tests.ui.pilot_kit import SMALL, begin, make_app, plain


@pytest.mark.parametrize(
    ("left_s", "words"),
    [
        (725, ("12:05", " left")),
        (0, ("0:00", " left")),
        (-1, ("1 min", " over")),
        (-301, ("5 min", " over")),
        (-3600, ("60 min", " over")),
    ],
)
def test_the_clock_never_shows_negative_time(left_s, words):
    assert clock_words(left_s) == words


async def test_five_more_minutes_count_from_the_answer(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        screen.started -= screen.total_s  # the budget is spent
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        screen.started -= 10 * 60  # the question stayed open ten minutes
        screen.tick()
        await pilot.pause()
        timer = plain(screen.query_one("#timer"))
        assert "10 min over" in timer and "-" not in timer.split("over")[0]
        await pilot.press("f")
        await pilot.pause()
        left = screen.total_s - screen.elapsed_s
        assert 295 <= left <= 300

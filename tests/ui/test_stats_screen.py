"""The stats screen (S), the compact heatmap on the start screen, and the wrap-up's freeze
and days-until-break lines, driven by keys over a seeded history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.color import Color
from textual.widgets import Static

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.service import Service
from cxdaily.streaks.calendar import DayState
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.stats import StatsScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from cxdaily.ui.widgets.heatmap import DAY_LOOKS, CompactHeatmap, YearHeatmap
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    WIDE,
    assert_terminal_safe,
    begin,
    make_app,
    palette_prompts,
    plain,
    settle,
    wait_for_start,
)

TODAY = UI_NOW.date()  # Monday 2026-11-23 (days in UTC from 04:00: 08:00 is today)


def seed_history(service: Service) -> None:
    """A whole batch on the 17th (earning a freeze), the 18th, the 19th missed (the freeze
    covers it), then every day to today (the busiest)."""
    activity = service.store.activity
    earned = UI_NOW - timedelta(days=6)  # Tuesday the 17th
    batch = Session(
        "seed-batch", earned, 1800, ("demo:a", "demo:b"), ended_at=earned + timedelta(minutes=20)
    )
    activity.save_session(batch)
    for n, question in enumerate(batch.planned):
        activity.record(
            Action(
                question,
                Disposition.ANSWERED,
                earned + timedelta(minutes=n + 1),
                session_id=batch.id,
                day=earned.date(),
            )
        )
    handled = {
        TODAY - timedelta(days=5): 1,
        TODAY - timedelta(days=3): 2,
        TODAY - timedelta(days=2): 1,
        TODAY - timedelta(days=1): 2,
        TODAY: 4,
    }
    for day, count in handled.items():  # the 19th is missed
        for n in range(count):
            at = UI_NOW.replace(hour=7, minute=n) - timedelta(days=(TODAY - day).days)
            activity.record(Action(f"demo:{day}-{n}", Disposition.ANSWERED, at, day=day))


def figures_text(app) -> str:
    return plain(app.screen.query_one("#stats-figures", Static))


async def open_stats(app, pilot, key: str = "S") -> StatsScreen:
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, StatsScreen), app.screen
    return app.screen


async def test_s_opens_the_stats_and_escape_or_q_goes_back(service: Service) -> None:
    seed_history(service)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        start = await wait_for_start(app, pilot)
        screen = await open_stats(app, pilot)
        text = figures_text(app)
        assert "Current streak   6 days" in text  # the 17th-18th, the frozen 19th, 20th-23rd
        assert "Longest streak   6 days" in text
        assert "Days in all      6" in text
        assert "Freezes held     0 of 2" in text
        assert "Today            counts (4 handled)" in text
        assert "Until it breaks  1 day" in text
        personal = plain(screen.query_one("#stats-personal", Static))
        assert "Answered           12" in personal
        assert "Rules" in plain(screen.query_one("#stats-rules", Static))
        assert_terminal_safe(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is start
        await open_stats(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is start and app.is_running  # q closes the stats, not the app


async def test_the_year_heatmap_fits_80_columns_and_marks_each_day(service: Service) -> None:
    seed_history(service)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        screen = await open_stats(app, pilot)
        heatmap = screen.query_one(YearHeatmap)
        lines = str(heatmap.render().plain).splitlines()
        assert len(lines) == 9 and lines[1].startswith("Mon ") and lines[7].startswith("Sun ")
        assert all(len(line) <= heatmap.size.width for line in lines)
        monday = lines[1]
        assert len(monday) == 4 + 53  # a year of weeks, one cell a day
        assert monday[-1] == "■"  # today, counted
        wednesday_before = lines[3][-2]  # Wednesday the 18th
        assert wednesday_before == "■"
        thursday = lines[4][-2]  # the missed 19th, covered by a freeze
        assert thursday == "◆"
        tuesday = lines[2][-1]  # tomorrow: blank
        assert tuesday == " "
        assert "freeze" in lines[-1] and "today" in lines[-1]


@pytest.mark.parametrize(("size", "legend_lines"), [((60, 15), 2), (SMALL, 1), ((200, 50), 1)])
async def test_the_legend_fits_the_terminal_whole(
    service: Service, size: tuple[int, int], legend_lines: int
) -> None:
    """At 60x15 the legend's last entry ("today") was cut: it goes on a second line where
    the terminal is narrow, and stays one line at 80x24 and wider."""
    seed_history(service)
    app, _ = make_app(service)
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        screen = await open_stats(app, pilot)
        heatmap = screen.query_one(YearHeatmap)
        shown = [heatmap.render_line(y) for y in range(heatmap.size.height)]
        assert all(strip.cell_length <= heatmap.size.width for strip in shown)
        lines = [strip.text.rstrip() for strip in shown]
        assert len(lines) == 8 + legend_lines  # months, the weekdays, the legend
        legend = " ".join(line.strip() for line in lines[8:])
        for entry in ("less ■■■■ more", "◆ freeze", "■ not enough", "· off", "□ today"):
            assert entry in legend, (entry, lines)
        assert lines[1].startswith("Mon ") and lines[7].startswith("Sun ")
        assert all(line.startswith("    ") for line in lines[8:])  # under the days


async def test_the_heatmap_colours_come_from_the_theme(service: Service) -> None:
    seed_history(service)
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        seen: dict[str, set[str]] = {}
        for theme in ("cxdaily-dark", "cxdaily-light"):
            app.theme = theme
            await settle(app, pilot)
            screen = await open_stats(app, pilot)
            monday = screen.query_one(YearHeatmap).render_line(1)  # today is a Monday
            seen[theme] = {
                seg.style.color.triplet.hex.lower()
                for seg in monday
                if seg.text.strip() == "■" and seg.style and seg.style.color
            }
            busiest = Color.parse(app.available_themes[theme].success).hex.lower()
            assert busiest in seen[theme], (theme, seen[theme])  # today: the busiest day
            await pilot.press("escape")
            await pilot.pause()
        assert seen["cxdaily-dark"].isdisjoint(seen["cxdaily-light"])


async def test_the_start_screen_shows_a_compact_heatmap_and_still_fits_80x24(
    service: Service,
) -> None:
    seed_history(service)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        start = await wait_for_start(app, pilot)
        compact = start.query_one(CompactHeatmap)
        assert compact.display and compact.region.height == 4
        batch = start.query_one("#start-batch")
        assert compact.region.bottom <= batch.region.y
        assert batch.region.height >= 6  # the list keeps room, and scrolls
        assert batch.region.bottom <= 24 - 1  # the footer below
        text = plain_lines(compact)
        assert "longest 6 · 6 days" in text[0] and "0 of 2 freezes" in text[1]
        assert "1 day until it breaks" in text[2] and "S stats and calendar" in text[3]
        assert all(len(line) <= compact.size.width for line in text)
        assert_terminal_safe(app)


def plain_lines(widget) -> list[str]:
    return widget.render().plain.splitlines()


async def test_stats_in_the_middle_of_a_session_and_back(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        session = await begin(app, pilot)
        await open_stats(app, pilot)
        assert "Current streak   0 days" in figures_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is session and isinstance(app.screen, SessionScreen)


async def test_a_remapped_stats_key_and_the_palette(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nstats = "G"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            start = await wait_for_start(app, pilot)
            assert plain_lines(start.query_one(CompactHeatmap))[3].endswith("G stats and calendar")
            await pilot.press("S")
            await pilot.pause()
            assert app.screen is start  # the default key is gone
            await open_stats(app, pilot, "G")
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            prompts = await palette_prompts(app, pilot)
            assert "Stats\nStreak, calendar and personal stats (G)" in prompts
    finally:
        service.close()


async def test_the_rules_from_the_config_show_on_the_stats_screen(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config("[streak]\nworkdays_only = true\nmax_freezes = 0\n")
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await wait_for_start(app, pilot)
            screen = await open_stats(app, pilot)
            rules = plain(screen.query_one("#stats-rules", Static))
            assert "work days only" in rules and "no freezes" in rules
            assert "Freezes held     off" in figures_text(app)
    finally:
        service.close()


async def test_the_wrap_up_tells_freezes_and_days_until_break(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        session = await begin(app, pilot)
        for _ in range(len(session.items) - 1):
            await pilot.press("s")  # skip
            await pilot.pause()
        await pilot.press("h")  # hand the last one off: today counts
        await pilot.pause()
        await pilot.press(*"call back", "enter")
        await settle(app, pilot)
        if isinstance(app.screen, SessionScreen):
            await pilot.press("q")
            await settle(app, pilot)
        assert isinstance(app.screen, WrapUpScreen), app.screen
        text = plain(app.screen.query_one("#wrapup-summary", Static))
        assert "Streak: 1 day (today counts)" in text
        assert "Whole batch done: a freeze earned (1 of 2 held)." in text
        assert "It can wait 2 days before it breaks." in text


def test_every_kind_of_day_has_one_glyph_and_colour() -> None:
    assert set(DAY_LOOKS) == set(DayState)
    assert DAY_LOOKS[DayState.FROZEN] == ("◆", "$primary")
    assert all(len(look.glyph) == 1 for look in DAY_LOOKS.values())


@pytest.mark.parametrize(
    ("minutes", "shown"), [(None, "-"), (0.4, "under a minute"), (0.9, "under a minute"),
                           (1.0, "1 min"), (27.4, "27 min")]
)  # fmt: skip
def test_a_session_under_a_minute_is_not_said_to_last_0_minutes(minutes, shown) -> None:
    """As the wrap-up says it: a session of 20 seconds read "Median session 0 min"."""
    from cxdaily.streaks.stats import PersonalStats
    from cxdaily.ui.screens.stats import stats_content

    stats = PersonalStats(
        weeks=1.0, sessions=1, sessions_per_week=1.0, median_minutes=minutes, answered=0,
        handled=1, insights=1, insights_per_week=1.0, seconds_per_question=20.0,
    )  # fmt: skip
    line = next(x for x in stats_content(stats).plain.splitlines() if "Median session" in x)
    assert line.split("Median session")[1].strip() == shown

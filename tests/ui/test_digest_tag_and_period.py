"""The digest's tag filter across periods and teams: ``g`` steps through the tags of the
period and team shown, a chosen tag they also have stays chosen, and one they lack is
dropped with a line that says so (the export is named after what is shown)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import pytest
from textual.widgets import Input, Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Insight
from cxdaily.insights.source import DigestRequest
from cxdaily.service import Service
from cxdaily.ui.modals.digest_export import ExportScreen
from cxdaily.ui.screens.digest import DigestScreen, same_tag
from tests.ui.pilot_kit import (
    UI_NOW,
    WIDE,
    assert_terminal_safe,
    make_app,
    open_digest,
    plain,
    settle,
    tag_three,
    wait_for_start,
)

HOSTILE_TAG = "onboarding\x1b]52;c;cGF5\x07[@click=app.quit]x[/]"


def earlier_insight(service: Service, days_ago: int, tag: str, team: str) -> None:
    """An insight of ``days_ago`` days before now (outside the last 7 days from 8 on)."""
    service.store.insights.add(
        Insight(
            id=f"earlier-{days_ago}",
            question_id=f"demo:earlier-{days_ago}",
            channel="demo",
            url=None,
            customer_name=None,
            customer_handle=None,
            tags=(tag,),
            team=team,
            sentiment="neutral",
            importance=1,
            summary=f"Earlier {tag}",
            quote="",
            note=None,
            created_at=UI_NOW - timedelta(days=days_ago),
        )
    )


def seed(service: Service, onboarding: str = "onboarding") -> None:
    """Today: billing twice (product), praise (marketing). The digest week (13-19 Nov):
    onboarding only. Twenty days ago: refunds."""
    tag_three(service)
    earlier_insight(service, 9, onboarding, "support")
    earlier_insight(service, 20, "refunds", "support")


def header(screen: DigestScreen) -> str:
    return plain(screen.query_one("#digest-header", Static))


def note(screen: DigestScreen) -> str | None:
    """The line under the header, or None when it is hidden."""
    shown = screen.query_one("#digest-note", Static)
    return plain(shown) if shown.display else None


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


async def test_a_tag_the_next_period_lacks_is_dropped_and_g_steps_its_tags(
    service: Service,
) -> None:
    """The chosen tag was kept: the digest week showed ``billing · 0 insights`` with no
    word why, and ``g`` then stepped through the tags of the last 7 days."""
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        seed(service)
        screen = await open_digest(app, pilot)
        await press(app, pilot, "g")
        assert "Last 7 days · all teams · billing · 2 insights" in header(screen)
        assert note(screen) is None
        await press(app, pilot, "right_square_bracket")  # the digest week: no billing
        assert "Digest week · all teams · all tags · 1 insight" in header(screen)
        assert note(screen) == "No billing insight in Digest week: showing all tags."
        assert screen.tag is None and screen.file_label() == "Digest week"
        assert screen.query_one("#digest-status").display is False
        await press(app, pilot, "x")
        assert isinstance(app.screen, ExportScreen)
        name = Path(app.screen.query_one("#export-path", Input).value).name
        assert name == "cxdaily-digest-digest-week.md"
        await press(app, pilot, "escape")
        await press(app, pilot, "g")  # the digest week's one tag
        assert "Digest week · all teams · onboarding · 1 insight" in header(screen)
        assert note(screen) is None  # the line goes with the next change
        await press(app, pilot, "g")
        assert "Digest week · all teams · all tags" in header(screen)


async def test_a_tag_the_next_period_has_stays_and_g_steps_that_periods_tags(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        seed(service)
        screen = await open_digest(app, pilot)
        await press(app, pilot, "g", "left_square_bracket")  # billing; then this year
        assert "This year · all teams · billing · 2 insights" in header(screen)
        assert note(screen) is None and screen.file_label() == "This year billing"
        seen = [screen.tag]
        for _ in range(5):
            await press(app, pilot, "g")
            if screen.tag is None:
                break
            seen.append(screen.tag)
        assert sorted(seen) == ["billing", "onboarding", "praise", "refunds"]
        assert "This year · all teams · all tags · 5 insights" in header(screen)


async def test_a_tag_the_next_team_lacks_is_dropped_with_a_line(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        seed(service)
        screen = await open_digest(app, pilot)
        await press(app, pilot, "g", "t")  # billing; product has it
        assert "Last 7 days · product · billing · 2 insights" in header(screen)
        assert note(screen) is None
        await press(app, pilot, "t")  # marketing has none
        assert "Last 7 days · marketing · all tags · 1 insight" in header(screen)
        line = "No billing insight in Last 7 days for marketing: showing all tags."
        assert note(screen) == line
        assert screen.file_label() == "Last 7 days marketing"
        await press(app, pilot, "g")
        assert "marketing · praise · 1 insight" in header(screen)


async def test_the_dropped_line_shows_a_hostile_tag_as_inert_text(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        seed(service, onboarding=HOSTILE_TAG)
        screen = await open_digest(app, pilot)
        await press(app, pilot, "right_square_bracket", "g")  # the digest week's one tag
        assert screen.tag is not None and screen.tag.startswith("onboarding")
        await press(app, pilot, "left_square_bracket")  # the last 7 days: not there
        text = note(screen)
        assert text is not None and text.startswith("No onboarding")
        assert "\x1b" not in text and "\x07" not in text
        assert app.is_running
        assert_terminal_safe(app)


async def test_g_waits_for_the_tags_of_a_period_that_could_not_be_read(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the next period's digest fails, ``g`` stepped through the last period's tags;
    it says the tags are not read instead."""
    app, recorder = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        seed(service)
        screen = await open_digest(app, pilot)
        await press(app, pilot, "g")
        assert screen.tag == "billing"

        def unreadable(request: DigestRequest) -> NoReturn:
            raise CxDailyError("the insights file could not be read")

        monkeypatch.setattr(service, "digest", unreadable)
        await press(app, pilot, "right_square_bracket")
        assert recorder.find("could not be read")
        await press(app, pilot, "g")
        assert recorder.find("The tags of this period and team are not read yet.")
        assert screen.tag == "billing"


def test_a_tag_is_found_in_any_of_its_spellings() -> None:
    assert same_tag("churn-risk", ("billing", "churn risk")) == "churn risk"
    assert same_tag("Churn_Risk", ("churn-risk",)) == "churn-risk"
    assert same_tag("billing", ("praise",)) is None

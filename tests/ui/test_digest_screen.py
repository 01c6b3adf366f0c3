"""The digest screen: reached by D from the start screen and the session, a Markdown
preview filtered by period and team, an export that writes a file, and customer text
that stays literal."""

from __future__ import annotations

import json
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, Select, Static

from cxdaily.core.models import InsightEntry
from cxdaily.service import Service
from cxdaily.ui.modals.digest_export import ExportScreen, default_path
from cxdaily.ui.screens.digest import DigestScreen, preview_content
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from tests.ui.pilot_kit import (
    SMALL,
    WIDE,
    assert_terminal_safe,
    assert_widget_safe,
    begin,
    make_app,
    plain,
    settle,
    wait_for_start,
)

HOSTILE = "[@click=app.quit]Quit[/] \x1b]52;c;cGF5\x07[b]bold[/b] \x1b[2J\u202eevil"


async def open_digest(app, pilot) -> DigestScreen:
    await pilot.press("D")
    await settle(app, pilot)
    assert isinstance(app.screen, DigestScreen), app.screen
    return app.screen


def preview_text(screen: DigestScreen) -> str:
    return plain(screen.query_one("#digest-preview", Static))


def tag_two(service: Service) -> list[str]:
    """Two insights on the first questions of the batch, one with a hostile summary."""
    first, second = (item.question.id for item in service.batch().items[:2])
    service.tag(
        first,
        InsightEntry(
            tags=("billing",),
            team="product",
            importance=3,
            summary="Charged after cancelling",
            quote="Write to jane.doe@example.com",
        ),
    )
    service.tag(second, InsightEntry(tags=("praise",), team="marketing", summary=HOSTILE))
    return [first, second]


async def test_d_opens_the_digest_from_the_start_screen(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        start = await wait_for_start(app, pilot)
        screen = await open_digest(app, pilot)
        text = preview_text(screen)
        assert text.startswith("# Customer insights")
        assert "No insights, reflections or hand-offs in this period." in text
        assert "0 insights" in plain(screen.query_one("#digest-summary", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is start and isinstance(start, StartScreen)


async def test_the_preview_follows_the_team_filter(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_two(service)
        screen = await open_digest(app, pilot)
        text = preview_text(screen)
        assert "Charged after cancelling" in text and "### Marketing (1)" in text
        assert "j\\*\\*\\*@example.com" in text and "jane.doe" not in text  # redacted
        screen.query_one("#digest-team", Select).value = "marketing"
        await settle(app, pilot)
        text = preview_text(screen)
        assert "team marketing" in text and "Charged after cancelling" not in text
        assert "1 insight" in plain(screen.query_one("#digest-summary", Static))
        screen.query_one("#digest-period", Select).value = "last month"
        await settle(app, pilot)
        assert "No insights, reflections or hand-offs" in preview_text(screen)


async def test_customer_text_in_the_preview_stays_literal(service: Service) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_two(service)
        screen = await open_digest(app, pilot)
        text = preview_text(screen)
        assert "[@click=app.quit]Quit[/]" in text.replace("\\", "")  # shown, not run
        assert_widget_safe(screen.query_one("#digest-preview", Static))
        assert_terminal_safe(app)
        await pilot.click("#digest-preview")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, DigestScreen)
        assert not recorder.find("Traceback")


async def test_d_in_a_session_and_export_writes_the_file(service: Service, tmp_path: Path) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        session = await begin(app, pilot)
        tag_two(service)
        screen = await open_digest(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        export = app.screen
        path_input = export.query_one("#export-path", Input)
        assert path_input.value == default_path("md", "Last 7 days")
        export.query_one("#export-format", Select).value = "json"
        await pilot.pause()
        assert path_input.value.endswith("cxdaily-digest-last-7-days.json")
        target = tmp_path / "exports" / "digest.json"
        target.parent.mkdir()
        path_input.value = str(target)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data["schema"] == "cxdaily.digest/2" and len(data["insights"]) == 2
        assert "jane.doe" not in target.read_text(encoding="utf-8")
        assert recorder.find("Digest exported")
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is session and isinstance(session, SessionScreen)


async def test_export_options_and_a_failed_export(service: Service, tmp_path: Path) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_two(service)
        await open_digest(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        export = app.screen
        assert isinstance(export, ExportScreen)
        target = tmp_path / "exports" / "digest.csv"  # the extension picks the format
        target.parent.mkdir()
        export.query_one("#export-path", Input).value = str(target)
        export.query_one("#export-keep").value = True
        export.query_one("#export-initials").value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = target.read_text(encoding="utf-8")
        assert text.startswith("id,theme_rank,theme,") and "jane.doe@example.com" in text
        # An unwritable file: a one-line error, no file.
        await pilot.press("x")
        await pilot.pause()
        missing = tmp_path / "nowhere" / "digest.md"
        app.screen.query_one("#export-path", Input).value = str(missing)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert recorder.find("does not exist") and not missing.parent.exists()
        assert isinstance(app.screen, DigestScreen)


async def test_the_palette_offers_the_digest(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Digest")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DigestScreen)


def test_a_long_preview_is_cut_with_a_hint() -> None:
    markdown = "\n".join(f"- line {n}" for n in range(1000))
    content = preview_content(markdown, limit=10)
    assert content.plain.count("\n- line") == 9
    assert "990 more lines: press x" in content.plain

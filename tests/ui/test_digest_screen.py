"""The digest screen: reached by D from the start screen and the session, the digest
rendered for a period and a team switched by key, an export that writes a file, and
customer text that stays literal."""

from __future__ import annotations

import json
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, Select, Static
from textual.widgets._markdown import MarkdownBlock

from cxdaily.core.models import InsightEntry
from cxdaily.service import Service
from cxdaily.ui.modals.digest_export import ExportScreen, default_path
from cxdaily.ui.screens.digest import DigestScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from tests.ui.pilot_kit import (
    SMALL,
    WIDE,
    begin,
    make_app,
    open_digest,
    plain,
    settle,
    wait_for_start,
)

HOSTILE = "[@click=app.quit]Quit[/] \x1b]52;c;cGF5\x07[b]bold[/b] \x1b[2J\u202eevil"


def preview_text(screen: DigestScreen) -> str:
    """The text of every rendered block of the digest (scrolled into view or not)."""
    blocks = screen.query_one("#digest-view").query(MarkdownBlock)
    return "\n".join(block._content.plain for block in blocks if block._content.plain)


def header_text(screen: DigestScreen) -> str:
    """The header line: period, team, tag and counts."""
    return plain(screen.query_one("#digest-header", Static))


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
        assert text.startswith("Customer insights")
        assert "No insights, reflections or hand-offs in this period." in text
        assert "Last 7 days · all teams · all tags · 0 insights" in header_text(screen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is start and isinstance(start, StartScreen)


async def test_the_digest_follows_the_team_and_period_keys(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        tag_two(service)
        screen = await open_digest(app, pilot)
        text = preview_text(screen)
        assert "Charged after cancelling" in text and "Marketing (1)" in text
        assert "j***@example.com" in text and "jane.doe" not in text  # redacted
        await pilot.press("t")  # product, the first team
        await settle(app, pilot)
        assert "Last 7 days · product · all tags · 1 insight" in header_text(screen)
        await pilot.press("t")  # marketing
        await settle(app, pilot)
        text = preview_text(screen)
        assert "team marketing" in text and "Charged after cancelling" not in text
        assert "marketing · all tags · 1 insight" in header_text(screen)
        for _ in range(5):  # sales, support, engineering, unassigned, then every team
            await pilot.press("t")
        await settle(app, pilot)
        assert "Last 7 days · all teams · all tags · 2 insights" in header_text(screen)
        await pilot.press("left_square_bracket")  # from the first period to the last
        await settle(app, pilot)
        assert header_text(screen).startswith("Digest · This year · all teams")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        assert header_text(screen).startswith("Digest · Digest week · all teams")
        assert "No insights, reflections or hand-offs" in preview_text(screen)
        assert "13 Nov 2026 – 19 Nov 2026" in preview_text(screen)


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


async def test_an_export_is_named_after_its_team_and_tag_too(service: Service) -> None:
    """Two teams' digests of one period took one name: the second export overwrote the
    first without a word. The name says the team (and the tag) chosen."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await begin(app, pilot)
        tag_two(service)
        screen = await open_digest(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        team = screen.team
        assert team
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        name = Path(app.screen.query_one("#export-path", Input).value).name
        assert name == f"cxdaily-digest-last-7-days-{team.replace(' ', '-')}.md"


async def test_the_palette_offers_no_command_the_screen_has_switched_off(
    service: Service,
) -> None:
    """In a terminal without team mode the palette offered "the company's digest" and
    "open in a new tab": chosen, each did nothing."""
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await begin(app, pilot)
        screen = await open_digest(app, pilot)
        actions = {
            command.callback.args[0]
            for command in app.get_system_commands(screen)
            if getattr(command.callback, "args", ())
        }
    assert "export" in actions, actions
    assert "toggle_company" not in actions and "open_in_tab" not in actions

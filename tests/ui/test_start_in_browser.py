"""The no-channel start screen served in a browser: the demo cannot start inside the tab
(it is its own app), so the line says how to open it and ``d`` does nothing there."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.screens.start import StartScreen
from tests.ui.pilot_kit import SMALL, footer_line, plain, settle


@pytest.mark.parametrize("web", [False, True])
async def test_the_demo_line_fits_where_the_app_runs(
    ui_home: Path, monkeypatch: pytest.MonkeyPatch, web: bool
) -> None:
    monkeypatch.setattr(CxDailyApp, "is_web", property(lambda app: web))
    service = Service.open()  # no channel configured
    try:
        app = CxDailyApp(service)
        async with app.run_test(size=SMALL) as pilot:
            await settle(app, pilot)
            start = app.screen
            assert isinstance(start, StartScreen)
            text = plain(start.query_one("#start-list", Static))
            footer = footer_line(app)
            assert "Refresh" not in footer and "Begin" not in footer  # no channel yet
            if web:
                assert text.startswith("To try the demo inbox in a browser, run `cxdaily serve")
                assert "--demo`" in text and "Press d" not in text
                assert "Quit" in footer and "Demo" not in footer
                await pilot.press("d")
                await settle(app, pilot)
                assert app.is_running and app.screen is start  # the session goes on
            else:
                assert text.startswith("Press d to try the demo inbox")
                assert "d Demo" in footer and "Quit" in footer
                await pilot.press("d")
                await settle(app, pilot)
                assert not app.is_running  # the command line opens the demo
    finally:
        service.close()

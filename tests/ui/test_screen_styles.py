"""The first frame parses only the app's and the start screen's stylesheets; the other
screens' load while the leader reads the batch, or before a screen shown sooner, which
is styled all the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.service import Service
from cxdaily.ui import app as app_module
from cxdaily.ui.app import CxDailyApp, later_stylesheets
from cxdaily.ui.keys import COLLISION_COMMANDS
from cxdaily.ui.modals.confirm import ConfirmScreen, Part, Question
from cxdaily.ui.screens import start
from cxdaily.ui.screens.help import HelpScreen
from tests.ui.pilot_kit import SMALL, make_app, settle, wait_for_start


def loaded_sheets(app: CxDailyApp) -> set[str]:
    """The names (relative to the themes folder) of the app's stylesheets Textual holds."""
    folder = app_module.builtin_themes_dir()
    names = set()
    for path, _ in app.stylesheet.source:
        if path and Path(path).is_relative_to(folder):
            names.add(Path(path).relative_to(folder).as_posix())
    return names


LATER = {
    path.relative_to(app_module.builtin_themes_dir()).as_posix() for path in later_stylesheets()
}


def test_every_stylesheet_is_loaded_first_or_later() -> None:
    folder = app_module.builtin_themes_dir()
    every = {"app.tcss", *(p.relative_to(folder).as_posix() for p in folder.glob("screens/*"))}
    assert set(app_module.FIRST_STYLESHEETS) | LATER == every
    assert "screens/session.tcss" in LATER and not set(app_module.FIRST_STYLESHEETS) & LATER


async def test_a_screen_shown_before_the_others_load_is_styled(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(start, "SCREENS_PREPARED_AFTER_S", 60.0)  # not while this runs
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        assert loaded_sheets(app) == set(app_module.FIRST_STYLESHEETS)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert loaded_sheets(app) == set(app_module.FIRST_STYLESHEETS) | LATER
        # modals.tcss: the help dialog is at most 160 columns wide (the app's own rule)
        assert app.screen.query_one("#help").styles.max_width.value == 160  # type: ignore[union-attr]


async def test_the_other_stylesheets_load_while_the_leader_reads(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        for _ in range(40):
            if loaded_sheets(app) != set(app_module.FIRST_STYLESHEETS):
                break
            await pilot.pause(0.05)
        assert loaded_sheets(app) == set(app_module.FIRST_STYLESHEETS) | LATER
        assert isinstance(app.screen, start.StartScreen)


async def test_a_dialog_awaited_from_a_worker_is_styled_and_answers(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``push_screen_wait`` (the app's ``push_screen`` told to wait for the answer) loads
    the stylesheets first too, and hands the dialog's answer back."""
    from textual.content import Content

    monkeypatch.setattr(start, "SCREENS_PREPARED_AFTER_S", 60.0)
    question = Question(
        id="collision",
        title="The team answered",
        parts=(Part("collision-text", Content("Already done.")),),
        commands=COLLISION_COMMANDS,
    )
    answers: list[bool | None] = []
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)

        async def ask() -> None:
            answers.append(await app.push_screen_wait(ConfirmScreen(question)))

        app.run_worker(ask())
        for _ in range(40):
            if isinstance(app.screen, ConfirmScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, ConfirmScreen)
        assert loaded_sheets(app) == set(app_module.FIRST_STYLESHEETS) | LATER
        await pilot.press("y")
        await settle(app, pilot)
        assert answers == [True]
        assert isinstance(app.screen, start.StartScreen)

"""Themes as data (built-in, user, broken, missing) and what a crash leaves behind."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from cxdaily.service import Service
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.themes import DEFAULT_THEME
from tests.ui.pilot_kit import SMALL, begin, make_app, wait_for_start

GOOD_THEME = """\
name = "good"
dark = true
primary = "#123456"
accent = "#abcdef"
background = "#101010"
"""


def user_theme(home: Path, file_name: str, text: str) -> Path:
    """Write a user theme file in <CXDAILY_HOME>/themes/."""
    folder = home / "themes"
    folder.mkdir(exist_ok=True)
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    return path


async def test_the_built_in_themes_are_registered_and_dark_is_the_default(
    service: Service,
) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        assert {"cxdaily-dark", "cxdaily-light"} <= set(app.available_themes)
        assert app.theme == DEFAULT_THEME == "cxdaily-dark"
        assert not [c for c in recorder.calls if c.get("severity") == "warning"]
        # The theme can be switched at run time and the app's variables still resolve.
        app.theme = "cxdaily-light"
        await begin(app, pilot)
        assert app.theme_variables["cx-highlight"] == "#b35c00"


async def test_a_configured_light_theme_paints_the_first_frame(
    write_config: Callable[[str], Path],
) -> None:
    """The configured theme is selected before the first CSS parse: its colours, its
    classes and its variables are in force from the first frame, without a re-parse."""
    write_config('[ui]\ntheme = "cxdaily-light"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            await wait_for_start(app, pilot)
            assert app.theme == "cxdaily-light"
            assert app.has_class("-light-mode", "-theme-cxdaily-light")
            assert not app.has_class("-dark-mode")
            assert app.theme_variables["cx-highlight"] == "#b35c00"
            assert app.screen.styles.background.hex.lower() == "#f7f7f4"
            # Switching at run time still works (the ordinary watcher path).
            app.theme = "cxdaily-dark"
            await pilot.pause()
            assert app.has_class("-dark-mode") and not app.has_class("-light-mode")
            assert app.screen.styles.background.hex.lower() != "#f7f7f4"
    finally:
        service.close()


async def test_a_user_theme_is_loaded_and_used(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    user_theme(ui_home, "good.toml", GOOD_THEME)
    write_config('[ui]\ntheme = "good"\n')
    service = Service.open("demo")
    try:
        app, recorder = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await begin(app, pilot)  # every screen renders with the user's colours
            assert "good" in app.available_themes
            assert app.theme == "good"
            assert app.current_theme.primary == "#123456"
            # No [variables] table: the app's own variables fall back to literal colours.
            assert app.theme_variables["cx-reason"].startswith("#")
            assert not recorder.find("not loaded")
            assert isinstance(app.screen, SessionScreen)
    finally:
        service.close()


@pytest.mark.parametrize(
    ("file_name", "text", "reason"),
    [
        ("broken.toml", 'name = "broken"\nprimary = \n', "broken.toml was not loaded"),
        (
            "colour.toml",
            'name = "broken"\nprimary = "not-a-colour"\n',
            "primary = 'not-a-colour' is not a colour",
        ),
        ("nameless.toml", 'primary = "#123456"\n', "needs name"),
    ],
)
async def test_a_broken_user_theme_warns_and_falls_back(
    write_config: Callable[[str], Path], ui_home: Path, file_name: str, text: str, reason: str
) -> None:
    user_theme(ui_home, "good.toml", GOOD_THEME)
    user_theme(ui_home, file_name, text)
    write_config('[ui]\ntheme = "broken"\n')
    service = Service.open("demo")
    try:
        app, recorder = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await begin(app, pilot)
            assert app.is_running
            problems = recorder.find(f"Theme file {file_name}")
            assert len(problems) == 1 and reason in problems[0]["message"], recorder.messages
            assert problems[0]["severity"] == "warning"
            assert "good" in app.available_themes, "one broken file does not sink the others"
            assert app.theme == "cxdaily-dark"
            assert recorder.find("Theme 'broken' is not available; using cxdaily-dark.")
    finally:
        service.close()


async def test_a_missing_theme_falls_back_to_the_default(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[ui]\ntheme = "missing"\n')
    service = Service.open("demo")
    try:
        app, recorder = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await wait_for_start(app, pilot)
            assert app.theme == "cxdaily-dark"
            [call] = recorder.find("Theme 'missing' is not available")
            assert call["severity"] == "warning"
            assert "using cxdaily-dark" in call["message"]
            toasts = [str(t.render()) for t in app.screen.query("Toast")]
            assert any("missing" in t for t in toasts), "the leader sees it"
    finally:
        service.close()


async def test_a_crash_shows_one_line_and_keeps_the_traceback_private(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args, **kwargs):
        secret = "secret-token-123"  # a local variable a rich traceback would print
        raise RuntimeError(secret)

    monkeypatch.setattr(service, "skip", explode)
    app, _ = make_app(service)
    stderr = io.StringIO()
    app.error_console = Console(file=stderr, width=500, markup=False, highlight=False)
    printed: list[object] = []
    original = app._print_error_renderables

    def capture() -> None:
        printed.extend(app._exit_renderables)
        original()

    monkeypatch.setattr(app, "_print_error_renderables", capture)

    with pytest.raises(RuntimeError, match="secret-token-123"):  # run_test re-raises
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await begin(app, pilot)
            await pilot.press("s")
            await pilot.pause()

    assert app.return_code == 1
    assert not app.is_running
    assert len(printed) == 1
    output = stderr.getvalue()
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    line = lines[0]
    assert line.startswith("cxdaily: stopped on an internal error (RuntimeError)")
    assert "secret-token-123" not in output
    assert "locals" not in output.lower()
    assert "Traceback" not in output

    log = service.locations.data_dir / "crash.log"
    assert str(log) in line
    assert log.is_file()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError" in text
    assert "secret = " not in text, "no local variables in the log"


async def test_a_theme_picked_at_run_time_is_saved_and_used_next_launch(
    write_config: Callable[[str], Path],
) -> None:
    config = write_config('# my settings\n[session]\ntimezone = "UTC"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            await wait_for_start(app, pilot)
            app.theme = "cxdaily-light"  # what the palette's theme picker does
            await pilot.pause()
            await app.workers.wait_for_complete()
    finally:
        service.close()
    text = config.read_text()
    assert text.startswith('# my settings\n[session]\ntimezone = "UTC"\n')
    assert 'theme = "cxdaily-light"' in text
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            await wait_for_start(app, pilot)
            assert app.theme == "cxdaily-light"
    finally:
        service.close()

"""Help (F1 and ?), the command palette, and keys remapped in the config."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from cxdaily.service import Service
from cxdaily.ui.keys import ALL_GROUPS, SESSION_COMMANDS, START_COMMANDS, display_keys
from cxdaily.ui.screens.help import KEY_WIDTH, HelpScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from tests.ui.pilot_kit import (
    SMALL,
    begin,
    composer_of,
    composing,
    make_app,
    palette_prompts,
    plain,
    type_text,
    wait_for_start,
)


def help_text(app) -> str:
    """Everything the help screen lists."""
    assert isinstance(app.screen, HelpScreen)
    return "\n".join(plain(static) for static in app.screen.query(Static))


def key_rows(text: str) -> dict[str, str]:
    """help text -> {command help: keys shown} (words wrapped under the words column
    joined again)."""
    rows: dict[str, str] = {}
    words = None
    for line in text.splitlines():
        if words is not None and re.match(rf"^ {{{KEY_WIDTH + 4},}}\S", line):
            rows[f"{words} {line.strip()}"] = rows.pop(words)
            words = f"{words} {line.strip()}"
            continue
        match = re.match(r"^  (\S.*?)\s{2,}(\S.*)$", line)
        words = match[2].strip() if match else None
        if match:
            rows[match[2].strip()] = match[1].strip()
    return rows


async def test_f1_and_question_mark_open_help_with_every_key(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        start = app.screen
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(app)
        rows = key_rows(text)
        for command in START_COMMANDS:  # the group help was opened from, in full
            assert rows.get(command.help) == display_keys(command.keys), command
        for group, commands in ALL_GROUPS:  # every other group compactly
            if group == "Help":  # help's own keys are in its title line
                assert "/ find · esc close" in text.splitlines()[0]
                continue
            assert group in text
            for command in commands if commands is not START_COMMANDS else ():
                assert f"{display_keys(command.keys)} {command.label}" in text, command
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is start

        # In the session too, and ? works like F1.
        await begin(app, pilot)
        session = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Reply in the composer" in help_text(app)
        await pilot.press("question_mark")  # the same key closes it
        await pilot.pause()
        assert app.screen is session
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen is session


async def test_help_also_lists_the_keys_of_the_time_up_question(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(app)
        assert "Time is up: w Wrap up · f 5 more minutes" in text


async def test_the_command_palette_holds_the_session_actions(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        start = await wait_for_start(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        titles = [p.split("\n")[0] for p in await palette_prompts(app, pilot)]
        for command in START_COMMANDS:  # those switched off now (no digest due) are not
            offered = start.check_action(command.action, ()) is not False
            assert (command.help in titles) == offered, command.id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)

        screen = await begin(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        prompts = await palette_prompts(app, pilot)
        titles = [p.split("\n")[0] for p in prompts]
        for command in SESSION_COMMANDS:
            assert command.help in titles
        assert "Help" in titles
        assert "Reply in the composer\nKey: r" in prompts

        # Choosing an entry runs the action on the session screen.
        await type_text(pilot, "reply in")
        prompts = await palette_prompts(app, pilot)
        assert prompts[0].startswith("Reply in the composer")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert composer_of(app).question_id == screen.items[0].question.id


async def test_a_key_remapped_in_the_config_replaces_the_default(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nreply = "R"\nno_such_action = "x"\n')
    service = Service.open("demo")
    try:
        app, recorder = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            screen = await begin(app, pilot)
            assert recorder.find("no_such_action: no such key binding")
            await pilot.press("r")
            await pilot.pause()
            assert app.screen is screen and not composing(app), "r no longer replies"
            await pilot.press("R")
            await pilot.pause()
            assert composing(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, SessionScreen) and not composing(app)

            # Help and the palette show the remapped key.
            await pilot.press("f1")
            await pilot.pause()
            assert key_rows(help_text(app))["Reply in the composer"] == "R"
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert "Reply in the composer\nKey: R" in await palette_prompts(app, pilot)
    finally:
        service.close()

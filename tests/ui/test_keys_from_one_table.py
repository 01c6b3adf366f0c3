"""Keys come from one table: every binding has an id in ``ui/keys.py``, every hint,
button label and toast that names a key follows the ``[keys]`` keymap, the confirm dialog
answers with its question's keys, the tag and export dialogs are in the palette, and the
no-channel start screen's ``d`` opens the demo inbox."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.dom import DOMNode
from textual.widgets import Button, Static

from cxdaily.cli import cmd_app
from cxdaily.core.models import ReplyState
from cxdaily.service import Service
from cxdaily.ui.app import OPEN_DEMO, CxDailyApp
from cxdaily.ui.keys import ALL_GROUPS, COLLISION_COMMANDS, COMMANDS_BY_ID, KeyNames
from cxdaily.ui.modals.confirm import ConfirmScreen, Part, Question
from cxdaily.ui.modals.digest_export import ExportScreen
from cxdaily.ui.modals.filter_pick import FilterScreen
from cxdaily.ui.modals.handoff import HandoffScreen
from cxdaily.ui.modals.snooze import SnoozeScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.outbox_status import flushed_messages, ledger_line
from cxdaily.ui.screens.digest import DigestScreen
from cxdaily.ui.screens.help import HelpScreen
from cxdaily.ui.screens.promises import PromisesScreen, reply_prompt
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.start import StartScreen
from cxdaily.ui.screens.stats import StatsScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from cxdaily.ui.session_clock import time_up_question
from cxdaily.ui.widgets.digest_view import more_line
from cxdaily.ui.widgets.heatmap import streak_words
from cxdaily.ui.widgets.queue_pane import SearchInput
from cxdaily.ui.widgets.reply_composer import ReplyComposer, counter_content
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    a_reply,
    begin,
    composing,
    footer_line,
    make_app,
    palette_prompts,
    plain,
    screen_text,
    settle,
    wait_for_start,
)

SCREENS: tuple[type[DOMNode], ...] = (
    StartScreen,
    SessionScreen,
    WrapUpScreen,
    StatsScreen,
    DigestScreen,
    PromisesScreen,
    HelpScreen,
    ReplyComposer,
    SearchInput,
    FilterScreen,
    TagScreen,
    ExportScreen,
    HandoffScreen,
    SnoozeScreen,
)

REMAPPED = KeyNames(
    {
        "send": "ctrl+enter",
        "close": "ctrl+w",
        "promises": "P",
        "outbox_retry": "R",
        "digest_export": "E",
        "stats": "ctrl+t",
        "tag": "T",
    }
)


# ------------------------------------------------------------------- the table itself
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.__name__)
def test_every_binding_of_a_screen_is_a_key_command_of_the_table(screen: type[DOMNode]) -> None:
    commands = screen.KEY_COMMANDS  # type: ignore[attr-defined]
    assert commands, f"{screen.__name__} declares no key commands"
    ids = [binding.id for binding in screen.BINDINGS]  # type: ignore[union-attr]
    assert ids == [command.id for command in commands]
    for command in commands:
        assert COMMANDS_BY_ID[command.id].keys == command.keys


def test_an_id_shared_by_screens_has_the_same_keys_everywhere() -> None:
    for _, group in ALL_GROUPS:
        for command in group:
            assert COMMANDS_BY_ID[command.id].keys == command.keys, command.id


def test_key_names_follow_the_keymap_and_ignore_unknown_ids() -> None:
    names = KeyNames({"reply": "R", "back": "b,escape", "nonsense": "x"})
    assert names.key("reply") == "R"
    assert names.key("back") == "b" and names.all("back") == "b / esc"
    assert names.key("close") == "esc"
    assert "nonsense" not in names.keymap
    assert names.label("tag_save") == "Save (ctrl+s)"
    assert names.hint("begin", "quit") == "enter begin · q quit"


# ------------------------------------------------------------- hints follow the keymap
def test_texts_that_name_a_key_name_the_remapped_key() -> None:
    counter = counter_content("Thanks", 280, None, keys=REMAPPED).plain
    assert "ctrl+enter send · ctrl+w close" in counter and "ctrl+s" not in counter

    held = a_reply(hold="the thread changed")
    assert "(R sends it anyway)" in reply_prompt(held, UI_NOW, keys=REMAPPED).plain

    assert more_line(3, REMAPPED.key("digest_export")).endswith("E exports them all.")

    failed = a_reply(state=ReplyState.FAILED, error="timeout")
    ((message, _),) = flushed_messages([failed], keys=REMAPPED)
    assert message.endswith("retried later (P).")
    assert "P to review" in ledger_line([failed], [], UI_NOW.date(), REMAPPED).plain


async def test_a_remapped_key_changes_the_start_footer_and_the_palette(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nbegin = "b"\nquit = "ctrl+x"\nstats = "ctrl+t"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            start = await wait_for_start(app, pilot)
            await settle(app, pilot)
            assert start.todays_batch is not None and start.todays_batch.items
            footer = footer_line(app)
            assert "b Begin" in footer and "^x Quit" in footer
            assert "⏎" not in footer
            assert "Demo" not in footer  # a channel is set up: the demo key is onboarding's
            await pilot.press("ctrl+p")
            await pilot.pause()
            prompts = await palette_prompts(app, pilot)
            assert "Stats\nStreak, calendar and personal stats (ctrl+t)" in prompts
            assert "Begin the session on today's batch\nKey: b" in prompts
    finally:
        service.close()


async def test_a_remapped_key_changes_the_composer_and_the_dialog_buttons(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nsend = "ctrl+enter"\ntag_save = "ctrl+g"\ntimeup_more = "m"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            screen = await begin(app, pilot)
            await pilot.press("r")
            await pilot.pause()
            assert composing(app)
            counter = plain(app.screen.query_one("#composer-counter", Static))
            assert "ctrl+enter send" in counter and "ctrl+s" not in counter
            await pilot.press("escape")
            await pilot.pause()

            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, TagScreen)
            assert str(app.screen.query_one("#tag-save", Button).label) == "Save (ctrl+g)"
            await pilot.press("escape")
            await pilot.pause()

            screen.started -= screen.total_s + 1
            screen.tick()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            labels = [str(b.label) for b in app.screen.query(Button)]
            assert labels == ["Wrap up (w)", "5 more minutes (m)"]
            await pilot.press("f")  # the default key no longer answers
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("m")
            await pilot.pause()
            assert app.screen is screen and screen.session.extra_s == 300
    finally:
        service.close()


def test_the_stats_hint_under_the_heatmap_names_the_remapped_key(service: Service) -> None:
    words = streak_words(service.streak(), REMAPPED.key("stats"))
    assert words[-1].plain == "ctrl+t stats and calendar"


# ------------------------------------------------------------------ the confirm dialog
def question() -> Question:
    from textual.content import Content

    return Question(
        id="collision",
        title="The team answered",
        parts=(Part("collision-text", Content("Already done."), scroll=True),),
        commands=COLLISION_COMMANDS,
    )


async def test_the_confirm_dialog_answers_with_its_keys_and_buttons(service: Service) -> None:
    app, _ = make_app(service)
    answers: list[bool | None] = []
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        for key in ("y", "n", "escape"):
            app.push_screen(ConfirmScreen(question()), callback=answers.append)
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ConfirmScreen)
            assert "Already done." in screen_text(app)
            assert [str(b.label) for b in dialog.query(Button)] == [
                "Keep as draft (n)",
                "Send mine anyway (y)",
            ]
            assert dialog.focused is dialog.query_one("#confirm-no", Button), "no is the default"
            await pilot.press(key)
            await pilot.pause()
        assert answers == [True, False, False]

        app.push_screen(ConfirmScreen(question()), callback=answers.append)
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert answers[-1] is True
        assert isinstance(app.screen, StartScreen)


async def test_the_confirm_dialog_keys_are_in_the_palette(service: Service) -> None:
    app, _ = make_app(service)
    answers: list[bool | None] = []
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        app.push_screen(ConfirmScreen(time_up_question(3)), callback=answers.append)
        await pilot.pause()
        assert "3 questions left." in screen_text(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        prompts = await palette_prompts(app, pilot)
        assert "Time is up: take five more minutes\nKey: f" in prompts
        await pilot.press(*"five more")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await settle(app, pilot)
        assert answers == [True]


# -------------------------------------------------------- the tag and export dialogs
async def test_the_tag_dialog_commands_are_in_the_palette(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        prompts = await palette_prompts(app, pilot)
        assert "Save the insight\nKey: ctrl+s" in prompts
        assert "Close the insight form unsaved\nKey: esc" in prompts
        await pilot.press(*"close the insight")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen


async def test_the_export_dialog_commands_are_in_the_palette(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        digest = app.screen
        assert isinstance(digest, DigestScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert labels == ["Export (ctrl+s)", "Cancel (esc)"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        prompts = await palette_prompts(app, pilot)
        assert "Write the export file\nKey: ctrl+s" in prompts
        assert "Close the export form\nKey: esc" in prompts
        await pilot.press(*"close the export")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is digest


# ------------------------------------------------------------------ d opens the demo
def test_d_on_the_no_channel_start_screen_opens_the_demo_inbox(
    ui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, str]] = []

    async def drive(app: CxDailyApp) -> None:
        async with app.run_test(size=SMALL) as pilot:
            await pilot.pause()
            text = screen_text(app)
            seen.append((app.demo, text))
            if app.demo:
                app.exit()
            else:
                await pilot.press("d")
            await pilot.pause()

    def run(self: CxDailyApp, *args: object, **kwargs: object) -> str | None:
        asyncio.run(drive(self))
        return self.return_value

    monkeypatch.setattr(CxDailyApp, "run", run)
    monkeypatch.setattr("cxdaily.cli.app_terminal_problem", lambda: None)  # driven headless
    code = cmd_app(argparse.Namespace(command=None, demo=False, reset=False))
    assert code == 0
    assert [demo for demo, _ in seen] == [False, True], "d reopened the app on the demo"
    assert "No channel is connected yet." in seen[0][1]
    assert "Press d to try the demo inbox" in seen[0][1]
    assert "demo inbox" in seen[1][1]


async def test_a_remapped_demo_key_is_the_one_the_onboarding_names(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\ndemo = "ctrl+d"\n')
    service = Service.open(None)
    try:
        app = CxDailyApp(service)
        async with app.run_test(size=SMALL) as pilot:
            await pilot.pause()
            assert "Press ctrl+d to try the demo inbox" in screen_text(app)
            assert "^d Demo" in footer_line(app)
            await pilot.press("ctrl+d")
            await pilot.pause()
        assert app.return_value == OPEN_DEMO
    finally:
        service.close()


@pytest.mark.parametrize(
    "keymap",
    [
        {"undo": "r", "reply": "R"},
        {"reply": "R", "undo": "r"},
        {"reply": "s", "skip": "r"},
    ],
)
def test_two_remaps_that_trade_keys_are_both_kept_in_any_order(keymap):
    """Each remap is checked against the keys the others end up with: the lines' order
    made ``undo = "r"`` before ``reply = "R"`` a clash, and a swap impossible."""
    names = KeyNames(keymap)
    assert names.conflicts == []
    assert all(names.keys(command_id) == keys for command_id, keys in keymap.items())


def test_a_remap_that_takes_another_commands_key_is_refused_with_a_warning():
    """`[keys] reply = "s"` silently took over skip: now skip keeps s and reply keeps r."""
    names = KeyNames({"reply": "s", "tag": "ctrl+t"})
    assert names.keys("skip") == "s"
    assert names.keys("reply") == COMMANDS_BY_ID["reply"].keys
    assert names.keys("tag") == "ctrl+t"
    (warning,) = names.conflicts
    assert warning.startswith('[keys] reply = "s": s is already the key of skip')
    assert warning.endswith("reply keeps r")


async def test_the_app_warns_about_a_clashing_remap(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nreply = "s"\n')
    service = Service.open("demo")
    try:
        app, recorder = make_app(service)
        async with app.run_test(size=SMALL, notifications=True) as pilot:
            await wait_for_start(app, pilot)
            assert recorder.find("is already the key of skip")
            assert app.key_names.keys("skip") == "s"
    finally:
        service.close()

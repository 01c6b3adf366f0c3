"""Help that finds things: ``/`` in help filters the keys live by key, id or words, the
group of the screen help was opened from comes first and in full (the others compactly
below 100 columns), two columns on a wide terminal, and at 80x24 the whole of help is
about a screen and a half."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Static

from cxdaily.service import Service
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, SESSION_COMMANDS
from cxdaily.ui.screens.help import (
    KEY_WIDTH,
    HelpRow,
    HelpScreen,
    compact_content,
    compact_group,
    help_sections,
    section_content,
    split_columns,
)
from tests.ui.pilot_kit import SMALL, WIDE, begin, make_app, plain, type_text, wait_for_start

TINY = (60, 15)


def shown(app) -> str:
    """The key table as help shows it now (both columns)."""
    assert isinstance(app.screen, HelpScreen)
    left = plain(app.screen.query_one("#help-left", Static))
    right = app.screen.query_one("#help-right", Static)
    return left + ("\n" + plain(right) if right.display else "")


async def test_slash_in_help_finds_keys_by_words_as_you_type(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await begin(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert "Wrap up" not in shown(app).splitlines()[0]
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "help-find"
        await type_text(pilot, "draft")
        await pilot.pause()
        text = shown(app)
        assert "Close and keep the draft" in text
        assert "Hand off to a team with a note" not in text
        assert "Composer" in text and "Session" not in text.splitlines()
        await type_text(pilot, " qqq")  # q types into the field, it does not close help
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert shown(app) == "No key matches."
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_finds_a_key_by_the_remapped_key(
    write_config: Callable[[str], Path], ui_home: Path
) -> None:
    write_config('[keys]\nopen_link = "ctrl+o"\n')
    service = Service.open("demo")
    try:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            await wait_for_start(app, pilot)
            await pilot.press("f1")
            await pilot.pause()
            await pilot.press("slash")
            await type_text(pilot, "ctrl+o")
            await pilot.pause()
            text = shown(app)
            assert "ctrl+o" in text and "source link" in text
    finally:
        service.close()


async def test_help_opened_in_the_session_starts_with_its_keys(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await begin(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = shown(app).splitlines()
        assert lines[0] == "Session"
        assert lines[1].strip().startswith("j / ↓") and lines[1].endswith("Next question")


async def test_help_fits_80x24_and_uses_two_columns_when_wide(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        dialog = app.screen.query_one("#help")
        assert app.screen.region.contains_region(dialog.region), dialog.region
        assert not app.screen.query_one("#help-right").display
        table = app.screen.query_one("#help-scroll")
        assert table.region.height >= 18, "most of the terminal is the key table"
    app, _ = make_app(service)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        right = app.screen.query_one("#help-right")
        assert right.display and right.region.x > app.screen.query_one("#help-left").region.x
        table = app.screen.query_one("#help-scroll")
        assert table.virtual_size.height <= table.region.height + 15, "little scrolling"


def test_the_columns_split_the_groups_in_order_and_about_evenly() -> None:
    sections = help_sections(DEFAULT_KEY_NAMES, first=SESSION_COMMANDS)
    left, right = split_columns(sections, 2)
    assert left + right == sections
    heights = [sum(len(rows) + 1 for _, rows in run) for run in (left, right)]
    assert abs(heights[0] - heights[1]) <= max(len(rows) + 1 for _, rows in sections)


async def open_help(app, pilot, *, in_session: bool) -> None:
    """Open help from the start screen or from a session."""
    if in_session:
        await begin(app, pilot)
    else:
        await wait_for_start(app, pilot)
    await pilot.press("f1")
    await pilot.pause()


@pytest.mark.parametrize("in_session", [True, False])
async def test_at_80x24_the_whole_help_is_about_a_screen_and_a_half(
    service: Service, in_session: bool
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await open_help(app, pilot, in_session=in_session)
        table = app.screen.query_one("#help-scroll")
        text = shown(app)
        lines = table.virtual_size.height
        assert lines <= 40 < 1.7 * SMALL[1], f"{lines} lines of help at 80x24"
        first = "Session" if in_session else "Start"
        assert text.splitlines()[0] == first
        assert "Insight form: ctrl+s Save · esc Cancel" in text, "other groups, compactly"
        assert "Hand off: ctrl+s Hand off · esc Cancel" in text, text
        assert "Snooze: enter Snooze · esc Cancel" in text, text


def test_groups_with_the_same_keys_share_one_compact_entry() -> None:
    cancel = [HelpRow("esc", "Close without choosing", "Cancel", "cancel")]
    save = [HelpRow("ctrl+s", "Save it", "Save", "save"), *cancel]
    sections = [("Filter", cancel), ("Form", save), ("Export", list(cancel))]
    text = compact_content(sections, width=200).plain
    assert text == "Filter, Export: esc Cancel  Form: ctrl+s Save · esc Cancel"
    narrow = compact_content(sections, width=30).plain
    assert narrow.splitlines() == ["Filter, Export: esc Cancel", "Form: ctrl+s Save · esc Cancel"]


def test_a_long_compact_group_breaks_between_keys_never_inside_one() -> None:
    """At 80 columns a line ended "· D" and the next began "Digest"."""
    rows = [
        HelpRow(key, f"{label} words", label, label.lower())
        for key, label in (("r", "Reply"), ("p", "Promises"), ("D", "Digest"), ("/", "Find"))
    ]
    lines = compact_group("Session", rows, width=31).plain.splitlines()
    assert lines == ["Session: r Reply · p Promises ·", "D Digest · / Find"]
    assert all(len(line) <= 31 for line in lines)
    assert compact_group("Session", rows).plain.count("\n") == 0  # no width: one line


async def test_a_search_lists_matches_in_full_from_every_group(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await open_help(app, pilot, in_session=True)
        await pilot.press("slash")
        await type_text(pilot, "cancel")
        await pilot.pause()
        text = shown(app)
        assert "Insight form\n  esc         Close the insight form unsaved" in text
        assert "  x           Cancel the highlighted unsent reply" in text
        assert ": esc Cancel" not in text, "no compact entry while searching"
        assert "Session" not in text.splitlines(), "a group without a match is left out"
        remap = plain(app.screen.query_one("#help-remap", Static))
        assert "tag_cancel" in remap and "outbox_cancel" in remap and "reply," not in remap


async def test_help_at_60x15_keeps_the_find_field_and_scrolls(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        await open_help(app, pilot, in_session=True)
        dialog = app.screen.query_one("#help")
        assert app.screen.region.contains_region(dialog.region), dialog.region
        assert app.screen.query_one("#help-find").region.height == 1
        table = app.screen.query_one("#help-scroll")
        assert table.region.height >= 6
        table.scroll_end(animate=False)
        await pilot.pause()
        assert table.scroll_y > 0, "the rest of help is a scroll away"


@pytest.mark.parametrize("size", [TINY, SMALL, WIDE, (200, 50)])
@pytest.mark.parametrize("searching", [False, True])
async def test_long_words_wrap_under_the_words_never_under_the_keys(
    service: Service, size: tuple[int, int], searching: bool
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=size) as pilot:
        await open_help(app, pilot, in_session=False)
        if searching:
            await pilot.press("slash")
            await type_text(pilot, "digest")
        await pilot.pause()
        columns = [app.screen.query_one(f"#help-{side}", Static) for side in ("left", "right")]
        continued = []
        for column in (column for column in columns if column.display):
            width = column.content_region.width
            for line in plain(column).splitlines():
                if line.startswith("  "):  # a key's line, or its words continued
                    assert cell_len(line) <= width, f"{line!r} is wrapped by the widget"
                    if line.startswith(" " * (KEY_WIDTH + 4)):
                        continued.append(line)
        assert continued, "some words are longer than their column"


def test_a_column_of_unknown_width_is_not_wrapped() -> None:
    rows = help_sections(DEFAULT_KEY_NAMES)[0][1]
    for width in (0, -7):  # before the screen is laid out
        lines = section_content("Start", rows, width).plain.splitlines()
        assert len(lines) == len(rows) + 1, lines

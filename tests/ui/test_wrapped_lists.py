"""Indented lines that wrap keep their indent: the promise ledger and the outbox list
wrap a promise's words (and a reply's reason and text) under their first words, never at
the list's left edge, at every size and after a resize."""

from __future__ import annotations

from datetime import date

import pytest
from textual.content import Content

from cxdaily.replies.promises import Promise
from cxdaily.service import Service
from cxdaily.ui.screens.promises import PromisesScreen
from cxdaily.ui.text import hanging
from tests.ui.pilot_kit import SMALL, UI_NOW, make_app, screen_lines, wait_for_start

TINY = (60, 15)
PROMISE = (
    "I will check with the billing team whether the renewal discount can be applied to "
    "all 200 seats and come back to you with a written answer before Friday."
)


def test_an_indented_line_wraps_under_its_words() -> None:
    text = Content.assemble(Content.styled("due Fri", "bold"), "\n  ", "one two three four five")
    lines = hanging(text, 12).plain.split("\n")
    assert lines == ["due Fri", "  one two", "  three four", "  five"]
    assert hanging(text, 0) is text, "unchanged while the width is unknown"
    assert hanging(Content("short"), 40).plain == "short"
    styled = hanging(text, 12)
    assert any(span.style == "bold" for span in styled.spans), "styles are kept"


def test_a_line_indented_past_half_the_width_is_left_to_the_widget() -> None:
    text = Content("        words that go on and on")
    assert hanging(text, 12).plain == text.plain


def promise_rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The rows of the promise that show, from its first words to its last or to the
    list's lower border, inside the border."""
    rows = [row.strip().strip("│").rstrip() for row in screen_lines(app)]
    start = next(n for n, row in enumerate(rows) if "I will check" in row)
    shown = []
    for row in rows[start:]:
        if row.startswith("╰"):
            break
        shown.append(row)
        if "before Friday." in row:
            break
    return shown


@pytest.mark.parametrize("size", [TINY, SMALL, (120, 30)])
async def test_a_long_promise_wraps_under_its_words(
    service: Service, size: tuple[int, int]
) -> None:
    service.store.promises.record(
        [
            Promise(
                id="r-1-1",
                reply_id="r-1",
                question_id="demo:zd-48213",
                channel="demo",
                text=PROMISE,
                due=date(2026, 11, 27),
                made_at=UI_NOW,
            )
        ]
    )
    app, _ = make_app(service)
    async with app.run_test(size=size) as pilot:
        await wait_for_start(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PromisesScreen)
        rows = promise_rows(app)
        assert len(rows) >= 2, rows
        for row in rows:
            assert row.startswith("   "), f"{row!r} is not under the promise's words"
        if "before Friday." in rows[-1]:  # all of it shows (at 60x15 the list scrolls)
            assert " ".join(row.strip() for row in rows) == PROMISE
        await pilot.resize_terminal(size[0] + 20, size[1])
        await pilot.pause()
        assert all(row.startswith("   ") for row in promise_rows(app))

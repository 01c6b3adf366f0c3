"""The insight form and the wrap-up on the smallest terminal (60x15): every field and
button can be reached by moving through the form, and escape never throws away a filled
insight without asking."""

from __future__ import annotations

from textual.widgets import Button, Input

from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.modals.tag import TagScreen
from cxdaily.ui.screens.session import SessionScreen
from cxdaily.ui.screens.wrapup import WrapUpScreen
from tests.ui.pilot_kit import (
    RISKY_REPLY,
    begin,
    make_app,
    screen_text,
    type_text,
    wait_for_start,
    write_and_send,
)

TINY = (60, 15)


def _visible(app, widget) -> bool:
    """Whether ``widget`` is inside the screen's visible area (not scrolled away)."""
    region = widget.region
    size = app.screen.size
    return region.height > 0 and region.y >= 0 and region.bottom <= size.height


async def _open_tag_form(app, pilot) -> TagScreen:
    await begin(app, pilot)
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, TagScreen)
    return app.screen


async def test_escape_on_an_empty_insight_form_closes_it(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_tag_form(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)


async def test_escape_on_a_filled_insight_form_asks_before_discarding(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _open_tag_form(app, pilot)
        await type_text(pilot, "billing")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.id == "discard"
        await pilot.press("escape")  # escape again keeps the form, text intact
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#tag-tags", Input).value == "billing"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert service.store.insights.between() == []


async def test_every_field_and_button_of_the_insight_form_is_reachable_at_60x15(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        form = await _open_tag_form(app, pilot)
        save = form.query_one("#tag-save", Button)
        seen_save = False
        for _ in range(12):  # tab through the form: each focused widget comes into view
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert focused is not None and _visible(app, focused), focused
            seen_save = seen_save or focused is save
        assert seen_save, "tab reaches the Save button"


async def _wrap_up_early(app, pilot) -> None:
    """q with questions open and time left, and q again on the question it asks."""
    await pilot.press("q")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "endearly"
    await pilot.press("q")
    await pilot.pause()
    await pilot.pause()


async def test_the_wrap_up_question_reads_whole_at_60x15(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        session = await begin(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "endearly"
        lines = [line.strip(" │·") for line in screen_text(app).splitlines()]
        at = lines.index("Wrap up early?")
        left = len(session.pending())
        assert lines[at + 2 : at + 4] == [
            f"{left} questions still open and about 30 minutes left.",
            "Wrap up now, or go back to the session?",
        ]
        assert lines[at + 5] == "Wrap up (q)       Back (esc)"
        assert lines[-1] == "q Wrap up esc Back"
        for button in app.screen.query(Button):
            assert _visible(app, button)


async def test_the_risky_words_check_scrolls_to_its_reply_and_buttons_at_60x15(
    service: Service,
) -> None:
    """Its findings, the reply and the buttons are taller than 15 rows: the dialog
    scrolls (the reply and the buttons were cut off below its edge)."""
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        screen = await begin(app, pilot)
        await write_and_send(screen, pilot, RISKY_REPLY, public=True)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question.id == "risky"
        focused = app.focused
        assert isinstance(focused, Button) and _visible(app, focused)
        assert "Send as written (y)" in screen_text(app)
        for button in app.screen.query(Button):
            app.screen.scroll_to_widget(button, animate=False)
            await pilot.pause()
            assert _visible(app, button)


async def test_the_wrap_up_input_is_reachable_at_60x15_and_counts_read_right(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        await begin(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        await _wrap_up_early(app, pilot)
        assert isinstance(app.screen, WrapUpScreen)
        reflection = app.screen.query_one("#wrapup-reflection", Input)
        assert app.focused is reflection and _visible(app, reflection)
        summary = str(app.screen.query_one("#wrapup-summary").render())
        assert "1 skipped" in summary


async def test_the_wrap_up_prompt_and_its_label_show_whole_at_60x15(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        await begin(app, pilot)
        await _wrap_up_early(app, pilot)
        assert isinstance(app.screen, WrapUpScreen)
        lines = [line.strip(" │") for line in screen_text(app).splitlines()]
        # the placeholder whole, on its own line; the label wrapped, not cut
        assert "What did customers tell you today?" in lines
        at = lines.index("What did customers tell you today?")
        assert lines[at - 2 : at] == ["One line of reflection (optional; enter", "finishes):"]


async def test_the_onboarding_wraps_instead_of_cutting_at_80_columns(ui_home) -> None:
    service = Service.open(None)  # no channel configured
    try:
        app = CxDailyApp(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert "No channel is connected yet." in text
            assert "…" not in text  # nothing cut with an ellipsis
            assert "nothing is sent" in text and "anywhere." in text
            assert "cxdaily channels add desk zendesk subdomain=acme email=me@acme.io" in text
            assert "cxdaily channels kinds" in text
    finally:
        service.close()


async def test_the_batch_shows_on_the_start_screen_at_60x15(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        screen = await wait_for_start(app, pilot)
        batch = screen.query_one("#start-batch")
        assert batch.region.height >= 3, batch.region  # the heatmap gave its rows
        assert not screen.query_one("#start-extras").display
    app, _ = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_start(app, pilot)
        assert screen.query_one("#start-extras").display  # room for the heatmap


async def test_the_composer_counter_and_keys_show_at_60x15(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        await begin(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "Hello there.")
        await pilot.pause()
        counter = app.screen.query_one("#composer-counter")
        assert _visible(app, counter)
        assert "ctrl+s send" in screen_text(app) and "12 / " in screen_text(app)

"""The hand-off, snooze and filter dialogs: their footers name the key that does the job, and
that key works wherever the focus is."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Select

from cxdaily.core.models import Disposition
from cxdaily.service import Service
from cxdaily.ui.modals.filter_pick import FilterScreen
from cxdaily.ui.modals.handoff import HandoffScreen
from cxdaily.ui.modals.snooze import SnoozeScreen
from cxdaily.ui.screens.session import SessionScreen
from tests.ui.pilot_kit import SMALL, begin, make_app, screen_lines, type_text


def recorded(service: Service, question_id: str, disposition: Disposition):
    """The action of ``disposition`` recorded on ``question_id``."""
    with service.context.lock:
        found = [
            a
            for a in service.store.activity.actions()
            if a.question_id == question_id and a.disposition == disposition
        ]
    assert len(found) == 1, found
    return found[0]


async def open_dialog(app, pilot, key: str, kind: type, *before: str):
    """Begin a session, press ``before`` then ``key``: the session, the id of the
    question highlighted then, the dialog (a ``kind``) and the footer line."""
    screen = await begin(app, pilot)
    for pressed in before:
        await pilot.press(pressed)
        await pilot.pause()
    question_id = screen.pane.queue.highlighted_id
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, kind), app.screen
    return screen, question_id, app.screen, screen_lines(app)[-1]


async def test_the_hand_off_footer_names_its_key_which_works_from_the_team(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen, handed, dialog, footer = await open_dialog(app, pilot, "h", HandoffScreen)
        assert "^s Hand off" in footer and "esc Cancel" in footer, footer
        await type_text(pilot, "Call back today")
        team = dialog.query_one("#handoff-team", Select)
        team.value = "product"
        team.focus()  # enter would open the list here: ctrl+s hands off all the same
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert screen.statuses[handed] == "handed_off"
    action = recorded(service, handed, Disposition.HANDED_OFF)
    assert action.team == "product" and action.note == "Call back today"


async def test_enter_in_the_note_still_hands_off(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen, handed, _, _ = await open_dialog(app, pilot, "h", HandoffScreen)
        assert isinstance(app.focused, Input)
        await type_text(pilot, "  Refund approved  ")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.statuses[handed] == "handed_off"
    assert recorded(service, handed, Disposition.HANDED_OFF).note == "Refund approved"


async def test_the_snooze_footer_names_enter_which_snoozes_the_highlighted_time(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen, snoozed, dialog, footer = await open_dialog(app, pilot, "z", SnoozeScreen)
        assert "⏎ Snooze" in footer and "esc Cancel" in footer, footer
        until = dialog.choices[2][1]  # in 3 days
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert screen.statuses[snoozed] == "snoozed"
    assert recorded(service, snoozed, Disposition.SNOOZED).until == until


async def test_the_filter_footer_names_enter_which_shows_the_highlighted_filter(
    service: Service,
) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        # one question skipped first, for a filter that shows one
        screen, _, dialog, footer = await open_dialog(app, pilot, "f", FilterScreen, "s")
        assert "⏎ Show" in footer and "esc Cancel" in footer, footer
        skipped = next(i for i, (f, _) in enumerate(dialog.choices) if f.value == "skipped")
        dialog.query_one(OptionList).highlighted = skipped
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.pane.queue.option_count == 1

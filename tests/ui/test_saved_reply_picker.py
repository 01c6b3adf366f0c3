"""Saved replies from the composer: a key opens a small picker (fuzzy search and a list,
fitting 60x15), enter inserts the reply filled for the question at the cursor, several go
into one reply, an unfilled placeholder is named and selected, and sending a reply with a
gap left asks first. With no saved reply yet the picker says how to add one."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, TextArea

from cxdaily.replies.checks import RiskKind, placeholder_gaps
from cxdaily.replies.saved_fill import first_name
from cxdaily.service import Service
from cxdaily.ui.modals.confirm import ConfirmScreen
from cxdaily.ui.modals.saved_reply_picker import SavedReplyPicker
from cxdaily.ui.screens.session import SessionScreen
from tests.ui.pilot_kit import (
    SMALL,
    assert_terminal_safe,
    begin,
    composer_of,
    make_app,
    plain,
    screen_text,
    settle,
    start_reply,
    type_text,
)

TINY = (60, 15)
REFUND = "# Refund on the way\n\nHi {first_name}, your refund for {product} is on its way.\n"
THANKS = "# Thank you\n\nThank you for writing to us on {channel}.\n"


def write_reply(home: Path, name: str, text: str) -> None:
    """A saved reply file in the config folder's replies/."""
    folder = home / "replies"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.md").write_text(text, encoding="utf-8")


async def open_picker(app, pilot) -> SavedReplyPicker:
    """Press the saved-reply key in the composer; the picker once it read the files."""
    await pilot.press("ctrl+o")
    await settle(app, pilot)
    assert isinstance(app.screen, SavedReplyPicker), app.screen
    return app.screen


def named_first(screen: SessionScreen) -> int:
    """The first question of the session whose author has a real first name."""
    return next(i for i, item in enumerate(screen.items) if first_name(item.question.author))


def test_a_gap_left_in_a_reply_is_a_finding_and_doubled_braces_are_not() -> None:
    (gap,) = placeholder_gaps("Hi {first_name}, braces {{like this}} stay.")
    assert gap.kind is RiskKind.PLACEHOLDER and gap.text == "{first_name}"
    assert placeholder_gaps("Hi Anna, no gap here.") == []


def test_any_reply_with_a_gap_left_needs_a_confirmation(service: Service) -> None:
    service.refresh()
    private = next(
        item.question
        for item in service.batch().items
        if not service.connector(item.question.channel).is_public(item.question)
    )
    review = service.review_reply(private.id, "Hi {first_name}, thanks!")
    assert not review.public and review.needs_confirmation and review.ok
    assert review.confirmation_line() == (
        'this reply mentions an unfilled placeholder ("{first_name}")'
    )
    assert not service.review_reply(private.id, "Hi Anna, thanks!").needs_confirmation


async def test_with_no_saved_reply_the_picker_says_how_to_add_one(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        await begin(app, pilot)
        await start_reply(app, pilot)
        picker = await open_picker(app, pilot)
        assert not picker.query_one(OptionList).display
        text = screen_text(app)
        assert "No saved replies yet" in text and "cxdaily replies add NAME" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert composer_of(app).text == ""


async def test_enter_inserts_the_filled_reply_at_the_cursor_and_flags_the_gap(
    service: Service, ui_home: Path
) -> None:
    write_reply(ui_home, "refund-on-the-way", REFUND)
    write_reply(ui_home, "thanks", THANKS)
    app, recorder = make_app(service)
    async with app.run_test(size=TINY, notifications=True) as pilot:
        screen = await begin(app, pilot)
        screen.pane.queue.highlighted = named_first(screen)
        await pilot.pause()
        question = screen.current().question
        name = first_name(question.author)
        await start_reply(app, pilot)
        await type_text(pilot, "Hello.")
        picker = await open_picker(app, pilot)
        listed = [o.prompt.plain for o in picker.query_one(OptionList).options]
        assert len(listed) == 2 and listed[0].startswith("Refund on the way")
        text = screen_text(app)  # the picker fits 60x15: field, list and keys
        assert "Insert a saved reply" in text and "Refund on the way" in text
        await type_text(pilot, "refnd")  # fuzzy: letters in order
        await pilot.pause()
        assert [o.prompt.plain.split("  ")[0] for o in picker.query_one(OptionList).options] == [
            "Refund on the way"
        ]
        await pilot.press("enter")
        await settle(app, pilot)
        area = composer_of(app).query_one(TextArea)
        expected = f"Hello.\n\nHi {name}, your refund for {{product}} is on its way."
        assert area.text == expected
        assert area.selected_text == "{product}"  # the gap is selected: typing replaces it
        (notice,) = recorder.find("Fill in {product}")
        assert notice["severity"] == "warning"
        await type_text(pilot, "Plumtide")
        await pilot.pause()
        assert "your refund for Plumtide is on its way." in area.text

        # a second one goes in after the first, a paragraph of its own
        await open_picker(app, pilot)
        await type_text(pilot, "thank")
        await pilot.press("enter")
        await settle(app, pilot)
        paragraphs = area.text.split("\n\n")
        assert paragraphs[0] == "Hello."
        assert paragraphs[1].startswith(f"Hi {name}, your refund for Plumtide")
        assert paragraphs[2].startswith("Thank you for writing to us on ")
        assert "{channel}" not in area.text
        service.replies.flush_drafts()  # every change went to the draft writer
        assert service.draft(question.id) == area.text


async def test_a_reply_sent_with_a_gap_left_asks_first(service: Service, ui_home: Path) -> None:
    write_reply(ui_home, "refund-on-the-way", REFUND)
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await begin(app, pilot)
        await start_reply(app, pilot)
        await open_picker(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen), app.screen
        findings = plain(app.screen.query_one("#risky-findings"))
        assert '"{product}"' in findings and "unfilled placeholder" in findings
        assert service.outbox() == []
        await pilot.press("e")  # back to the composer to fill it in
        await pilot.pause()
        assert "{product}" in composer_of(app).text


async def test_literal_braces_from_a_saved_reply_go_out_without_a_question(
    service: Service, ui_home: Path
) -> None:
    """``{{id}}`` writes ``{id}``, which the leader meant: sending asks nothing about it
    (it used to be flagged as an unfilled placeholder)."""
    write_reply(ui_home, "orders-api", "# Orders API\n\nCall GET /orders/{{id}} with {{token}}.\n")
    app, _ = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await begin(app, pilot)
        question = app.screen.current().question
        await start_reply(app, pilot)
        await open_picker(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert composer_of(app).text == "Call GET /orders/{id} with {token}."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        if isinstance(app.screen, ConfirmScreen):  # a public reply asks once, about itself
            findings = plain(app.screen.query_one("#risky-findings"))
            assert "placeholder" not in findings
            await pilot.press("y")
            await settle(app, pilot)
        assert [r.body for r in service.outbox() if r.question_id == question.id] == [
            "Call GET /orders/{id} with {token}."
        ]


async def test_the_picker_shows_a_hostile_saved_reply_literally(
    service: Service, ui_home: Path
) -> None:
    write_reply(ui_home, "odd", "# [@click=app.quit]x[/] \x1b]0;pwned\x07title\n\nText [b]x[/b]\n")
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await begin(app, pilot)
        await start_reply(app, pilot)
        await open_picker(app, pilot)
        text = assert_terminal_safe(app)
        assert "[@click=app.quit]x[/]" in text and "pwned" not in text
        assert "Text [b]x[/b]" in text

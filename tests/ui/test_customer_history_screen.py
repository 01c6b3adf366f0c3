"""The customer's history on one key: who they are across channels, their earlier
questions newest first with what was done (the reply sent, insight tags), one shown in
full and read-only on enter; a link to another stored question's author confirmed from a
search, and undone. Customer text stays literal."""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace
from textual.widgets import OptionList

from cxdaily.core.models import Author, InsightEntry, Question
from cxdaily.core.safe_text import one_line
from cxdaily.service import Service
from cxdaily.ui.modals.link_customer import LinkCustomerScreen
from cxdaily.ui.modals.past_question import PastQuestionScreen
from cxdaily.ui.screens.customer_history import CustomerHistoryScreen
from cxdaily.ui.screens.session import SessionScreen
from tests.ui.pilot_kit import (
    SMALL,
    UI_NOW,
    assert_terminal_safe,
    begin,
    make_app,
    plain,
    screen_text,
    settle,
    type_text,
)
from tests.unit.history.history_kit import reply as sent_reply

TINY = (60, 15)
WIDE = (200, 50)


def earlier_question(question: Question, native_id: str, days: int, **changes) -> Question:
    """Another question by the same customer, ``days`` before now, on another service."""
    return replace(
        question,
        id=f"{question.channel}:{native_id}",
        native_id=native_id,
        thread_id=native_id,
        created_at=UI_NOW - timedelta(days=days),
        context=[],
        url=None,
        **changes,
    )


def seed_history(service: Service, question: Question) -> tuple[Question, Question]:
    """Two earlier questions by the author of ``question`` (by email, on two services):
    the older one answered and tagged."""
    older = earlier_question(
        question,
        "old-1",
        40,
        title="Invoices as CSV?",
        body="Can I export my invoices as CSV for the accountant?",
        meta={**question.meta, "service": "zendesk"},
    )
    newer = earlier_question(
        question, "old-2", 10, title="Seat count", body="How do I add two more seats?"
    )
    service.store.questions.upsert_many([older, newer])
    answer = "Billing > Invoices > Export gives you a CSV."
    service.store.outbox.save(sent_reply("r-old", older.id, answer, days_ago=37))
    service.tag(older.id, InsightEntry(tags=("billing", "export"), summary="Wants CSV"))
    return older, newer


async def open_history(app, pilot) -> CustomerHistoryScreen:
    """Press c on the desk; the history once read."""
    await pilot.press("c")
    await settle(app, pilot)
    assert isinstance(app.screen, CustomerHistoryScreen), app.screen
    return app.screen


def listed(screen: CustomerHistoryScreen) -> list[str]:
    """The plain text of each line of the history's list."""
    return [option.prompt.plain for option in screen.query_one(OptionList).options]


async def test_c_shows_who_the_customer_is_and_their_earlier_questions(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=WIDE) as pilot:
        screen = await begin(app, pilot)
        question = screen.current().question
        older, _ = seed_history(service, question)
        history = await open_history(app, pilot)
        profile = plain(history.query_one("#history-customer"))
        assert question.author.name in profile and question.author.handle in profile
        assert "2 other questions · 1 reply · 1 insight · 0 hand-offs" in profile
        first, second = listed(history)
        assert first.startswith("13 Nov") and "Seat count" in first and "no action" in first
        assert second.startswith("14 Oct") and "Zendesk" in second
        assert "answered, tagged" in second
        assert "You replied: Billing > Invoices > Export gives you a CSV." in second
        assert "Tags: billing, export" in second
        assert "Invoices as CSV?" in screen_text(app)

        await pilot.press("down", "enter")  # the older one, in full
        await settle(app, pilot)
        assert isinstance(app.screen, PastQuestionScreen)
        full = plain(app.screen.query_one("#past-text"))
        assert older.body in full and "Billing > Invoices > Export" in full
        assert "Insight: billing, export · Wants CSV" in full
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is history
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)


async def test_the_history_fits_60x15(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=TINY) as pilot:
        screen = await begin(app, pilot)
        seed_history(service, screen.current().question)
        await open_history(app, pilot)
        app.clear_notifications()
        await pilot.pause()
        text = screen_text(app)
        assert "History of " in text and "2 other questions" in text
        # every count whole, on as many lines as it takes (it read "0 insigh…" at 80)
        assert "1 insight" in text and "0 hand-offs" in text and "insigh…" not in text
        assert "13 Nov" in text  # the first earlier question is on screen
        assert "Back" in text  # and the keys


async def test_a_link_to_another_authors_question_is_confirmed_and_undone(
    service: Service,
) -> None:
    app, recorder = make_app(service)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await begin(app, pilot)
        question = screen.current().question
        other = next(i.question for i in screen.items if i.question.author.name == "Greg Haldane")
        history = await open_history(app, pilot)
        assert listed(history)[0].startswith("No earlier question from this customer.")
        assert history.check_action("unlink", ()) is None  # no link to undo: x is dimmed

        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LinkCustomerScreen)
        await type_text(pilot, "Greg Haldane")
        await settle(app, pilot)
        assert "Greg Haldane" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is history and recorder.find("Linked.")
        assert [q.id for q in service.customer_history(question.id).questions] == [other.id]
        lines = listed(history)
        assert any(one_line(other.title or other.body)[:20] in line for line in lines)
        assert "(linked by you)" in plain(history.query_one("#history-customer"))
        link_line = next(i for i, line in enumerate(lines) if "· linked by you," in line)
        assert "greg.haldane@" in lines[link_line].split(" · linked by you")[0]  # who, first

        assert history.check_action("unlink", ()) is True
        history.query_one(OptionList).highlighted = link_line
        await pilot.press("x")
        await settle(app, pilot)
        assert recorder.find("Link undone.")
        assert service.customer_history(question.id).questions == ()
        assert history.check_action("unlink", ()) is None


async def test_hostile_customer_text_in_the_history_is_literal(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        question = screen.current().question
        hostile = earlier_question(
            question,
            "odd-1",
            5,
            title="[@click=app.quit]x[/] \x1b]0;pwned\x07",
            body="\u202eevil [b]bold[/b]",
            author=Author(
                id=question.author.id,
                handle=question.author.handle,
                name="[link=https://evil.example]x[/link]",
            ),
        )
        service.store.questions.upsert_many([hostile])
        await open_history(app, pilot)
        text = assert_terminal_safe(app)
        assert "[@click=app.quit]x[/]" in text and "pwned" not in text
        await pilot.press("enter")
        await settle(app, pilot)
        text = assert_terminal_safe(app)
        assert "evil [b]bold[/b]" in text

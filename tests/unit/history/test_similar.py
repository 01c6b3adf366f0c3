"""Earlier answers: a paraphrase finds the reply, an unrelated question finds nothing."""

from __future__ import annotations

import pytest

from cxdaily.core.models import Author, ReplyState
from cxdaily.history import HistoryIndex
from tests.unit.history.history_kit import question, reply

#: (title, body, the leader's reply) answered earlier, on several channels.
ANSWERED = [
    (
        "Exporting invoices",
        "Is there a way to export all my invoices as a CSV file for my accountant?",
        "Yes: Billing > Invoices > Export gives you a CSV of every invoice.",
    ),
    (
        "Password reset email never arrives",
        "I asked for a password reset three times but the email never shows up.",
        "Sorry! Reset emails were held by a spam filter; check spam or ask us to resend.",
    ),
    (
        None,
        "The iOS app crashes as soon as I open the calendar view. iPhone 15, latest version.",
        "A fix for the calendar crash on iOS ships in 4.2.1 this week.",
    ),
    (
        "Refund for the annual plan",
        "I was charged for the annual plan after cancelling. I want a refund please.",
        "I've refunded the annual charge; it shows on your card within 5 days.",
    ),
    (
        "Dark mode",
        "Any plans for a dark mode in the desktop app? My eyes would thank you.",
        "Dark mode is on the roadmap for the desktop app this spring.",
    ),
    (
        "Team seats",
        "How do I add more seats to our team plan without upgrading everything?",
        "Admins can add seats one by one under Settings > Team > Seats.",
    ),
]


@pytest.fixture
def index() -> HistoryIndex:
    """Every question of :data:`ANSWERED` stored and answered, one channel each."""
    built = HistoryIndex(lambda q: False)
    for n, (title, body, answer) in enumerate(ANSWERED):
        channel = ("support", "inbox", "brand", "forum")[n % 4]
        asked = question(f"a{n}", channel=channel, title=title, body=body, days_ago=400 - n)
        built.put_questions("questions.json", [asked])
        built.put_replies([reply(f"r{n}", asked.id, answer, days_ago=399 - n)])
    built.settle()
    return built


def _ask(index: HistoryIndex, body: str, title: str | None = None, **fields) -> list:
    new = question("new", channel="inbox", kind="email", title=title, body=body, **fields)
    index.put_questions("questions.json", [new])
    return index.similar_answers(new.id)


def test_a_paraphrase_finds_the_earlier_answer(index):
    found = _ask(index, "Can I download every invoice as a spreadsheet? Our accountant needs them.")
    assert found, "no earlier answer found"
    assert found[0].question_id == "support:a0"
    assert found[0].body.startswith("Yes: Billing > Invoices > Export")
    assert 0.0 < found[0].score <= 1.0
    assert found[0].channel == "support" and found[0].question_title == "Exporting invoices"


def test_a_paraphrase_in_other_words_and_another_language_finds_the_refund(index):
    found = _ask(index, "Me cobraron el plan anual después de cancelar, quiero un reembolso")
    assert [a.question_id for a in found][:1] == ["forum:a3"]


def test_the_crash_report_finds_the_crash_answer(index):
    found = _ask(index, "calendar keeps crashing on my iPhone when I open it", "App crash")
    assert [a.question_id for a in found][:1] == ["brand:a2"]


@pytest.mark.parametrize(
    "body",
    [
        "Love the new onboarding videos, great work!",
        "Do you have an office in Lisbon? I'd like to visit.",
        "What is the capital of Australia?",
        "hi",
    ],
)
def test_an_unrelated_question_is_offered_nothing(index, body):
    assert _ask(index, body) == []


def test_the_question_itself_and_its_thread_are_never_offered(index):
    assert [a.question_id for a in index.similar_answers("support:a0")] == []
    follow_up = question(
        "a0-2", title="Exporting invoices", body="And can I export invoices as CSV monthly?",
        thread_id="a0",
    )  # fmt: skip
    index.put_questions("questions.json", [follow_up])
    assert "support:a0" not in [a.question_id for a in index.similar_answers(follow_up.id)]


def test_only_sent_replies_are_offered(index):
    index.put_replies([reply("r0", "support:a0", ANSWERED[0][2], state=ReplyState.FAILED)])
    assert _ask(index, "How can I export all invoices to CSV?") == []


def test_the_same_reply_sent_twice_is_offered_once(index):
    twin = question(
        "twin", title="CSV of invoices", body="Export invoices as CSV for my accountant?"
    )
    index.put_questions("questions.json", [twin])
    index.put_replies([reply("r-twin", twin.id, ANSWERED[0][2] + "  ")])
    found = _ask(index, "How do I export invoices as a CSV for the accountant?")
    assert len([a for a in found if a.body.startswith("Yes: Billing")]) == 1


def test_a_new_answer_is_found_at_once_and_a_cancelled_one_goes(index):
    new = question(
        "n", author=Author(name="Ola"), title="Zapier", body="Is there a Zapier integration?"
    )
    index.put_questions("questions.json", [new])
    assert _ask(index, "Is the Zapier integration available yet?") == []
    index.put_replies([reply("rz", new.id, "Yes, our Zapier integration is in Settings > Apps.")])
    assert [a.question_id for a in _ask(index, "Is the Zapier integration available yet?")] == [
        new.id
    ]
    index.put_replies([reply("rz", new.id, "x", state=ReplyState.CANCELLED)])
    assert _ask(index, "Is the Zapier integration available yet?") == []

"""Pure checks on reply text: dates and their days, risky statements, signatures, promises."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxdaily.replies.checks import (
    RiskKind,
    length_problem,
    risky_statements,
    signed,
    summarize_findings,
    unsigned,
)
from cxdaily.replies.dates import find_dates
from cxdaily.replies.promises import Promise, find_promises, ledger_order, promises_of_reply

BERLIN = ZoneInfo("Europe/Berlin")
SATURDAY_NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "words", "due"),
    [
        ("I'll check by Friday", "Friday", date(2026, 11, 27)),
        ("on Saturday", "Saturday", date(2026, 11, 21)),  # today is Saturday
        ("next Tuesday", "next Tuesday", date(2026, 11, 24)),
        ("tomorrow", "tomorrow", date(2026, 11, 22)),
        ("the day after tomorrow", "the day after tomorrow", date(2026, 11, 23)),
        ("by end of day", "end of day", date(2026, 11, 21)),
        ("by the end of the week", "the end of the week", date(2026, 11, 21)),
        ("end of next week", "end of next week", date(2026, 11, 27)),
        ("next week", "next week", date(2026, 11, 27)),
        ("this month", "this month", date(2026, 11, 30)),
        ("next month", "next month", date(2026, 12, 31)),
        ("within 2 business days", "within 2 business days", date(2026, 11, 24)),
        ("in 3 days", "in 3 days", date(2026, 11, 24)),
        ("in a few days", "in a few days", date(2026, 11, 24)),
        ("within two weeks", "within two weeks", date(2026, 12, 5)),
        ("within 24 hours", "within 24 hours", date(2026, 11, 22)),
        ("on March 3", "March 3", date(2027, 3, 3)),  # already past this year
        ("Dec 1st", "Dec 1st", date(2026, 12, 1)),
        ("the 3rd of March 2028", "3rd of March 2028", date(2028, 3, 3)),
        ("on 2026-12-24", "2026-12-24", date(2026, 12, 24)),
        ("in Q1", "Q1", date(2027, 3, 31)),
        ("on 12/01", "12/01", None),  # December 1 or January 12: not resolved
    ],
)
def test_dates_are_found_and_resolved(text, words, due):
    (mention,) = find_dates(text, SATURDAY_NOON, BERLIN)
    assert (mention.text, mention.due) == (words, due)
    assert text[mention.start : mention.end] == words


def test_days_are_counted_in_the_home_time_zone():
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # already Sunday in Berlin
    assert find_dates("tomorrow", late, BERLIN)[0].due == date(2026, 11, 23)
    assert find_dates("tomorrow", late, ZoneInfo("America/New_York"))[0].due == date(2026, 11, 22)


@pytest.mark.parametrize("text", ["You may want to retry", "Thanks for the kind words!", "sat"])
def test_ordinary_words_are_not_dates(text):
    assert find_dates(text, SATURDAY_NOON, BERLIN) == []


def test_risky_statements_of_every_kind():
    text = (
        "I'm sorry. We will refund your $49.99 by Monday, and our lawyer says we are not "
        "liable. The new price is 20% off."
    )
    findings = risky_statements(text, SATURDAY_NOON, BERLIN)
    assert [(f.kind, f.text) for f in findings] == [
        (RiskKind.PROMISE, "We will"),
        (RiskKind.REFUND, "refund"),
        (RiskKind.PRICE, "$49.99"),
        (RiskKind.DATE, "Monday"),
        (RiskKind.LEGAL, "lawyer"),
        (RiskKind.LEGAL, "liable"),
        (RiskKind.PRICE, "price"),
        (RiskKind.PRICE, "20% off"),
    ]
    assert summarize_findings(findings) == (
        'a promise ("We will"), a refund or compensation ("refund"), a price ("$49.99"), '
        'a date ("Monday"), 1 more'
    )


def test_a_plain_thank_you_has_no_risky_statement():
    assert risky_statements("Thanks Ana, glad it works again!", SATURDAY_NOON, BERLIN) == []


def test_a_customer_called_sue_is_not_a_legal_word():
    """'Sue' is a name; 'sue', 'sued' and 'SUED' are the legal words."""
    greeting = "Hi Sue, thanks - we are fixing the CLI. Sue from support says hello."
    assert risky_statements(greeting, SATURDAY_NOON, BERLIN) == []
    threat = "They said they sued a vendor, and WE WERE SUED once; nobody will sue you."
    found = [f.text for f in risky_statements(threat, SATURDAY_NOON, BERLIN)]
    assert found == ["sued", "SUED", "sue"]


def test_overlapping_words_count_once():
    findings = risky_statements("We guarantee compensation.", SATURDAY_NOON, BERLIN)
    assert [(f.kind, f.text) for f in findings] == [
        (RiskKind.LEGAL, "guarantee"),
        (RiskKind.REFUND, "compensation"),
    ]


@given(st.text(max_size=300))
def test_risky_statements_never_fail_and_point_into_the_text(text):
    for finding in risky_statements(text, SATURDAY_NOON, BERLIN):
        assert text[finding.start : finding.end] == finding.text


def test_signatures():
    assert signed("  Thanks!  ", "— Dana") == "Thanks!\n\n— Dana"
    assert signed("Thanks!\n\n— Dana", "— Dana") == "Thanks!\n\n— Dana"  # never twice
    assert signed("Thanks!", None) == signed("Thanks!", "  ") == "Thanks!"
    assert signed("   ", "— Dana") == ""
    assert unsigned("Thanks!\n\n— Dana", "— Dana") == "Thanks!"
    assert unsigned("Thanks!", "— Dana") == "Thanks!"


@given(st.text(max_size=80), st.text(max_size=20))
def test_unsigned_undoes_signed(body, signature):
    if body.strip():
        assert unsigned(signed(body, signature), signature).strip() == body.strip()


def test_length_problem():
    assert length_problem(280, 280, "x") is None
    assert length_problem(10, None, "x") is None
    assert (
        length_problem(281, 280, "x")
        == "the reply is 281 characters; x accepts at most 280 (1 over)"
    )


# ----------------------------------------------------------------------------- promises
def test_promises_are_sentences_that_commit_with_their_due_days():
    text = (
        "Hi Ana! Sorry about that. I'll check with the team by Friday.\n"
        "The fix will ship next week. Will you send me a screenshot? "
        "Let me look into the invoice. Have a good weekend."
    )
    found = find_promises(text, SATURDAY_NOON, BERLIN)
    assert [(p.text, p.due) for p in found] == [
        ("I'll check with the team by Friday.", date(2026, 11, 27)),
        ("The fix will ship next week.", date(2026, 11, 27)),
        ("Let me look into the invoice.", None),
    ]


def test_no_promise_in_a_thank_you():
    assert find_promises("Thanks, glad it works! Enjoy.", SATURDAY_NOON, BERLIN) == []


def test_a_long_promise_is_cut():
    (found,) = find_promises("I will " + "really " * 60 + "call.", SATURDAY_NOON, BERLIN)
    assert len(found.text) == 200 and found.text.endswith("…")


def test_promise_records_round_trip_and_order():
    made = promises_of_reply(
        "r1", "acme:1", "acme", "I'll call you tomorrow. We will refund you.", SATURDAY_NOON, BERLIN
    )
    assert [p.id for p in made] == ["r1-1", "r1-2"]
    assert Promise.from_dict(made[0].to_dict()) == made[0]
    kept = made[0].done(SATURDAY_NOON)
    assert Promise.from_dict(kept.to_dict()) == kept and not kept.open
    undated, dated = made[1], made[0]
    assert ledger_order([kept, undated, dated]) == [dated, undated, kept]
    assert dated.overdue(date(2026, 11, 23)) and not dated.overdue(date(2026, 11, 22))
    assert not kept.overdue(date(2030, 1, 1))

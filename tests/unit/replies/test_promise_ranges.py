"""Promise due dates follow the words, and risky statements are listed once each."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cxdaily.replies.checks import ReplyReview, RiskKind, risky_statements
from cxdaily.replies.dates import find_dates
from cxdaily.replies.promises import find_promises

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("You'll see it in 3-5 days.", date(2026, 12, 9)),
        ("Refunds take 3-5 business days.", date(2026, 12, 11)),
        ("within 3 to 5 days", date(2026, 12, 9)),
        ("in 2 or 3 weeks", date(2026, 12, 25)),
        ("in 3–5 days", date(2026, 12, 9)),
        ("in five days", date(2026, 12, 9)),
    ],
)
def test_a_range_is_due_at_its_end(text, due):
    (mention,) = find_dates(text, FRIDAY, BERLIN)
    assert mention.due == due


@pytest.mark.parametrize("text", ["pages 3-5 of the guide", "call 555-1234", "in 2008-2010"])
def test_numbers_that_are_no_span_of_time_are_no_dates(text):
    assert find_dates(text, FRIDAY, BERLIN) == []


def test_a_promise_with_a_range_is_due_at_the_end_not_today():
    (promise,) = find_promises("We'll send the fix, you'll see it in 3-5 days.", FRIDAY, BERLIN)
    assert promise.due == date(2026, 12, 9)


def test_the_risky_words_list_shows_each_finding_once():
    text = "We will refund you. The refund goes out by Friday, and yes, a full Refund."
    findings = risky_statements(text, FRIDAY, BERLIN)
    review = ReplyReview(text=text, limit=None, public=True, problems=(), findings=tuple(findings))
    refunds = [f for f in review.distinct_findings if f.kind is RiskKind.REFUND]
    assert len([f for f in findings if f.kind is RiskKind.REFUND]) >= 2
    assert len(refunds) == 1
    assert [f.kind for f in review.distinct_findings].count(RiskKind.DATE) == 1

"""Days until the streak breaks, worded in one place for every surface."""

from __future__ import annotations

from datetime import date

import pytest

from cxdaily.streaks import Streak
from cxdaily.streaks.report import break_words
from cxdaily.streaks.rules import StreakRules
from cxdaily.streaks.words import until_break, until_break_words, what_counts

TODAY = date(2026, 11, 18)  # a Wednesday


def streak(current: int, until: int, counts: bool = False, **rules) -> Streak:
    return Streak(
        current=current,
        longest=current,
        total_days=current,
        today_counts=counts,
        handled_today=1 if counts else 0,
        calendar={},
        today=TODAY,
        days_until_break=until,
        rules=StreakRules(**rules),
    )


@pytest.mark.parametrize(
    ("state", "days", "figure", "line", "sentence"),
    [
        (streak(0, 0), None, *["no streak to keep yet"] * 3),
        (
            streak(4, 0),
            0,
            "0 (today must count)",
            "today must count",
            "today must count to keep the streak",
        ),
        (streak(4, 1, counts=True), 1, "1 day", "1 day until it breaks", "safe until tomorrow"),
        (
            streak(4, 1),
            1,
            "1 day",
            "1 day until it breaks",
            "it can wait 1 day before it breaks",
        ),
        (
            streak(4, 3, counts=True),
            3,
            "3 days",
            "3 days until it breaks",
            "it can wait 3 days before it breaks",
        ),
    ],
)
def test_every_form_from_one_place(state, days, figure, line, sentence):
    outlook = until_break(state)
    assert (outlook.days, outlook.figure, outlook.line, outlook.sentence) == (
        days,
        figure,
        line,
        sentence,
    )
    assert outlook.urgent is (days == 0)
    assert until_break_words(state) == sentence


def test_the_command_line_says_it_the_same_way():
    assert break_words(streak(4, 2)) == "freezes: 0 of 2 · until it breaks: 2 days"
    assert break_words(streak(4, 0)) == "freezes: 0 of 2 · until it breaks: 0 (today must count)"
    assert break_words(streak(0, 0)) == "freezes: 0 of 2"


def test_one_minute_is_singular():
    assert what_counts(streak(1, 1, min_handled=0, min_minutes=1)) == "spend 1 minute in a session"
    assert StreakRules(min_handled=1).describe().startswith("a day counts with 1 handled question")
    assert "2 handled questions" in StreakRules(min_handled=2).describe()

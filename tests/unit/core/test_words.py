"""The shared words: plural, ago, ages, big numbers and whole sentences."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cxdaily.core.words import (
    about_minutes,
    ago,
    humanize_age,
    humanize_count,
    plural,
    whole_sentences,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0 days"), (1, "1 day"), (2, "2 days"), (-1, "-1 days")]
)
def test_plural(count, text):
    assert plural(count, "day") == text


def test_an_irregular_plural():
    assert plural(1, "reply", "replies") == "1 reply"
    assert plural(0, "reply", "replies") == "0 replies"
    assert plural(3, "reply", "replies") == "3 replies"


@pytest.mark.parametrize(
    ("before", "text"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=-30), "just now"),  # a clock a little ahead
        (timedelta(seconds=60), "1 min ago"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=1), "1 h ago"),
        (timedelta(hours=26), "26 h ago"),
        (timedelta(hours=47, minutes=59), "47 h ago"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=9, hours=23), "9 days ago"),
    ],
)
def test_ago(before, text):
    assert ago(NOW - before, NOW) == text


@pytest.mark.parametrize(
    ("hours", "text"), [(0, "1 min"), (0.5, "30 min"), (1, "1 h"), (47.9, "47 h"), (72, "3 days")]
)
def test_humanize_age(hours, text):
    assert humanize_age(hours) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (950, "950"), (1000, "1k"), (1250, "1.2k"), (12400, "12k"), (1_500_000, "1.5M")],
)
def test_humanize_count(n, text):
    assert humanize_count(n) == text


def test_a_quote_keeps_whole_sentences_and_says_when_it_is_cut():
    from cxdaily.core.words import whole_sentences

    text = "I booked Tuesday.  It shows Wednesday!\nHas anyone from Plumtide said a word? " * 20
    quote = whole_sentences(text, 120)
    assert quote.endswith("? …") or quote.endswith(". …") or quote.endswith("! …")
    assert len(quote) <= 122 and "said a word?" in quote
    assert not quote.endswith("said a")
    assert whole_sentences("Short and whole.", 120) == "Short and whole."
    one_long = "word " * 60  # no sentence end: cut at a word, with an ellipsis
    cut = whole_sentences(one_long, 100)
    assert cut.endswith("word…") and len(cut) <= 101


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Our privacy officer (Dr. Alan Mercer) flagged it. Then we waited for weeks.",
         "Our privacy officer (Dr. Alan Mercer) flagged it. …"),
        ("Ask Catherine D. about the refund. She has the whole story of it.",
         "Ask Catherine D. about the refund. …"),
        ("Export a list, e.g. every client. It fails each time we try again.",
         "Export a list, e.g. every client. …"),
        ("Mrs. Pike called twice. Nobody picked up the phone that morning.",
         "Mrs. Pike called twice. …"),
    ],
)  # fmt: skip
def test_a_title_an_abbreviation_or_an_initial_ends_no_sentence(text, kept):
    """A headline cut after "Dr." read "Our privacy officer (Dr" in a digest."""
    assert whole_sentences(text, len(kept) + 8) == kept


def test_text_already_on_one_line_is_taken_as_it_is_with_the_same_result():
    rng = random.Random(4)
    alphabet = list("ab .!?,\t\n\u00a0\u2028\u3000é😤")
    texts = ["", " ", "a  b", " a", "a ", "a\u00a0b", "One. Two! Three?" * 40]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    for text in texts:
        for limit in (5, 20, 600):
            flat = " ".join(text.split())
            assert whole_sentences(text, limit) == whole_sentences(flat, limit)
            assert "  " not in whole_sentences(text, limit).rstrip("…")


def test_minutes_are_rounded_to_the_nearest_so_parts_add_up_to_the_whole():
    """Each question's "about N min" and the batch's total are rounded alike: the eleven
    estimates below read 28 minutes in all beside a total of 27 (rounded down, each
    read 23)."""
    assert [about_minutes(s) for s in (0, 29, 30, 89, 90, 150, 3599)] == [1, 1, 1, 1, 2, 3, 60]
    assert about_minutes(0, least=0) == 0 and about_minutes(29, least=0) == 0
    estimates = [150, 95, 200, 61, 119, 240, 185, 75, 130, 170, 210]
    parts = sum(about_minutes(s) for s in estimates)
    whole = about_minutes(sum(estimates), least=0)
    assert (parts, whole) == (28, 27)
    assert sum(s // 60 for s in estimates) == 23

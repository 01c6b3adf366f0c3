"""The phone and digit-run patterns, rewritten so that the regex engine skips ahead to
where a match can start, find exactly what the patterns before them found: on the
realistic and hostile corpora, on hand-picked edge cases and on generated text made of
the characters the patterns care about."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.insights import redact
from cxdaily.insights.redact import redact_text, redact_texts
from tests.unit.insights.corpus_kit import hostile_insights, realistic_insights, varied_texts
from tests.unit.insights.digest_kit import at
from tests.unit.insights.redact_reference_kit import DIGIT_RUN_BEFORE, PHONE_BEFORE

NOW = at("2026-11-23 08:00")
# Where a phone's start, its look-behind or a digit run is easy to get wrong.
EDGE_TEXTS = (
    "",
    "+49 151 2345 6789",
    "+ 49 151 2345678",
    "+\t49 151 2345678",
    "(030) 1234567",
    "+1 (555) 123-4567",
    "((555) 123-4567",
    "(1234) -(567)",
    "x(12) 3456789",
    "a+1 555 1234567",
    "=+49 151 2345 6789",
    "=(030) 1234567",
    "•123 4567 890",
    "*5551234567",
    "%5551234567",
    "/5551234567",
    ".5551234567",
    "12/34 567 8901",
    "2026-03-14 12:30",
    "14.03.2026",
    "123-456-7890 ext 12",
    "INV-1234567",
    "ab1234567",
    "1234567ab",
    "1234567/",
    "v1.2.3456789",
    "555 1234",
    "5551234",
    "555  1234567",
    "4242 4242 4242 4242",
    "4242-4242-4242-4242 and 4242424242424242",
    "+",
    "(",
    "+(",
    "1",
    "+1",
    "Call +49 (0) 151-2345-6789, or (030) 123 45 67.",
    "١٢٣٤٥٦٧٨٩٠ ١٢٣",  # Arabic-Indic digits: digits to the patterns too
    "٣+١٢٣٤٥٦٧",
    "phone:+447911123456;fax:(020)71234567",
)
PHONE_ALPHABET = "0123456789 +().-/=%*•_aZé\n\t@٣"


def _phones_before(text: str) -> str:
    return PHONE_BEFORE.sub(redact._mask_phone, text)


def _phones_now(text: str) -> str:
    return redact._PHONE.sub(redact._mask_phone, text)


def _corpus() -> list[str]:
    rng = random.Random(19)
    texts = [*EDGE_TEXTS, *varied_texts(rng, 600)]
    for insight in [*realistic_insights(rng, 600, NOW), *hostile_insights(rng, 200, NOW)]:
        texts += (insight.summary, insight.quote, insight.note or "")
    return texts


def test_phone_candidates_are_masked_as_before_on_the_corpora():
    for text in _corpus():
        assert _phones_now(text) == _phones_before(text), text


def test_digit_runs_are_found_as_before_on_the_corpora():
    for text in _corpus():
        found = redact._DIGIT_RUN.search(text) is not None
        assert found is (DIGIT_RUN_BEFORE.search(text) is not None), text


def test_the_corpora_are_redacted_as_before(monkeypatch):
    """Whole redaction, one by one and batched, with the patterns before swapped in as
    the reference: the same text out of every step."""
    texts = _corpus()
    now = [redact_text(text) for text in texts]
    batched = redact_texts(texts)
    monkeypatch.setattr(redact, "_PHONE", PHONE_BEFORE)
    monkeypatch.setattr(redact, "_DIGIT_RUN", DIGIT_RUN_BEFORE)
    before = [redact_text(text) for text in texts]
    assert now == before
    assert batched == before
    assert any(text != masked for text, masked in zip(texts, before, strict=True))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=PHONE_ALPHABET, max_size=40))
def test_phone_candidates_match_as_before_on_generated_text(text):
    assert _phones_now(text) == _phones_before(text)
    assert [m.span() for m in redact._PHONE.finditer(text)] == [
        m.span() for m in PHONE_BEFORE.finditer(text)
    ]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789 ().+-x٣", max_size=30))
def test_digit_runs_are_found_as_before_on_generated_text(text):
    assert (redact._DIGIT_RUN.search(text) is None) is (DIGIT_RUN_BEFORE.search(text) is None)

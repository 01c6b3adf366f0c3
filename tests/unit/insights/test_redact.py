"""Personal data redaction: the patterns, names as initials, and planted personal data in
every field that reaches an export, in every format."""

from __future__ import annotations

import pytest

from cxdaily.core.models import Action, Author, Disposition, Question, Session
from cxdaily.insights import FORMATS
from cxdaily.insights.build import build_digest
from cxdaily.insights.model import HandoffSource
from cxdaily.insights.output import render
from cxdaily.insights.redact import (
    ADDRESS_MASK,
    Redaction,
    Redactor,
    initials,
    redact_link,
    redact_text,
    short_handle,
)
from tests.unit.insights.digest_kit import at, insight, period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jane.doe@example.com today", "Write to j***@example.com today"),
        ("JD+tag@mail.co.uk", "J***@mail.co.uk"),
        ("Call +49 151 2345 6789", "Call +•• ••• •••• ••89"),
        ("Call (555) 123-4567 now", "Call (•••) •••-••67 now"),
        ("or 555.123.4567", "or •••.•••.••67"),
        ("mobile 5551234567", "mobile ••••••••67"),
        ("Card 4242 4242 4242 4242 expired", "Card •••• •••• •••• 4242 expired"),
        ("card 4111-1111-1111-1111", "card ••••-••••-••••-1111"),
        ("card 4242424242424242.", "card ••••••••••••4242."),
        ("I live at 221B Baker Street, London", f"I live at {ADDRESS_MASK}, London"),
        ("ship to 42 main st apt 4 please", f"ship to {ADDRESS_MASK} please"),
        ("1600 Pennsylvania Avenue NW", f"{ADDRESS_MASK} NW"),
        ("Hauptstraße 5, 10115 Berlin", f"{ADDRESS_MASK}, 10115 Berlin"),
        ("au 10 rue de Rivoli", f"au {ADDRESS_MASK}"),
    ],
)
def test_personal_data_is_masked_with_context_kept(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We have 3 seats and 2 items on the way",
        "It took 5 minutes drive",
        "Invoice INV-2024 for $1,200.00 on 2026-11-21 at 10:30, ticket #35436",
        "Upgraded to version 10.15.7; order 12345678; up 30% in 2024",
        "No numbers here at all",
    ],
)
def test_ordinary_numbers_and_words_are_kept(text):
    assert redact_text(text) == text


def test_links_lose_only_their_emails():
    url = "https://x.example/users/jane@example.com/tickets/1234567890?cc=bob%40example.org"
    assert redact_link(url) == (
        "https://x.example/users/j***@example.com/tickets/1234567890?cc=b***%40example.org"
    )
    assert redact_link("https://x.example/tickets/5551234567") == (
        "https://x.example/tickets/5551234567"
    )


def test_initials_and_short_handles():
    assert initials("Jane Doe") == "J. D."
    assert initials("  jane   van Doe ") == "j. v. D."
    assert initials("Ólafur Arnalds") == "Ó. A."
    assert short_handle("@jdoe") == "@j***"
    assert short_handle("u/calendar_goblin") == "u/c***"
    assert short_handle("jdoe@example.com") == "j***@example.com"


def test_names_in_the_text_become_initials_when_asked():
    redactor = Redactor(Redaction(initials=True))
    people = [("Jane Doe", "@jdoe")]
    text = "Hi, this is Jane DOE (@jdoe). jane.doe@example.com; Janet is my colleague."
    assert redactor.text(text, people) == (
        "Hi, this is J. D. (@j***). j***@example.com; Janet is my colleague."
    )
    assert redactor.name("Jane Doe") == "J. D."
    assert redactor.handle("@jdoe") == "@j***"


def test_no_redact_keeps_everything_but_initials_still_apply():
    keep = Redactor(Redaction(enabled=False))
    text = "jane@example.com +1 555 123 4567"
    assert keep.text(text) == text and keep.link("https://x/a@b.com") == "https://x/a@b.com"
    assert keep.handle("jane@example.com") == "jane@example.com"
    both = Redactor(Redaction(enabled=False, initials=True))
    assert both.name("Jane Doe") == "J. D."


# --------------------------------------------------------------- planted data, every format
EMAIL = "planted.person@leak.example"
PHONE = "+1 415 555 0199"
CARD = "4000 0566 5566 5556"
STREET = "1234 Elm Street"
NAME = "Zebedee Quorthon"
HANDLE = "zq@leak.example"
SECRETS = ("planted.person", "415 555 0199", "0566 5566", "Elm Street", "zq@leak")


def planted_digest(redaction: Redaction):
    pii = f"{EMAIL} or {PHONE}, card {CARD}, at {STREET}, signed {NAME}"
    item = insight(
        "2026-11-17 10:00",
        summary=f"Summary: {pii}",
        quote=f"Quote: {pii}",
        note=f"Note: {pii}",
        customer_name=NAME,
        customer_handle=HANDLE,
        question_id=f"mail:<{EMAIL}>",
        url=f"https://mail.example/thread?from={EMAIL}",
    )
    question = Question(
        id="mail:2",
        channel="mail",
        kind="imap",
        native_id="2",
        thread_id="2",
        url=f"https://mail.example/thread?from={EMAIL}",
        author=Author(handle=HANDLE, name=NAME),
        title=None,
        body=pii,
        created_at=at("2026-11-16 10:00"),
    )
    handoff = HandoffSource(
        Action("mail:2", Disposition.HANDED_OFF, at("2026-11-18 10:00"), team="support", note=pii),
        question,
    )
    session = Session("s1", at("2026-11-17 08:00"), 1800, (), reflection=f"Reflection: {pii}")
    return build_digest(
        [item],
        period("2026-11-16 00:00", "2026-11-23 00:00"),
        now=at("2026-11-23 08:00"),
        sessions=[session],
        handoffs=[handoff],
        redaction=redaction,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_planted_personal_data_never_reaches_an_export(fmt):
    text = render(planted_digest(Redaction()), fmt)
    for secret in SECRETS:
        assert secret not in text, (fmt, secret)
    assert "p***@leak.example" in text  # the context is kept
    assert "5556" in text and "99" in text
    if fmt in ("md", "html"):
        assert ADDRESS_MASK.replace("[", "").replace("]", "") in text.replace("\\", "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_initials_hide_the_customers_name_everywhere(fmt):
    text = render(planted_digest(Redaction(initials=True)), fmt)
    for part in ("Zebedee", "Quorthon", *SECRETS):
        assert part not in text, (fmt, part)
    assert "Z. Q." in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_redact_must_be_asked_for_and_then_keeps_the_data(fmt):
    text = render(planted_digest(Redaction(enabled=False)), fmt)
    assert "415 555 0199" in text and NAME in text
    assert "planted.person" in text.replace("\\", "")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("IBAN DE89370400440532013000, thanks", "IBAN DE••••••••••••••••••••, thanks"),
        ("IBAN: DE89 3704 0044 0532 0130 00.", "IBAN: DE•• •••• •••• •••• •••• ••."),
        ("GB33BUKB20201555555555", "GB••••••••••••••••••••"),
        ("product code AB12CDEF3456", "product code AB12CDEF3456"),  # too few digits
    ],
)
def test_an_iban_is_masked_but_its_country(text, shown):
    assert redact_text(text) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Mail: jörg@müller.de", "Mail: j***@müller.de"),
        ("write to j.o'neil@example.ie today", "write to j***@example.ie today"),
        ("ask anna@xn--mller-kva.de", "ask a***@xn--mller-kva.de"),
    ],
)
def test_emails_with_apostrophes_and_international_domains_are_masked(text, shown):
    """The local part went out but its last piece (``j.o'n***``), and an international
    domain hid the whole address from the pattern."""
    assert redact_text(text) == shown


def test_initials_replace_the_name_not_the_same_word_in_lower_case():
    """A quote stays the customer's words: "the car park" is no name, "Park" is."""
    redactor = Redactor(Redaction(initials=True))
    quote = "I'd park my whole class here. The car park app does it. Theo Park, PARK"
    shown = redactor.mask_people(quote, [("Theo Park", None)])
    assert shown == "I'd park my whole class here. The car park app does it. T. P., P."

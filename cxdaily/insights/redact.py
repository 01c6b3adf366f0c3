"""Personal data redaction for everything that leaves the machine in a digest.

On by default: email addresses, phone numbers, card-like numbers and street addresses
are masked in free text while keeping the context a reader needs
(``jane.doe@example.com`` -> ``j***@example.com``, ``+49 151 2345 6789`` ->
``+•• ••• •••• ••89``, ``4242 4242 4242 4242`` -> ``•••• •••• •••• 4242``,
``221B Baker Street`` -> ``[street address]``). Emails in URLs and ids are masked too.
A number written straight after the word that names it is masked too
(``Tel.0151 2345678``, ``card=4111 1111 1111 1111``). Street addresses are found by
:mod:`~cxdaily.insights.addresses`. With ``initials``, customers' names become initials
(``Jane Doe`` -> ``J. D.``) and handles are cut to their first letter (:func:`initials`,
:func:`short_handle`; in texts: :mod:`~cxdaily.insights.redactor`). Redaction is switched
off only on explicit request (``--no-redact``).

The patterns err on the side of privacy: a long order number may be masked like a card.

A digest redacts thousands of texts: :func:`redact_texts` gives the same result as
:func:`redact_text` on each, running each pattern once over all the texts that may hold
what it masks (joined by a character no pattern matches), instead of once per text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import msgspec

from cxdaily.insights.addresses import (
    ADDRESS_COMPOUND,
    ADDRESS_EN,
    ADDRESS_GENITIVE,
    ADDRESS_MASK,
    ADDRESS_NAME_FIRST,
    ADDRESS_NUMBER_FIRST,
    address_texts,
    mask_address,
    may_hold_address,
)
from cxdaily.insights.cleaning import flagged

_HANDLE_PREFIXES = ("/u/", "u/", "r/", "@", "#")
DIGIT_MASK = "•"

# The local part may hold an apostrophe (j.o'neil@...); the domain may be international
# (jörg@müller.de): its labels are letters and digits of any script, and hyphens.
_EMAIL = re.compile(
    r"(?<![\w.%+'-])([\w.%+'-]+?)(@|%40)([^\W_](?:[^\W_]|-)*(?<!-)"
    r"(?:\.[^\W_](?:[^\W_]|-)*(?<!-))+)"
)
# An IBAN: a country's two letters, two check digits, then 11 to 30 letters and digits,
# written whole or in groups of four (DE89 3704 0044 0532 0130 00).
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
# 13 to 19 digits, optionally grouped by single spaces or dashes; not an international
# phone number (those start with +). Patterns begin with the digit and look behind it
# afterwards, so that the regex engine can skip ahead to the next digit quickly.
_CARD = re.compile(r"\d(?<![\w+/=.]\d)[ -]?(?:\d[ -]?){11,17}\d(?![\w/])")
# Digit groups with single separators, optionally with a leading + and an area code in
# parentheses: the candidates a phone number is picked from. Like _CARD, the pattern
# begins with the character it starts at (+, an opening parenthesis or a digit) and
# looks behind it afterwards, so that the regex engine can skip ahead to the next one.
# It reads: (+ space?)? then (area code) space? or 1-6 digits, then up to six more groups.
_PHONE = re.compile(
    r"[+(\d](?<![\w/=.%*•].)"
    r"(?:(?<=\+)\s?(?:\(\d{1,5}\)\s?|\d{1,6})|(?<=\()\d{1,5}\)\s?|(?<=\d)\d{0,5})"
    r"(?:[ .-]?(?:\(\d{1,5}\)|\d{1,6})){0,6}(?![\w/])"
)
# A number written straight after the word that names it ("card=4111 1111 1111 1111",
# "Tel.0151 2345678", "tel/+49 151 2345678", "Kartennr4111111111111111"). _CARD and
# _PHONE start no number right after a letter, "=", "/" or "." (so that they find none
# inside an identifier, a URL, a version number or a decimal): here such a word stands
# for the boundary, with at most one of those signs after it. The word has two letters
# or more and starts a token outside a URL ("/tickets/5551234567" and "?id=5551234567"
# stay); the number after it (group 1, from its first digit to its last) is masked as if
# it stood alone. Like _CARD, the pattern begins with the word's first letter and looks
# behind it afterwards.
_LABELLED = re.compile(
    r"[^\W\d_](?<![\w/=.%&?#+@~-].)[^\W\d_]{1,29}+[=/.]?"
    r"([+(]?\d(?:[ ().+-]*+\d)*+)(?![\w/])"
)
# A phone number written with a slash after its area code, as Germany, Austria and
# Switzerland write them ("0151/2345678", "030/123 456 78"): the area code starts with
# the trunk 0, so that years ("2023/2024"), dates ("05/12/2026") and fractions stay. It
# starts no number inside a path ("/files/0151/2345678") or after another digit.
_SLASHED_PHONE = re.compile(r"0(?<![\w/%*•+-]0)\d{1,4}/\d{3,9}(?:[ -]\d{1,6}){0,2}(?![\w/])")
# A phone number inside a link, where _PHONE and _LABELLED start none: WhatsApp's
# ("wa.me/4712345678"), a path part that is an international number ("t.me/+4712345678",
# "signal.me/#p/+4712345678": the sign tells it from an id) and a query parameter that
# names it ("send?phone=%2B4712345678", "&tel=4712345678", "chat?number=%2B47..."). Group
# 1 is what leads to it, group 2 its sign, group 3 its digits.
_PHONE_IN_LINK = re.compile(
    r"(wa\.me/|/(?=\+|%2[Bb])"
    r"|[?&](?:phone|tel|mobile|msisdn|whatsapp|number|phone_?number|cell)=)"
    r"(\+|%2[Bb])?(\d{7,15})(?![\w/])",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(
    r"^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}|\d{1,2}[.:]\d{2}(?:[.:]\d{2})?)$"
)
_DIGIT = re.compile(r"\d")
# Seven digits with at most a few separators between them: the least a phone has. Tried
# only from a number's first digit (a run that starts later in a number also starts at
# the digit before it), so that the digits after it cost no attempt.
_DIGIT_RUN = re.compile(r"\d(?<!\d\d)(?:[ ().+/-]{0,2}\d){6}")


class Redaction(msgspec.Struct, frozen=True):
    """What to mask: personal data in text (``enabled``) and names (``initials``)."""

    enabled: bool = True
    initials: bool = False


def mask_email(match: re.Match[str]) -> str:
    """``jane.doe@example.com`` -> ``j***@example.com`` (the domain is kept)."""
    local, at, domain = match.groups()
    return f"{local[:1]}***{at}{domain}"


def _mask_digits(text: str, keep: int) -> str:
    """Every digit but the last ``keep`` becomes ``•``; separators stay (``•`` needs no
    escaping in Markdown, so masked numbers paste cleanly into chat)."""
    total = sum(ch.isdigit() for ch in text)
    seen = 0
    out = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else DIGIT_MASK)
        else:
            out.append(ch)
    return "".join(out)


def _mask_card(match: re.Match[str]) -> str:
    return _mask_digits(match.group(), 4)


def _mask_iban(match: re.Match[str]) -> str:
    """``DE89 3704 0044 0532 0130 00`` -> ``DE•• •••• •••• •••• •••• ••`` (the country
    stays); a code with fewer than ten digits is no IBAN and stays as it is."""
    found = match.group()
    if sum(ch.isdigit() for ch in found) < 10:
        return found
    return found[:2] + "".join(DIGIT_MASK if ch.isalnum() else ch for ch in found[2:])


def _mask_phone(match: re.Match[str]) -> str:
    candidate = match.group()
    digits = sum(ch.isdigit() for ch in candidate)
    if not 7 <= digits <= 15 or _DATE_LIKE.match(candidate.strip()):
        return candidate
    international = candidate.lstrip().startswith(("+", "("))
    grouped = any(sep in candidate.strip() for sep in " .-")
    if international or (grouped and digits >= 7) or digits >= 10:
        return _mask_digits(candidate, 2)
    return candidate


def _mask_phone_in_link(match: re.Match[str]) -> str:
    """A :data:`_PHONE_IN_LINK` match with its digits masked but the last two."""
    lead, sign, digits = match.groups()
    return f"{lead}{sign or ''}{_mask_digits(digits, 2)}"


def _mask_slashed_phone(match: re.Match[str]) -> str:
    """A :data:`_SLASHED_PHONE` match of seven digits or more masked but its last two."""
    candidate = match.group()
    digits = sum(ch.isdigit() for ch in candidate)
    return _mask_digits(candidate, 2) if 7 <= digits <= 15 else candidate


def _mask_labelled(match: re.Match[str]) -> str:
    """A :data:`_LABELLED` match with the cards and phones in its number masked."""
    found = match.group()
    number_at = match.start(1) - match.start()
    return found[:number_at] + _PHONE.sub(_mask_phone, _CARD.sub(_mask_card, found[number_at:]))


def redact_text(text: str) -> str:
    """Mask emails, card-like numbers, phone numbers and street addresses in ``text``."""
    if not text:
        return text
    if "@" in text or "%40" in text:
        text = _EMAIL.sub(mask_email, text)
    if not _DIGIT.search(text):
        return text
    if _DIGIT_RUN.search(text):  # only then can an IBAN, a card or a phone be there
        text = _IBAN.sub(_mask_iban, text)
        text = _LABELLED.sub(_mask_labelled, text)
        text = _CARD.sub(_mask_card, text)
        text = _PHONE.sub(_mask_phone, text)
        text = _SLASHED_PHONE.sub(_mask_slashed_phone, text)
        text = _PHONE_IN_LINK.sub(_mask_phone_in_link, text)
    text = ADDRESS_EN.sub(mask_address, text)
    if may_hold_address(text):
        text = ADDRESS_COMPOUND.sub(ADDRESS_MASK, text)
        text = ADDRESS_NUMBER_FIRST.sub(ADDRESS_MASK, text)
        text = ADDRESS_NAME_FIRST.sub(ADDRESS_MASK, text)
        text = ADDRESS_GENITIVE.sub(ADDRESS_MASK, text)
    return text


def redact_link(text: str) -> str:
    """Mask the emails in a URL or an id (plain or ``%40``-encoded); nothing else."""
    if not text or ("@" not in text and "%40" not in text):
        return text
    return _EMAIL.sub(mask_email, text)


BATCH_BREAK = "\x00"
"""Joins the texts redacted together: no pattern matches it, so no match crosses from one
text into the next, and to every look-behind, look-ahead and word boundary it reads like
the start or the end of a text (it is no word character, space, digit or punctuation
any pattern asks for). Cleaned text never holds it; a batch holding it is redacted text by
text."""
_Replace = Callable[[re.Match[str]], str] | str


def _sub_each(
    pattern: re.Pattern[str], replace: _Replace, texts: list[str], chosen: Sequence[int]
) -> None:
    """``texts[i] = pattern.sub(replace, texts[i])`` for every ``i`` in ``chosen``, in one
    call over those texts joined by :data:`BATCH_BREAK`."""
    if not chosen:
        return
    joined = BATCH_BREAK.join([texts[i] for i in chosen])
    for index, text in zip(chosen, pattern.sub(replace, joined).split(BATCH_BREAK), strict=True):
        texts[index] = text


def _flagged_among(pattern: re.Pattern[str], texts: list[str], chosen: list[int]) -> list[int]:
    """The indices in ``chosen`` of the texts ``pattern`` finds something in (one search
    over them all)."""
    found = flagged(pattern, [texts[i] for i in chosen], BATCH_BREAK)
    return [chosen[n] for n in sorted(found)]


def batchable(texts: Sequence[str]) -> bool:
    """Whether no text holds :data:`BATCH_BREAK` (then joined texts split back exactly)."""
    return BATCH_BREAK.join(texts).count(BATCH_BREAK) == max(len(texts) - 1, 0)


def redact_texts(texts: Sequence[str]) -> list[str]:
    """``[redact_text(t) for t in texts]``, pattern by pattern over all the texts at once.

    Each step of :func:`redact_text` runs on exactly the texts it would run on there
    (those with an ``@``, those with a digit, those with a run of seven digits, those
    with a street word), in the same order, as one search over them joined.
    """
    if not batchable(texts):
        return [redact_text(text) for text in texts]
    found = list(texts)
    emails = [i for i, text in enumerate(found) if "@" in text or "%40" in text]
    _sub_each(_EMAIL, mask_email, found, emails)
    digits = [i for i, text in enumerate(found) if _DIGIT.search(text)]
    runs = _flagged_among(_DIGIT_RUN, found, digits)
    _sub_each(_IBAN, _mask_iban, found, runs)
    _sub_each(_LABELLED, _mask_labelled, found, runs)
    _sub_each(_CARD, _mask_card, found, runs)
    _sub_each(_PHONE, _mask_phone, found, runs)
    _sub_each(_SLASHED_PHONE, _mask_slashed_phone, found, runs)
    _sub_each(_PHONE_IN_LINK, _mask_phone_in_link, found, runs)
    _sub_each(ADDRESS_EN, mask_address, found, digits)
    streets = address_texts(found, digits, BATCH_BREAK)
    _sub_each(ADDRESS_COMPOUND, ADDRESS_MASK, found, streets)
    _sub_each(ADDRESS_NUMBER_FIRST, ADDRESS_MASK, found, streets)
    _sub_each(ADDRESS_NAME_FIRST, ADDRESS_MASK, found, streets)
    _sub_each(ADDRESS_GENITIVE, ADDRESS_MASK, found, streets)
    return found


def redact_links(texts: Sequence[str]) -> list[str]:
    """``[redact_link(t) for t in texts]``, in one search over the texts with an email."""
    if not batchable(texts):
        return [redact_link(text) for text in texts]
    found = list(texts)
    _sub_each(_EMAIL, mask_email, found, [i for i, t in enumerate(found) if "@" in t or "%40" in t])
    return found


def initials(name: str) -> str:
    """``Jane van Doe`` -> ``J. v. D.``; a name without letters is kept."""
    parts = [part for part in re.split(r"[\s]+", name.strip()) if part]
    shown = [f"{first_letter(part)}." for part in parts if first_letter(part)]
    return " ".join(shown) if shown else name


def first_letter(word: str) -> str:
    """The first letter of ``word`` (``""`` when it has none)."""
    for ch in word:
        if ch.isalpha():
            return ch
    return ""


def short_handle(handle: str) -> str:
    """``@jdoe`` -> ``@j***``, ``u/jdoe`` -> ``u/j***``, ``jdoe@example.com`` ->
    ``j***@example.com``."""
    masked = redact_link(handle)
    if masked != handle:
        return masked
    prefix = next((p for p in _HANDLE_PREFIXES if handle.startswith(p)), "")
    rest = handle[len(prefix) :]
    return f"{prefix}{rest[:1]}***" if rest else handle

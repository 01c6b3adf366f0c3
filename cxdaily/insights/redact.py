"""Personal data redaction for everything that leaves the machine in a digest.

On by default: email addresses, phone numbers, card-like numbers and street addresses
are masked in free text while keeping the context a reader needs
(``jane.doe@example.com`` -> ``j***@example.com``, ``+49 151 2345 6789`` ->
``+•• ••• •••• ••89``, ``4242 4242 4242 4242`` -> ``•••• •••• •••• 4242``,
``221B Baker Street`` -> ``[street address]``). Emails in URLs and ids are masked too.
With ``initials``, customers' names become initials (``Jane Doe`` -> ``J. D.``), also
where they appear in the text, and handles are cut to their first letter. Redaction is
switched off only on explicit request (``--no-redact``).

The patterns err on the side of privacy: a long order number may be masked like a card.

A digest redacts thousands of texts: :func:`redact_texts` gives the same result as
:func:`redact_text` on each, running each pattern once over all the texts that may hold
what it masks (joined by a character no pattern matches), instead of once per text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cxdaily.insights.cleaning import flagged, holding

ADDRESS_MASK = "[street address]"
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
_DATE_LIKE = re.compile(
    r"^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}|\d{1,2}[.:]\d{2}(?:[.:]\d{2})?)$"
)
_STREET_WORDS = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|square|sq|parkway|pkwy|highway|hwy|circle|cir|close|crescent|cres|alley|row"
)
_NOT_A_STREET_NAME = frozenset(
    (
        "a",
        "an",
        "the",
        "on",
        "in",
        "of",
        "my",
        "your",
        "our",
        "their",
        "to",
        "for",
        "and",
        "or",
        "at",
        "by",
        "with",
        "from",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "it",
        "its",
        "me",
        "you",
        "we",
        "they",
        "minutes",
        "minute",
        "hours",
        "hour",
        "days",
        "day",
        "weeks",
        "week",
        "months",
        "month",
        "years",
        "year",
        "times",
        "items",
        "people",
        "users",
        "seats",
        "orders",
        "more",
        "less",
    )
)
_ADDRESS_EN = re.compile(
    rf"\d(?<![\w-]\d)\d{{0,4}}[A-Za-z]?((?:\s++[A-Za-z][\w'.-]*+){{1,4}}?)\s++(?:{_STREET_WORDS})\b\.?"
    r"(?:,?\s+(?:apt|apartment|suite|unit|flat|#)\.?\s*[\w-]+)?",
    re.IGNORECASE,
)
_DE_SUFFIX = r"(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer)"
# "Hauptstraße 5": looked for only when one of these is in the text (a search from
# every capital letter is slow).
_DE_HINTS = ("straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "damm", "ufer")
_ADDRESS_DE = re.compile(
    rf"(?<![\w-])[A-ZÄÖÜ][\wäöüß-]*{_DE_SUFFIX}\s+\d{{1,4}}\s?[a-z]?\b", re.IGNORECASE
)
# "10 rue de Rivoli", "12 calle Mayor".
_ROMANCE_WORDS = (
    "rue", "avenue", "boulevard", "bd", "chemin", "calle", "via", "viale", "piazza", "rua",
    "avenida",
)  # fmt: skip
_ADDRESS_ROMANCE = re.compile(
    r"\d(?<![\w-]\d)\d{0,3}(?:\s?[a-z])?,?\s+(?:" + "|".join(_ROMANCE_WORDS) + r")\s+"
    r"(?:[\w'’-]+\s?){1,4}",
    re.IGNORECASE,
)
# Where _ADDRESS_ROMANCE may match: a word of it in the lower-cased text, or a dotless i
# (which matches "i" when case is ignored, though "ı".lower() is not "i").
_ROMANCE_HINTS = (*_ROMANCE_WORDS, "ı")
_DIGIT = re.compile(r"\d")
# Seven digits with at most a few separators between them: the least a phone has. Tried
# only from a number's first digit (a run that starts later in a number also starts at
# the digit before it), so that the digits after it cost no attempt.
_DIGIT_RUN = re.compile(r"\d(?<!\d\d)(?:[ ().+-]{0,2}\d){6}")


@dataclass(frozen=True)
class Redaction:
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


def _mask_address(match: re.Match[str]) -> str:
    words = (match.group(1) or "").split()
    if any(word.lower() in _NOT_A_STREET_NAME for word in words):
        return match.group()
    return ADDRESS_MASK


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
        text = _CARD.sub(_mask_card, text)
        text = _PHONE.sub(_mask_phone, text)
    text = _ADDRESS_EN.sub(_mask_address, text)
    if _any_hint(text):
        text = _ADDRESS_DE.sub(ADDRESS_MASK, text)
    return _ADDRESS_ROMANCE.sub(ADDRESS_MASK, text)


def _any_hint(text: str) -> bool:
    """Whether ``text`` holds a word German street names end in (see :data:`_DE_HINTS`)."""
    lowered = text.lower()
    return any(hint in lowered for hint in _DE_HINTS)


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


def _street_words(texts: list[str], chosen: list[int]) -> tuple[list[int], list[int]]:
    """The indices in ``chosen`` of the texts with a German street word (exactly those
    :func:`_any_hint` holds for), and of those where :data:`_ADDRESS_ROMANCE` may match
    (every text it matches, and a few more), from one look at them all lower-cased."""
    picked = [texts[i] for i in chosen]
    joined = BATCH_BREAK.join(picked)
    lowered = joined.lower()
    if len(lowered) != len(joined):  # a letter lower-cased into two: check one by one
        return [i for i in chosen if _any_hint(texts[i])], chosen
    german = holding(picked, _DE_HINTS, BATCH_BREAK, lowered)
    romance = holding(picked, _ROMANCE_HINTS, BATCH_BREAK, lowered)
    return [chosen[n] for n in sorted(german)], [chosen[n] for n in sorted(romance)]


def _batchable(texts: Sequence[str]) -> bool:
    """Whether no text holds :data:`BATCH_BREAK` (then joined texts split back exactly)."""
    return BATCH_BREAK.join(texts).count(BATCH_BREAK) == max(len(texts) - 1, 0)


def redact_texts(texts: Sequence[str]) -> list[str]:
    """``[redact_text(t) for t in texts]``, pattern by pattern over all the texts at once.

    Each step of :func:`redact_text` runs on exactly the texts it would run on there
    (those with an ``@``, those with a digit, those with a run of seven digits, those
    with a German street word), in the same order, as one search over them joined.
    """
    if not _batchable(texts):
        return [redact_text(text) for text in texts]
    found = list(texts)
    emails = [i for i, text in enumerate(found) if "@" in text or "%40" in text]
    _sub_each(_EMAIL, mask_email, found, emails)
    digits = [i for i, text in enumerate(found) if _DIGIT.search(text)]
    runs = _flagged_among(_DIGIT_RUN, found, digits)
    _sub_each(_IBAN, _mask_iban, found, runs)
    _sub_each(_CARD, _mask_card, found, runs)
    _sub_each(_PHONE, _mask_phone, found, runs)
    _sub_each(_ADDRESS_EN, _mask_address, found, digits)
    # Masking a German address adds no Romance street word ("[street address]"), so the
    # texts where one may be are found before it.
    german, romance = _street_words(found, digits)
    _sub_each(_ADDRESS_DE, ADDRESS_MASK, found, german)
    _sub_each(_ADDRESS_ROMANCE, ADDRESS_MASK, found, romance)
    return found


def redact_links(texts: Sequence[str]) -> list[str]:
    """``[redact_link(t) for t in texts]``, in one search over the texts with an email."""
    if not _batchable(texts):
        return [redact_link(text) for text in texts]
    found = list(texts)
    _sub_each(_EMAIL, mask_email, found, [i for i, t in enumerate(found) if "@" in t or "%40" in t])
    return found


def initials(name: str) -> str:
    """``Jane van Doe`` -> ``J. v. D.``; a name without letters is kept."""
    parts = [part for part in re.split(r"[\s]+", name.strip()) if part]
    shown = [f"{_first_letter(part)}." for part in parts if _first_letter(part)]
    return " ".join(shown) if shown else name


def _first_letter(word: str) -> str:
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


class Redactor:
    """Applies one :class:`Redaction` to the fields of a digest."""

    def __init__(self, options: Redaction) -> None:
        self.options = options

    def text(self, value: str | None, people: Iterable[tuple[str | None, str | None]] = ()) -> str:
        """Free text (summary, quote, note, reflection): personal data masked, and with
        ``initials`` the given people's names and handles replaced where they appear."""
        if not value:
            return value or ""
        if self.options.enabled:  # first: an email made of the name is masked as an email
            value = redact_text(value)
        return self.mask_people(value, people)

    def texts(self, values: Sequence[str]) -> list[str]:
        """Personal data masked in each value, as :meth:`text` does without people, with
        the patterns run once over all the values (see :func:`redact_texts`)."""
        return redact_texts(values) if self.options.enabled else list(values)

    def mask_people(self, value: str, people: Iterable[tuple[str | None, str | None]]) -> str:
        """With ``initials``, the given people's names and handles replaced where they
        appear in ``value``; without, ``value`` as it is."""
        if self.options.initials:
            for name, handle in people:
                value = self._replace_person(value, name, handle)
        return value

    def names(self, values: Sequence[str]) -> list[str]:
        """:meth:`name` of each (non-empty) value, redacted in one batch."""
        if self.options.initials:
            values = [initials(value) for value in values]
        return redact_texts(values) if self.options.enabled else list(values)

    def handles(self, values: Sequence[str]) -> list[str]:
        """:meth:`handle` of each (non-empty) value, redacted in one batch."""
        if self.options.initials:
            return [short_handle(value) for value in values]
        return redact_texts(values) if self.options.enabled else list(values)

    def links(self, values: Sequence[str]) -> list[str]:
        """:meth:`link` of each value, in one batch."""
        return redact_links(values) if self.options.enabled else list(values)

    def name(self, value: str | None) -> str | None:
        """A customer's name: initials when asked for; emails in it masked."""
        if not value:
            return value
        if self.options.initials:
            value = initials(value)
        return self._masked(value)

    def handle(self, value: str | None) -> str | None:
        """A customer's handle: cut to its first letter with ``initials``; an email
        handle is masked whenever redaction is on."""
        if not value:
            return value
        if self.options.initials:
            return short_handle(value)
        return self._masked(value)

    def link(self, value: str | None) -> str | None:
        """A URL or id: emails in it masked."""
        if not value or not self.options.enabled:
            return value
        return redact_link(value)

    def _masked(self, value: str) -> str:
        return redact_text(value) if self.options.enabled else value

    @staticmethod
    def _replace_person(text: str, name: str | None, handle: str | None) -> str:
        if handle and len(handle) > 2 and handle.lower() in text.lower():
            text = re.sub(re.escape(handle), short_handle(handle), text, flags=re.IGNORECASE)
        if not name:
            return text
        # a part of the name is replaced where it is written as a name, capitalized ("Park",
        # "PARK"), not where it is an ordinary word ("the car park"): quotes stay verbatim
        for part in sorted(set(name.split()), key=len, reverse=True):
            letter = _first_letter(part)
            if len(part) < 2 or not letter or part.lower() not in text.lower():
                continue
            spellings = {part[:1].upper() + part[1:], part.upper(), part}
            spellings = {s for s in spellings if s[:1].isupper() or not s[:1].isalpha()}
            for spelling in spellings:
                pattern = rf"(?<!\w){re.escape(spelling)}(?!\w)"
                text = re.sub(pattern, f"{letter}.", text)
        return text

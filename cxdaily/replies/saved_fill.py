"""Filling a saved reply's placeholders for one question, and putting it into a reply.

Placeholders, written in braces (any case, spaces inside allowed: ``{ First_Name }``):

- ``{first_name}``: the first word of the customer's real name: never a handle, an
  email address or a name with digits or symbols in it (``jdoe_42``, ``@jdoe``), never
  a title (``Dr``) or an initial (``J.``);
- ``{name}``: the customer's whole name, under the same rules;
- ``{channel}``: the service the question came from, as the leader reads it (``Help
  Scout``, ``App Store``: :mod:`cxdaily.core.services`);
- ``{product}``: ``[leader] product`` from the config;
- ``{today}``: the leader's day (home time zone and ``day_start``), like ``Saturday
  21 November 2026``.

``{{`` and ``}}`` write a literal brace. A placeholder without a value, and one that is
not in the list above, stays in the text as written and is reported
(:attr:`FilledReply.missing`, with where it stands): never an empty string. Values that
come from the customer are cleaned to a single line (:func:`cxdaily.core.safe_text.one_line`).

Several saved replies can go into one reply: :func:`insert_block` puts one at the
cursor, a blank line apart from the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import msgspec

from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.core.safe_text import one_line
from cxdaily.core.services import service_entry

PLACEHOLDERS = ("first_name", "name", "channel", "product", "today")
"""Every placeholder a saved reply can hold."""
MAX_FIRST_NAME_CHARS = 40
MAX_CUSTOMER_NAME_CHARS = 80
"""Longest first name and whole name used; a longer one is no name (it stays missing)."""

_TOKEN = re.compile(r"\{\{|\}\}|\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame"})
_NOT_NAMES = frozenset(
    {"customer", "guest", "anonymous", "anon", "unknown", "user", "admin", "none", "null"}
)
_HANDLE_MARKS = frozenset("@_/\\|<>{}[]#$%=+*~^:;`")
_NAME_PUNCTUATION = "'’-."


class Gap(msgspec.Struct, frozen=True):
    """A placeholder left in the text: where it stands and which one it is."""

    start: int
    end: int
    name: str
    """The placeholder, lower-cased (``first_name``)."""


class FilledReply(msgspec.Struct, frozen=True):
    """A saved reply's text with its placeholders filled where a value is known."""

    text: str
    missing: tuple[str, ...] = ()
    """Placeholders left as written, once each, in order: known ones without a value and
    unknown ones (the composer flags them)."""
    unknown: tuple[str, ...] = ()
    """Those of ``missing`` that are no placeholder at all (a typo such as ``{frist_name}``)."""
    gaps: tuple[Gap, ...] = ()
    """Where each placeholder left in the text stands (every occurrence)."""

    @property
    def complete(self) -> bool:
        """Whether every placeholder was filled."""
        return not self.missing


def fill_placeholders(template: str, values: Mapping[str, str | None]) -> FilledReply:
    """``template`` with each ``{placeholder}`` replaced by its value in ``values``.

    A value is cleaned to one line; an empty one counts as missing. A placeholder that is
    missing or unknown (not in :data:`PLACEHOLDERS`) stays as written and is reported.
    """
    pieces: list[str] = []
    gaps: list[Gap] = []
    length = 0
    position = 0
    for token in _TOKEN.finditer(template):
        literal = template[position : token.start()]
        pieces.append(literal)
        length += len(literal)
        position = token.end()
        if token[1] is None:  # '{{' or '}}'
            piece = token[0][0]
        else:
            name = token[1].lower()
            value = (
                one_line(clean_surrogates(values.get(name) or "")) if name in PLACEHOLDERS else ""
            )
            piece = value or token[0]
            if not value:
                gaps.append(Gap(length, length + len(piece), name))
        pieces.append(piece)
        length += len(piece)
    pieces.append(template[position:])
    missing = tuple(dict.fromkeys(gap.name for gap in gaps))
    unknown = tuple(name for name in missing if name not in PLACEHOLDERS)
    return FilledReply("".join(pieces), missing, unknown, tuple(gaps))


def placeholders_left(text: str) -> tuple[Gap, ...]:
    """Every placeholder of :data:`PLACEHOLDERS` still written in ``text`` (a reply about
    to go out), with where it stands: a saved reply's gap nobody filled, or one typed by
    hand, which nothing fills either.

    Other braces are text the leader meant, and are not reported: the literal braces of a
    saved reply's ``{{...}}`` (``{{id}}`` became ``{id}``), ``GET /orders/{id}``, a
    misspelt placeholder (``{frist_name}``: named when its saved reply is inserted, see
    :attr:`FilledReply.unknown`). ``{{`` and ``}}`` are never placeholders."""
    return tuple(
        Gap(token.start(), token.end(), name)
        for token in _TOKEN.finditer(text)
        if token[1] is not None and (name := token[1].lower()) in PLACEHOLDERS
    )


def placeholder_values(
    question: Question, *, product: str | None, today: date
) -> dict[str, str | None]:
    """The value of every placeholder for a reply to ``question`` (``None``: unknown)."""
    return {
        "first_name": first_name(question.author),
        "name": real_name(question.author),
        "channel": channel_display_name(question),
        "product": one_line(product or "") or None,
        "today": readable_day(today),
    }


def _name_words(author: Author) -> list[str] | None:
    """The words of an author's name when it is a person's name, else ``None``: a handle
    or an email address (or a name equal to the handle) is not one."""
    name = one_line(clean_surrogates(author.name or ""))
    if not name or len(name) > MAX_CUSTOMER_NAME_CHARS or "://" in name or "\ufffd" in name:
        return None  # nothing, too long, a link, or bytes that were not text
    handle = one_line(author.handle or "").lstrip("@").casefold()
    words = name.split()
    if len(words) == 1 and (words[0].islower() or words[0].lstrip("@").casefold() == handle):
        return None  # one lower-case word, or the handle again: a user name, not a name
    for word in words:
        if any(char.isdigit() or char in _HANDLE_MARKS for char in word):
            return None
    return words


def real_name(author: Author) -> str | None:
    """The customer's whole name when it is a person's name (see :func:`first_name`)."""
    words = _name_words(author)
    return " ".join(words) if words else None


def first_name(author: Author) -> str | None:
    """The first word of the customer's real name, or ``None`` when unknown.

    Titles (``Dr``, ``Mrs``) and words without a letter (an emoji) are passed over;
    an initial (``J.``), a placeholder name (``Customer``, ``Guest``) or a title with one
    word after it (``Mrs Smith``: a family name) gives ``None``.
    """
    words = _name_words(author) or []
    titled = False
    for position, word in enumerate(words):
        bare = word.strip("()[]\"'“”‘’,.!?")
        if not any(char.isalpha() for char in bare):
            continue  # an emoji or a dash before the name
        if bare.casefold() in _TITLES:
            titled = True
            continue
        if titled and position == len(words) - 1:
            return None
        if word.endswith(".") and len(bare) <= 2:
            return None  # an initial: 'J. Doe'
        if bare.casefold() in _NOT_NAMES or len(bare) < 2 or len(bare) > MAX_FIRST_NAME_CHARS:
            return None
        if not all(char.isalpha() or char in _NAME_PUNCTUATION for char in bare):
            return None
        return bare
    return None


def channel_display_name(question: Question) -> str | None:
    """The service a question came from, as the leader reads it (``Help Scout``); ``None``
    for a source the catalogue does not know (a ``jsonl`` import, an ``http`` portal)."""
    service = question.meta.get("service")
    key = service if isinstance(service, str) and service else question.kind
    entry = service_entry(key)
    return entry.name if entry is not None else None


def readable_day(day: date) -> str:
    """A day as a reply writes it: ``Saturday 21 November 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


class Insertion(msgspec.Struct, frozen=True):
    """A reply's text after a block went in at the cursor."""

    text: str
    cursor: int
    """Just after the inserted block: where the next one goes."""
    gaps: tuple[Gap, ...] = ()
    """The inserted block's placeholders left in the text, at their new places."""


def insert_block(text: str, cursor: int, block: str | FilledReply) -> Insertion:
    """Put ``block`` (a filled saved reply, or plain text) into ``text`` at ``cursor``.

    The block stands as a paragraph of its own: a blank line from the text before and
    after it (the line the cursor was in is split there), and no blank lines added at
    the start or the end of the reply. Inserting several blocks one after the other, at
    the returned cursor, builds one reply of several paragraphs.
    """
    filled = block if isinstance(block, FilledReply) else FilledReply(block)
    cursor = min(max(cursor, 0), len(text))
    before, after = text[:cursor].rstrip(), text[cursor:].lstrip()
    stripped = filled.text.lstrip()
    shift = len(filled.text) - len(stripped)
    body = stripped.rstrip()
    head = f"{before}\n\n" if before else ""
    tail = f"\n\n{after}" if after else ""
    offset = len(head) - shift
    gaps = tuple(
        Gap(gap.start + offset, gap.end + offset, gap.name)
        for gap in filled.gaps
        if gap.start >= shift and gap.end - shift <= len(body)
    )
    return Insertion(head + body + tail, len(head) + len(body), gaps)

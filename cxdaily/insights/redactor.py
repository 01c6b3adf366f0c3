"""Digest fields as they leave the machine: :class:`Redactor` applies one
:class:`~cxdaily.insights.redact.Redaction` to each kind of field (free texts, names,
handles, links), and with ``initials`` masks the people of the digest where they appear
in its texts (:class:`KnownPeople`): a customer's own name and handle in their own texts,
and anyone's whole name and distinctive handle in every text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from cxdaily.insights.cleaning import line, words_pattern
from cxdaily.insights.redact import (
    BATCH_BREAK,
    Redaction,
    batchable,
    first_letter,
    initials,
    redact_link,
    redact_links,
    redact_text,
    redact_texts,
    short_handle,
)

Person = tuple[str | None, str | None]
"""Someone's name and handle, either of them possibly missing."""
_NO_WORD_BEFORE_FIRST = r"(?<!\w.)"
"""Put after a word's first character: no word character right before the word."""
_LONGEST_KNOWN = 64
"""The longest part of a name or handle masked in texts (nothing longer is someone's
name; it would only make the pattern deep)."""


class KnownPeople:
    """The names and handles of a digest's people, masked where they appear in its texts:
    a handle is cut to its first letter (in any case), then a name becomes its initials
    where it is written as a name (capitalized or in capitals: "Park", "PARK", not "the
    car park"). Handles of fewer than three characters and parts of names of fewer than
    two are kept.

    What reads like an ordinary word is masked only in its owner's own texts: a part of a
    name alone ("Will", "May", "Price", "Rosa"), or a handle of letters only ("help"),
    unless written as a handle ("@help"). What only a person is called is masked in every
    text: a whole name of two parts or more ("John Smith", "JOHN SMITH"), a handle with a
    digit or a sign ("jdoe42", "j.doe"). So a customer quoting a colleague of the same
    digest by name hides them, and a customer named Will leaves "Will you fix it?" whole
    in everyone else's quotes.

    Two patterns find them all, one for the handles and one for the names, each shaped as
    a trie (see :func:`~cxdaily.insights.cleaning.words_pattern`), so masking stays
    linear in the size of the texts and of the names, however many people there are.
    Handles are looked for in the text case-folded (:func:`_folded`), names as written.
    """

    def __init__(self, people: Iterable[Person]) -> None:
        self._names: dict[str, str] = {}
        self._handles: dict[str, str] = {}
        self._everywhere: set[str] = set()
        """The names and (folded) handles masked in every text."""
        self._own: dict[Person, frozenset[str]] = {}
        """Each person's word-like name parts and (folded) handle: masked in their texts."""
        for person in dict.fromkeys(people):  # each person once
            name, handle = person
            own = self._add_handle(line(handle))
            parts = line(name).split()
            for part in parts:
                own |= self._add_name_part(part)
            if len(parts) > 1:
                self._add_whole_name(parts)
            self._own[person] = frozenset(own)
        # Both whole (no word character right before or after). The look-behind goes
        # before a handle (most start with a lower-case letter, so most positions would
        # enter the trie) and after a name's first letter (a capital: the regex engine
        # skips ahead to the next one).
        handles = words_pattern(self._handles)
        names = words_pattern(self._names, after_first=_NO_WORD_BEFORE_FIRST)
        self._handle_pattern = re.compile(rf"(?<!\w){handles}(?!\w)") if self._handles else None
        self._name_pattern = re.compile(rf"{names}(?!\w)") if self._names else None

    def _add_handle(self, handle: str) -> set[str]:
        if not 2 < len(handle) <= _LONGEST_KNOWN:
            return set()
        folded = _folded(handle)
        self._handles.setdefault(folded, short_handle(handle))
        if folded.isalpha():
            return {folded}
        self._everywhere.add(folded)
        return set()

    def _add_name_part(self, part: str) -> set[str]:
        letter = first_letter(part)
        if not letter or not 2 <= len(part) <= _LONGEST_KNOWN:
            return set()
        spellings = {
            spelling
            for spelling in (part[:1].upper() + part[1:], part.upper(), part)
            if spelling[:1].isupper() or not spelling[:1].isalpha()
        }
        for spelling in spellings:
            self._names.setdefault(spelling, f"{letter}.")
        return spellings

    def _add_whole_name(self, parts: list[str]) -> None:
        written = " ".join(parts)
        if len(written) > _LONGEST_KNOWN:
            return
        shown = initials(written)
        capitalized = " ".join(part[:1].upper() + part[1:] for part in parts)
        for spelling in {written, capitalized, written.upper()}:
            if spelling[:1].isupper() or not spelling[:1].isalpha():
                self._names[spelling] = shown
                self._everywhere.add(spelling)

    def mask(self, texts: Sequence[str], owners: Sequence[Person | None] = ()) -> list[str]:
        """Each text with the known people masked, in one search over them all; the
        text of ``owners[i]`` (when given) is ``texts[i]``: there, their word-like name
        parts and handle are masked too."""
        if self._handle_pattern is None and self._name_pattern is None:
            return list(texts)
        owned: list[Person | None] = list(owners) if owners else [None] * len(texts)
        if not batchable(texts):  # each alone, whatever it holds
            return [
                self._masked(text, [owner], joined=False)
                for text, owner in zip(texts, owned, strict=True)
            ]
        return self._masked(BATCH_BREAK.join(texts), owned, joined=True).split(BATCH_BREAK)

    def _masked(self, text: str, owners: list[Person | None], *, joined: bool) -> str:
        """``text`` with the people masked; ``joined``: texts joined by
        :data:`BATCH_BREAK`, the i-th written by ``owners[i]`` (else one text, by
        ``owners[0]``, whatever it holds)."""

        def starts() -> list[int]:
            return _text_starts(text) if joined else [0]

        if self._handle_pattern is not None:
            text = self._without_handles(text, self._handle_pattern, owners, starts())
        if self._name_pattern is not None:
            text_starts = starts()

            def initial(match: re.Match[str]) -> str:
                found = match.group()
                owner = owners[bisect_right(text_starts, match.start()) - 1]
                if found in self._everywhere or self._owns(owner, found):
                    return self._names[found]
                return found

            text = self._name_pattern.sub(initial, text)
        return text

    def _owns(self, owner: Person | None, found: str) -> bool:
        """Whether ``found`` is a word-like name part or handle of ``owner``."""
        return owner is not None and found in self._own.get(owner, frozenset())

    def _without_handles(
        self, text: str, pattern: re.Pattern[str], owners: list[Person | None], starts: list[int]
    ) -> str:
        """``text`` with the handles ``pattern`` finds in it case-folded masked (a word-like
        one in its owner's text, or written after ``@`` or ``/``)."""
        pieces: list[str] = []
        done = 0
        for match in pattern.finditer(_folded(text)):
            found, at = match.group(), match.start()
            owner = owners[bisect_right(starts, at) - 1]
            written_as_handle = at > 0 and text[at - 1] in "@/"
            if not (found in self._everywhere or written_as_handle or self._owns(owner, found)):
                continue
            pieces += (text[done:at], self._handles[found])
            done = match.end()
        return "".join((*pieces, text[done:])) if pieces else text


def _text_starts(joined: str) -> list[int]:
    """Where each text of ``joined`` (texts joined by :data:`BATCH_BREAK`) starts."""
    starts = [0]
    for piece in joined.split(BATCH_BREAK)[:-1]:
        starts.append(starts[-1] + len(piece) + 1)
    return starts


def _folded(text: str) -> str:
    """``text`` lower-cased, with a dotted capital I as a plain i (the one letter whose
    lower case is two characters): each character where it was, a word character or not
    as it was."""
    return text.replace("İ", "i").lower()


def _unnamed(url: str, owner: Person) -> str:
    """``url``, or "" when it holds ``owner``'s handle (``x.example/jess_ships/status/1``
    for ``@jess_ships``): with initials, the link would name whom the handle hides."""
    handle = (owner[1] or "").lstrip("@").casefold()
    return "" if len(handle) > 1 and handle in url.casefold() else url


class Redactor:
    """Applies one :class:`Redaction` to the fields of a digest; with ``initials``, the
    names and handles of ``people`` (everyone in the digest) are masked in its texts, as
    :class:`KnownPeople` says."""

    def __init__(self, options: Redaction, people: Iterable[Person] = ()) -> None:
        self.options = options
        self._people = KnownPeople(people if options.initials else ())

    def text(self, value: str | None, owner: Person | None = None) -> str:
        """Free text (summary, quote, note, reflection): personal data masked, and with
        ``initials`` the known people's names and handles replaced where they appear
        (``owner``'s word-like ones too: see :class:`KnownPeople`)."""
        if not value:
            return value or ""
        if self.options.enabled:  # first: an email made of the name is masked as an email
            value = redact_text(value)
        return self._people.mask([value], [owner])[0]

    def texts(self, values: Sequence[str]) -> list[str]:
        """Personal data masked in each value (without the people: see
        :meth:`mask_people`), with the patterns run once over all the values (see
        :func:`redact_texts`)."""
        return redact_texts(values) if self.options.enabled else list(values)

    def mask_people(self, values: Sequence[str], owners: Sequence[Person | None] = ()) -> list[str]:
        """With ``initials``, the known people's names and handles replaced where they
        appear in each value (``owners[i]`` wrote ``values[i]``: see :class:`KnownPeople`);
        without, the values as they are."""
        return self._people.mask(values, owners)

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

    def links(self, values: Sequence[str], owners: Sequence[Person] = ()) -> list[str]:
        """:meth:`link` of each value, in one batch (``owners[i]``: whose is ``values[i]``)."""
        if self.options.initials and owners:
            values = [_unnamed(v, o) for v, o in zip(values, owners, strict=True)]
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

    def link(self, value: str | None, owner: Person | None = None) -> str | None:
        """A URL or id: emails in it masked; with ``initials``, left out when it holds
        its ``owner``'s handle (a post's address names its author)."""
        if value and self.options.initials and owner is not None:
            value = _unnamed(value, owner) or None
        if not value or not self.options.enabled:
            return value
        return redact_link(value)

    def _masked(self, value: str) -> str:
        return redact_text(value) if self.options.enabled else value

"""Stored insights turned into cleaned, redacted :class:`DigestInsight` records, all of a
digest's at once.

With the default redaction, an insight whose stored digest form stands (see
:mod:`~cxdaily.insights.stored_redaction`) is shown from its fields and that form, with
no cleaning or redaction at all. The others (and every insight with other settings) take
the long way, column by column rather than insight by insight: one look over each field
of every insight tells which need cleaning (almost none do: the others are only
trimmed), the summaries, quotes and notes are redacted together (see
:func:`~cxdaily.insights.redact.redact_texts`), and each distinct name and handle is
redacted once. The result is the same as cleaning and redacting each insight alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from itertools import chain
from operator import attrgetter
from typing import Any

from msgspec.structs import astuple

from cxdaily.core.models import FORM_FIELDS, Insight
from cxdaily.insights.cleaning import block, line, not_clean, not_plain, trimmed_lines
from cxdaily.insights.model import UNASSIGNED, UNKNOWN_SENTIMENT, DigestInsight
from cxdaily.insights.redact import Redaction
from cxdaily.insights.redactor import Person, Redactor
from cxdaily.insights.stored_redaction import FIELD_BREAK, stored_forms

_READ = (*FORM_FIELDS, "created_at", "importance", "digest_stamp", "digest_form")
"""Every field of an insight a digest reads."""
_POSITIONS = tuple(map(Insight.__struct_fields__.index, _READ))
"""Where each of them is in an insight's fields, in order (see :func:`read_fields`)."""
_CHECKED = attrgetter("form_checked")
_SHORT = (
    "id",
    "question_id",
    "url",
    "channel",
    "team",
    "sentiment",
    "summary",
    "customer_name",
    "customer_handle",
)
"""The one-line fields but the tags, which are cleaned and folded together."""
_DEFAULT = Redaction()
_new_insight = partial(tuple.__new__, DigestInsight)
"""A :class:`DigestInsight` from one tuple of its fields (no per-field call)."""
Columns = dict[str, list[Any]]
"""Fields by name, one value per insight."""


def read_fields(insights: Sequence[Insight]) -> Columns:
    """Every field of the insights a digest reads, by name, and whether the store found
    each one's form current (``form_checked``): each field of all of them read in one
    pass (``astuple``: every field, in order, without a look-up by name), turned into
    columns by ``zip`` (faster than a getter per field)."""
    if not insights:
        return {name: [] for name in (*_READ, "form_checked")}
    columns = list(zip(*map(astuple, insights), strict=True))
    read = {name: list(columns[position]) for name, position in zip(_READ, _POSITIONS, strict=True)}
    read["form_checked"] = list(map(_CHECKED, insights))
    return read


def export_insights(
    insights: Sequence[Insight],
    redactor: Redactor,
    days_of: Callable[[Sequence[datetime]], list[date]],
    primaries: Callable[[Sequence[tuple[str, ...]]], list[str]],
    read: Columns | None = None,
) -> list[DigestInsight]:
    """Every insight cleaned and redacted, in the given order (``days_of``: the day of
    each instant; ``primaries``: the primary tag of each list of tags; ``read``: their
    :func:`read_fields`, when the caller has them already)."""
    if not insights:
        return []
    read = read or read_fields(insights)
    options = redactor.options
    usable, todo = stored_forms(read) if options.enabled else ([], list(range(len(insights))))
    shown = _as_stored(read)
    forms = read["digest_form"]
    for index in usable:
        form = forms[index]
        if form:
            for name, value in form.items():
                shown[name][index] = value
    long_way = todo if options == _DEFAULT else list(range(len(insights)))
    if long_way:
        known = set(usable)
        texts = {
            position: (shown["summary"][index], shown["quote"][index], shown["note"][index])
            for position, index in enumerate(long_way)
            if index in known
        }
        every = len(long_way) == len(insights)
        fields = read if every else {n: [c[i] for i in long_way] for n, c in read.items()}
        prepared = _prepared(fields, redactor, texts)
        for name, found in prepared.items():
            column = shown[name]
            for index, value in zip(long_way, found, strict=True):
                column[index] = value
    if options.enabled:
        shown["tags"] = _redacted_tags(shown["tags"], redactor)
    created = read["created_at"]
    return list(
        map(
            _new_insight,
            zip(
                *(shown[name] for name in FORM_FIELDS[:9]),
                read["importance"],
                shown["summary"],
                shown["quote"],
                shown["note"],
                created,
                days_of(created),
                primaries(shown["tags"]),
                strict=True,
            ),
        )
    )


def _redacted_tags(tag_lists: list[Any], redactor: Redactor) -> list[Any]:
    """The tags redacted as any text is (a tag can hold an e-mail address or a phone
    number too), each distinct tag once: the same lists when none holds personal data,
    as almost always."""
    distinct = list(dict.fromkeys(chain.from_iterable(tag_lists)))
    masked = {tag: shown for tag, shown in zip(distinct, redactor.texts(distinct), strict=True)}
    if all(masked[tag] == tag for tag in distinct):
        return tag_lists
    return [tuple(masked[tag] for tag in tags) for tags in tag_lists]


def _as_stored(read: Columns) -> Columns:
    """The form fields as a digest shows an insight whose stored form holds nothing:
    as stored, with the digest's words for what is missing."""
    shown = {name: list(read[name]) for name in FORM_FIELDS}
    for name in ("url", "customer_name", "customer_handle"):
        shown[name] = [value or None for value in read[name]]
    shown["team"] = [team or UNASSIGNED for team in read["team"]]
    shown["sentiment"] = [sentiment or UNKNOWN_SENTIMENT for sentiment in read["sentiment"]]
    shown["note"] = [note or "" for note in read["note"]]
    return shown


def digest_forms(read: Columns) -> list[dict[str, Any] | None]:
    """For each insight (``read``: their :func:`read_fields`), the fields a digest with
    the default redaction shows otherwise than stored (see
    :mod:`~cxdaily.insights.stored_redaction`), by name; ``None`` when there are none.
    All made in one batch."""
    if not read["id"]:
        return []
    stored = _as_stored(read)
    prepared = _prepared(read, Redactor(_DEFAULT), {})
    forms: list[dict[str, Any] | None] = []
    for index in range(len(read["id"])):
        form = {
            name: values[index]
            for name, values in prepared.items()
            if values[index] != stored[name][index]
        }
        forms.append(form or None)
    return forms


def _prepared(
    read: Columns, redactor: Redactor, texts: Mapping[int, tuple[str, str, str]]
) -> Columns:
    """The form fields of insights cleaned and redacted, by name, from their fields as
    stored (``read``, left as it is); ``texts``: the summary, quote and note of some of
    them (by position) already cleaned and redacted.

    An insight whose one-line fields (ids, URL, channel, customer, team, sentiment,
    summary, tags) hold no control character at all has them trimmed only; otherwise each
    is cleaned and folded to one line. Quote and note are trimmed when clean, else
    cleaned keeping their lines.
    """
    short = {name: [value or "" for value in read[name]] for name in _SHORT}
    folded: set[int] = set()
    for name, column in short.items():
        if not trimmed_lines(column):  # rare: a space at an end, or a control character
            folded |= not_plain(column)
            short[name] = list(map(str.strip, column))
    tag_lists = read["tags"]
    if not trimmed_lines(list(chain.from_iterable(tag_lists))):
        folded |= not_plain([" ".join(tags) for tags in tag_lists])
        tag_lists = [tuple(map(str.strip, tags)) for tags in tag_lists]
    if folded:  # rare: control characters, so clean and fold the long way
        tag_lists = list(tag_lists)
        for index in folded:
            for name, column in short.items():
                column[index] = line(read[name][index])
            tag_lists[index] = tuple(map(line, read["tags"][index]))
    quotes, notes = read["quote"], [note or "" for note in read["note"]]
    unclean = not_clean(quotes) | not_clean(notes)
    quotes = list(map(str.strip, quotes))
    notes = list(map(str.strip, notes))
    for index in unclean:
        quotes[index] = block(read["quote"][index])
        notes[index] = block(read["note"][index])
    owners = list(zip(read["customer_name"], read["customer_handle"], strict=True))
    summaries, quotes, notes = _redacted_texts(
        redactor, texts, owners, short["summary"], quotes, notes
    )
    return {
        "id": short["id"],
        "question_id": redactor.links(short["question_id"]),
        "url": [url or None for url in redactor.links(short["url"], owners)],
        "channel": short["channel"],
        "customer_name": _each_once(redactor.names, short["customer_name"]),
        "customer_handle": _each_once(redactor.handles, short["customer_handle"]),
        "tags": tag_lists,
        "team": [team or UNASSIGNED for team in short["team"]],
        "sentiment": [sentiment or UNKNOWN_SENTIMENT for sentiment in short["sentiment"]],
        "summary": summaries,
        "quote": quotes,
        "note": notes,
    }


def _redacted_texts(
    redactor: Redactor,
    known: Mapping[int, tuple[str, str, str]],
    owners: Sequence[Person],
    summaries: list[str],
    quotes: list[str],
    notes: list[str],
) -> tuple[list[str], list[str], list[str]]:
    """Summaries, quotes and notes redacted (those ``known`` already are), the others all
    in one batch; with ``initials``, the names and handles of everyone the redactor knows
    (the digest's people) masked in all of them, in one more batch (each insight's own
    customer, ``owners``, as the one who wrote its texts: see
    :class:`~cxdaily.insights.redactor.KnownPeople`). Only the texts
    redaction changes are taken apart again."""
    options = redactor.options
    if not options.enabled and not options.initials:
        return summaries, quotes, notes
    joined = list(map(FIELD_BREAK.join, zip(summaries, quotes, notes, strict=True)))
    changed: dict[int, str] = {}
    if options.enabled:
        changed = {index: FIELD_BREAK.join(texts) for index, texts in known.items()}
        todo = [index for index in range(len(joined)) if index not in known]
        for index, text in zip(todo, redactor.texts([joined[i] for i in todo]), strict=True):
            if text != joined[index]:
                changed[index] = text
    if options.initials:
        current = [changed.get(index, text) for index, text in enumerate(joined)]
        for index, masked in enumerate(redactor.mask_people(current, owners)):
            if masked != current[index]:
                changed[index] = masked
    for index, text in changed.items():
        summaries[index], quotes[index], notes[index] = text.split(FIELD_BREAK)
    return summaries, quotes, notes


def _each_once(redact: Callable[[list[str]], list[str]], values: list[str]) -> list[str | None]:
    """``values`` redacted by ``redact``, each distinct one once; empty ones (and empty
    results) become ``None``."""
    distinct = [value for value in dict.fromkeys(values) if value]
    redacted = dict(zip(distinct, redact(distinct), strict=True))
    return [redacted.get(value) or None for value in values]

"""Stored insights turned into cleaned, redacted :class:`DigestInsight` records, all of a
digest's at once.

The work goes column by column rather than insight by insight: one search per field over
every insight tells which need cleaning (almost none do: the others are only trimmed),
the summaries, quotes and notes of every insight are redacted together (see
:func:`~cxdaily.insights.redact.redact_texts`), and each distinct name and handle is
redacted once. The result is the same as cleaning and redacting each insight alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from itertools import chain
from operator import attrgetter

from cxdaily.core.models import Insight
from cxdaily.insights.cleaning import block, line, not_clean, not_plain, trimmed_lines
from cxdaily.insights.model import UNASSIGNED, UNKNOWN_SENTIMENT, DigestInsight
from cxdaily.insights.redact import Redactor
from cxdaily.insights.stored_redaction import FIELD_BREAK, short_fields, stored_redactions

PERSON_BREAK = "\x00"
"""The break the customer's own name is masked across with ``initials`` (the masking
runs over the three texts joined, as it always has)."""
_FIELDS = attrgetter(
    "id",
    "question_id",
    "url",
    "channel",
    "customer_name",
    "customer_handle",
    "team",
    "sentiment",
    "summary",
    "tags",
    "quote",
    "note",
    "created_at",
    "importance",
)
"""Every field of an insight a digest reads, in one call per insight."""
_new_insight = partial(tuple.__new__, DigestInsight)
"""A :class:`DigestInsight` from one tuple of its fields (no per-field call)."""


def export_insights(
    insights: Sequence[Insight],
    redactor: Redactor,
    days_of: Callable[[Sequence[datetime]], list[date]],
    primary_of_tags: Callable[[tuple[str, ...]], str],
) -> list[DigestInsight]:
    """Every insight cleaned and redacted, in the given order.

    An insight whose short fields (ids, URL, channel, customer, team, sentiment, summary,
    tags) hold no control character at all has them trimmed only; otherwise each is
    cleaned and folded to one line. Quote and note are trimmed when clean, else cleaned
    keeping their lines.
    """
    if not insights:
        return []
    (
        ids,
        question_ids,
        urls,
        channels,
        names,
        handles,
        teams,
        sentiments,
        summaries,
        tag_lists,
        quotes,
        notes,
        created,
        importances,
    ) = map(list, zip(*map(_FIELDS, insights), strict=True))
    for optional in (urls, names, handles, teams, sentiments, notes):
        optional[:] = [value or "" for value in optional]
    columns = (ids, question_ids, urls, channels, teams, sentiments, summaries, names, handles)
    folded: set[int] = set()
    for column in columns:
        if not trimmed_lines(column):  # rare: a space at an end, or a control character
            folded |= not_plain(column)
            column[:] = map(str.strip, column)
    every_tag = list(chain.from_iterable(tag_lists))
    if not trimmed_lines(every_tag):
        folded |= not_plain([" ".join(tags) for tags in tag_lists])
        tag_lists = [tuple(map(str.strip, tags)) for tags in tag_lists]
    for index in folded:  # rare: control characters, so clean and fold the long way
        for column, insight_value in zip(columns, short_fields(insights[index]), strict=True):
            column[index] = line(insight_value)
        tag_lists[index] = tuple(map(line, insights[index].tags))
    unclean = not_clean(quotes) | not_clean(notes)
    quotes = list(map(str.strip, quotes))
    notes = list(map(str.strip, notes))
    for index in unclean:
        quotes[index] = block(insights[index].quote)
        notes[index] = block(insights[index].note or "")
    summaries, quotes, notes = _redacted_texts(insights, redactor, summaries, quotes, notes)
    question_ids = redactor.links(question_ids)
    urls = redactor.links(urls)
    return list(
        map(
            _new_insight,
            zip(
                ids,
                question_ids,
                [url or None for url in urls],
                channels,
                _each_once(redactor.names, names),
                _each_once(redactor.handles, handles),
                tag_lists,
                [team or UNASSIGNED for team in teams],
                [sentiment or UNKNOWN_SENTIMENT for sentiment in sentiments],
                importances,
                summaries,
                quotes,
                notes,
                created,
                days_of(created),
                list(map(primary_of_tags, tag_lists)),
                strict=True,
            ),
        )
    )


def _redacted_texts(
    insights: Sequence[Insight],
    redactor: Redactor,
    summaries: list[str],
    quotes: list[str],
    notes: list[str],
) -> tuple[list[str], list[str], list[str]]:
    """Summaries, quotes and notes redacted: the stored redaction where it stands (see
    :mod:`~cxdaily.insights.stored_redaction`), the others all in one batch; with
    ``initials``, each insight's own customer masked in its three texts. Only the texts
    redaction changes are taken apart again."""
    options = redactor.options
    if not options.enabled and not options.initials:
        return summaries, quotes, notes
    joined = list(map(FIELD_BREAK.join, zip(summaries, quotes, notes, strict=True)))
    changed: dict[int, str] = {}
    if options.enabled:
        changed, todo = stored_redactions(insights, joined)
        for index, text in zip(todo, redactor.texts([joined[i] for i in todo]), strict=True):
            if text != joined[index]:
                changed[index] = text
    if options.initials:
        for index, (text, insight) in enumerate(zip(joined, insights, strict=True)):
            masked = redactor.mask_people(
                changed.get(index, text).replace(FIELD_BREAK, PERSON_BREAK),
                [(insight.customer_name, insight.customer_handle)],
            ).replace(PERSON_BREAK, FIELD_BREAK)
            if masked != text:
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

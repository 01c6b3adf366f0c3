"""The digest as CSV: a header, then one row per insight, each insight once, in the
order the digest shows them (team by team, primary tag by primary tag, most important
first).

The themes ride along in two columns rather than a second file: ``theme_rank`` (1 for
the theme that matters most, empty when the insight is in none of the top themes) and
``theme`` (its title); sorting or filtering on them gives the themes' evidence.
``primary_tag`` is the tag the insight is filed under and ``other_tags`` the rest;
``tags`` keeps them all, primary first. Quotes are whole.

Spreadsheet-friendly: RFC 4180 quoting, one value per cell (tags joined by ``; ``), the
importance as a number, times in UTC plus the day in the home time zone. A text cell
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxdaily.insights.cleaning import holding
from cxdaily.insights.model import Digest
from cxdaily.insights.words import iso_time, other_tags

COLUMNS = (
    "id",
    "theme_rank",
    "theme",
    "team",
    "primary_tag",
    "other_tags",
    "importance",
    "created_at",
    "day",
    "tags",
    "sentiment",
    "summary",
    "quote",
    "note",
    "customer_name",
    "customer_handle",
    "channel",
    "question_id",
    "url",
)
TAG_SEPARATOR = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTES = (",", '"', "\r", "\n")
"""What makes the csv module quote a value (the delimiter, the quote, the line end)."""


def cell(text: str | None) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    value = text or ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def render_csv(digest: Digest) -> str:
    """Header and one row per insight, in the digest's order (built column by column:
    a year's digest has hundreds of thousands of cells)."""
    insights = digest.ordered
    ranks = digest.theme_ranks()
    themes = [ranks.get(i.id) for i in insights]
    columns: list[list[str]] = [
        _cells(i.id for i in insights),
        [str(theme[0]) if theme else "" for theme in themes],
        _cells(theme[1].title if theme else "" for theme in themes),
        _cells(i.team for i in insights),
        _cells(i.primary_tag for i in insights),
        _cells(TAG_SEPARATOR.join(other_tags(i)) for i in insights),
        [str(i.importance) for i in insights],
        [iso_time(i.created_at) for i in insights],
        [i.day.isoformat() for i in insights],
        _cells(TAG_SEPARATOR.join(i.tags) for i in insights),
        _cells(i.sentiment for i in insights),
        _cells(i.summary for i in insights),
        _cells(i.quote for i in insights),
        _cells(i.note for i in insights),
        _cells(i.customer_name for i in insights),
        _cells(i.customer_handle for i in insights),
        _cells(i.channel for i in insights),
        _cells(i.question_id for i in insights),
        _cells(i.url for i in insights),
    ]
    rows = [",".join(COLUMNS)]
    rows += map(",".join, zip(*map(_quoted, columns), strict=True))
    rows.append("")
    return "\r\n".join(rows)


def _cells(texts: Iterable[str | None]) -> list[str]:
    """A column of text cells (see :func:`cell`)."""
    return list(map(cell, texts))


def _quoted(values: list[str]) -> list[str]:
    """A column's values as :mod:`csv` writes them in a row of several (minimal
    quoting: a value holding a comma, a quote or a line break is quoted, its quotes
    doubled), with one search over the whole column for the few that need it."""
    found = list(values)
    for index in holding(found, _NEEDS_QUOTES):
        found[index] = '"' + found[index].replace('"', '""') + '"'
    return found

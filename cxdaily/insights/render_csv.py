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

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from cxdaily.insights.cleaning import holding
from cxdaily.insights.model import Digest
from cxdaily.insights.words import fields_of, iso_time, safe_url, tags_besides

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
_FIRST_CHARACTER = itemgetter(slice(0, 1))
_TEXT_COLUMNS = COLUMNS[10:]
"""The columns after ``tags``: each a text field of the insight by the same name."""
_NEEDS_QUOTES = (",", '"', "\r", "\n")
"""What makes the csv module quote a value (the delimiter, the quote, the line end)."""


def cell(text: str | None) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    value = text or ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def render_csv(digest: Digest) -> str:
    """Header and one row per insight, in the digest's order (built column by column:
    a year's digest has hundreds of thousands of cells)."""
    rows = [",".join(COLUMNS)]
    if digest.ordered:
        rows += map(",".join, zip(*map(_quoted, _columns(digest)), strict=True))
    rows.append("")
    return "\r\n".join(rows)


def _columns(digest: Digest) -> list[list[str]]:
    """Every column's cells, in :data:`COLUMNS` order."""
    field = fields_of(digest.ordered)
    ranks = digest.theme_ranks()
    themes = list(map(ranks.get, field["id"]))
    other_tags = map(tags_besides, field["tags"], field["primary_tag"])
    return [
        _cells(field["id"]),
        [str(theme[0]) if theme else "" for theme in themes],
        _cells([theme[1].title if theme else "" for theme in themes]),
        _cells(field["team"]),
        _cells(field["primary_tag"]),
        _cells(list(map(TAG_SEPARATOR.join, other_tags))),
        list(map(str, field["importance"])),
        list(map(iso_time, field["created_at"])),
        list(map(date.isoformat, field["day"])),
        _cells(list(map(TAG_SEPARATOR.join, field["tags"]))),
        *(_cells(_SAFE.get(name, _as_is)(field[name])) for name in _TEXT_COLUMNS),
    ]


def _as_is(values: Sequence[Any]) -> Sequence[Any]:
    """A text column shown as it is stored."""
    return values


def _safe_urls(values: Sequence[str | None]) -> list[str | None]:
    """The url column as every format links it: http(s) with a host, no user info."""
    return list(map(safe_url, values))


_SAFE = {"url": _safe_urls}
"""Text columns that are not shown as they are stored."""


def _cells(texts: Sequence[str | None]) -> list[str]:
    """A column of text cells (see :func:`cell`): one look at every first character
    first, since almost no cell starts like a formula."""
    values = [text or "" for text in texts]
    if set(map(_FIRST_CHARACTER, values)).isdisjoint(_FORMULA_START):
        return values
    return list(map(cell, values))


def _quoted(values: list[str]) -> list[str]:
    """A column's values as :mod:`csv` writes them in a row of several (minimal
    quoting: a value holding a comma, a quote or a line break is quoted, its quotes
    doubled), with one search over the whole column for the few that need it."""
    found = list(values)
    for index in holding(found, _NEEDS_QUOTES):
        found[index] = '"' + found[index].replace('"', '""') + '"'
    return found

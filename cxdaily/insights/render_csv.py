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

import csv
import io

from cxdaily.core.clock import to_iso
from cxdaily.insights.model import Digest, DigestInsight, Theme

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


def cell(text: str | None) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    value = text or ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def insight_row(insight: DigestInsight, theme: tuple[int, Theme] | None = None) -> list[object]:
    """The CSV row of one insight, in :data:`COLUMNS` order (``theme``: its rank and
    theme when it is in one of the top themes)."""
    return [
        cell(insight.id),
        theme[0] if theme else "",
        cell(theme[1].title) if theme else "",
        cell(insight.team),
        cell(insight.primary_tag),
        cell(TAG_SEPARATOR.join(insight.other_tags)),
        insight.importance,
        to_iso(insight.created_at),
        insight.day.isoformat(),
        cell(TAG_SEPARATOR.join(insight.tags)),
        cell(insight.sentiment),
        cell(insight.summary),
        cell(insight.quote),
        cell(insight.note),
        cell(insight.customer_name),
        cell(insight.customer_handle),
        cell(insight.channel),
        cell(insight.question_id),
        cell(insight.url),
    ]


def render_csv(digest: Digest) -> str:
    """Header and one row per insight, in the digest's order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    themes = digest.theme_ranks()
    writer.writerows(insight_row(i, themes.get(i.id)) for i in digest.ordered)
    return buffer.getvalue()

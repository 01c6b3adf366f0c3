"""The digest as CSV: a header, then one row per insight, most important first.

Spreadsheet-friendly: RFC 4180 quoting, one value per cell (tags joined by ``; ``), the
importance as a number, times in UTC plus the day in the home time zone. A text cell
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io

from cxdaily.core.clock import to_iso
from cxdaily.insights.model import Digest, DigestInsight

COLUMNS = (
    "id",
    "created_at",
    "day",
    "importance",
    "team",
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


def insight_row(insight: DigestInsight) -> list[object]:
    """The CSV row of one insight, in :data:`COLUMNS` order."""
    return [
        cell(insight.id),
        to_iso(insight.created_at),
        insight.day.isoformat(),
        insight.importance,
        cell(insight.team),
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
    """Header and one row per insight."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(insight_row(i) for i in digest.insights)
    return buffer.getvalue()

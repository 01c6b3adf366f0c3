"""Insights: one file per month, each insight with its digest form (cleaned, redacted).

Every insight is written with its stored digest form (see
:mod:`cxdaily.insights.stored_redaction`), so a digest does not clean and redact a year
of insights again. Insights written before that, or before the code that makes the form
changed, get theirs from :meth:`InsightRepository.store_redactions`, one month at a time;
a mark file in the insights folder then records the code every month was done for, so
later calls cost one small file read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from cxdaily.core.models import Insight
from cxdaily.store.database import DataFolder
from cxdaily.store.monthly import MonthlyTables, month_of
from cxdaily.store.storage import atomic_write_bytes

REDACTION_MARK = ".redaction"
"""The file (in the insights folder) naming the code every month's forms were made by."""


class InsightRepository:
    """Insights, one file per month."""

    def __init__(self, folder: DataFolder) -> None:
        self._folder = folder
        self._insights = MonthlyTables(folder, "insights", "insights")

    def add(self, insight: Insight) -> None:
        """Durably record an insight (an insight with a known id replaces it), with its
        digest form (see :mod:`cxdaily.insights.stored_redaction`)."""
        from cxdaily.insights.stored_redaction import with_stored_redaction  # patterns: lazily

        stored = with_stored_redaction(insight)
        self._insights.for_month(month_of(insight.created_at)).put(stored.to_dict())

    def remove(self, insight: Insight) -> bool:
        """Delete an insight (an undone tag); returns whether it was there."""
        return self._insights.for_month(month_of(insight.created_at)).delete(insight.id)

    def find(self, insight_id: str, months_of: Iterable[datetime]) -> Insight | None:
        """The insight with this id in the months of the given times, or ``None``."""
        for month in dict.fromkeys(month_of(at) for at in months_of):
            if not self._insights.has_month(month):
                continue
            table = self._insights.for_month(month)
            doc = table.get(insight_id)
            if doc is not None:
                return table.parse(doc, Insight.from_dict)
        return None

    def add_many(self, insights: Iterable[Insight]) -> None:
        """Record many insights with one write per month touched (each with its digest
        form, as :meth:`add`)."""
        from cxdaily.insights.stored_redaction import with_stored_redactions  # lazily

        by_month: dict[str, list[dict[str, Any]]] = {}
        for stored in with_stored_redactions(list(insights)):
            by_month.setdefault(month_of(stored.created_at), []).append(stored.to_dict())
        for month, docs in by_month.items():
            self._insights.for_month(month).put_many(docs)

    def between(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Insight]:
        """Insights created in [since, until), oldest first.

        A year of history is read for every digest, so the monthly files' documents are
        read as stored (no TinyDB document wrapping, no copies): ``from_dict`` only reads.
        """
        found = self._insights.stored_records(Insight.from_dict, since, until)
        found = [
            i
            for i in found
            if (since is None or i.created_at >= since) and (until is None or i.created_at < until)
        ]
        return sorted(found, key=lambda i: i.created_at)

    # the stored redaction -------------------------------------------------------------
    def months_to_redact(self) -> list[str]:
        """The months whose insights may lack a current digest form: none once the mark
        says every month was done for the current code (or when the folder is read-only,
        or the code's version is unknown)."""
        from cxdaily.insights.stored_redaction import REDACTION_VERSION

        if REDACTION_VERSION is None or self._folder.read_only:
            return []
        try:
            if self._mark().read_text(encoding="ascii").strip() == str(REDACTION_VERSION):
                return []
        except (OSError, UnicodeError):
            pass  # no mark yet, or a damaged one: look at every month
        return self._insights.months()

    def store_redactions(self, month: str) -> int:
        """Store the digest form with each insight of ``month`` that lacks a current
        one; returns how many were written (a damaged document is a
        StoreCorruptError, and nothing of the month is written)."""
        from cxdaily.insights.stored_redaction import (
            redaction_is_current,
            with_stored_redactions,
        )

        table = self._insights.for_month(month)
        stale = [i for i in table.records(Insight.from_dict) if not redaction_is_current(i)]
        if stale:
            table.put_many([i.to_dict() for i in with_stored_redactions(stale)])
        return len(stale)

    def mark_redactions_stored(self) -> None:
        """Record that every month has its digest form for the current code."""
        from cxdaily.insights.stored_redaction import REDACTION_VERSION

        if REDACTION_VERSION is not None and not self._folder.read_only:
            atomic_write_bytes(self._mark(), str(REDACTION_VERSION).encode("ascii"))

    def _mark(self) -> Path:
        return self._folder.data_dir / "insights" / REDACTION_MARK

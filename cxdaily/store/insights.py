"""Insights: one file per month, each insight with its digest form (cleaned, redacted).

Every insight is written with its stored digest form (see
:mod:`cxdaily.insights.stored_redaction`), so a digest does not clean and redact a year
of insights again. Insights written before that, or before the code that makes the form
changed, get theirs from :meth:`InsightRepository.store_redactions`, one month at a time,
after each fetch.

That same pass checks each month whose file changed since it was last checked, and
:data:`CHECKED_FORMS` records the months whose every insight carries a current form: the
checksum of the file as checked (with its size and time, to tell cheaply which files
changed since), and the code that checked it. An insight read from a file whose checksum
is the one recorded is marked :attr:`~cxdaily.core.models.Insight.form_checked`, so a
digest need not check its stamp again; a file changed since (a tag, an edit by hand) or
new code makes the digest check each of its insights as before.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cxdaily.core.files import code_checksum, read_whole_regular_file
from cxdaily.core.models import Insight, mark_form_checked
from cxdaily.store.database import DataFolder
from cxdaily.store.monthly import MonthlyTables, month_of
from cxdaily.store.storage import atomic_write_bytes

CHECKED_FORMS = ".checked-forms.json"
"""The file (in the insights folder) recording the months whose digest forms were all
found current: by month, the checksum, size and modification time (in nanoseconds) of its
file as checked; with the version of the code that checked them."""
_OLD_MARK = ".redaction"
"""The mark earlier versions kept instead (removed when the record is written)."""
_READER_SOURCES = (
    "core/models.py",
    "core/fast_records.py",
    "core/record_fields.py",
    "core/safe_json.py",
    "store/storage.py",
)
"""The code that reads an insight from its file, relative to the package."""
Entry = dict[str, int]
"""What :data:`CHECKED_FORMS` holds for one month."""


@lru_cache(maxsize=4)
def _check_version(redaction_version: int) -> int | None:
    package = Path(__file__).resolve().parents[1]
    return code_checksum((package / name for name in _READER_SOURCES), redaction_version)


def check_version() -> int | None:
    """The version of the code that checks a month's digest forms: the code that makes
    the forms and the code that reads insights from their file (a month checked by other
    code is checked again). ``None`` when unknown: then no month is ever recorded."""
    from cxdaily.insights.stored_redaction import REDACTION_VERSION  # patterns: lazily

    return None if REDACTION_VERSION is None else _check_version(REDACTION_VERSION)


def _file_state(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (nanoseconds), or ``None`` when it is gone."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _whole(value: object) -> bool:
    return type(value) is int


class InsightRepository:
    """Insights, one file per month."""

    def __init__(self, folder: DataFolder) -> None:
        self._folder = folder
        self._insights = MonthlyTables(folder, "insights", "insights", checksummed=True)
        self._found: dict[str, Entry | None] = {}
        """Months checked by :meth:`store_redactions` and not yet recorded: each one's
        entry when all its forms are current, else ``None``."""

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
        """Insights created in [since, until), oldest first; those of a month whose file
        is as recorded in :data:`CHECKED_FORMS` marked
        :attr:`~cxdaily.core.models.Insight.form_checked`.

        A year of history is read for every digest, so the monthly files' documents are
        read as stored (no TinyDB document wrapping, no copies): ``from_dict`` only reads.
        """
        checked = self._checked_months()
        found: list[Insight] = []
        for month in self._insights.months_between(since, until):
            table = self._insights.for_month(month)
            records = table.stored_records(Insight.from_dict)
            entry = checked.get(month)
            if entry is not None and entry["checksum"] == table.checksum():
                mark_form_checked(records)
            found.extend(records)
        found = [
            i
            for i in found
            if (since is None or i.created_at >= since) and (until is None or i.created_at < until)
        ]
        return sorted(found, key=lambda i: i.created_at)

    # the stored redaction -------------------------------------------------------------
    def months_to_redact(self) -> list[str]:
        """The months to check for insights lacking a current digest form: those whose
        file changed since it was last checked (or was never checked by the current
        code). None when the folder is read-only or the code's version is unknown. Costs
        a look at each file's size and time, not a read."""
        if check_version() is None or self._folder.read_only:
            return []
        checked = self._checked_months()
        return [
            month
            for month in self._insights.months()
            if (entry := checked.get(month)) is None
            or _file_state(self._insights.path_of(month)) != (entry["size"], entry["mtime_ns"])
        ]

    def store_redactions(self, month: str) -> int:
        """Store the digest form with each insight of ``month`` that lacks a current
        one, read afresh from its file, and note whether every insight then has one (for
        :meth:`record_checked_months`); returns how many were written (a damaged
        document is a StoreCorruptError, and nothing of the month is written)."""
        from cxdaily.insights.stored_redaction import stale_forms, with_stored_redactions

        table = self._insights.for_month(month)
        table.forget()  # check what a later read of the file will find
        insights = table.records(Insight.from_dict)
        stale = [insights[index] for index in stale_forms(insights)]
        current = True
        if stale:
            table.put_many([i.to_dict() for i in with_stored_redactions(stale)])
            table.forget()
            current = not stale_forms(table.records(Insight.from_dict))
        state = _file_state(self._insights.path_of(month))
        checksum = table.checksum()
        self._found[month] = (
            {"checksum": checksum, "size": state[0], "mtime_ns": state[1]}
            if current and state is not None and checksum is not None
            else None
        )
        return len(stale)

    def record_checked_months(self) -> None:
        """Record in :data:`CHECKED_FORMS` what :meth:`store_redactions` found since the
        last record (a month found with stale forms loses its entry)."""
        version = check_version()
        if version is None or self._folder.read_only or not self._found:
            return
        months = self._checked_months()
        for month, entry in self._found.items():
            if entry is None:
                months.pop(month, None)
            else:
                months[month] = entry
        present = set(self._insights.months())
        record = {
            "version": version,
            "months": {month: entry for month, entry in months.items() if month in present},
        }
        folder = self._folder.data_dir / "insights"
        atomic_write_bytes(folder / CHECKED_FORMS, json.dumps(record, sort_keys=True).encode())
        self._found.clear()
        with contextlib.suppress(OSError):
            os.unlink(folder / _OLD_MARK)

    def _checked_months(self) -> dict[str, Entry]:
        """The months :data:`CHECKED_FORMS` records for the current code (none when it is
        missing, unreadable, damaged or made by other code: then every month is checked
        again, nothing is lost)."""
        version = check_version()
        try:
            raw = read_whole_regular_file(self._folder.data_dir / "insights" / CHECKED_FORMS)
            record = json.loads(raw)
        except (OSError, ValueError):
            return {}
        if type(record) is not dict or record.get("version") != version or version is None:
            return {}
        months = record.get("months")
        if type(months) is not dict:
            return {}
        return {
            month: entry
            for month, entry in months.items()
            if type(entry) is dict
            and all(_whole(entry.get(name)) for name in ("checksum", "size", "mtime_ns"))
        }

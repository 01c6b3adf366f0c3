"""Records filed by month: one small data file per month, so history never slows a write.

:class:`MonthlyTables` keeps one keyed table per month in ``<folder>/<name>/YYYY-MM.json``
(actions, sessions, insights, archived questions): a write touches only its month's
file however many months there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from cxdaily.core.clock import to_iso
from cxdaily.core.patterns import lazy_compile
from cxdaily.store.database import DataFolder, KeyedTable

T = TypeVar("T")
#: A month's file as :meth:`MonthlyTables.file_identities` tells it: month, size, mtime (ns).
FileIdentity = tuple[str, int, int]

#: A month's file: ``2026-11.json``.
_MONTH_FILE = lazy_compile(r"(\d{4}-\d{2})\.json")


def month_of(value: datetime) -> str:
    """The month (``YYYY-MM``, UTC) a record made at ``value`` is filed under."""
    return to_iso(value)[:7]


class MonthlyTables:
    """One keyed table per month, in ``<folder>/<name>/YYYY-MM.json``."""

    def __init__(
        self, folder: DataFolder, name: str, table: str, *, checksummed: bool = False
    ) -> None:
        self._folder = folder
        self._name = name
        self._table = table
        self._checksummed = checksummed
        """Whether each file's checksum is kept (see :meth:`KeyedTable.checksum`)."""
        self._tables: dict[str, KeyedTable] = {}

    def for_month(self, month: str) -> KeyedTable:
        """The table of one month (``YYYY-MM``), opened once."""
        if month not in self._tables:
            db = self._folder.db(f"{self._name}/{month}.json", checksummed=self._checksummed)
            self._tables[month] = KeyedTable(db.table(self._table))
        return self._tables[month]

    def months(self) -> list[str]:
        """The months that have a file, oldest first: a plain listing of the folder (an
        action may ask, so it must cost next to nothing with years of months)."""
        try:
            names = os.listdir(self._folder.data_dir / self._name)
        except OSError:  # not made yet
            return []
        return sorted(found[1] for found in map(_MONTH_FILE.fullmatch, names) if found)

    def newest_holding(
        self, key: str, months: list[str] | None = None
    ) -> tuple[KeyedTable, dict[str, Any]] | None:
        """The table of the newest month (of ``months``, by default all) holding the
        document with this key, and the document; ``None`` when none does."""
        for month in reversed(self.months() if months is None else months):
            table = self.for_month(month)
            doc = table.get(key)
            if doc is not None:
                return table, doc
        return None

    def file_identities(self, until: str, since: str = "") -> tuple[list[FileIdentity], list[str]]:
        """The month, size and modification time (ns) of each month's file from
        ``since`` to ``until`` (``YYYY-MM``, both included), oldest first: any write to
        one of them changes them; and the months before ``since`` that have a file (one
        listing of the folder for both)."""
        found: list[FileIdentity] = []
        earlier: list[str] = []
        folder = os.fspath(self._folder.data_dir / self._name)  # a launch asks: plain strings
        for month in self.months():
            if month > until:
                break
            if month < since:
                earlier.append(month)
                continue
            try:
                info = os.stat(os.path.join(folder, f"{month}.json"))
            except OSError:  # gone since the listing: not there
                continue
            found.append((month, info.st_size, info.st_mtime_ns))
        return found, earlier

    def has_month(self, month: str) -> bool:
        """Whether the month (``YYYY-MM``) has a file (or was opened), without listing."""
        return month in self._tables or self.path_of(month).is_file()

    def path_of(self, month: str) -> Path:
        """The file of one month (which may not exist)."""
        return self._folder.data_dir / self._name / f"{month}.json"

    def months_between(self, since: datetime | None, until: datetime | None) -> list[str]:
        """The months with a file overlapping [since, until], oldest first."""
        first = month_of(since) if since else None
        last = month_of(until) if until else None
        return [
            month
            for month in self.months()
            if not ((first and month < first) or (last and month > last))
        ]

    def stored_records(
        self,
        parse: Callable[[dict[str, Any]], T],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[T]:
        """Like :meth:`records`, but ``parse`` reads the documents as the storage holds
        them, not copies: fast for bulk reads, and ``parse`` must never change them."""
        return self._gather(KeyedTable.stored_records, parse, since, until)

    def records(
        self,
        parse: Callable[[dict[str, Any]], T],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[T]:
        """Documents from the months overlapping [since, until] (unfiltered within a
        month), each built by ``parse``; one of the wrong shape is a StoreCorruptError."""
        return self._gather(KeyedTable.records, parse, since, until)

    def _gather(
        self,
        read: Callable[[KeyedTable, Callable[[dict[str, Any]], T]], list[T]],
        parse: Callable[[dict[str, Any]], T],
        since: datetime | None,
        until: datetime | None,
    ) -> list[T]:
        """What ``read`` makes of each month's table overlapping [since, until]."""
        found: list[T] = []
        for month in self.months_between(since, until):
            found.extend(read(self.for_month(month), parse))
        return found

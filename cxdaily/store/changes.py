"""What changed in the stored records since the last look, without reading them all again.

The customer's history and the leader's earlier answers (:mod:`cxdaily.history`) keep an
index over years of questions, replies, insights and actions. Rebuilding it for every
look-up would read every file; instead a :class:`TableWatch` remembers, per table, the
table as it last saw it and hands back only the records added, changed or removed since.

How a change is seen, cheaply:

- TinyDB builds a new table mapping on every write to a table, and the storage loads a
  new one when a file is read again, so a table whose mapping is the very object seen
  last time has not changed (one identity check, no I/O);
- in a changed table, a record is changed when one of its values is not the value seen
  last time (values are compared by identity first, so the unchanged ones cost almost
  nothing); only the new and changed records are built into models.

:class:`HistoryFeed` lists the tables the history reads: current questions, the monthly
question archive, the outbox and its monthly archive, and the monthly insight and action
files (new months are picked up as they appear). It reads through the opened data
folder, so it sees exactly what the store holds, and it never writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec
from tinydb.table import Document

from cxdaily.core.models import Action, Disposition, Insight, Question, Reply
from cxdaily.core.record_fields import read_text
from cxdaily.store.database import DataFolder, KeyedTable

T = TypeVar("T")

_MONTH_FILE = re.compile(r"\d{4}-\d{2}\.json")

QUESTIONS, ARCHIVE, OUTBOX, INSIGHTS, ACTIONS = (
    "questions",
    "questions-archive",
    "outbox",
    "insights",
    "actions",
)
"""What a watched table holds (:attr:`TableChanges.kind`)."""


class TableChanges(msgspec.Struct, Generic[T], frozen=True):
    """The records of one table added or changed, and the keys removed, since the last look."""

    kind: str
    """What the table holds: :data:`QUESTIONS`, :data:`ARCHIVE`, :data:`OUTBOX` ..."""
    source: str
    """The data file, relative to the data folder (``questions-archive/2026-01.json``)."""
    changed: list[T] = msgspec.field(default_factory=list)
    """New and changed records, built into models."""
    removed: list[str] = msgspec.field(default_factory=list)
    """Keys of the records no longer in the table."""


@dataclass(eq=False)
class TableWatch(Generic[T]):
    """One table of one data file, and what of it was seen at the last :meth:`poll`."""

    folder: DataFolder
    relative: str
    """The data file, relative to the data folder."""
    table: str
    kind: str
    """What the table holds (:data:`QUESTIONS` ...)."""
    parse: Callable[[dict[str, Any]], T]
    """Builds a record's model (only the new and changed records are built)."""
    key: str = "id"
    """The field that names a record."""
    _seen_table: Mapping[str, Any] | None = field(default=None, init=False, repr=False)
    _seen: dict[str, tuple[Hashable, ...]] = field(default_factory=dict, init=False, repr=False)

    def poll(self) -> TableChanges[T] | None:
        """What changed since the last poll (everything, the first time), or ``None``
        when the table is as it was."""
        db = self.folder.db(self.relative)
        stored = db.storage.read() or {}
        docs: Mapping[str, dict[str, Any]] = stored.get(self.table) or {}
        if docs is self._seen_table:
            return None
        checker = KeyedTable(db.table(self.table), key=self.key)
        seen, now_seen = self._seen, {}
        changes: TableChanges[T] = TableChanges(self.kind, self.relative)
        for doc_id, doc in docs.items():
            key = doc.get(self.key) if isinstance(doc, dict) else None
            if not isinstance(key, str):  # names the file, the table and the document
                raise checker.damaged(Document(doc, int(doc_id)), f"{self.key!r} is missing")
            values = tuple(doc.values())
            now_seen[key] = values
            if seen.get(key) != values:
                changes.changed.append(checker.parse(doc, self.parse))
        changes.removed.extend(key for key in seen if key not in now_seen)
        self._seen, self._seen_table = now_seen, docs
        return changes if changes.changed or changes.removed else None


def _hand_off(doc: dict[str, Any]) -> tuple[str, Action | None]:
    """A stored action with the id it is stored under (the model has none); only a
    hand-off is built (the history shows no other action, and years of them are read)."""
    if doc.get("disposition") != Disposition.HANDED_OFF:
        return read_text(doc, "id"), None
    return read_text(doc, "id"), Action.from_dict(doc)


class HistoryFeed:
    """The tables the customer's history and the earlier answers are built from."""

    def __init__(self, folder: DataFolder) -> None:
        self._folder = folder
        self._watches: dict[str, TableWatch[Any]] = {
            QUESTIONS: TableWatch(
                folder, "questions.json", "questions", QUESTIONS, Question.from_dict
            ),
            OUTBOX: TableWatch(folder, "outbox.json", "replies", OUTBOX, Reply.from_dict),
        }
        self._monthly: tuple[tuple[str, str, str, Callable[[dict[str, Any]], Any]], ...] = (
            ("questions-archive", "questions", ARCHIVE, Question.from_dict),
            ("outbox-archive", "replies", OUTBOX, Reply.from_dict),
            ("insights", "insights", INSIGHTS, Insight.from_dict),
            ("actions", "actions", ACTIONS, _hand_off),
        )

    def watches(self) -> list[TableWatch[Any]]:
        """Every table to poll, questions first (monthly files oldest first); a month's
        file that appeared since the last call is included."""
        for name, table, kind, parse in self._monthly:
            for relative in self._month_files(name):
                if relative not in self._watches:
                    self._watches[relative] = TableWatch(self._folder, relative, table, kind, parse)
        order = {QUESTIONS: 0, ARCHIVE: 1, OUTBOX: 2, INSIGHTS: 3, ACTIONS: 4}
        return sorted(self._watches.values(), key=lambda w: (order[w.kind], w.relative))

    def _month_files(self, name: str) -> list[str]:
        """The monthly files of one folder (``insights/2026-11.json`` ...): a plain
        listing, looked at before every look-up, so it must cost next to nothing."""
        try:
            names = os.listdir(self._folder.data_dir / name)
        except OSError:  # not made yet
            return []
        return [f"{name}/{n}" for n in names if _MONTH_FILE.fullmatch(n)]

"""The outbox: replies from queued to sent, and the archive of those long done.

``outbox.json`` holds every reply still to go out and those sent or cancelled within the
last :data:`OUTBOX_KEPT` (a month), so the file each reply's every change rewrites stays
the size of a month however many years of replies were sent. Older done replies move to
``outbox-archive/YYYY-MM.json`` by the month they were queued
(:meth:`OutboxRepository.archive`, after each fetch), and
``outbox-archive/questions.json`` names the months that hold each question's replies, so
the replies to one question (asked before a draft is saved and when a question is shown:
has it been answered?) are found without reading years of them.

The archive and its index are written before the replies leave ``outbox.json``: a
process killed in between leaves a reply in both places (read once, from the outbox),
never in neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cxdaily.core.errors import NotFoundError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.core.patterns import lazy_compile
from cxdaily.core.record_fields import read_text, read_time
from cxdaily.store.database import DataFolder, KeyedTable
from cxdaily.store.monthly import MonthlyTables, month_of

#: How long a sent or cancelled reply stays in ``outbox.json`` after its last change:
#: longer than any window the outbox looks back over (the answers and promises a crash
#: may have left out: 14 days), so :meth:`OutboxRepository.sent_since` and
#: :meth:`OutboxRepository.queued_since` read the outbox alone.
OUTBOX_KEPT = timedelta(days=30)

ARCHIVE_FOLDER = "outbox-archive"
#: The archive's index: the months that hold each question's replies.
ARCHIVE_INDEX = f"{ARCHIVE_FOLDER}/questions.json"
_MONTH = lazy_compile(r"\d{4}-\d{2}")
_DONE_STATES = frozenset({ReplyState.SENT.value, ReplyState.CANCELLED.value})


class OutboxRepository:
    """Replies, from queued to sent.

    The replies to one question (asked before every draft save) are found through an
    index by question, built once from the stored documents and kept up to date by
    :meth:`save`, and through the archive's index: years of sent replies never slow the
    typing of a new one."""

    def __init__(self, folder: DataFolder) -> None:
        self._folder = folder
        self._replies = KeyedTable(folder.db("outbox.json").table("replies"))
        self._archive = MonthlyTables(folder, ARCHIVE_FOLDER, "replies")
        self._archive_index: KeyedTable | None = None  # opened when first needed
        self._by_question: dict[str, list[str]] = {}
        self._indexed: Mapping[str, Any] | None = None  # the stored table indexed

    def save(self, reply: Reply) -> None:
        """Durably insert or update a reply."""
        current = self._indexed is not None and self._replies.stored_docs() is self._indexed
        self._replies.put(reply.to_dict())
        if current:
            replies = self._by_question.setdefault(reply.question_id, [])
            if reply.id not in replies:
                replies.append(reply.id)
            self._indexed = self._replies.stored_docs()

    def get(self, reply_id: str) -> Reply:
        """The reply with this id (in the outbox, else in its archive), or a NotFoundError."""
        table, doc = self._replies, self._replies.get(reply_id)
        if doc is None:
            archived = self._archive.newest_holding(reply_id)
            if archived is None:
                raise NotFoundError(f"no reply with id {reply_id!r} in the outbox")
            table, doc = archived
        return table.parse(doc, Reply.from_dict)

    def all(self) -> list[Reply]:
        """Every reply, archived ones too, oldest first (a listing: it reads the archive)."""
        found = {r.id: r for r in self._archive.stored_records(Reply.from_dict)}
        found.update((r.id, r) for r in self._replies.stored_records(Reply.from_dict))
        return sorted(found.values(), key=lambda r: r.created_at)

    def unsent(self) -> list[Reply]:
        """Replies that still have to go out (queued, sending or failed), oldest first.

        Asked at every launch: a record whose state says it is done (sent or cancelled)
        is passed over without being built; every other one is read in full (one of the
        wrong shape is a StoreCorruptError). The archive holds done replies only."""
        waiting = {ReplyState.QUEUED, ReplyState.SENDING, ReplyState.FAILED}
        found = self._replies.stored_records(_unless_done)
        return sorted(
            (r for r in found if r is not None and r.state in waiting), key=lambda r: r.created_at
        )

    def for_question(self, question_id: str) -> list[Reply]:
        """Every reply to one question, archived ones too, oldest first."""
        found = {r.id: r for r in self._archived_replies(question_id)}
        for reply_id in self._question_index().get(question_id, ()):
            reply = self.get(reply_id)
            if reply.question_id == question_id:
                found[reply.id] = reply  # the outbox's copy of one in both places
        return sorted(found.values(), key=lambda r: r.created_at)

    def _question_index(self) -> dict[str, list[str]]:
        """Reply ids by question id, in the order stored (rebuilt when the table changed
        other than through :meth:`save`)."""
        docs = self._replies.stored_docs()
        if docs is not self._indexed:
            index: dict[str, list[str]] = {}
            for question_id, reply_id in self._replies.stored_records(_reply_keys):
                index.setdefault(question_id, []).append(reply_id)
            self._by_question, self._indexed = index, docs
        return self._by_question

    def _archived_replies(self, question_id: str) -> list[Reply]:
        """The archived replies to one question (only its months' files are read)."""
        index = self._index_table()
        doc = index.get(question_id)
        if doc is None:
            return []
        return [
            reply
            for month in index.parse(doc, _months)
            for reply in self._archive.for_month(month).records(Reply.from_dict)
            if reply.question_id == question_id
        ]

    def _index_table(self) -> KeyedTable:
        """The archive's index (opened once)."""
        if self._archive_index is None:
            db = self._folder.db(ARCHIVE_INDEX)
            self._archive_index = KeyedTable(db.table("questions"), key="question_id")
        return self._archive_index

    def sent_since(self, since: datetime) -> list[Reply]:
        """Replies sent at or after ``since``, oldest first (see :meth:`_current`)."""
        return self._current(
            lambda r: r.state is ReplyState.SENT and r.sent_at is not None and r.sent_at >= since
        )

    def queued_since(self, since: datetime) -> list[Reply]:
        """Replies queued at or after ``since``, oldest first (see :meth:`_current`)."""
        return self._current(lambda r: r.created_at >= since)

    def _current(self, keep: Callable[[Reply], bool]) -> list[Reply]:
        """The replies of the outbox alone that ``keep`` keeps, oldest first: exact for a
        look back within :data:`OUTBOX_KEPT`, since nothing younger is archived."""
        found = filter(keep, self._replies.stored_records(Reply.from_dict))
        return sorted(found, key=lambda r: r.created_at)

    def archive(self, before: datetime) -> int:
        """Move the replies sent or cancelled before ``before`` (by their last change) to
        the archive, by the month they were queued; returns how many moved.

        The months are written first, the archive's index second and the outbox last
        (see the module)."""
        moving: dict[str, list[dict[str, Any]]] = {}
        for doc, state, changed, queued in self._replies.records(_done_when):
            if state in _DONE_STATES and changed < before:
                moving.setdefault(month_of(queued), []).append(doc)
        if not moving:
            return 0
        months_of: dict[str, set[str]] = {}
        for month, docs in sorted(moving.items()):
            self._archive.for_month(month).put_many(docs, checked=True)
            for doc in docs:
                months_of.setdefault(doc["question_id"], set()).add(month)
        index = self._index_table()
        entries = []
        for question_id, months in months_of.items():
            known = index.get(question_id)
            if known is not None:
                months.update(index.parse(known, _months))
            entries.append({"question_id": question_id, "months": sorted(months)})
        index.put_many(entries, checked=True)
        return self._replies.delete_many(d["id"] for docs in moving.values() for d in docs)


def _unless_done(doc: dict[str, Any]) -> Reply | None:
    """A stored reply, or ``None`` for one whose state says it is sent or cancelled."""
    state = doc.get("state")
    return None if type(state) is str and state in _DONE_STATES else Reply.from_dict(doc)


def _reply_keys(doc: dict[str, Any]) -> tuple[str, str]:
    """A stored reply's question id and id (for the index, without building the reply)."""
    return read_text(doc, "question_id"), read_text(doc, "id")


def _done_when(doc: dict[str, Any]) -> tuple[dict[str, Any], str, datetime, datetime]:
    """A stored reply (checked as it is moved), its state, its last change and when it
    was queued."""
    read_text(doc, "id")
    read_text(doc, "question_id")
    state = read_text(doc, "state")
    return doc, state, read_time(doc, "updated_at"), read_time(doc, "created_at")


def _months(doc: dict[str, Any]) -> list[str]:
    """The months an archive index entry names (``YYYY-MM``)."""
    months = doc.get("months")
    if not isinstance(months, list) or not all(
        isinstance(m, str) and _MONTH.fullmatch(m) for m in months
    ):
        raise ValueError("'months' is not a list of months (YYYY-MM)")
    return months

"""The promise ledger's records: one per promise found in a sent reply.

They live in ``outbox.json`` beside the replies they come from (table ``promises``).
Recording a reply's promises again (after a crash, say) keeps what is already there,
done flags included.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cxdaily.core.errors import NotFoundError
from cxdaily.core.record_fields import (
    RecordError,
    read_opt_text,
    read_opt_time,
    read_text,
    read_time,
)
from cxdaily.store.database import DataFolder, KeyedTable

if TYPE_CHECKING:  # the promises' model loads with the first promise read
    from cxdaily.replies.promises import Promise


class PromiseRepository:
    """Promises made in sent replies, open or kept."""

    def __init__(self, folder: DataFolder) -> None:
        self._promises = KeyedTable(folder.db("outbox.json").table("promises"))

    def record(self, promises: Iterable[Promise]) -> int:
        """Add the promises not recorded yet (one write); returns how many were new."""
        new = [p.to_dict() for p in promises if p.id not in self._promises]
        if new:
            self._promises.put_many(new)
        return len(new)

    def get(self, promise_id: str) -> Promise:
        """The promise with this id, or a NotFoundError."""
        doc = self._promises.get(promise_id)
        if doc is None:
            raise NotFoundError(f"no promise with id {promise_id!r} in the ledger")
        return self._promises.parse(doc, _promise)

    def all(self) -> list[Promise]:
        """Every promise, in the order they were recorded."""
        return self._promises.records(_promise)

    def open(self) -> list[Promise]:
        """Promises not kept yet."""
        return [p for p in self.all() if p.open]

    def reply_ids(self) -> set[str]:
        """The replies whose promises are recorded."""
        return set(self._promises.records(lambda doc: read_text(doc, "reply_id")))

    def mark_done(self, promise_id: str, at: datetime) -> Promise:
        """Mark a promise kept (kept ones stay as they are); returns it."""
        promise = self.get(promise_id)
        if promise.open:
            promise = promise.done(at)
            self._promises.put(promise.to_dict())
        return promise


def _promise(doc: dict[str, Any]) -> Promise:
    """A stored promise, its fields checked first (a wrong one is a RecordError)."""
    for key in ("id", "reply_id", "question_id", "channel", "text"):
        read_text(doc, key)
    due = read_opt_text(doc, "due")
    try:
        date.fromisoformat(due) if due else None
    except ValueError:
        raise RecordError("'due' is not a date like 2026-11-21") from None
    read_time(doc, "made_at")
    read_opt_time(doc, "done_at")
    from cxdaily.replies.promises import Promise

    return Promise.from_dict(doc)

"""The team queue: every team write, saved locally before the team database sees it.

It lives in ``team.json`` in the data folder (atomic whole-file writes, like every data
file): table ``queue`` holds the writes not applied yet, in the order they were made;
table ``state`` holds what the app last learned from the team (questions other leaders
answered, the shared taxonomy), so a start without the network still knows it.

A write leaves the queue only after the team database committed it (:meth:`done`); one
applied but not yet removed (a crash in between) is applied again, which changes nothing.
One replaced while the team database applied it (an undo, a new tag) stays, to be
applied in its turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cxdaily.core.errors import StoreCorruptError
from cxdaily.core.record_fields import RecordError
from cxdaily.store.database import DataFolder, KeyedTable
from cxdaily.team.writes import TeamWrite

TEAM_FILE = "team.json"


class TeamQueueRepository:
    """The local queue of team writes, and the team state cached for offline starts."""

    def __init__(self, folder: DataFolder) -> None:
        db = folder.db(TEAM_FILE)
        self._queue = KeyedTable(db.table("queue"))
        self._state = KeyedTable(db.table("state"))
        self._next = 1 + max((_sequence(doc) for doc in self._queue.all()), default=0)

    def add(self, write: TeamWrite) -> None:
        """Save a write (one durable write); a write with the same id replaces it in place."""
        earlier = self._queue.get(write.id)
        sequence = _sequence(earlier) if earlier else self._next
        self._queue.put({**write.to_dict(), "seq": sequence})
        self._next = max(self._next, sequence + 1)

    def pending(self, limit: int | None = None) -> list[TeamWrite]:
        """The writes not applied yet, oldest first (at most ``limit``)."""
        docs = sorted(self._queue.all(), key=_sequence)[:limit]
        return [self._write(doc) for doc in docs]

    def count(self) -> int:
        """How many writes wait."""
        return len(self._queue.keys())

    def done(self, writes: Iterable[TeamWrite]) -> int:
        """Remove the writes the team database applied (one durable write), each only if
        it is still the one queued under its id: one replaced meanwhile (the leader undid
        a tag while it was applied) stays, to be applied next. Returns how many left."""
        applied = []
        for write in writes:
            doc = self._queue.get(write.id)
            if doc is not None and self._write(doc) == write:
                applied.append(write.id)
        return self._queue.delete_many(applied)

    def state(self, name: str) -> dict[str, Any] | None:
        """A piece of cached team state (``sent``, ``taxonomy``), or ``None``."""
        doc = self._state.get(name)
        return None if doc is None else {k: v for k, v in doc.items() if k != "id"}

    def save_state(self, name: str, value: dict[str, Any]) -> None:
        """Cache a piece of team state (replacing the earlier one)."""
        self._state.put({**value, "id": name})

    def _write(self, doc: dict[str, Any]) -> TeamWrite:
        """A queued write, its fields checked (a damaged one names the file)."""
        try:
            return TeamWrite.from_dict({k: v for k, v in doc.items() if k != "seq"})
        except RecordError as exc:
            raise StoreCorruptError(
                f"{self._queue.path}: a team write is damaged ({exc}); it was kept as it is"
            ) from None


def _sequence(doc: dict[str, Any]) -> int:
    """A queued write's place in the order (0 for one without a valid number)."""
    value = doc.get("seq")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0

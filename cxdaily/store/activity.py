"""What the leader did: actions and sessions filed by month, and the drafts being written.

A skip, a snooze, a tag or a draft save must cost the same after years of use, so no
write rewrites a file that grows with history:

- ``actions/YYYY-MM.json`` and ``sessions/YYYY-MM.json``: one small file per month;
- ``activity.json``: the drafts being written (a handful, removed when sent).

Data folders written before also kept every session in ``activity.json``, which every
draft save then rewrote whole. Opening such a folder for writing moves them to their
months: the monthly files are written first, then the old table is emptied, so a
process killed in between leaves copies (the moved ones win, and the next open
finishes the move), never a loss. A read-only open reads both places.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cxdaily.core.clock import to_iso
from cxdaily.core.collector import collector_paused
from cxdaily.core.models import Action, Session, new_id
from cxdaily.core.record_fields import read_text
from cxdaily.store.database import DataFolder, KeyedTable
from cxdaily.store.monthly import FileIdentity, MonthlyTables, month_of


class ActivityRepository:
    """What the leader did: actions and sessions (monthly files), and drafts."""

    def __init__(self, folder: DataFolder) -> None:
        db = folder.db("activity.json")
        self._drafts = KeyedTable(db.table("drafts"), key="question_id")
        self._legacy_sessions = KeyedTable(db.table("sessions"))
        self._sessions = MonthlyTables(folder, "sessions", "sessions")
        self._actions = MonthlyTables(folder, "actions", "actions")
        if not folder.read_only and self._legacy_sessions.keys():
            self._move_legacy_sessions()

    def _move_legacy_sessions(self) -> None:
        """Move the sessions an older cxdaily kept in ``activity.json`` to the files of
        their months (a copy already there wins), then empty the old table."""
        legacy = self._legacy_sessions
        by_month: dict[str, list[dict[str, Any]]] = {}
        for doc in legacy.all():
            month = month_of(legacy.parse(doc, Session.from_dict).started_at)
            if doc["id"] not in self._sessions.for_month(month):
                by_month.setdefault(month, []).append(doc)
        for month, docs in sorted(by_month.items()):
            self._sessions.for_month(month).put_many(docs, checked=True)
        legacy.delete_many(legacy.keys())

    # actions -------------------------------------------------------------
    def record(self, action: Action, action_id: str | None = None) -> None:
        """Durably record one action.

        With ``action_id`` (an id derived from what the action belongs to), recording
        the same action again replaces it instead of adding a second one, so a command
        that failed halfway can be run again."""
        doc = action.to_dict()
        doc["id"] = action_id or new_id()
        self._actions.for_month(month_of(action.at)).put(doc)

    def forget(self, action_id: str, at: datetime) -> bool:
        """Remove the action recorded with ``action_id`` around ``at`` (its month, or the
        next one when it was recorded just after a month turned); returns whether it was
        there. Undoing an action this way (a cancelled reply) leaves no trace of it in
        the batch, the candidates or the streak."""
        for month in dict.fromkeys((month_of(at), month_of(at + timedelta(days=1)))):
            if self._actions.for_month(month).delete(action_id):
                return True
        return False

    def actions(self, since: datetime | None = None) -> list[Action]:
        """Actions, oldest first (all of them, or those at or after ``since``).

        Years of history are tens of thousands of small records, none of them garbage:
        the cyclic collector is paused while they are read (it would scan them all,
        more than once, at every launch)."""
        with collector_paused():
            found = self._actions.stored_records(Action.from_dict, since=since)
        if since is not None:
            found = [a for a in found if a.at >= since]
        return sorted(found, key=lambda a: a.at)

    def latest_by_question(self, since: datetime | None = None) -> dict[str, Action]:
        """The most recent action on each question."""
        latest: dict[str, Action] = {}
        for action in self.actions(since):
            latest[action.question_id] = action
        return latest

    # drafts --------------------------------------------------------------
    def save_draft(self, question_id: str, body: str, at: datetime) -> None:
        """Durably save (or, when blank, remove) the draft reply to a question."""
        if not body.strip():
            self._drafts.delete(question_id)
            return
        self._drafts.put({"question_id": question_id, "body": body, "saved_at": to_iso(at)})

    def draft(self, question_id: str) -> str | None:
        """The saved draft for a question, if any."""
        doc = self._drafts.get(question_id)
        return self._drafts.parse(doc, _draft)[1] if doc else None

    def drafts(self) -> dict[str, str]:
        """Every saved draft, by question id."""
        return dict(self._drafts.records(_draft))

    def delete_draft(self, question_id: str) -> None:
        """Forget a draft (after its reply was queued)."""
        self._drafts.delete(question_id)

    # sessions ------------------------------------------------------------
    def save_session(self, session: Session) -> None:
        """Insert or update a session (in the file of the month it started)."""
        self._sessions.for_month(month_of(session.started_at)).put(session.to_dict())

    def session(self, session_id: str) -> Session | None:
        """The session with this id, or ``None`` (recent months are looked at first)."""
        for month in reversed(self._sessions.months()):
            table = self._sessions.for_month(month)
            doc = table.get(session_id)
            if doc is not None:
                return table.parse(doc, Session.from_dict)
        doc = self._legacy_sessions.get(session_id)  # a read-only open of an older folder
        return self._legacy_sessions.parse(doc, Session.from_dict) if doc else None

    def sessions(self, since: datetime | None = None) -> list[Session]:
        """Every session (started at ``since`` or later), oldest first: with ``since``,
        only the months from then on are read."""
        with collector_paused():  # as for the actions: years of small records
            found = {
                s.id: s
                for s in self._sessions.stored_records(Session.from_dict, since)
                if since is None or s.started_at >= since
            }
        for session in self._legacy_sessions.records(Session.from_dict):
            if since is None or session.started_at >= since:
                found.setdefault(session.id, session)  # the moved copy wins
        return sorted(found.values(), key=lambda s: s.started_at)

    def files_until(
        self, until: str, since: str = ""
    ) -> tuple[tuple[FileIdentity, ...], tuple[FileIdentity, ...], tuple[str, ...]] | None:
        """What tells that no action or session filed from the month ``since`` to the
        month ``until`` (``YYYY-MM``) changed: the month, size and modification time of
        each of their files, and the months before ``since`` that have a file. ``None``
        while sessions are still in ``activity.json`` (a read-only open of an older
        folder): they have no month."""
        if self._legacy_sessions.keys():
            return None
        actions, actions_before = self._actions.file_identities(until, since)
        sessions, sessions_before = self._sessions.file_identities(until, since)
        return tuple(actions), tuple(sessions), tuple(sorted({*actions_before, *sessions_before}))

    def sessions_of(self, actions: Iterable[Action], since: datetime) -> list[Session]:
        """The sessions ``actions`` were taken in, oldest first: read from the months
        since ``since`` (where sessions of recent actions are filed), and from every
        month only when one of them started earlier (a day's work never grows with
        years of history)."""
        wanted = {action.session_id for action in actions if action.session_id}
        recent = [s for s in self.sessions(since) if s.id in wanted]
        if len(recent) == len(wanted):
            return recent
        return [s for s in self.sessions() if s.id in wanted]


def _draft(doc: dict[str, Any]) -> tuple[str, str]:
    return read_text(doc, "question_id"), read_text(doc, "body")

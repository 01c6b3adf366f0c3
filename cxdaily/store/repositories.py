"""Repositories: the only way the rest of cxdaily reads and writes the data folder.

Models go in and come out; dicts and TinyDB stay inside ``cxdaily.store``. Records that
grow with history (actions, insights) live in one file per month, so a write touches
only the current month's small file however long the history gets. Questions past the
curation window move to monthly archive files the same way (see
:meth:`QuestionRepository.archive`), so the file every fetch rewrites and every start
reads stays the size of a few weeks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cxdaily.clock import parse_instant, to_iso
from cxdaily.errors import NotFoundError
from cxdaily.models import Action, Insight, Question, Reply, ReplyState, Session, new_id
from cxdaily.store.database import DataFolder, KeyedTable


def _month(value: datetime) -> str:
    return to_iso(value)[:7]


class MonthlyTables:
    """One keyed table per month, in ``<folder>/<name>/YYYY-MM.json``."""

    def __init__(self, folder: DataFolder, name: str, table: str) -> None:
        self._folder = folder
        self._name = name
        self._table = table
        self._tables: dict[str, KeyedTable] = {}

    def for_month(self, month: str) -> KeyedTable:
        """The table of one month (``YYYY-MM``), opened once."""
        if month not in self._tables:
            db = self._folder.db(f"{self._name}/{month}.json")
            self._tables[month] = KeyedTable(db.table(self._table))
        return self._tables[month]

    def months(self) -> list[str]:
        """The months that have a file, oldest first."""
        return [name.split("/")[-1][:-5] for name in self._folder.existing(f"{self._name}/*.json")]

    def stored_docs(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Like :meth:`docs`, but the documents as the storage holds them, not copies:
        fast for bulk reads, and the caller must never change them."""
        first = _month(since) if since else None
        last = _month(until) if until else None
        found: list[dict[str, Any]] = []
        for month in self.months():
            if (first and month < first) or (last and month > last):
                continue
            stored = self._folder.db(f"{self._name}/{month}.json").storage.read() or {}
            found.extend(stored.get(self._table, {}).values())
        return found

    def docs(self, since: datetime | None = None, until: datetime | None = None) -> list[dict]:
        """Documents from the months overlapping [since, until] (unfiltered within a month)."""
        first = _month(since) if since else None
        last = _month(until) if until else None
        found: list[dict[str, Any]] = []
        for month in self.months():
            if (first and month < first) or (last and month > last):
                continue
            found.extend(self.for_month(month).all())
        return found


@dataclass(frozen=True)
class ChannelStatus:
    """How a channel's fetches went: when, how many questions, and the last error."""

    channel: str
    last_attempt_at: datetime | None = None
    """When the last fetch finished (well or not); ``None``: never fetched."""
    last_success_at: datetime | None = None
    """When the last successful fetch finished."""
    count: int | None = None
    """Questions the last successful fetch brought."""
    error: str | None = None
    """One-line error of the last fetch, ``None`` when it succeeded."""
    warnings: int = 0
    """Items the last successful fetch skipped as malformed."""
    seconds: float | None = None
    """How long the last fetch took."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "last_attempt_at": to_iso(self.last_attempt_at) if self.last_attempt_at else None,
            "last_success_at": to_iso(self.last_success_at) if self.last_success_at else None,
            "count": self.count,
            "error": self.error,
            "warnings": self.warnings,
            "seconds": None if self.seconds is None else round(self.seconds, 3),
        }

    @classmethod
    def from_dict(cls, channel: str, data: dict[str, Any] | None) -> ChannelStatus:
        """Build from the stored dict (``None``: a channel never fetched)."""
        data = data or {}
        attempt, success = data.get("last_attempt_at"), data.get("last_success_at")
        return cls(
            channel=channel,
            last_attempt_at=parse_instant(attempt) if attempt else None,
            last_success_at=parse_instant(success) if success else None,
            count=data.get("count"),
            error=data.get("error"),
            warnings=int(data.get("warnings") or 0),
            seconds=data.get("seconds"),
        )


class QuestionRepository:
    """Fetched questions, and each channel's checkpoint.

    Current questions live in ``questions.json``; older ones in
    ``questions-archive/YYYY-MM.json`` by the month they were asked. :meth:`get` finds
    both; :meth:`all` is the current ones, the only ones curation looks at.
    """

    def __init__(self, folder: DataFolder) -> None:
        db = folder.db("questions.json")
        self._questions = KeyedTable(db.table("questions"))
        self._checkpoints = KeyedTable(db.table("checkpoints"), key="channel")
        self._archive = MonthlyTables(folder, "questions-archive", "questions")
        self._archive_months: list[str] | None = None

    def upsert_many(self, questions: Iterable[Question]) -> tuple[int, int]:
        """Add new questions and update known ones in one batch; returns (added, updated).

        A question fetched again after it was archived is updated in its archive file
        (and counts as updated, not new): only an old question's own month is read."""
        current: list[dict[str, Any]] = []
        archived: dict[str, list[dict[str, Any]]] = {}
        months = set(self._months())
        for question in questions:
            doc, month = question.to_dict(), _month(question.created_at)
            if (
                month in months
                and doc["id"] not in self._questions
                and doc["id"] in self._archive.for_month(month)
            ):
                archived.setdefault(month, []).append(doc)
            else:
                current.append(doc)
        added, updated = self._questions.put_many(current)
        for month, docs in archived.items():
            updated += sum(self._archive.for_month(month).put_many(docs))
        return added, updated

    def get(self, question_id: str) -> Question:
        """The question with this id, current or archived, or a NotFoundError."""
        doc = self._questions.get(question_id)
        if doc is None:
            for month in reversed(self._months()):
                doc = self._archive.for_month(month).get(question_id)
                if doc is not None:
                    break
        if doc is None:
            raise NotFoundError(f"no question with id {question_id!r}")
        return Question.from_dict(doc)

    def all(self) -> list[Question]:
        """Every current (not archived) question."""
        return [Question.from_dict(doc) for doc in self._questions.all()]

    def archive(self, before: datetime, keep: Iterable[str] = ()) -> int:
        """Move questions asked before ``before`` (except the ids in ``keep``) to the
        monthly archive; returns how many moved.

        The archive is written first and the current file second, so a process killed
        in between leaves a question in both places (found, and moved again next time),
        never in neither."""
        kept = set(keep)
        moving: dict[str, list[dict[str, Any]]] = {}
        for doc in self._questions.all():
            asked = parse_instant(doc["created_at"])
            if doc["id"] not in kept and asked < before:
                moving.setdefault(_month(asked), []).append(doc)
        if not moving:
            return 0
        for month, docs in sorted(moving.items()):
            self._archive.for_month(month).put_many(docs)
        self._archive_months = None
        return self._questions.delete_many(d["id"] for docs in moving.values() for d in docs)

    def _months(self) -> list[str]:
        """The archive's months, oldest first (listed once, then kept up to date)."""
        if self._archive_months is None:
            self._archive_months = self._archive.months()
        return self._archive_months

    def checkpoint(self, channel: str) -> dict[str, Any] | None:
        """The saved checkpoint of a channel (its shape is the connector's business)."""
        doc = self._checkpoints.get(channel)
        return doc.get("value") if doc else None

    def set_checkpoint(self, channel: str, value: dict[str, Any], at: datetime) -> None:
        """Save a channel's checkpoint after a successful fetch (its status is kept)."""
        doc = self._checkpoints.get(channel) or {"channel": channel}
        doc.update(value=value, at=to_iso(at))
        self._checkpoints.put(doc)

    def record_fetch(
        self,
        channel: str,
        at: datetime,
        *,
        checkpoint: dict[str, Any] | None = None,
        count: int = 0,
        error: str | None = None,
        warnings: int = 0,
        seconds: float | None = None,
    ) -> ChannelStatus:
        """Save how a fetch went (and, when it succeeded, the new checkpoint) in one write."""
        doc = self._checkpoints.get(channel) or {"channel": channel, "value": None, "at": None}
        previous = ChannelStatus.from_dict(channel, doc.get("status"))
        if error is None and checkpoint is not None:
            doc.update(value=checkpoint, at=to_iso(at))
        status = ChannelStatus(
            channel=channel,
            last_attempt_at=at,
            last_success_at=at if error is None else previous.last_success_at,
            count=count if error is None else previous.count,
            error=error,
            warnings=warnings if error is None else 0,
            seconds=seconds,
        )
        doc["status"] = status.to_dict()
        self._checkpoints.put(doc)
        return status

    def channel_statuses(self) -> dict[str, ChannelStatus]:
        """The status of every channel that was ever fetched, by name."""
        return {
            doc["channel"]: ChannelStatus.from_dict(doc["channel"], doc.get("status"))
            for doc in self._checkpoints.all()
        }


class ActivityRepository:
    """What the leader did: actions (monthly files), drafts and sessions."""

    def __init__(self, folder: DataFolder) -> None:
        db = folder.db("activity.json")
        self._drafts = KeyedTable(db.table("drafts"), key="question_id")
        self._sessions = KeyedTable(db.table("sessions"))
        self._actions = MonthlyTables(folder, "actions", "actions")

    # actions -------------------------------------------------------------
    def record(self, action: Action) -> None:
        """Durably record one action."""
        doc = action.to_dict()
        doc["id"] = new_id()
        self._actions.for_month(_month(action.at)).put(doc)

    def actions(self, since: datetime | None = None) -> list[Action]:
        """Actions, oldest first (all of them, or those at or after ``since``)."""
        found = [Action.from_dict(doc) for doc in self._actions.docs(since=since)]
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
        return doc["body"] if doc else None

    def drafts(self) -> dict[str, str]:
        """Every saved draft, by question id."""
        return {doc["question_id"]: doc["body"] for doc in self._drafts.all()}

    def delete_draft(self, question_id: str) -> None:
        """Forget a draft (after its reply was queued)."""
        self._drafts.delete(question_id)

    # sessions ------------------------------------------------------------
    def save_session(self, session: Session) -> None:
        """Insert or update a session."""
        self._sessions.put(session.to_dict())

    def sessions(self) -> list[Session]:
        """Every session, oldest first."""
        return sorted(
            (Session.from_dict(d) for d in self._sessions.all()), key=lambda s: s.started_at
        )


class OutboxRepository:
    """Replies, from queued to sent."""

    def __init__(self, folder: DataFolder) -> None:
        self._replies = KeyedTable(folder.db("outbox.json").table("replies"))

    def save(self, reply: Reply) -> None:
        """Durably insert or update a reply."""
        self._replies.put(reply.to_dict())

    def get(self, reply_id: str) -> Reply:
        """The reply with this id, or a NotFoundError."""
        doc = self._replies.get(reply_id)
        if doc is None:
            raise NotFoundError(f"no reply with id {reply_id!r} in the outbox")
        return Reply.from_dict(doc)

    def all(self) -> list[Reply]:
        """Every reply, oldest first."""
        return sorted((Reply.from_dict(d) for d in self._replies.all()), key=lambda r: r.created_at)

    def unsent(self) -> list[Reply]:
        """Replies that still have to go out (queued, sending or failed)."""
        waiting = {ReplyState.QUEUED, ReplyState.SENDING, ReplyState.FAILED}
        return [r for r in self.all() if r.state in waiting]

    def for_question(self, question_id: str) -> list[Reply]:
        """Every reply to one question, oldest first."""
        return [r for r in self.all() if r.question_id == question_id]

    def sent_since(self, since: datetime) -> list[Reply]:
        """Replies sent at or after ``since``, oldest first."""
        return [
            r
            for r in self.all()
            if r.state is ReplyState.SENT and r.sent_at is not None and r.sent_at >= since
        ]


class InsightRepository:
    """Insights, one file per month."""

    def __init__(self, folder: DataFolder) -> None:
        self._insights = MonthlyTables(folder, "insights", "insights")

    def add(self, insight: Insight) -> None:
        """Durably record an insight."""
        self._insights.for_month(_month(insight.created_at)).put(insight.to_dict())

    def add_many(self, insights: Iterable[Insight]) -> None:
        """Record many insights with one write per month touched."""
        by_month: dict[str, list[dict[str, Any]]] = {}
        for insight in insights:
            by_month.setdefault(_month(insight.created_at), []).append(insight.to_dict())
        for month, docs in by_month.items():
            self._insights.for_month(month).put_many(docs)

    def between(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Insight]:
        """Insights created in [since, until), oldest first.

        A year of history is read for every digest, so the monthly files' documents are
        read as stored (no TinyDB document wrapping, no copies): ``from_dict`` only reads.
        """
        found = [Insight.from_dict(d) for d in self._insights.stored_docs(since, until)]
        found = [
            i
            for i in found
            if (since is None or i.created_at >= since) and (until is None or i.created_at < until)
        ]
        return sorted(found, key=lambda i: i.created_at)

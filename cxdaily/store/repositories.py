"""Repositories: the only way the rest of cxdaily reads and writes the data folder.

Models go in and come out; dicts and TinyDB stay inside ``cxdaily.store``. Records that
grow with history (actions, insights) live in one file per month, so a write touches
only the current month's small file however long the history gets. Questions past the
curation window move to monthly archive files the same way (see
:meth:`QuestionRepository.archive`), so the file every fetch rewrites and every start
reads stays the size of a few weeks.

Every document read is built into its model through :meth:`KeyedTable.records` or
:meth:`KeyedTable.parse`, so a document of the wrong shape is a one-line
:class:`~cxdaily.core.errors.StoreCorruptError` naming its file, table and field.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from cxdaily.core.clock import to_iso
from cxdaily.core.errors import NotFoundError, StoreError
from cxdaily.core.models import Question
from cxdaily.core.record_fields import RecordError, read_text, read_time
from cxdaily.core.safe_json import clean_surrogates
from cxdaily.curation.settings import CurationSettings
from cxdaily.store.database import DataFolder, KeyedTable
from cxdaily.store.monthly import MonthlyTables, month_of
from cxdaily.store.storage import record_problem

if TYPE_CHECKING:  # what curation reads of a question loads when it is first read
    from cxdaily.curation.analysis import TextAnalysis
    from cxdaily.curation.candidates import Candidate, StoredQuestions
    from cxdaily.curation.kept import KeptReadings


class ChannelStatus(msgspec.Struct, frozen=True):
    """How a channel's fetches went: when, how many questions, and the last error."""

    channel: str
    last_attempt_at: datetime | None = None
    """When the last fetch finished (well or not); ``None``: never fetched."""
    last_success_at: datetime | None = None
    """When the last successful fetch finished."""
    count: int | None = None
    """Questions the last successful fetch brought."""
    added: int | None = None
    """Of those, the questions that were not stored before (``None``: not recorded)."""
    error: str | None = None
    """One-line error of the last fetch, ``None`` when it succeeded."""
    warnings: int = 0
    """Items the last successful fetch skipped as malformed."""
    seconds: float | None = None
    """How long the last fetch took."""
    held_since: datetime | None = None
    """Since when the channel's fetches have held items for the next fetch (see
    :mod:`cxdaily.connectors.holding`); ``None``: the last one held nothing."""

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "last_attempt_at": to_iso(self.last_attempt_at) if self.last_attempt_at else None,
            "last_success_at": to_iso(self.last_success_at) if self.last_success_at else None,
            "count": self.count,
            "added": self.added,
            "error": self.error,
            "warnings": self.warnings,
            "seconds": None if self.seconds is None else round(self.seconds, 3),
            "held_since": to_iso(self.held_since) if self.held_since else None,
        }

    @classmethod
    def from_dict(cls, channel: str, data: dict[str, Any] | None) -> ChannelStatus:
        """Build from the stored dict (``None``: a channel never fetched)."""
        data = data or {}
        if not isinstance(data, dict):
            raise RecordError("'status' is not an object")
        attempt, success = data.get("last_attempt_at"), data.get("last_success_at")
        count, seconds, error = data.get("count"), data.get("seconds"), data.get("error")
        warnings = data.get("warnings") or 0
        added = data.get("added")
        for name, value in (("count", count), ("added", added)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise RecordError(f"'status.{name}' is not a whole number")
        if isinstance(warnings, bool) or not isinstance(warnings, int):
            raise RecordError("'status.warnings' is not a whole number")
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, int | float)
        ):
            raise RecordError("'status.seconds' is not a number")
        if error is not None and not isinstance(error, str):
            raise RecordError("'status.error' is not text")
        return cls(
            channel=channel,
            last_attempt_at=read_time(data, "last_attempt_at") if attempt else None,
            last_success_at=read_time(data, "last_success_at") if success else None,
            count=count,
            added=added,
            error=error,
            warnings=warnings,
            seconds=seconds,
            held_since=read_time(data, "held_since") if data.get("held_since") else None,
        )


def _status(doc: dict[str, Any]) -> ChannelStatus:
    """The status stored in a checkpoint document."""
    return ChannelStatus.from_dict(read_text(doc, "channel"), doc.get("status"))


def _checkpoint_value(doc: dict[str, Any]) -> dict[str, Any] | None:
    value = doc.get("value")
    if value is not None and not isinstance(value, dict):
        raise RecordError("'value' (the checkpoint) is not an object")
    return value


#: The field of a stored question that keeps its text analysis (see
#: :func:`cxdaily.curation.text.analyse`): made when it is stored, never at curation.
ANALYSIS = "analysis"
#: The fields that keep what curation reads of it under the curation settings: the
#: watch keywords found in it and its standing (see :mod:`cxdaily.curation.kept`).
MATCHES, STANDING = "watch", "standing"


def _question_doc(question: Question, readings: KeptReadings) -> dict[str, Any]:
    """A question as it is stored: its fields, its text analysis, and the readings kept
    under the curation settings."""
    # Imported here, as in QuestionRepository.analysed: the text analysis and its word
    # lists load when a question is stored or curated, not when the store opens.
    from cxdaily.curation.analysis import analysis_record
    from cxdaily.curation.text import analyse

    doc = question.to_dict()
    analysis = analyse(question)
    doc[ANALYSIS] = analysis_record(analysis)
    doc[MATCHES], doc[STANDING] = readings.of_question(question, analysis)
    return doc


def _with_asked(doc: dict[str, Any]) -> tuple[dict[str, Any], datetime]:
    """A stored question and when it was asked (for archiving, without building it)."""
    read_text(doc, "id")
    return doc, read_time(doc, "created_at")


QUESTIONS_FILE = "questions.json"
"""The file of the current questions and of the channels' checkpoints."""


class QuestionRepository:
    """Fetched questions, and each channel's checkpoint.

    Current questions live in ``questions.json``; older ones in
    ``questions-archive/YYYY-MM.json`` by the month they were asked. :meth:`get` finds
    both; :meth:`all` is the current ones, the only ones curation looks at.

    Each stored question keeps its text analysis (``analysis``, made when it is stored),
    so curation never reads its text again, and what curation reads of it under the
    curation settings (``watch``, ``standing``: see :mod:`cxdaily.curation.kept`):
    :meth:`analysed` hands them back.
    """

    def __init__(self, folder: DataFolder, curation: CurationSettings) -> None:
        """The questions of ``folder``, whose file is read when first used (made now
        when there is none, so that its identity stays what it is from the start); what
        curation reads of a question under ``curation`` (the settings) is kept with it
        when it is stored."""
        self._folder = folder
        self._read_only = folder.read_only
        self._curation = curation
        self._archive = MonthlyTables(folder, "questions-archive", "questions")
        self._archive_months: list[str] | None = None
        if not self._read_only and not self.path.exists():
            folder.db(QUESTIONS_FILE)

    @cached_property
    def _questions(self) -> KeyedTable:
        """The current questions. Their file (thousands of questions, megabytes) is read
        when first needed: a launch shows the batch kept with its questions, and reads
        them only once its first frame is out."""
        return KeyedTable(self._folder.db(QUESTIONS_FILE).table("questions"))

    @cached_property
    def _checkpoints(self) -> KeyedTable:
        """Each channel's checkpoint and status (in the file of the current questions)."""
        return KeyedTable(self._folder.db(QUESTIONS_FILE).table("checkpoints"), key="channel")

    @property
    def path(self) -> Path:
        """The file of the current questions (and of the checkpoints), opened or not."""
        return self._folder.data_dir / QUESTIONS_FILE

    def upsert_many(
        self, questions: Iterable[Question], *, skipped: dict[str, str] | None = None
    ) -> tuple[int, int]:
        """Add new questions and update known ones in one batch; returns (added, updated).

        A question fetched again after it was archived is updated in its archive file
        (and counts as updated, not new): only an old question's own month is read.

        A question that cannot be stored (text that is not valid Unicode, a number JSON
        cannot hold, nesting too deep) never reaches a table: with ``skipped`` it is left
        out and ``skipped[question.id]`` says why in one line; without, the batch is
        refused with a StoreError naming it and nothing is written."""
        current: list[dict[str, Any]] = []
        archived: dict[str, list[dict[str, Any]]] = {}
        months = set(self._months())
        for question in questions:
            doc, month = _question_doc(question, self._readings), month_of(question.created_at)
            if skipped is not None:
                problem = record_problem(doc)
                if problem is not None:
                    shown = clean_surrogates(question.id)[:80]
                    skipped[question.id] = f"question {shown} was not saved: {problem}"
                    continue
            if (
                month in months
                and doc["id"] not in self._questions
                and doc["id"] in self._archive.for_month(month)
            ):
                archived.setdefault(month, []).append(doc)
            else:
                current.append(doc)
        checked = skipped is not None
        added, updated = self._questions.put_many(current, checked=checked)
        for month, docs in archived.items():
            updated += sum(self._archive.for_month(month).put_many(docs, checked=checked))
        return added, updated

    def known(self, question_ids: Iterable[str]) -> set[str]:
        """Which of ``question_ids`` are stored (current, not archived) questions."""
        return {question_id for question_id in question_ids if question_id in self._questions}

    def get(self, question_id: str) -> Question:
        """The question with this id, current or archived, or a NotFoundError."""
        table, doc = self._questions, self._questions.get(question_id)
        if doc is None:
            archived = self._archive.newest_holding(question_id, self._months())
            if archived is None:
                # an empty store: nothing was fetched yet (ids are "CHANNEL:NATIVE_ID")
                empty = not self._questions.keys() and not self._months()
                hint = "; no question is stored yet: fetch first (`cxdaily fetch`)" if empty else ""
                raise NotFoundError(f"no question with id {question_id!r}{hint}")
            table, doc = archived
        return table.parse(doc, Question.from_dict)

    def all(self) -> list[Question]:
        """Every current (not archived) question."""
        return self._questions.stored_records(Question.from_dict)

    def analysed(self) -> tuple[StoredQuestions, dict[str, TextAnalysis]]:
        """Every current question, and the text analysis kept with each, by id.

        The questions are read as curation reads them (:class:`StoredQuestions`): the
        model of a question is built when it is first asked for, and a record of the
        wrong shape is a StoreCorruptError here, as when every model is built.

        A question stored without an analysis of the current version (by an older
        cxdaily, or before the analysis changed) is analysed now. When the store is open
        for writing, the readings kept under the curation settings are made again for
        each question stored without current ones (the settings or the code changed
        since), and what was made is kept (one write), so it happens once."""
        from cxdaily.curation.analysis import read_analysis_record
        from cxdaily.curation.candidates import (
            Candidate,
            StoredQuestions,
            candidate_of,
            read_candidate,
        )
        from cxdaily.curation.text import analyse

        def candidate_or_model(
            doc: dict[str, Any],
        ) -> Candidate | tuple[Question, TextAnalysis | None, object, object]:
            """A stored question as curation reads it (no model built), or, for a record
            that is not as cxdaily stores it or has no analysis of this version, its
            model, the analysis kept with it (``None``: none) and its kept readings."""
            analysis = read_analysis_record(doc.get(ANALYSIS))
            matches, standing = doc.get(MATCHES), doc.get(STANDING)
            if analysis is not None:
                candidate = read_candidate(doc, analysis, matches, standing)
                if candidate is not None:
                    return candidate
            return Question.from_dict(doc), analysis, matches, standing

        pool: list[Candidate] = []
        stale: dict[str, tuple[TextAnalysis, object, object]] = {}
        readings = None if self._read_only else self._readings
        for read in self._questions.stored_records(candidate_or_model):
            kept = True
            if isinstance(read, Candidate):
                candidate = read
            else:  # read into its model
                question, analysis, matches, standing = read
                kept = analysis is not None
                analysis = analysis or analyse(question)
                candidate = candidate_of(question, analysis, matches, standing)
            if readings is not None and (not kept or not readings.current(candidate)):
                matches, standing = readings.of_candidate(candidate)
                candidate = candidate._replace(matches=matches, standing=standing)
                stale[candidate.id] = (candidate.analysis, matches, standing)
            pool.append(candidate)
        if stale:
            self._keep_analyses(stale)
        questions = StoredQuestions(pool, self._build)
        return questions, questions.analyses()

    @cached_property
    def _readings(self) -> KeptReadings:
        """Makes and checks the readings kept with each question (made when first needed)."""
        from cxdaily.curation.kept import KeptReadings

        return KeptReadings(self._curation)

    def _build(self, doc: dict[str, Any]) -> Question:
        """The model of a stored question (one of the wrong shape: a StoreCorruptError)."""
        return self._questions.parse(doc, Question.from_dict)

    def _keep_analyses(self, made: dict[str, tuple[TextAnalysis, object, object]]) -> None:
        """Store the analyses and readings made for questions stored without current
        ones (in one write)."""
        from cxdaily.curation.analysis import analysis_record

        docs = []
        for question_id, (analysis, matches, standing) in made.items():
            doc = self._questions.get(question_id)
            if doc is not None:
                doc[ANALYSIS] = analysis_record(analysis)
                doc[MATCHES], doc[STANDING] = matches, standing
                docs.append(doc)
        with contextlib.suppress(StoreError):  # a kept analysis only saves time: the
            self._questions.put_many(docs, checked=True)  # next read makes it again

    def archive(self, before: datetime, keep: Iterable[str] = ()) -> int:
        """Move questions asked before ``before`` (except the ids in ``keep``) to the
        monthly archive; returns how many moved.

        The archive is written first and the current file second, so a process killed
        in between leaves a question in both places (found, and moved again next time),
        never in neither."""
        kept = set(keep)
        moving: dict[str, list[dict[str, Any]]] = {}
        for doc, asked in self._questions.records(_with_asked):
            if doc["id"] not in kept and asked < before:
                moving.setdefault(month_of(asked), []).append(doc)
        if not moving:
            return 0
        for month, docs in sorted(moving.items()):  # read from a file: storable as they are
            self._archive.for_month(month).put_many(docs, checked=True)
        self._archive_months = None
        return self._questions.delete_many(d["id"] for docs in moving.values() for d in docs)

    def restore(self, since: datetime) -> int:
        """Move back from the archive the questions asked at or after ``since`` (archived
        while the clock ran ahead: once it is right again, they are recent); returns how
        many came back. Only the archive's months from ``since`` on are read, which hold
        none but the first of them, as a rule.

        The current file is written first and the archive second, so a process killed in
        between leaves a question in both places (read from the current file), never in
        neither."""
        first = month_of(since)
        back: dict[str, list[dict[str, Any]]] = {}
        for month in self._months():
            if month >= first:
                for doc, asked in self._archive.for_month(month).records(_with_asked):
                    if asked >= since:
                        back.setdefault(month, []).append(doc)
        if not back:
            return 0
        self._questions.put_many([d for docs in back.values() for d in docs], checked=True)
        for month, docs in back.items():
            self._archive.for_month(month).delete_many(d["id"] for d in docs)
        return sum(map(len, back.values()))

    def _months(self) -> list[str]:
        """The archive's months, oldest first (listed once, then kept up to date)."""
        if self._archive_months is None:
            self._archive_months = self._archive.months()
        return self._archive_months

    def checkpoint(self, channel: str) -> dict[str, Any] | None:
        """The saved checkpoint of a channel (its shape is the connector's business)."""
        doc = self._checkpoints.get(channel)
        return self._checkpoints.parse(doc, _checkpoint_value) if doc else None

    def set_checkpoint(self, channel: str, value: dict[str, Any], at: datetime) -> None:
        """Save a channel's checkpoint after a successful fetch (its status is kept)."""
        doc = self._checkpoints.get(channel) or {"channel": channel}
        doc.update(value=value, at=to_iso(at))
        self._checkpoints.put(doc)

    def held_since(self, channel: str) -> datetime | None:
        """Since when the channel's fetches have held items for the next fetch (``None``:
        the last one held nothing; see :attr:`ChannelStatus.held_since`)."""
        doc = self._checkpoints.get(channel)
        return self._checkpoints.parse(doc, _status).held_since if doc else None

    def record_fetch(
        self,
        channel: str,
        at: datetime,
        *,
        checkpoint: dict[str, Any] | None = None,
        count: int = 0,
        added: int | None = None,
        error: str | None = None,
        warnings: int = 0,
        seconds: float | None = None,
        held: int = 0,
    ) -> ChannelStatus:
        """Save how a fetch went (and, when it succeeded, the new checkpoint) in one write;
        ``held``: how many of its look-ups held items for the next fetch (a failed fetch
        leaves the time since when items are held as it was)."""
        doc = self._checkpoints.get(channel) or {"channel": channel, "value": None, "at": None}
        previous = self._checkpoints.parse(doc, _status)
        if error is None and checkpoint is not None:
            doc.update(value=checkpoint, at=to_iso(at))
        held_since = (previous.held_since or at) if held else None
        status = ChannelStatus(
            channel=channel,
            last_attempt_at=at,
            last_success_at=at if error is None else previous.last_success_at,
            count=count if error is None else previous.count,
            added=added if error is None else previous.added,
            error=error,
            warnings=warnings if error is None else 0,
            seconds=seconds,
            held_since=previous.held_since if error is not None else held_since,
        )
        doc["status"] = status.to_dict()
        self._checkpoints.put(doc)
        return status

    def channel_statuses(self) -> dict[str, ChannelStatus]:
        """The status of every channel that was ever fetched, by name."""
        return {status.channel: status for status in self._checkpoints.records(_status)}

"""Candidates: what curation reads of each question, straight from its stored record.

Curation scores every stored question but shows only its shortlist, so it never builds a
full :class:`~cxdaily.core.models.Question` for the others. :func:`read_candidate` reads
the few fields scoring, estimating and screening use from a record as cxdaily stores it
(no copies: the record's own strings and ``meta``), after checking that every field of
the record has the type a stored question's field has, so a record the model would
refuse is never scored. :class:`StoredQuestions` holds the candidates of a store and
builds the model of a question only when it is asked for (the shortlist's, the questions
of the leader's history); it is a ``Sequence[Question]`` for every other reader.

A question given as a model (a test, a script) becomes a candidate through
:func:`candidate_of`: both go through the same scoring code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple, overload

from cxdaily.core.fast_records import usual_author, usual_question, usual_thread
from cxdaily.core.models import Question
from cxdaily.curation.analysis import TextAnalysis
from cxdaily.curation.sources import route


class Candidate(NamedTuple):
    """The fields of one question curation reads (``meta`` is shared: never changed)."""

    id: str
    created_at: datetime
    title: str | None
    body: str
    meta: Mapping[str, Any]
    followers: int | None
    """The author's followers, as the channel counts them."""
    handle: str | None
    """The author's handle (a VIP list may name it)."""
    thread: int
    """Earlier messages in its thread."""
    source: str
    """Its source (:func:`cxdaily.curation.sources.source_of`)."""
    segment: str
    """Its segment (:func:`cxdaily.curation.sources.segment_of`)."""
    analysis: TextAnalysis
    """Its text analysis (kept with the stored question)."""
    matches: object
    """The watch keywords found in it when it was stored, as kept (see
    :meth:`~cxdaily.curation.text.TextReader.matches_record`); ``None``: look."""
    standing: object
    """The part of its score that depends neither on the time nor on the leader's
    history, as kept when it was stored (see
    :meth:`~cxdaily.curation.scoring.Scorer.standing_record`); ``None``: rate it."""
    record: object
    """What its model is built from: the stored record, or the model itself."""


_candidate = partial(tuple.__new__, Candidate)  # skips the Python-level __new__


def candidate_of(
    question: Question, analysis: TextAnalysis, matches: object = None, standing: object = None
) -> Candidate:
    """The candidate of a question given as a model (its record is the model), with its
    kept keyword matches and standing if any."""
    author = question.author
    return _candidate(
        (
            question.id,
            question.created_at,
            question.title,
            question.body,
            question.meta,
            author.followers,
            author.handle,
            len(question.context),
            *route(question.meta, question.channel, question.kind),
            analysis,
            matches,
            standing,
            question,
        )
    )


def read_candidate(
    record: dict[str, Any], analysis: TextAnalysis, matches: object = None, standing: object = None
) -> Candidate | None:
    """The candidate of a stored question (with its kept analysis, keyword matches and
    standing),
    or ``None`` when a field is not of the type cxdaily stores it with (then the record
    is read into its model, which normalizes what it can and names what is wrong)."""
    created_at = usual_question(record)
    if created_at is None:
        return None
    author, context = record.get("author"), record.get("context")
    followers = handle = None
    if author is not None:
        if not usual_author(author):
            return None
        followers, handle = author.get("followers"), author.get("handle")
    if context and not usual_thread(context):
        return None
    meta = record["meta"]
    source, segment = route(meta, record["channel"], record["kind"])
    thread = len(context) if context else 0
    fields = (record["id"], created_at, record.get("title"), record["body"], meta, followers)
    kept = (analysis, matches, standing, record)
    return _candidate((*fields, handle, thread, source, segment, *kept))


class StoredQuestions(Sequence[Question]):
    """The stored questions as candidates; each model is built when first asked for.

    ``build`` makes the model of a candidate from its record (the store's reader, which
    names the file and the record when one is damaged). Indexing or iterating gives
    models (built once each); :attr:`candidates` is what curation scores."""

    def __init__(self, candidates: list[Candidate], build: Callable[[Any], Question]) -> None:
        self.candidates = candidates
        self._build = build
        self._built: dict[int, Question] = {}
        self._positions: dict[str, int] | None = None

    def question(self, candidate: Candidate) -> Question:
        """The model of one candidate (built from its record, or the model it was made of)."""
        record = candidate.record
        return record if isinstance(record, Question) else self._build(record)

    def __len__(self) -> int:
        return len(self.candidates)

    @overload
    def __getitem__(self, index: int) -> Question: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Question]: ...

    def __getitem__(self, index: int | slice) -> Question | Sequence[Question]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        built = self._built.get(index)
        if built is None:
            built = self._built[index] = self.question(self.candidates[index])
        return built

    def __iter__(self) -> Iterator[Question]:
        return (self[i] for i in range(len(self)))

    def by_id(self) -> Mapping[str, Question]:
        """The questions by id (the last copy of an id wins), built when looked up."""
        return _ById(self)

    def analyses(self) -> dict[str, TextAnalysis]:
        """The text analysis of each question, by id."""
        return {c.id: c.analysis for c in self.candidates}

    def position(self, question_id: str) -> int | None:
        """Where the last question with this id stands (``None``: not stored)."""
        if self._positions is None:
            self._positions = {c.id: i for i, c in enumerate(self.candidates)}
        return self._positions.get(question_id)


class _ById(Mapping[str, Question]):
    """Stored questions by id, each built when looked up."""

    def __init__(self, questions: StoredQuestions) -> None:
        self._questions = questions

    def __getitem__(self, question_id: str) -> Question:
        position = self._questions.position(question_id)
        if position is None:
            raise KeyError(question_id)
        return self._questions[position]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(c.id for c in self._questions.candidates))

    def __len__(self) -> int:
        return len({c.id for c in self._questions.candidates})

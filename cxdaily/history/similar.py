"""The leader's own earlier answers to questions like the one in view.

Every question the leader answered (a reply in the outbox marked sent) is a document:
the comparable keys of its words (:func:`cxdaily.curation.text.terms_of` then
:func:`cxdaily.curation.term_keys.topic_keys`: stop words dropped, inflections and
accents folded, Spanish, German and French support words put in English) from its title
and the start of its body, plus, at half weight, the keys of the reply sent, which often
names the topic in the leader's words ("export them from Billing as CSV").

A question in view is compared with them by TF-IDF cosine: a key shared by few answered
questions counts much, one shared by half of them nothing; words that frame any
question ("problem", "help") count little. An inverted index from key to documents
means a look-up scores only the documents that share one of the question's less common
keys (:data:`PROPOSE_SHARE`), so it stays fast over years of answers. An earlier
answer is offered when the cosine reaches :data:`SIMILAR_AT` and the two share at least
:data:`MIN_SHARED` keys, so an unrelated question is offered nothing. The question
itself and the rest of its thread are never offered; the same reply text sent to
several questions is offered once.

Local and offline: no model, no network, nothing downloaded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cxdaily.core.models import Reply, ReplyState
from cxdaily.curation.term_keys import GENERIC_KEYS, topic_keys
from cxdaily.curation.text import terms_of
from cxdaily.history.customers import TEXT_CHARS, QuestionEntry
from cxdaily.history.records import EarlierAnswer

#: Weight of a key found only in the reply, against one in the question.
REPLY_WEIGHT = 0.5
#: Weight of a key of :data:`cxdaily.curation.term_keys.GENERIC_KEYS`.
GENERIC_WEIGHT = 0.3
#: Cosine at which an earlier answer is offered.
SIMILAR_AT = 0.3
#: Keys the two questions must share (fewer when the question in view has fewer).
MIN_SHARED = 2
#: Keys held by at most this share of the answered questions propose the documents to
#: score (all of the question's keys are scored): a key most questions share weighs
#: little, and looking it up would visit most documents.
PROPOSE_SHARE = 0.2
#: Below this many documents every key proposes.
SMALL_INDEX = 20
#: Recompute every document's norm when the count of documents moved this much since.
NORM_DRIFT = 0.1


def text_keys(text: str) -> frozenset[bytes]:
    """The comparable keys of a text."""
    return topic_keys(terms_of(text))


@dataclass
class _Document:
    """One answered question: its keys with their weight, and the reply offered."""

    entry: QuestionEntry
    reply: Reply
    keys: dict[bytes, float]
    norm: float = 0.0


def _latest_sent(replies: Iterable[Reply]) -> Reply | None:
    sent = [r for r in replies if r.state is ReplyState.SENT and r.body.strip()]
    return max(sent, key=lambda r: (_sent_at(r), r.id)) if sent else None


def _same_reply(body: str) -> str:
    return " ".join(body.casefold().split())


class AnswerIndex:
    """The answered questions, searchable by likeness to a question."""

    def __init__(self) -> None:
        self._documents: dict[str, _Document] = {}
        self._postings: dict[bytes, dict[str, float]] = {}
        self._norms_at = 0

    def __len__(self) -> int:
        return len(self._documents)

    def update(
        self, question_id: str, entry: QuestionEntry | None, replies: Iterable[Reply]
    ) -> None:
        """Make a question's document again from its entry and its replies (none when
        it has no entry or no sent reply)."""
        self._drop(question_id)
        reply = _latest_sent(replies) if entry is not None else None
        if entry is None or reply is None:
            return
        keys = dict.fromkeys(text_keys(reply.body[:TEXT_CHARS]), REPLY_WEIGHT)
        keys.update(dict.fromkeys(text_keys(entry.text), 1.0))
        if not keys:
            return
        document = _Document(entry, reply, keys)
        self._documents[question_id] = document
        for key, weight in keys.items():
            self._postings.setdefault(key, {})[question_id] = weight
        if self._norms_at:  # before the first settle, refresh_norms computes them all
            document.norm = self._norm(keys)

    def _drop(self, question_id: str) -> None:
        document = self._documents.pop(question_id, None)
        for key in document.keys if document else ():
            holders = self._postings[key]
            del holders[question_id]
            if not holders:
                del self._postings[key]

    def _weight(self, key: bytes) -> float:
        """The IDF weight of a key (less for a generic one)."""
        total = len(self._documents)
        found = len(self._postings.get(key, ()))
        weight = math.log((total + 1) / (found + 0.5))
        return weight * GENERIC_WEIGHT if key in GENERIC_KEYS else weight

    def _norm(self, keys: dict[bytes, float]) -> float:
        return math.sqrt(sum((self._weight(k) * f) ** 2 for k, f in keys.items()))

    def refresh_norms(self) -> None:
        """Recompute the documents' norms when their count moved enough since the last
        time (norms depend on how common each key is; call after a batch of updates)."""
        total = len(self._documents)
        if abs(total - self._norms_at) <= NORM_DRIFT * max(self._norms_at, 1):
            return
        for document in self._documents.values():
            document.norm = self._norm(document.keys)
        self._norms_at = total

    def similar(self, entry: QuestionEntry, limit: int = 3) -> list[EarlierAnswer]:
        """The earlier answers most like ``entry``'s question, best first, at most
        ``limit`` (neither the question itself nor its thread)."""
        query = text_keys(entry.text)
        held = [self._postings[key] for key in query if key in self._postings]
        if not held or limit <= 0:
            return []
        squares = {key: self._weight(key) ** 2 for key in query}
        query_norm = math.sqrt(sum(squares.values()))
        most = max(PROPOSE_SHARE * len(self._documents), SMALL_INDEX)
        proposing = [holders for holders in held if len(holders) <= most] or [min(held, key=len)]
        needed = min(MIN_SHARED, len(query))
        scored: list[tuple[float, _Document]] = []
        for question_id in set().union(*proposing):
            document = self._documents[question_id]
            shared = query.intersection(document.keys)
            if len(shared) < needed:
                continue
            if not document.norm:  # added before the norms were first computed
                document.norm = self._norm(document.keys)
            dot = sum(squares[key] * document.keys[key] for key in shared)
            score = dot / (query_norm * document.norm)
            if score < SIMILAR_AT or question_id == entry.id:
                continue
            if (document.entry.channel, document.entry.thread_id) != (
                entry.channel,
                entry.thread_id,
            ):
                scored.append((min(score, 1.0), document))
        scored.sort(key=lambda pair: (pair[0], _sent_at(pair[1].reply)), reverse=True)
        offered: list[EarlierAnswer] = []
        bodies: set[str] = set()
        for score, document in scored:
            body = _same_reply(document.reply.body)
            if body not in bodies:
                bodies.add(body)
                offered.append(_answer(document, score))
            if len(offered) == limit:
                break
        return offered


def _sent_at(reply: Reply) -> datetime:
    """When a sent reply went out (its last change, for a record without the time)."""
    return reply.sent_at or reply.updated_at


def _answer(document: _Document, score: float) -> EarlierAnswer:
    entry, reply = document.entry, document.reply
    return EarlierAnswer(
        question_id=entry.id,
        reply_id=reply.id,
        body=reply.body,
        sent_at=_sent_at(reply),
        channel=entry.channel,
        service=entry.service,
        question_title=entry.title,
        question_excerpt=entry.excerpt,
        asked_at=entry.created_at,
        score=round(score, 3),
    )

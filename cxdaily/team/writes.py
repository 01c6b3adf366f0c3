"""One team write: what a leader's app tells the team database, queued locally first.

A :class:`TeamWrite` is saved in the local queue (:mod:`cxdaily.store.team_queue`) the
moment the leader acts, then applied by the flusher. Applying one is idempotent (claims,
releases and sent replies by the question's key, insights and hand-offs by their ids,
always within the leader's own rows; a removal deletes by id and finds nothing the
second time), so a write applied again after a crash between the
database's commit and the queue's update changes nothing.

A question is known to the team by :func:`question_key`: its channel's kind and the
service's own id (``zendesk:35436``), so two leaders whose channels have different names
but reach the same help desk see the same question.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

from cxdaily.core.models import Action, Insight, Question, Reply, new_id
from cxdaily.core.record_fields import read_choice, read_object, read_text, read_time


class WriteKind(StrEnum):
    """What a team write does."""

    CLAIM = "claim"
    RELEASE = "release"
    SENT = "sent"
    INSIGHT = "insight"
    HANDOFF = "handoff"
    REMOVAL = "removal"
    """An undone tag or hand-off: the leader's own insight or hand-off leaves the team."""


class RemovedRecord(StrEnum):
    """What a removal takes out of the team database."""

    INSIGHT = "insight"
    HANDOFF = "handoff"


class TeamWrite(msgspec.Struct, frozen=True):
    """One write waiting for (or applied to) the team database."""

    id: str
    """Unique in the queue; the same record written again keeps its id (it replaces)."""
    kind: WriteKind
    at: datetime
    """When the leader acted (a claim older than the claim time is dropped, not applied)."""
    data: dict[str, Any] = msgspec.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for the local queue)."""
        return {"id": self.id, "kind": self.kind.value, "at": self.at.isoformat(), **self.data}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> TeamWrite:
        """Build from the queue's plain dict (a RecordError when a field is wrong)."""
        doc = read_object(doc, "a team write")
        data = {k: v for k, v in doc.items() if k not in ("id", "kind", "at")}
        return cls(
            id=read_text(doc, "id"),
            kind=read_choice(WriteKind, doc, "kind"),
            at=read_time(doc, "at"),
            data=data,
        )


def question_key(question: Question) -> str:
    """The team's name for a question: the channel's kind and the service's own id."""
    return f"{question.kind}:{question.native_id}"


def stable_id(*parts: object) -> str:
    """A hex id derived from ``parts``: the same record gets the same id every time."""
    text = json.dumps(parts, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:24]


def claim_write(question: Question, at: datetime) -> TeamWrite:
    """Claim a question (the leader opened it to reply, or started a draft)."""
    key = question_key(question)
    return TeamWrite(new_id(), WriteKind.CLAIM, at, {"key": key, "question_id": question.id})


def release_write(question: Question, at: datetime) -> TeamWrite:
    """Release the leader's claim on a question."""
    key = question_key(question)
    return TeamWrite(new_id(), WriteKind.RELEASE, at, {"key": key, "question_id": question.id})


def sent_write(reply: Reply, question: Question) -> TeamWrite:
    """A reply went out: every leader's batch leaves the question out from now on."""
    at = reply.sent_at or reply.created_at
    data = {"key": question_key(question), "question_id": question.id, "reply_id": reply.id}
    return TeamWrite(f"sent:{reply.id}", WriteKind.SENT, at, data)


def insight_write(insight: Insight, question: Question | None) -> TeamWrite:
    """An insight recorded (or recorded again: the same id replaces it)."""
    data = {
        "key": question_key(question) if question else None,
        "insight": insight.to_dict(),
    }
    return TeamWrite(f"insight:{insight.id}", WriteKind.INSIGHT, insight.created_at, data)


def handoff_id(action: Action) -> str:
    """A hand-off's team id, derived from what it says (the same hand-off, the same id)."""
    return stable_id(action.question_id, action.at.isoformat(), action.team, action.note)


def handoff_write(action: Action, question: Question) -> TeamWrite:
    """A question handed off to a team with a note (its id comes from what it says)."""
    record_id = handoff_id(action)
    data = {
        "handoff_id": record_id,
        "key": question_key(question),
        "question_id": action.question_id,
        "channel": question.channel,
        "customer_name": question.author.name,
        "customer_handle": question.author.handle,
        "team": action.team,
        "note": action.note,
    }
    return TeamWrite(f"handoff:{record_id}", WriteKind.HANDOFF, action.at, data)


def removal_write(record: RemovedRecord, record_id: str, at: datetime) -> TeamWrite:
    """Take the leader's own insight or hand-off out of the team database (its tag or
    hand-off was undone).

    The write keeps the id of the write that added the record, so it replaces that write
    in place while it still waits in the queue (nothing of the record ever reaches the
    team), and a record added again later replaces the removal the same way: whatever
    the leader did last to a record is what the team gets.
    """
    data = {"record": record.value, "record_id": record_id}
    return TeamWrite(f"{record.value}:{record_id}", WriteKind.REMOVAL, at, data)

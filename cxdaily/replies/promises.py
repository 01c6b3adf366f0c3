"""The promise ledger: follow-ups the leader promised in sent replies ("I'll check with
the team by Friday"), with their due days, so nothing promised is forgotten.

:func:`find_promises` is pure: a sentence is a promise when it commits someone to act
("I'll", "we will", "let me check", "will be fixed") or when it says something *will*
happen by a date; the first date in it, resolved against when the reply was sent in the
home time zone, is the due day. Questions ("Will you ...?") are not promises.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from msgspec.structs import replace

from cxdaily.core.clock import parse_instant, to_iso
from cxdaily.core.patterns import lazy_compile

MAX_PROMISE_CHARS = 200
_SENTENCES = lazy_compile(r"(?<=[.!?])\s+|\n+")
_WILL = lazy_compile(r"\b(?:will|shall)\b|['’]ll\b", re.IGNORECASE)


class PromiseFound(msgspec.Struct, frozen=True):
    """A promise in a text: the sentence and the day it is due (if it names one)."""

    text: str
    due: date | None


def find_promises(text: str, sent_at: datetime, zone: ZoneInfo) -> list[PromiseFound]:
    """The promises in a reply, in order, with due days resolved against ``sent_at``."""
    from cxdaily.replies.checks import PROMISE_PATTERN  # regex-heavy: loaded on first use
    from cxdaily.replies.dates import find_dates

    found: list[PromiseFound] = []
    for sentence in _SENTENCES.split(text):
        sentence = " ".join(sentence.split())
        if not sentence or sentence.endswith("?"):
            continue
        dates = find_dates(sentence, sent_at, zone)
        committed = PROMISE_PATTERN.search(sentence) is not None
        if not committed and not (dates and _WILL.search(sentence)):
            continue
        due = next((d.due for d in dates if d.due is not None), None)
        if len(sentence) > MAX_PROMISE_CHARS:
            sentence = sentence[: MAX_PROMISE_CHARS - 1].rstrip() + "…"
        found.append(PromiseFound(text=sentence, due=due))
    return found


class Promise(msgspec.Struct, frozen=True):
    """One follow-up promised in a sent reply; ``done_at`` is set once it is kept."""

    id: str
    reply_id: str
    question_id: str
    channel: str
    text: str
    due: date | None
    made_at: datetime
    done_at: datetime | None = None

    @property
    def open(self) -> bool:
        """Whether the promise is still to be kept."""
        return self.done_at is None

    def overdue(self, today: date) -> bool:
        """Whether an open promise is past its due day."""
        return self.open and self.due is not None and self.due < today

    def done(self, at: datetime) -> Promise:
        """The promise marked kept at ``at``."""
        return replace(self, done_at=at)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "id": self.id,
            "reply_id": self.reply_id,
            "question_id": self.question_id,
            "channel": self.channel,
            "text": self.text,
            "due": self.due.isoformat() if self.due else None,
            "made_at": to_iso(self.made_at),
            "done_at": to_iso(self.done_at) if self.done_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Promise:
        """Build from a plain dict."""
        due = data.get("due")
        done_at = data.get("done_at")
        return cls(
            id=data["id"],
            reply_id=data["reply_id"],
            question_id=data["question_id"],
            channel=data["channel"],
            text=data["text"],
            due=date.fromisoformat(due) if due else None,
            made_at=parse_instant(data["made_at"]),
            done_at=parse_instant(done_at) if done_at else None,
        )


def promises_of_reply(
    reply_id: str,
    question_id: str,
    channel: str,
    body: str,
    sent_at: datetime,
    zone: ZoneInfo,
) -> list[Promise]:
    """The ledger entries for one sent reply (ids are stable: ``<reply id>-<n>``)."""
    return [
        Promise(
            id=f"{reply_id}-{n}",
            reply_id=reply_id,
            question_id=question_id,
            channel=channel,
            text=found.text,
            due=found.due,
            made_at=sent_at,
        )
        for n, found in enumerate(find_promises(body, sent_at, zone), 1)
    ]


def _kept_at(promise: Promise) -> datetime:
    """When a kept promise was kept (the ledger's order for the kept ones)."""
    assert promise.done_at is not None
    return promise.done_at


def ledger_order(promises: list[Promise]) -> list[Promise]:
    """Open promises first, by due day (undated last), then the kept ones, newest first."""
    open_ones = sorted(
        (p for p in promises if p.open),
        key=lambda p: (p.due is None, p.due or date.max, p.made_at),
    )
    kept = sorted((p for p in promises if p.done_at is not None), key=_kept_at, reverse=True)
    return open_ones + kept

"""What curation hands back: the batch, each pick with its reasons, and what was left out.

A *must-see* question (a VIP, data loss, security, legal or churn signal: see
:func:`cxdaily.curation.must_see.must_see_kinds`) is never left out silently: the batch
lists the ones that did not fit (:attr:`Batch.must_see_left_out`) and
:meth:`Batch.with_must_see` adds them, extending the budget by their estimates.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Annotated, Any, NamedTuple

import msgspec
from msgspec.structs import replace

from cxdaily.core.models import Question

#: Why the candidates below the shortlist are left out.
LOWER_VALUE = "lower value per minute than those listed"
#: The kind of reason of a question left out because a near-duplicate is in the batch.
NEAR_DUPLICATE = "near-duplicate"

Count = Annotated[int, msgspec.Meta(ge=0)]
"""A whole number of seconds or questions (a kept batch with a negative one is refused
when it is read)."""


class BatchItem(msgspec.Struct, frozen=True):
    """One question with its score, its time estimate, why it matters and its group."""

    question: Question
    score: float
    """Value of the question: 1 plus the weighted signals (higher matters more)."""
    estimate_s: Count
    """Seconds to read and answer it (for a near-duplicate after the first: the follow-up)."""
    reasons: tuple[str, ...]
    """Why it is there, most important first ("waiting 26 h", "VIP", "keyword: refund")."""
    group: tuple[str, ...] = ()
    """Ids of the other questions that ask the same thing (its near-duplicates)."""
    urgent: bool = False
    """VIP, urgent priority, past the SLA, or frustrated: goes first in a session."""
    must_see: tuple[str, ...] = ()
    """Why the leader must see it whatever the budget ("VIP", "data loss", "security",
    "legal", "churn"); empty for the others. Set when the batch is packed."""


class LeftOut(NamedTuple):
    """A candidate that did not make the batch, and why (unpacks as ``item, reason``)."""

    item: BatchItem
    reason: str


class Batch(msgspec.Struct, frozen=True):
    """Today's batch in session order, what was left out, and what was never a candidate."""

    items: tuple[BatchItem, ...]
    budget_s: Count
    left_out: tuple[LeftOut, ...] = ()
    """Candidates not picked, most valuable first, each with its reason."""
    excluded: tuple[tuple[str, Count], ...] = ()
    """Questions filtered out before scoring, counted by reason ("answered by the team")."""
    reserve_s: Count = 0
    """Part of the budget kept free."""
    unlisted: Count = 0
    """Candidates left out and not listed: below the shortlist, lower value per second
    than every listed question."""
    unlisted_reasons: tuple[tuple[str, Count], ...] = ()
    """Other candidates left out and not listed, counted by the kind of their reason
    (only in a :meth:`shortened` batch)."""

    @property
    def estimate_s(self) -> int:
        """Estimated total time of the batch."""
        return sum(item.estimate_s for item in self.items)

    @property
    def must_see_left_out(self) -> tuple[LeftOut, ...]:
        """The must-see questions that did not fit, most valuable first, with the reason
        (a near-duplicate of a pick is not among them: it is shown with its pick)."""
        return tuple(
            entry
            for entry in self.left_out
            if entry.item.must_see and not entry.reason.startswith(NEAR_DUPLICATE)
        )

    def with_must_see(self, ids: Collection[str] | None = None) -> Batch:
        """This batch with the must-see questions left out (those in ``ids``, or all) at
        its start, and the budget extended by their estimates (rounded up to whole
        minutes, as budgets are said)."""
        adding = [
            entry.item
            for entry in self.must_see_left_out
            if ids is None or entry.item.question.id in ids
        ]
        if not adding:
            return self
        added = {item.question.id for item in adding}
        extra_s = math.ceil(sum(item.estimate_s for item in adding) / 60) * 60
        return replace(
            self,
            items=(*adding, *self.items),
            budget_s=self.budget_s + extra_s,
            left_out=tuple(e for e in self.left_out if e.item.question.id not in added),
        )

    def without(self, question_id: str) -> Batch:
        """This batch with ``question_id`` taken out of its picks and of what was left
        out (once the leader has dealt with it elsewhere)."""
        return replace(
            self,
            items=tuple(i for i in self.items if i.question.id != question_id),
            left_out=tuple(e for e in self.left_out if e.item.question.id != question_id),
        )

    def left_out_counts(self) -> list[tuple[str, int]]:
        """How many candidates were left out for each reason, commonest first."""
        counts: dict[str, int] = {}
        for entry in self.left_out:
            key = _reason_kind(entry.reason)
            counts[key] = counts.get(key, 0) + 1
        for key, count in self.unlisted_reasons:
            counts[key] = counts.get(key, 0) + count
        if self.unlisted:
            counts[LOWER_VALUE] = counts.get(LOWER_VALUE, 0) + self.unlisted
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def shortened(self, listed: int) -> Batch:
        """This batch listing only the left-out questions a reader is shown: every
        must-see one (they can be added) and the first ``listed``; the others are
        counted by the kind of their reason, so :meth:`left_out_counts` is unchanged."""
        kept: list[LeftOut] = []
        counted: dict[str, int] = dict(self.unlisted_reasons)
        for entry in self.left_out:
            if len(kept) < listed or entry.item.must_see:
                kept.append(entry)
            else:
                key = _reason_kind(entry.reason)
                counted[key] = counted.get(key, 0) + 1
        return replace(self, left_out=tuple(kept), unlisted_reasons=tuple(counted.items()))


def _reason_kind(reason: str) -> str:
    """What :meth:`Batch.left_out_counts` counts a reason under ("near-duplicate: ..."
    counts as "near-duplicate")."""
    return reason.split(":", 1)[0]


def batch_document(batch: Batch) -> dict[str, Any]:
    """``batch`` as JSON data (each question in its stored shape), for
    :func:`batch_from_document` to read back."""
    return {
        "items": [_item_document(item) for item in batch.items],
        "budget_s": batch.budget_s,
        "left_out": [[_item_document(entry.item), entry.reason] for entry in batch.left_out],
        "excluded": [list(pair) for pair in batch.excluded],
        "reserve_s": batch.reserve_s,
        "unlisted": batch.unlisted,
        "unlisted_reasons": [list(pair) for pair in batch.unlisted_reasons],
    }


def batch_from_json(raw: bytes | msgspec.Raw) -> Batch:
    """The batch :func:`batch_document` wrote, from its JSON, decoded straight into the
    models (in C: a launch reads the kept batch before its first frame); JSON of another
    shape raises ValueError."""
    try:
        return msgspec.json.decode(raw, type=Batch)
    except msgspec.DecodeError:  # a ValidationError is one
        raise ValueError("not a batch as cxdaily writes one") from None


def _item_document(item: BatchItem) -> dict[str, Any]:
    return {
        "question": item.question.to_dict(),
        "score": item.score,
        "estimate_s": item.estimate_s,
        "reasons": list(item.reasons),
        "group": list(item.group),
        "urgent": item.urgent,
        "must_see": list(item.must_see),
    }

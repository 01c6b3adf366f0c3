"""Curation: pick the day's batch that fits the leader's time budget, with reasons.

This is a first, honest engine: candidates are stored questions not yet handled, scored
by explainable signals (:mod:`.scoring`), estimated (:mod:`.estimate`) and packed into
the budget by score, keeping a small reserve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cxdaily.curation.estimate import estimate_seconds
from cxdaily.curation.scoring import score_question
from cxdaily.models import Action, Disposition, Question

MAX_AGE = timedelta(days=14)
RESERVE = 0.1  # keep 10% of the budget free for the thread that takes longer


@dataclass(frozen=True)
class BatchItem:
    """One pick: the question, its score, its time estimate and why it is there."""

    question: Question
    score: float
    estimate_s: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Batch:
    """Today's batch and what was left out."""

    items: tuple[BatchItem, ...]
    budget_s: int
    left_out: tuple[tuple[BatchItem, str], ...] = ()

    @property
    def estimate_s(self) -> int:
        """Estimated total time of the batch."""
        return sum(item.estimate_s for item in self.items)


def candidates(
    questions: Iterable[Question], latest: Mapping[str, Action], now: datetime, day_start: datetime
) -> list[Question]:
    """Questions that still deserve a look: not handled, not snoozed, not skipped today."""
    found = []
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            continue
        seen.add(question.id)
        if now - question.created_at > MAX_AGE:
            continue
        action = latest.get(question.id)
        if action is not None:
            if action.disposition is Disposition.SNOOZED:
                if action.until is not None and action.until > now:
                    continue
            elif action.disposition is Disposition.SKIPPED:
                if action.at >= day_start:
                    continue
            else:
                continue  # answered, tagged or handed off
        found.append(question)
    return found


def rank(questions: Iterable[Question], now: datetime) -> list[BatchItem]:
    """Every question scored and estimated, best first (ties broken by age, then id)."""
    items = []
    for question in questions:
        score = score_question(question, now)
        items.append(
            BatchItem(
                question=question,
                score=score.value,
                estimate_s=estimate_seconds(question),
                reasons=score.reasons,
            )
        )
    items.sort(key=lambda i: (-i.score, i.question.created_at, i.question.id))
    return items


def pack(ranked: list[BatchItem], budget_s: int) -> Batch:
    """Take the best questions that fit the budget less the reserve."""
    capacity = int(budget_s * (1 - RESERVE))
    chosen: list[BatchItem] = []
    left_out: list[tuple[BatchItem, str]] = []
    used = 0
    for item in ranked:
        if used + item.estimate_s <= capacity:
            chosen.append(item)
            used += item.estimate_s
        else:
            left_out.append((item, "does not fit the time left" if chosen else "too long"))
    return Batch(items=tuple(chosen), budget_s=budget_s, left_out=tuple(left_out))


def curate(
    questions: Iterable[Question],
    latest: Mapping[str, Action],
    now: datetime,
    day_start: datetime,
    budget_s: int,
) -> Batch:
    """Today's batch from the stored questions and the leader's past actions."""
    return pack(rank(candidates(questions, latest, now, day_start), now), budget_s)

"""What curation hands back: the batch, each pick with its reasons, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from cxdaily.core.models import Question

#: Why the candidates below the shortlist are left out.
LOWER_VALUE = "lower value per minute than those listed"


@dataclass(frozen=True)
class BatchItem:
    """One question with its score, its time estimate, why it matters and its group."""

    question: Question
    score: float
    """Value of the question: 1 plus the weighted signals (higher matters more)."""
    estimate_s: int
    """Seconds to read and answer it (for a near-duplicate after the first: the follow-up)."""
    reasons: tuple[str, ...]
    """Why it is there, most important first ("waiting 26 h", "VIP", "keyword: refund")."""
    group: tuple[str, ...] = ()
    """Ids of the other questions that ask the same thing (its near-duplicates)."""
    urgent: bool = False
    """VIP, urgent priority, past the SLA, or frustrated: goes first in a session."""


class LeftOut(NamedTuple):
    """A candidate that did not make the batch, and why (unpacks as ``item, reason``)."""

    item: BatchItem
    reason: str


@dataclass(frozen=True)
class Batch:
    """Today's batch in session order, what was left out, and what was never a candidate."""

    items: tuple[BatchItem, ...]
    budget_s: int
    left_out: tuple[LeftOut, ...] = ()
    """Candidates not picked, most valuable first, each with its reason."""
    excluded: tuple[tuple[str, int], ...] = ()
    """Questions filtered out before scoring, counted by reason ("answered by the team")."""
    reserve_s: int = 0
    """Part of the budget kept free."""
    unlisted: int = 0
    """Candidates left out and not listed: below the shortlist, lower value per second
    than every listed question."""

    @property
    def estimate_s(self) -> int:
        """Estimated total time of the batch."""
        return sum(item.estimate_s for item in self.items)

    def left_out_counts(self) -> list[tuple[str, int]]:
        """How many candidates were left out for each reason, commonest first."""
        counts: dict[str, int] = {}
        for entry in self.left_out:
            key = entry.reason.split(":", 1)[0]
            counts[key] = counts.get(key, 0) + 1
        if self.unlisted:
            counts[LOWER_VALUE] = counts.get(LOWER_VALUE, 0) + self.unlisted
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

"""Score a question from explainable signals; each signal that fires gives a reason.

Pure functions of the question and ``now``. The weights are deliberately simple and
visible; every pick can be explained in a few words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from cxdaily.models import Question

NEGATIVE_WORDS = frozenset(
    [
        "angry",
        "annoyed",
        "awful",
        "bad",
        "broken",
        "bug",
        "crash",
        "crashes",
        "crashed",
        "disappointed",
        "disappointing",
        "frustrated",
        "frustrating",
        "furious",
        "horrible",
        "terrible",
        "unacceptable",
        "useless",
        "worst",
        "wrong",
        "ridiculous",
        "fail",
        "fails",
        "failed",
        "failing",
        "error",
        "errors",
        "lost",
        "missing",
        "slow",
        "stuck",
        "hate",
        "unusable",
        "waste",
        "scam",
        "never",
        "nobody",
        "ignored",
    ]
)
WATCH_KEYWORDS = (
    "cancel",
    "refund",
    "lawyer",
    "legal",
    "chargeback",
    "switching to",
    "broken",
    "data loss",
    "gdpr",
    "outage",
)
_ASKING = re.compile(
    r"\?|\b(how|why|when|what|where|can you|could you|is there|please|help|any update|"
    r"wie|warum|pourquoi|comment|cómo|por qué|ayuda)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Score:
    """A question's score and the reasons behind it, most important first."""

    value: float
    reasons: tuple[str, ...]


def humanize_count(n: int) -> str:
    """12400 -> '12k', 1_500_000 -> '1.5M'."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if n >= 1000:
        return (
            f"{n / 1000:.0f}k" if n >= 10_000 else f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "k"
        )
    return str(n)


def humanize_age(hours: float) -> str:
    """Waiting time in words: '45 min', '26 h', '3 days'."""
    if hours < 1:
        return f"{max(int(hours * 60), 1)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"


def score_question(question: Question, now: datetime) -> Score:
    """Score one question; higher deserves the leader's eyes more."""
    text = f"{question.title or ''}\n{question.body}"
    lowered = text.lower()
    weighted: list[tuple[float, str]] = []

    hours = max((now - question.created_at).total_seconds() / 3600, 0.0)
    waiting = min(hours / 12, 4.0)  # grows for two days, then holds
    if hours >= 4:
        weighted.append((waiting, f"waiting {humanize_age(hours)}"))

    if question.meta.get("vip"):
        weighted.append((4.0, "VIP"))

    words = _WORD.findall(lowered[:20_000])
    negatives = sum(1 for w in words if w in NEGATIVE_WORDS)
    rating = question.meta.get("rating")
    if isinstance(rating, int | float) and rating <= 2:
        weighted.append((2.5, f"{int(rating)}-star review"))
    elif negatives >= 2 or (negatives == 1 and len(words) < 40):
        weighted.append((min(1.0 + 0.5 * negatives, 3.0), "negative"))

    for keyword in WATCH_KEYWORDS:
        if keyword in lowered:
            weighted.append((2.0, f"keyword: {keyword}"))
            break

    followers = question.author.followers or 0
    if followers >= 1000:
        weighted.append(
            (min(math.log10(followers) - 2, 3.0), f"{humanize_count(followers)} followers")
        )

    if question.meta.get("priority") in ("high", "urgent"):
        weighted.append((1.5, f"{question.meta['priority']} priority"))

    asks = bool(_ASKING.search(text[:20_000]))
    if asks:
        weighted.append((1.0, "asks a question"))
    if question.context:
        weighted.append((0.5, f"thread of {len(question.context) + 1}"))

    value = 1.0 + sum(w for w, _ in weighted)
    if not asks and not question.context:
        value *= 0.5  # a passing mention matters less than someone waiting for an answer
    reasons = tuple(r for _, r in sorted(weighted, key=lambda wr: -wr[0]))
    if not reasons:
        reasons = (f"new, {humanize_age(hours)} ago",)
    return Score(value=round(value, 3), reasons=reasons)

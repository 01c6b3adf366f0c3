"""The vocabulary of insights: default tags, areas, teams and sentiments, and a simple
offline sentiment suggestion the leader can correct."""

from __future__ import annotations

import re

DEFAULT_TAGS = (
    "bug",
    "feature request",
    "pricing",
    "billing",
    "onboarding",
    "performance",
    "docs",
    "praise",
    "churn risk",
    "integration",
    "privacy",
    "mobile",
    "ux",
    "data export",
)
AREAS = ("product", "customer service", "engineering", "logistics", "communications")
TEAMS = ("product", "marketing", "sales", "support", "engineering")
SENTIMENTS = ("negative", "neutral", "positive")
IMPORTANCE = (1, 2, 3)

_POSITIVE = frozenset(
    [
        "love",
        "loved",
        "lovely",
        "great",
        "awesome",
        "amazing",
        "thanks",
        "thank",
        "fantastic",
        "excellent",
        "brilliant",
        "perfect",
        "happy",
        "glad",
        "helpful",
        "impressed",
        "nice",
        "cool",
        "wonderful",
        "super",
        "best",
        "favourite",
        "favorite",
        "kudos",
        "danke",
        "gracias",
        "merci",
    ]
)
_NEGATIVE = frozenset(
    [
        "angry",
        "annoyed",
        "awful",
        "bad",
        "broken",
        "bug",
        "crash",
        "crashes",
        "disappointed",
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
        "failed",
        "error",
        "lost",
        "missing",
        "slow",
        "stuck",
        "hate",
        "unusable",
        "waste",
        "cancel",
        "refund",
        "lawyer",
        "never",
        "ignored",
        "unhappy",
        "problem",
        "issue",
        "issues",
    ]
)
_WORD = re.compile(r"[a-zäöüéèáíóúñ']+")


def suggest_sentiment(text: str) -> str:
    """Suggest ``negative``, ``neutral`` or ``positive`` from word counts (no network)."""
    words = _WORD.findall(text.lower()[:20_000])
    balance = sum(w in _POSITIVE for w in words) - sum(w in _NEGATIVE for w in words)
    if balance > 0:
        return "positive"
    if balance < 0:
        return "negative"
    return "neutral"

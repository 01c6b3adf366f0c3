"""Estimate how long a question takes to read and answer, in seconds."""

from __future__ import annotations

from cxdaily.models import Question

READ_WORDS_PER_MINUTE = 230
BASE_ANSWER_S = 75
MIN_ESTIMATE_S = 45
MAX_ESTIMATE_S = 8 * 60


def estimate_seconds(question: Question) -> int:
    """Seconds to read the question and its thread, then write a short answer."""
    words = len(question.body.split()) + len((question.title or "").split())
    words += sum(len(m.body.split()) for m in question.context)
    reading = words / READ_WORDS_PER_MINUTE * 60
    answering = BASE_ANSWER_S + min(len(question.body) / 20, 120)
    return int(min(max(reading + answering, MIN_ESTIMATE_S), MAX_ESTIMATE_S))

"""Estimate how long a question takes to read and answer, and calibrate from history.

The first guess comes from the text to read (title, body and thread), the channel (a
post on X is answered in a line, a help-desk ticket in a paragraph) and how many
questions it asks. Once the leader has sessions behind them, :class:`Calibration`
scales the guess by how long they really took per item, per source when there is
enough history for that source, else overall.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from cxdaily.core.models import Question
from cxdaily.curation.sources import segment_of
from cxdaily.curation.text import head_of

READ_CHARS_PER_S = 20.0  # about 200 words a minute
MIN_ESTIMATE_S = 45
MAX_ESTIMATE_S = 8 * 60
#: Seconds to write a first answer, by segment.
ANSWER_S = {
    "social": 50.0,
    "reviews": 50.0,
    "community": 80.0,
    "help desk": 90.0,
    "email": 90.0,
}
DEFAULT_ANSWER_S = 75.0
EXTRA_QUESTION_S = 15.0
THREAD_MESSAGE_S = 10.0
#: A near-duplicate after the first of its group takes this share of its estimate.
FOLLOW_UP_SHARE = 0.6
#: Samples needed before history changes an estimate.
MIN_SAMPLES = 3
_FACTOR_RANGE = (0.4, 3.0)


def base_estimate(chars: int, segment: str, asks: int, thread: int) -> float:
    """Seconds before calibration: reading plus answering."""
    writing = chars / 25
    answering = ANSWER_S.get(segment, DEFAULT_ANSWER_S) + (writing if writing < 120 else 120.0)
    if asks > 1:
        answering += EXTRA_QUESTION_S * (asks - 1)
    if thread:
        answering += THREAD_MESSAGE_S * (thread if thread < 6 else 6)
    return chars / READ_CHARS_PER_S + answering


def bounded(seconds: float) -> int:
    """An estimate within [MIN_ESTIMATE_S, MAX_ESTIMATE_S], in whole seconds."""
    return int(min(max(seconds, MIN_ESTIMATE_S), MAX_ESTIMATE_S))


def follow_up_estimate(estimate_s: int) -> int:
    """The estimate of a near-duplicate answered right after its group's first question."""
    return bounded(estimate_s * FOLLOW_UP_SHARE)


def raw_estimate(question: Question) -> float:
    """The uncalibrated estimate of a question, in seconds (not bounded)."""
    title = question.title or ""
    chars = len(title) + len(question.body) + sum(len(m.body) for m in question.context)
    head = head_of(question)
    asks = min(head.count("?") + head.count("\uff1f"), 5)  # as the text reader counts them
    return base_estimate(chars, segment_of(question), asks, len(question.context))


def estimate_seconds(question: Question, factor: float = 1.0) -> int:
    """Seconds to read the question and its thread, then write a short answer."""
    return bounded(raw_estimate(question) * factor)


class Calibration(msgspec.Struct, frozen=True):
    """How the leader's real time per item compares with the first guess."""

    overall: float = 1.0
    """Factor for every source without enough history of its own."""
    by_source: Mapping[str, float] = msgspec.field(default_factory=dict)
    """Factor per source with enough history."""
    samples: int = 0
    """Timed items behind the factors."""

    def factor(self, source: str) -> float:
        """The factor for a source."""
        return self.by_source.get(source, self.overall)


def _shrunk(ratios: list[float], prior: float) -> float:
    """Median ratio pulled towards ``prior`` while the samples are few, kept in range."""
    import statistics  # only with a calibrated history (it loads decimal and fractions)

    n = len(ratios)
    median = statistics.median(ratios)
    blended = prior + (median - prior) * n / (n + 5)
    low, high = _FACTOR_RANGE
    return round(min(max(blended, low), high), 3)


def calibrate(samples: Iterable[tuple[str, float, float]]) -> Calibration:
    """A calibration from ``(source, seconds taken, first-guess seconds)`` samples."""
    ratios: dict[str, list[float]] = {}
    everything: list[float] = []
    for source, taken, guessed in samples:
        if guessed <= 0 or taken <= 0:
            continue
        ratio = taken / guessed
        ratios.setdefault(source, []).append(ratio)
        everything.append(ratio)
    if len(everything) < MIN_SAMPLES:
        return Calibration(samples=len(everything))
    overall = _shrunk(everything, 1.0)
    by_source = {
        source: _shrunk(values, overall)
        for source, values in sorted(ratios.items())
        if len(values) >= MIN_SAMPLES
    }
    return Calibration(overall=overall, by_source=by_source, samples=len(everything))

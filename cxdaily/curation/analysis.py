"""A question's text analysis as curation keeps it: what its text says whatever the
config (:class:`TextAnalysis`, made by :func:`cxdaily.curation.text.analyse` when the
question is stored), and the compact, versioned record kept with the stored question.

Apart from :mod:`cxdaily.curation.text` so that reading a kept analysis loads none of
the text analysis itself (its word lists and sentiment scorer).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

#: The version of :func:`cxdaily.curation.text.analyse`: a stored analysis of another
#: version is made again.
ANALYSIS_VERSION = 1


class TextAnalysis(NamedTuple):
    """What a question's text says whatever the config: made once, when it is stored."""

    sentiment: float
    """As :attr:`cxdaily.curation.text.TextFeatures.sentiment`."""
    frustrated: bool
    """As :attr:`cxdaily.curation.text.TextFeatures.frustrated`."""
    asks: int
    """As :attr:`cxdaily.curation.text.TextFeatures.asks`."""
    requests: bool
    """As :attr:`cxdaily.curation.text.TextFeatures.requests`."""
    chars: int
    """As :attr:`cxdaily.curation.text.TextFeatures.chars`."""
    words: str
    """The distinct words of the head that are not stop words, single characters or
    small numbers, space-separated: those a watch keyword can be matched against."""
    must_see: tuple[str, ...]
    """The must-see kinds its words show (:func:`cxdaily.curation.must_see.text_must_see`)."""


#: The analysis of a question whose text features were read already (nothing in it is
#: read again).
UNREAD = TextAnalysis(0.0, False, 0, False, 0, "", ())


def analysis_record(analysis: TextAnalysis) -> list[object]:
    """The compact form kept with a stored question: ``[version, sentiment, frustrated,
    asks, requests, chars, words, must_see]`` (a sentiment of 0 is written as ``0``)."""
    sentiment = analysis.sentiment or 0
    return [ANALYSIS_VERSION, sentiment, *analysis[1:6], list(analysis.must_see)]


def read_analysis_record(record: object) -> TextAnalysis | None:
    """The analysis in a stored record (:func:`analysis_record`), or ``None`` when it is
    missing, of another version or of the wrong shape (then it is made again)."""
    if type(record) is not list or len(record) != 8 or record[0] != ANALYSIS_VERSION:
        return None
    _, sentiment, frustrated, asks, requests, chars, words, must_see = record
    if (
        type(sentiment) not in (float, int)
        or type(frustrated) is not bool
        or type(asks) is not int
        or type(requests) is not bool
        or type(chars) is not int
        or type(words) is not str
        or type(must_see) is not list
        or (must_see and not all(type(kind) is str for kind in must_see))
    ):
        return None
    return _analysis((float(sentiment), frustrated, asks, requests, chars, words, tuple(must_see)))


_analysis = partial(tuple.__new__, TextAnalysis)  # skips the Python-level __new__

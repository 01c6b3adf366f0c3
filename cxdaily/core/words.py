"""Small words every surface shares: counts with their noun, ages, big numbers.

Plain strings (no markup): the app styles them, the command line prints them.
"""

from __future__ import annotations

from datetime import datetime

from cxdaily.core.patterns import lazy_compile


def plural(count: int, word: str, many: str | None = None) -> str:
    """The count with its noun: ``1 day``, ``0 days``, ``2 replies`` (``many`` for an
    irregular plural; otherwise an ``s`` is added)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def about_minutes(seconds: float, *, least: int = 1) -> int:
    """Whole minutes, rounded to the nearest (half a minute up), at least ``least``: each
    question's estimate and the batch's total are read the same way, so the parts add
    up to about the whole (each rounded down, eleven questions lost six minutes)."""
    return max(int(seconds / 60 + 0.5), least)


def humanize_age(hours: float) -> str:
    """A time span in words: ``45 min``, ``26 h``, ``3 days`` (at least ``1 min``)."""
    if hours < 1:
        return f"{max(int(hours * 60), 1)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"


def ago(then: datetime, now: datetime) -> str:
    """How long ago ``then`` was: ``just now`` (under a minute, or in the future),
    ``5 min ago``, ``26 h ago``, ``3 days ago``."""
    hours = (now - then).total_seconds() / 3600
    if hours < 1 / 60:
        return "just now"
    return f"{humanize_age(hours)} ago"


def humanize_count(n: int) -> str:
    """A reach figure: ``950``, ``1.2k``, ``12k``, ``1.5M``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if n >= 1000:
        return (
            f"{n / 1000:.0f}k" if n >= 10_000 else f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "k"
        )
    return str(n)


_SENTENCE_END = lazy_compile(r"[.!?…。！？](?:[\"'”’)\]]*)(?=\s|$)")
_NOT_AN_END = lazy_compile(
    r"(?:^|[\s(\"'“‘])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sr|Jr|St|Mt|Messrs|vs|e\.g|i\.e|approx|"
    r"Inc|Ltd|Corp|Fig|[A-Z])\.$"
)
"""A period after a title, an abbreviation or an initial (``Dr.``, ``e.g.``, ``J.``): a
sentence goes on after it."""

QUOTE_CHARS = 600
"""Longest quote taken from a question by default: a few whole sentences."""


def _one_spaced(text: str) -> bool:
    """Whether ``text`` is one line of single spaces already (then splitting it at white
    space and joining it again gives it back): printable text holds no white space but the
    plain space."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def whole_sentences(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut only where a sentence ends (with an ellipsis) when it is
    longer than ``limit``; a first sentence longer than that is cut at a word, never
    inside one. A period after a title, a common abbreviation or an initial ends no
    sentence ("Dr. Alan Mercer", "e.g. the export", "Catherine D. wrote")."""
    flat = text if _one_spaced(text) else " ".join(text.split())
    if len(flat) <= limit:
        return flat
    ends = [
        m.end()
        for m in _SENTENCE_END.finditer(flat, 0, limit + 1)
        if m.end() <= limit and not _NOT_AN_END.search(flat, max(m.start() - 12, 0), m.end())
    ]
    if ends:
        return flat[: ends[-1]].rstrip() + " …"
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > 0 else limit].rstrip(" ,;:-") + "…"

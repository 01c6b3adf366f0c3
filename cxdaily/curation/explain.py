"""Words for what curation did: what was left out and why, in one line or a few.

Shared by the command line and the app. Only reason kinds and counts go into these
lines; customer text (titles, names) is for the caller to add through its own safe path.
"""

from __future__ import annotations

from cxdaily.curation.batch import LOWER_VALUE, Batch, LeftOut

#: How each kind of left-out reason is counted in a summary.
_KIND_WORDS = {
    "does not fit the time left": ("does not fit the time left", "do not fit the time left"),
    "too long": ("is too long for the budget", "are too long for the budget"),
    "near-duplicate": ("is a near-duplicate of a pick", "are near-duplicates of picks"),
    "channel share": (
        "was held back by the channel share",
        "were held back by the channel share",
    ),
    LOWER_VALUE: (LOWER_VALUE, LOWER_VALUE),
}


def _counted(kind: str, count: int) -> str:
    one, many = _KIND_WORDS.get(kind, (kind, kind))
    return f"{count} {one if count == 1 else many}"


def left_out_summary(batch: Batch) -> str:
    """'70 do not fit the time left, 2 are near-duplicates of picks' ('' when none)."""
    return ", ".join(_counted(kind, count) for kind, count in batch.left_out_counts())


def excluded_summary(batch: Batch) -> str:
    """'3 answered by the team, 12 older than 14d, 2 snoozed' ('' when none)."""
    return ", ".join(f"{count} {why}" for why, count in batch.excluded)


def most_valuable_left_out(batch: Batch, limit: int = 10) -> list[LeftOut]:
    """The left-out questions that were worth the most, with their reasons."""
    return list(batch.left_out[:limit])


def group_note(group: tuple[str, ...], limit: int = 3) -> str:
    """'also asked in demo:a, demo:b and 2 more' ('' for a question alone)."""
    if not group:
        return ""
    shown = ", ".join(group[:limit])
    more = len(group) - limit
    return f"also asked in {shown}" + (f" and {more} more" if more > 0 else "")

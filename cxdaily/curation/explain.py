"""Words for what curation did: what was left out and why, in one line or a few; and
the names of the kinds of question the leader must see whatever the budget (found by
:mod:`cxdaily.curation.must_see`).

Shared by the command line and the app. Only reason kinds and counts go into these
lines; customer text (titles, names) is for the caller to add through its own safe path.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxdaily.core.words import plural
from cxdaily.curation.batch import LOWER_VALUE, NEAR_DUPLICATE, Batch, BatchItem, LeftOut

VIP, DATA_LOSS, SECURITY, LEGAL, CHURN = "VIP", "data loss", "security", "legal", "churn"
#: The kinds of must-see question, in the order they are named.
MUST_SEE_KINDS = (VIP, DATA_LOSS, SECURITY, LEGAL, CHURN)
#: Each kind as it reads before "question": "1 data-loss question".
_KIND_ADJECTIVES = {DATA_LOSS: "data-loss", CHURN: "churn-risk"}


def shown_reasons(item: BatchItem) -> tuple[str, ...]:
    """A pick's reasons, led by what makes it must-see when they do not say it already
    ("data loss", then "1-star review", ...)."""
    return (*(kind for kind in item.must_see if kind not in item.reasons), *item.reasons)


def must_see_label(item: BatchItem) -> str:
    """'VIP', 'VIP · data loss' ('' for a question that is not must-see)."""
    return " · ".join(item.must_see)


def _kind_words(kind: str) -> str:
    return _KIND_ADJECTIVES.get(kind, kind)


def must_see_words(entries: Iterable[LeftOut], counts: bool = True) -> str:
    """'1 VIP question'; '3 must-see questions (2 VIP, 1 data loss)', or without the
    ``counts`` '3 must-see questions' ('' for none)."""
    kinds = dict.fromkeys(MUST_SEE_KINDS, 0)
    for entry in entries:
        kinds[entry.item.must_see[0]] += 1
    found = {kind: n for kind, n in kinds.items() if n}
    total = sum(found.values())
    if len(found) == 1:
        return plural(total, f"{_kind_words(next(iter(found)))} question")
    if not total:
        return ""
    words = plural(total, "must-see question")
    return f"{words} ({', '.join(f'{n} {kind}' for kind, n in found.items())})" if counts else words


def must_see_summary(batch: Batch) -> str:
    """'1 VIP question does not fit today's 10 minutes'; '3 must-see questions do not
    fit today's 30 minutes' ('' when every one is in)."""
    missing = batch.must_see_left_out
    if not missing:
        return ""
    minutes = plural(batch.budget_s // 60, "minute")
    verb = "does not fit" if len(missing) == 1 else "do not fit"
    return f"{must_see_words(missing, counts=False)} {verb} today's {minutes}"


def must_see_extra_s(batch: Batch) -> int:
    """Seconds the must-see questions left out add to the session (whole minutes, as
    :meth:`~cxdaily.curation.batch.Batch.with_must_see` adds them)."""
    return batch.with_must_see().budget_s - batch.budget_s


def budget_with_must_see(batch: Batch) -> int:
    """A budget, in whole minutes' seconds, whose batch has room for every must-see
    question (those in this batch and those left out), the reserve kept."""
    extra_s = must_see_extra_s(batch)
    must_see_s = sum(i.estimate_s for i in batch.items if i.must_see) + extra_s
    free = 1 - batch.reserve_s / batch.budget_s if batch.budget_s else 1.0
    needed = max(must_see_s / max(free, 0.5), batch.budget_s + extra_s)
    return (int(needed) // 60 + 1) * 60


#: How each kind of left-out reason is counted in a summary.
_KIND_WORDS = {
    "does not fit the time left": ("does not fit the time left", "do not fit the time left"),
    "too long": ("is too long for the budget", "are too long for the budget"),
    NEAR_DUPLICATE: ("is a near-duplicate of a pick", "are near-duplicates of picks"),
    "channel share": (
        "was held back by the channel share",
        "were held back by the channel share",
    ),
    LOWER_VALUE: (LOWER_VALUE, LOWER_VALUE),
    "passing mention": (
        "is praise or a passing mention, kept for time no question needs",
        "are praise or passing mentions, kept for time no question needs",
    ),
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

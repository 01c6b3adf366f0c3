"""Near-duplicate groups in a session: name the group, and tag the group once.

When the leader tags a question that has near-duplicates, the same insight (tags, team,
sentiment, importance, summary, note) is saved for each of them: those in the session
are marked tagged, and those curation left out of it (as near-duplicates of the pick)
are tagged too, so the digest counts every customer who asked. The quote is not copied:
it is one customer's own words, and the digest shows it under that customer's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from msgspec.structs import replace

from cxdaily.core.errors import CxDailyError
from cxdaily.ui.question_parts import channel_label

if TYPE_CHECKING:
    from cxdaily.core.models import InsightEntry, Question
    from cxdaily.curation import BatchItem
    from cxdaily.service import Service

TAGGED = ("tagged", "answered+tagged")


def group_labels(
    items: Sequence[BatchItem],
    item: BatchItem,
    lookup: Callable[[str], Question] | None = None,
) -> list[str]:
    """Names of an item's near-duplicates, all alike: 'Jonas (Zendesk · demo)', from the
    session or, for one outside it, the stored question (``lookup``); one that cannot be
    read is 'a customer (CHANNEL)', never a raw id."""
    known = {other.question.id: other.question for other in items}
    labels = []
    for question_id in item.group:
        question = known.get(question_id)
        if question is None and lookup is not None:
            try:
                question = lookup(question_id)
            except CxDailyError:
                question = None
        if question is None:
            channel = question_id.split(":", 1)[0] if ":" in question_id else ""
            labels.append(f"a customer ({channel})" if channel else "a customer")
        else:
            labels.append(f"{question.author.display} ({channel_label(question)})")
    return labels


def near_duplicates(
    items: Sequence[BatchItem], statuses: Mapping[str, str], item: BatchItem
) -> list[BatchItem]:
    """The item's near-duplicates in the session that are not tagged yet."""
    return [
        other
        for other in items
        if other.question.id in item.group and statuses.get(other.question.id, "") not in TAGGED
    ]


def outside_the_session(items: Sequence[BatchItem], item: BatchItem) -> list[str]:
    """Ids of the item's near-duplicates that are not in the session (curation left them
    out as near-duplicates of a pick)."""
    in_session = {other.question.id for other in items}
    return [question_id for question_id in item.group if question_id not in in_session]


def tag_near_duplicates(
    service: Service, members: Sequence[BatchItem], entry: InsightEntry, session_id: str
) -> tuple[list[BatchItem], list[CxDailyError]]:
    """Save the insight (without the quote) for each member; (tagged, errors)."""
    tagged = tag_questions(service, [m.question.id for m in members], entry, session_id)
    done = set(tagged[0])
    return [m for m in members if m.question.id in done], tagged[1]


def tag_questions(
    service: Service, question_ids: Sequence[str], entry: InsightEntry, session_id: str
) -> tuple[list[str], list[CxDailyError]]:
    """Save the insight (without the quote) for each question; (ids tagged, errors)."""
    tagged: list[str] = []
    errors: list[CxDailyError] = []
    without_quote = replace(entry, quote="")
    for question_id in question_ids:
        try:
            service.tag(question_id, without_quote, session_id)
        except CxDailyError as exc:
            errors.append(exc)
            continue
        tagged.append(question_id)
    return tagged, errors

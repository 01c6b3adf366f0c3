"""Near-duplicate groups in a session: name the group, and tag the group once.

When the leader tags a question that has near-duplicates in the session, the same
insight (tags, team, sentiment, importance, summary, note) is saved for each of them and
they are marked tagged. The quote is not copied: it is one customer's own words, and the
digest shows it under that customer's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cxdaily.core.errors import CxDailyError
from cxdaily.ui.widgets.question_view import channel_label

if TYPE_CHECKING:
    from cxdaily.curation import BatchItem
    from cxdaily.ui.modals.tag import TagResult
    from cxdaily.ui.screens.session import SessionScreen

TAGGED = ("tagged", "answered+tagged")


def group_labels(items: Sequence[BatchItem], item: BatchItem) -> list[str]:
    """Names of an item's near-duplicates: 'Jonas (Zendesk · demo)' when in the session,
    else the question id."""
    known = {other.question.id: other.question for other in items}
    labels = []
    for question_id in item.group:
        question = known.get(question_id)
        if question is None:
            labels.append(question_id)
        else:
            labels.append(f"{question.author.display} ({channel_label(question)})")
    return labels


def tag_group(screen: SessionScreen, item: BatchItem, result: TagResult) -> int:
    """Save the insight for the item's near-duplicates in the session; how many were."""
    service = screen.app.service
    members = [
        other
        for other in screen.items
        if other.question.id in item.group
        and screen.statuses.get(other.question.id, "") not in TAGGED
    ]
    tagged = 0
    for member in members:
        try:
            service.tag(
                member.question.id,
                tags=result.tags,
                team=result.team,
                sentiment=result.sentiment,
                importance=result.importance,
                summary=result.summary,
                quote="",
                note=result.note or None,
                session_id=screen.session.id,
            )
        except CxDailyError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            continue
        screen.record_status(member, "tagged")
        tagged += 1
    if tagged:
        others = "question" if tagged == 1 else "questions"
        screen.notify(f"Same insight saved for {tagged} near-duplicate {others} in this session.")
    return tagged

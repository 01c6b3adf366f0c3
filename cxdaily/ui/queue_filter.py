"""What the session's queue shows: every question, or those a filter and a search keep.

A filter picks one channel, one tag given in this session, or one state (open,
answered, tagged, skipped, snoozed, handed off, drafted); a search keeps the questions
whose text, customer or channel holds every word typed (the rule of
:mod:`cxdaily.service.search`). Both apply together.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import msgspec

from cxdaily.core.words import plural
from cxdaily.curation import BatchItem
from cxdaily.service.search import question_matches

#: The states a filter can pick, in the order the filter list shows them: (name, the
#: statuses of the session that are in it). "drafted" is a saved draft, not a status.
STATES: tuple[tuple[str, frozenset[str]], ...] = (
    ("open", frozenset({""})),
    ("answered", frozenset({"answered", "answered+tagged"})),
    ("tagged", frozenset({"tagged", "answered+tagged"})),
    ("skipped", frozenset({"skipped"})),
    ("snoozed", frozenset({"snoozed"})),
    ("handed off", frozenset({"handed_off"})),
    ("drafted", frozenset()),
)
_STATE_STATUSES = dict(STATES)


class QueueFilter(msgspec.Struct, frozen=True):
    """One filter: ``kind`` is "channel", "tag" or "state"; ``value`` what it keeps."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        """'channel demo', 'tag billing', 'answered'."""
        return self.value if self.kind == "state" else f"{self.kind} {self.value}"


@dataclass
class QueueState:
    """What the session knows about its questions that a filter looks at."""

    statuses: Mapping[str, str]
    """Question id -> what was done with it ("" or absent: open)."""
    tags: Mapping[str, Collection[str]]
    """Question id -> the tags given to it in this session."""
    drafted: Collection[str]
    """Ids of the questions with a saved draft."""


def keeps(queue_filter: QueueFilter | None, item: BatchItem, state: QueueState) -> bool:
    """Whether ``queue_filter`` keeps ``item`` (no filter keeps everything)."""
    if queue_filter is None:
        return True
    question_id = item.question.id
    if queue_filter.kind == "channel":
        return item.question.channel == queue_filter.value
    if queue_filter.kind == "tag":
        return queue_filter.value in state.tags.get(question_id, ())
    if queue_filter.value == "drafted":
        return question_id in state.drafted
    return state.statuses.get(question_id, "") in _STATE_STATUSES.get(queue_filter.value, ())


def shown_items(
    items: list[BatchItem],
    state: QueueState,
    queue_filter: QueueFilter | None = None,
    terms: tuple[str, ...] = (),
) -> list[BatchItem]:
    """The items the queue lists, in session order."""
    return [
        item
        for item in items
        if keeps(queue_filter, item, state) and question_matches(item.question, terms)
    ]


def filter_choices(items: list[BatchItem], state: QueueState) -> list[tuple[QueueFilter, int]]:
    """Every filter worth offering with how many questions it keeps: each state, each
    channel of the session, each tag given in it (none that keeps nothing, except the
    states, which always show)."""
    choices: list[tuple[QueueFilter, int]] = []

    def add(queue_filter: QueueFilter, always: bool = False) -> None:
        count = sum(keeps(queue_filter, item, state) for item in items)
        if count or always:
            choices.append((queue_filter, count))

    for name, _ in STATES:
        add(QueueFilter("state", name), always=True)
    for channel in dict.fromkeys(item.question.channel for item in items):
        add(QueueFilter("channel", channel))
    given = {tag for tags in state.tags.values() for tag in tags}
    for tag in sorted(given, key=str.casefold):
        add(QueueFilter("tag", tag))
    return choices


def queue_heading(total: int, shown: int, queue_filter: QueueFilter | None, search: str) -> str:
    """The queue's header: '12 questions', or 'answered 3/12' under a filter or a
    search."""
    if queue_filter is None and not search.strip():
        return plural(total, "question")
    parts = []
    if queue_filter is not None:
        parts.append(queue_filter.label)
    if search.strip():
        parts.append(f'"{search.strip()}"')
    return f"{' · '.join(parts)} {shown}/{total}"

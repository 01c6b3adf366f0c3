"""The customer's history: their questions on every channel, and what was done with them.

:class:`CustomerIndex` holds one small :class:`QuestionEntry` per stored question (its
identity keys, a short excerpt, not the whole text), an inverted map from identity key
to questions, and the replies, insights and hand-offs of each question. It is updated
record by record as the store changes (see :mod:`cxdaily.service.history`), never
rebuilt.

A customer is found from one question by walking what joins questions: a shared
identity key (:mod:`cxdaily.history.identity`) or a link the leader confirmed
(:mod:`cxdaily.history.links`), as far as it goes. The walk visits only the customer's
own questions, so a look-up costs what their history holds, not what the store holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

from cxdaily.core.models import Action, Disposition, Insight, Question, Reply
from cxdaily.core.safe_text import one_line
from cxdaily.core.services import service_name
from cxdaily.curation.text import PREFIX_CHARS, TITLE_CHARS, own_words
from cxdaily.history.identity import (
    EMAIL,
    HANDLE,
    IdentityKey,
    describe,
    identity_keys,
    organisation_hint,
    service_of,
)
from cxdaily.history.links import CustomerLink, LinkGroups
from cxdaily.history.records import (
    CustomerHistory,
    CustomerProfile,
    Identity,
    LinkShown,
    Organisation,
    PastHandOff,
    PastInsight,
    PastQuestion,
    PastReply,
)

T = TypeVar("T")

#: Characters of a question's body shown as its excerpt.
EXCERPT_CHARS = 240
#: Characters of a question's body its earlier-answer terms are read from.
TEXT_CHARS = 2 * PREFIX_CHARS
#: Most questions one customer walk visits (a guard against a key shared by a crowd).
MAX_CUSTOMER_QUESTIONS = 5000
#: Questions of the history shown by default, newest first.
HISTORY_LIMIT = 50
_KIND_ORDER = {EMAIL: 0, HANDLE: 1}
#: The fields of a :class:`PastQuestion` shown as its question's entry holds them.
_SHOWN_AS_STORED = ("id", "channel", "service", "created_at", "title", "excerpt", "url", "author")


class QuestionEntry(msgspec.Struct, frozen=True):
    """What the history keeps of one stored question."""

    id: str
    channel: str
    service: str
    thread_id: str
    created_at: datetime
    title: str | None
    excerpt: str
    url: str | None
    author: str
    """How the author appeared: handle, else name, else ``unknown``."""
    author_name: str | None
    keys: tuple[IdentityKey, ...]
    vip: bool
    organisation: str | None
    """The organisation the channel names (a help desk's ``meta["organization"]``)."""
    text: str
    """Title and the start of the body in the customer's own words (for earlier answers)."""


def entry_of(question: Question, is_vip: Callable[[Question], bool]) -> QuestionEntry:
    """The entry of a stored question (``is_vip``: curation's VIP rule)."""
    organisation = question.meta.get("organization")
    title = question.title
    own = own_words(question.body[:TEXT_CHARS])
    return QuestionEntry(
        id=question.id,
        channel=question.channel,
        service=service_of(question),
        thread_id=question.thread_id,
        created_at=question.created_at,
        title=one_line(title, TITLE_CHARS) if title else None,
        excerpt=one_line(question.body, EXCERPT_CHARS),
        url=question.url,
        author=one_line(question.author.handle or question.author.display, 120),
        author_name=one_line(question.author.name, 120) if question.author.name else None,
        keys=identity_keys(question),
        vip=is_vip(question),
        organisation=one_line(organisation, 120) if isinstance(organisation, str) else None,
        text=f"{title[:TITLE_CHARS]}\n{own}" if title else own,
    )


class ByQuestion(Generic[T]):
    """Records that belong to a question (replies, insights, hand-offs), by their id."""

    def __init__(self) -> None:
        self._by_question: dict[str, dict[str, T]] = {}
        self._question_of: dict[str, str] = {}

    def put(self, question_id: str, record_id: str, record: T) -> str | None:
        """Add or replace a record; returns the question it belonged to before, if another."""
        before = self._question_of.get(record_id)
        if before is not None and before != question_id:
            self.remove(record_id)
        self._by_question.setdefault(question_id, {})[record_id] = record
        self._question_of[record_id] = question_id
        return before if before != question_id else None

    def remove(self, record_id: str) -> str | None:
        """Forget a record; returns the question it belonged to (``None``: unknown)."""
        question_id = self._question_of.pop(record_id, None)
        if question_id is not None:
            records = self._by_question[question_id]
            records.pop(record_id, None)
            if not records:
                del self._by_question[question_id]
        return question_id

    def of(self, question_id: str) -> list[T]:
        """The records of one question."""
        return list(self._by_question.get(question_id, {}).values())

    def count(self, question_id: str) -> int:
        """How many records one question has."""
        return len(self._by_question.get(question_id, ()))


class CustomerIndex:
    """Every stored question's entry, joined into customers on demand."""

    def __init__(self) -> None:
        self.entries: dict[str, QuestionEntry] = {}
        self._by_key: dict[IdentityKey, set[str]] = {}
        self.replies: ByQuestion[Reply] = ByQuestion()
        self.insights: ByQuestion[Insight] = ByQuestion()
        self.hand_offs: ByQuestion[Action] = ByQuestion()
        self.links = LinkGroups()

    # keeping it up to date ---------------------------------------------------------
    def put(self, entry: QuestionEntry) -> None:
        """Add a question's entry, or replace it (its keys may have changed)."""
        self.remove(entry.id)
        self.entries[entry.id] = entry
        for key in entry.keys:
            self._by_key.setdefault(key, set()).add(entry.id)

    def remove(self, question_id: str) -> None:
        """Forget a question's entry (its replies, insights and hand-offs stay)."""
        old = self.entries.pop(question_id, None)
        for key in old.keys if old else ():
            holders = self._by_key[key]
            holders.discard(question_id)
            if not holders:
                del self._by_key[key]

    def put_action(self, action_id: str, action: Action) -> None:
        """Keep an action if it is a hand-off (any other kind of action is dropped)."""
        if action.disposition is Disposition.HANDED_OFF:
            self.hand_offs.put(action.question_id, action_id, action)
        else:
            self.hand_offs.remove(action_id)

    def set_links(self, links: Iterable[CustomerLink]) -> None:
        """Replace the confirmed links."""
        self.links = LinkGroups(links)

    # reading -------------------------------------------------------------------------
    def walk(
        self, question_id: str, *, with_links: bool = True
    ) -> tuple[list[str], set[IdentityKey]]:
        """The questions of the customer who asked ``question_id`` (it first) and every
        identity key met on the way, following shared keys (and links)."""
        order, seen, keys = [question_id], {question_id}, set()
        position = 0
        while position < len(order) and len(order) < MAX_CUSTOMER_QUESTIONS:
            current = order[position]
            position += 1
            joined: list[str] = []
            entry = self.entries.get(current)
            for key in entry.keys if entry else ():
                if key not in keys:
                    keys.add(key)
                    joined.extend(self._by_key.get(key, ()))
            if with_links:
                joined.extend(self.links.group(current))
            for other in joined:
                if other not in seen:
                    seen.add(other)
                    order.append(other)
        return order, keys

    def history(self, question_id: str, limit: int = HISTORY_LIMIT) -> CustomerHistory:
        """The customer's history as seen from one of their questions (which must have
        an entry): their other questions newest first, at most ``limit``."""
        group, keys = self.walk(question_id)
        members = set(group)
        links = [
            link
            for link in self.links.links
            if link.question_a in members or link.question_b in members
        ]
        own_keys = self.walk(question_id, with_links=False)[1] if links else keys
        entries = [self.entries[q] for q in group if q in self.entries]
        entries.sort(key=lambda e: e.created_at, reverse=True)
        others = [e for e in entries if e.id != question_id]
        return CustomerHistory(
            question_id=question_id,
            customer=self._profile(entries, keys, own_keys),
            questions=tuple(self._past(e) for e in others[: max(limit, 0)]),
            total_questions=len(others),
            replies=sum(self.replies.count(e.id) for e in others),
            insights=sum(self.insights.count(e.id) for e in others),
            hand_offs=sum(self.hand_offs.count(e.id) for e in others),
            links=tuple(self._shown(link) for link in links),
        )

    def links_between(self, question_id_a: str, question_id_b: str) -> list[str]:
        """The ids of the confirmed links that join a question of the first author to
        one of the second (each author as their shared keys join them, links aside)."""
        side_a = set(self.walk(question_id_a, with_links=False)[0])
        side_b = set(self.walk(question_id_b, with_links=False)[0])
        return [
            link.id
            for link in self.links.links
            if (link.question_a in side_a and link.question_b in side_b)
            or (link.question_a in side_b and link.question_b in side_a)
        ]

    def label(self, question_id: str) -> str:
        """Who a question's author is, in a few words: their first identity, else how
        they appeared, else the question's id."""
        entry = self.entries.get(question_id)
        if entry is None:
            return one_line(question_id, 120)
        keys = sorted(entry.keys, key=lambda k: _KIND_ORDER.get(k.kind, 2))
        return describe(keys[0]) if keys else entry.author

    def _profile(
        self, entries: list[QuestionEntry], keys: set[IdentityKey], own_keys: set[IdentityKey]
    ) -> CustomerProfile:
        ordered = sorted(keys, key=lambda k: (_KIND_ORDER.get(k.kind, 2), k.scope, k.value))
        organisation = next(
            (
                Organisation(e.organisation, False, service_name(e.service))
                for e in entries
                if e.organisation
            ),
            None,
        )
        if organisation is None:
            hints = (organisation_hint(k.value) for k in ordered if k.kind == EMAIL)
            domain = next((hint for hint in hints if hint), None)
            organisation = Organisation(domain, True, "email domain") if domain else None
        return CustomerProfile(
            name=next((e.author_name for e in entries if e.author_name), None),
            identities=tuple(Identity(k.kind, describe(k), k not in own_keys) for k in ordered),
            organisation=organisation,
            vip=any(e.vip for e in entries),
        )

    def _past(self, entry: QuestionEntry) -> PastQuestion:
        replies = sorted(self.replies.of(entry.id), key=lambda r: r.created_at)
        insights = sorted(self.insights.of(entry.id), key=lambda i: i.created_at)
        hand_offs = sorted(self.hand_offs.of(entry.id), key=lambda a: a.at)
        return PastQuestion(
            **{name: getattr(entry, name) for name in _SHOWN_AS_STORED},
            replies=tuple(
                PastReply(r.id, r.question_id, r.body, r.state, r.created_at, r.sent_at)
                for r in replies
            ),
            insights=tuple(
                PastInsight(
                    i.id, i.question_id, i.tags, i.team, i.sentiment, i.summary, i.created_at
                )
                for i in insights
            ),
            hand_offs=tuple(PastHandOff(a.question_id, a.team, a.note, a.at) for a in hand_offs),
        )

    def _shown(self, link: CustomerLink) -> LinkShown:
        return LinkShown(
            id=link.id,
            question_a=link.question_a,
            question_b=link.question_b,
            label_a=self.label(link.question_a),
            label_b=self.label(link.question_b),
            at=link.at,
        )

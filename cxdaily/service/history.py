"""The customer's history and the leader's earlier answers, for the question in view.

:class:`History` owns the :class:`~cxdaily.history.HistoryIndex` and keeps it in step
with the store. Nothing happens at launch or on the daily loop's actions: the index is
built on the first look-up (which the app makes from a worker thread) and, before each
later one, brought up to date with only what changed since (see
:mod:`cxdaily.store.changes`): a tag, a skip or a reply costs the next look-up a few
milliseconds, never a read of the whole history.

Every store read is a short step under the service's lock (one data file at a time), so
a first build over years of history never holds up a tag or a skip for long. The index
itself is guarded by a lock of its own; look-ups from several workers run one after the
other.
"""

from __future__ import annotations

import threading
from typing import Any

from cxdaily.core.errors import CxDailyError, NotFoundError
from cxdaily.curation.scoring import Scorer
from cxdaily.history import CustomerHistory, CustomerLink, EarlierAnswer, HistoryIndex
from cxdaily.history.customers import HISTORY_LIMIT
from cxdaily.service.context import ServiceContext
from cxdaily.store.changes import ACTIONS, INSIGHTS, OUTBOX, HistoryFeed, TableChanges
from cxdaily.store.customer_links import CustomerLinkRepository


def _apply(index: HistoryIndex, changes: TableChanges[Any]) -> None:
    """Hand what changed in one table to the index."""
    if changes.kind == OUTBOX:  # the outbox, or a month of its archive
        index.remove_replies(changes.removed, changes.source)
        index.put_replies(changes.changed, changes.source)
    elif changes.kind == INSIGHTS:
        index.remove_insights(changes.removed)
        index.put_insights(changes.changed)
    elif changes.kind == ACTIONS:
        index.remove_actions(changes.removed)
        index.put_actions(changes.changed)
    else:  # the current questions, or a month of the archive
        index.remove_questions(changes.source, changes.removed)
        index.put_questions(changes.source, changes.changed)


class History:
    """Customer history, earlier answers and confirmed customer links."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self._lock = threading.Lock()
        self._index: HistoryIndex | None = None
        self._feed: HistoryFeed | None = None
        self._links: CustomerLinkRepository | None = None

    # look-ups ---------------------------------------------------------------------------
    def customer_history(self, question_id: str, limit: int = HISTORY_LIMIT) -> CustomerHistory:
        """Who asked ``question_id`` across channels, and their other questions (newest
        first, at most ``limit``) with the replies, insights and hand-offs on them."""
        with self._lock:
            index = self._fresh_index(question_id)
            return index.customer_history(question_id, limit)

    def similar_answers(self, question_id: str, limit: int = 3) -> list[EarlierAnswer]:
        """The leader's sent replies to questions like ``question_id`` (any channel, any
        time), best first; empty when nothing earlier is alike."""
        with self._lock:
            index = self._fresh_index(question_id)
            return index.similar_answers(question_id, limit)

    # confirmed links --------------------------------------------------------------------
    def link_customers(self, question_id_a: str, question_id_b: str) -> CustomerLink:
        """Record (durably) that the authors of two questions are one person."""
        if question_id_a == question_id_b:
            raise CxDailyError("a question cannot be linked to itself; choose another question")
        context = self._context
        with self._lock:
            index = self._fresh_index(question_id_a, question_id_b)
            link = CustomerLink.between(question_id_a, question_id_b, context.now())
            with context.lock:
                links = self._repository()
                links.add(link)
                index.set_links(links.all())
            return link

    def unlink_customers(self, question_id_a: str, question_id_b: str) -> int:
        """Undo the links confirmed between the authors of two questions (every link
        between a question of the one and a question of the other); returns how many
        were removed. They stay joined if an address, a handle or another link still
        joins them."""
        context = self._context
        with self._lock:
            index = self._fresh_index(question_id_a, question_id_b)
            between = index.customers.links_between(question_id_a, question_id_b)
            with context.lock:
                links = self._repository()
                removed = links.remove(between)
                index.set_links(links.all())
            return removed

    # keeping the index fresh --------------------------------------------------------------
    def _repository(self) -> CustomerLinkRepository:
        """The confirmed links' table (opened on first use; call under the store lock)."""
        if self._links is None:
            self._links = CustomerLinkRepository(self._context.store.folder)
        return self._links

    def _fresh_index(self, *question_ids: str) -> HistoryIndex:
        """The index with every change of the store applied, once it knows the given
        questions (a NotFoundError names the first unknown one). Call under ``_lock``."""
        context = self._context
        if self._index is None or self._feed is None:
            with context.lock:
                self._feed = HistoryFeed(context.store.folder)
                links = self._repository().all()
            scorer = Scorer(context.settings.curation, context.now())
            self._index = HistoryIndex(scorer.is_vip)
            self._index.set_links(links)
        index, feed = self._index, self._feed
        with context.lock:
            watches = feed.watches()
        for watch in watches:
            with context.lock:  # one file at a time: a tag or a skip waits for one step only
                changes = watch.poll()
            if changes is not None:
                _apply(index, changes)
        index.settle()
        for question_id in question_ids:
            if index.entry(question_id) is None:
                raise NotFoundError(f"no question with id {question_id!r}")
        return index

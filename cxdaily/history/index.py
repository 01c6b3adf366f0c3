"""One index for both look-ups, kept up to date record by record.

:class:`HistoryIndex` receives what changed in the store (questions from the current file
or the archive, replies, insights, actions, the confirmed links) and keeps the
:class:`~cxdaily.history.customers.CustomerIndex` and the
:class:`~cxdaily.history.similar.AnswerIndex` in step: a question's earlier-answer
document is made again whenever the question or one of its replies changes.

A question or a reply may be held by two files for a moment (archiving writes the
archive before it removes the record from the current file, and a crash in between
leaves both): it stays indexed while any file holds it.

Pure: it never reads the store or the clock, and it is not thread-safe by itself (the
service holds a lock around it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cxdaily.core.models import Action, Insight, Question, Reply
from cxdaily.history.customers import HISTORY_LIMIT, CustomerIndex, QuestionEntry, entry_of
from cxdaily.history.links import CustomerLink
from cxdaily.history.records import CustomerHistory, EarlierAnswer
from cxdaily.history.similar import AnswerIndex

#: The file replies come from unless another is named (the outbox).
OUTBOX_FILE = "outbox.json"


class HistoryIndex:
    """Every question, reply, insight, hand-off and link the history looks at."""

    def __init__(self, is_vip: Callable[[Question], bool]) -> None:
        """``is_vip`` tells whether a question's author is a VIP (curation's rule)."""
        self._is_vip = is_vip
        self.customers = CustomerIndex()
        self.answers = AnswerIndex()
        self._held: dict[str, set[str]] = {}
        self._reply_held: dict[str, set[str]] = {}

    # changes ----------------------------------------------------------------------
    def put_questions(self, source: str, questions: Iterable[Question]) -> None:
        """Questions added to or changed in ``source`` (a data file)."""
        for question in questions:
            self._held.setdefault(question.id, set()).add(source)
            entry = entry_of(question, self._is_vip)
            self.customers.put(entry)
            self._answer(question.id)

    def remove_questions(self, source: str, question_ids: Iterable[str]) -> None:
        """Questions no longer in ``source``; forgotten when no other file holds them."""
        for question_id in question_ids:
            if _let_go(self._held, question_id, source):
                self.customers.remove(question_id)
                self._answer(question_id)

    def put_replies(self, replies: Iterable[Reply], source: str = OUTBOX_FILE) -> None:
        """Replies added to or changed in ``source`` (the outbox, or a month of its
        archive)."""
        for reply in replies:
            self._reply_held.setdefault(reply.id, set()).add(source)
            moved_from = self.customers.replies.put(reply.question_id, reply.id, reply)
            self._answer(reply.question_id)
            if moved_from is not None:
                self._answer(moved_from)

    def remove_replies(self, reply_ids: Iterable[str], source: str = OUTBOX_FILE) -> None:
        """Replies no longer in ``source``; forgotten when no other file holds them."""
        for reply_id in reply_ids:
            if not _let_go(self._reply_held, reply_id, source):
                continue  # still in another file (moved to the archive), or never seen
            question_id = self.customers.replies.remove(reply_id)
            if question_id is not None:
                self._answer(question_id)

    def put_insights(self, insights: Iterable[Insight]) -> None:
        """Insights added or changed."""
        for insight in insights:
            self.customers.insights.put(insight.question_id, insight.id, insight)

    def remove_insights(self, insight_ids: Iterable[str]) -> None:
        """Insights no longer stored."""
        for insight_id in insight_ids:
            self.customers.insights.remove(insight_id)

    def put_actions(self, actions: Iterable[tuple[str, Action | None]]) -> None:
        """Actions added or changed, with the ids they are stored under (``None``: an
        action the history does not show, dropped)."""
        for action_id, action in actions:
            if action is None:
                self.customers.hand_offs.remove(action_id)
            else:
                self.customers.put_action(action_id, action)

    def remove_actions(self, action_ids: Iterable[str]) -> None:
        """Actions no longer stored."""
        for action_id in action_ids:
            self.customers.hand_offs.remove(action_id)

    def set_links(self, links: Iterable[CustomerLink]) -> None:
        """The confirmed links, all of them."""
        self.customers.set_links(links)

    def settle(self) -> None:
        """Finish a batch of changes (earlier-answer weights follow the new counts)."""
        self.answers.refresh_norms()

    def _answer(self, question_id: str) -> None:
        entry = self.customers.entries.get(question_id)
        self.answers.update(question_id, entry, self.customers.replies.of(question_id))

    # look-ups -------------------------------------------------------------------------
    def entry(self, question_id: str) -> QuestionEntry | None:
        """The entry of a stored question, or ``None`` when it is not indexed."""
        return self.customers.entries.get(question_id)

    def customer_history(self, question_id: str, limit: int = HISTORY_LIMIT) -> CustomerHistory:
        """The customer's history from one indexed question."""
        return self.customers.history(question_id, limit)

    def similar_answers(self, question_id: str, limit: int = 3) -> list[EarlierAnswer]:
        """The leader's earlier answers to questions like an indexed one."""
        entry = self.customers.entries.get(question_id)
        return self.answers.similar(entry, limit) if entry is not None else []


def _let_go(held: dict[str, set[str]], key: str, source: str) -> bool:
    """Note that ``source`` no longer holds the record ``key``; whether no file holds it
    now (``False`` for a record never held)."""
    sources = held.get(key)
    if sources is None:
        return False
    sources.discard(source)
    if sources:
        return False
    del held[key]
    return True

"""What the session's question view shows beside the question, and the questions drawn
ahead of ``j``/``k``.

:class:`QuestionShowing` is a collaborator of the session screen. It shows the
highlighted question with its status in words, its saved draft, the names of its
near-duplicates (read once per question) and who else is answering it; then, once the
frame is out, it has the view draw the questions after and before it
(:meth:`~cxdaily.ui.widgets.question_view.QuestionView.prepare`), so a move shows lines
drawn already. Drawing ahead uses only what the screen knows, never the store, which a
busy writer may hold: a draft is the queue's mark, and a group's names are those read
before or, for a group inside the session, the session's own. The names of the members
outside the session are read from the store once, in a thread as the session opens
(:meth:`QuestionShowing.read_group_labels`), so those questions are drawn ahead too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdaily.curation import BatchItem
from cxdaily.ui.group_tagging import group_labels
from cxdaily.ui.question_parts import Beside
from cxdaily.ui.widgets.question_view import QuestionView
from cxdaily.ui.widgets.queue import STATUSES

if TYPE_CHECKING:
    from cxdaily.ui.screens.session import SessionScreen


class QuestionShowing:
    """The session screen's question view, fed."""

    def __init__(self, screen: SessionScreen) -> None:
        self.screen = screen
        self._labels: dict[str, list[str]] = {}
        """The names of each question's near-duplicates, by question id."""

    def group_labels(self, item: BatchItem) -> list[str]:
        """The names of ``item``'s near-duplicates, read once per question (a member
        outside the session is a store read: not on every highlight)."""
        key = item.question.id
        if key not in self._labels:
            screen = self.screen
            self._labels[key] = group_labels(screen.items, item, screen.service.question)
        return self._labels[key]

    def read_group_labels(self) -> None:
        """Read, in a thread, the names of the near-duplicates outside the session of
        every question in it, each question once: then a move never waits on the store
        for them, and their questions can be drawn ahead like the others."""
        screen = self.screen
        items = list(screen.items)
        ids = {item.question.id for item in items}
        wanted = [
            item
            for item in items
            if item.question.id not in self._labels
            and any(member not in ids for member in item.group)
        ]
        if not wanted:
            return
        lookup, app = screen.service.question, screen.app

        def read() -> None:
            found = {item.question.id: group_labels(items, item, lookup) for item in wanted}
            app.call_from_thread(self._labels_read, found)

        screen.run_worker(read, thread=True, group="group-labels", exit_on_error=False)

    def _labels_read(self, found: dict[str, list[str]]) -> None:
        """The names :meth:`read_group_labels` read: kept, and the questions beside the
        one shown drawn ahead with them once the frame is out (they often come before the
        session's first frame, which must not wait on drawing ahead)."""
        if not self.screen.is_attached:
            return  # the session closed meanwhile
        for question_id, labels in found.items():
            self._labels.setdefault(question_id, labels)
        shown = self.screen.pane.queue.highlighted_id
        if shown is not None:
            self.screen.call_after_refresh(self.prepare_neighbours, shown)

    def show_current(self) -> None:
        """Show the highlighted question in the view; then draw its neighbours ahead."""
        screen = self.screen
        item = screen.current()
        view = screen.query_one(QuestionView)
        now = screen.service.now()
        if item is None:
            view.show(None, now)
            return
        question_id = item.question.id
        draft = bool(screen.service.draft(question_id))
        screen.set_drafted(item, draft)
        view.show(item, now, self._beside(question_id, draft, self.group_labels(item)))
        screen.call_after_refresh(self.prepare_neighbours, question_id)

    def prepare_neighbours(self, question_id: str) -> None:
        """Draw the questions after and before the one shown (nothing when the leader
        has moved on already)."""
        screen = self.screen
        queue = screen.pane.queue
        at = queue.highlighted
        if at is None or queue.highlighted_id != question_id:
            return
        by_id = {item.question.id: item for item in screen.items}
        view = screen.query_one(QuestionView)
        for index in (at + 1, at - 1):
            if not 0 <= index < queue.option_count:
                continue
            item = by_id.get(queue.get_option_at_index(index).id or "")
            if item is None:
                continue
            neighbour = item.question.id
            others = self._labels.get(neighbour)
            if others is None:
                if not all(member in by_id for member in item.group):
                    continue  # a member outside the session is named from the store
                others = self._labels[neighbour] = group_labels(screen.items, item)
            beside = self._beside(neighbour, neighbour in screen.drafted, others)
            view.prepare(item, screen.service.now(), beside)

    def _beside(self, question_id: str, draft: bool, others: list[str]) -> Beside:
        """What the view shows beside the question: its status in words, its draft, its
        near-duplicates' names, and who else is answering it (team mode)."""
        screen = self.screen
        status = STATUSES.get(screen.statuses.get(question_id, ""), STATUSES[""]).words
        return Beside(status, draft, others, screen.team.words_for(question_id))

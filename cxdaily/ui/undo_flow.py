"""The session's undo key: a reply still in its undo window comes back, else the newest
skip, snooze, hand-off or tag of the session is undone.

A reply waiting for its undo window (:mod:`cxdaily.ui.reply_windows`) is what the leader
most likely means: the newest one is pulled back (never sent), its question is open
again and its text is back in the composer. Otherwise the session's newest action is
reversed in the store (:meth:`Service.undo_last_action`); the question gets back its
place in the queue with the state it had before, highlighted, and a toast says what was
undone. With nothing to undo, a notice says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply
from cxdaily.service import Undone
from cxdaily.ui.app import app_of, service_of
from cxdaily.ui.keys import key_names

if TYPE_CHECKING:
    from cxdaily.ui.screens.session import SessionScreen


def status_without(status: str, removed: str) -> str:
    """The queue status once the action that gave ``removed`` is undone: answered and
    tagged lose one half; a status another action gave since is kept."""
    if status == "answered+tagged" and removed in ("answered", "tagged"):
        return "tagged" if removed == "answered" else "answered"
    return "" if status == removed else status


class UndoFlow:
    """Undo for one session screen."""

    def __init__(self, screen: SessionScreen) -> None:
        self.screen = screen

    def undo(self) -> None:
        """Pull back the newest reply in its undo window, else undo the newest action."""
        screen = self.screen
        service = service_of(screen)
        try:
            waiting = service.replies_in_undo_window()
            if waiting:
                self._pull_back(max(waiting, key=lambda r: r.created_at))
                return
            undone = service.undo_last_action(screen.session.id)
        except CxDailyError as exc:
            screen.report(exc)
            return
        if undone is None:
            screen.notify("Nothing to undo in this session.", timeout=3)
            return
        self._restore(undone)

    def _pull_back(self, reply: Reply) -> None:
        """Take the reply out of the outbox and reopen its question in the composer."""
        screen = self.screen
        service = service_of(screen)
        try:
            text = service.pull_back(reply.id)
        except CxDailyError as exc:
            screen.notify(f"Not pulled back: {exc}", severity="warning", markup=False)
            return
        finally:
            app_of(screen).reply_windows.schedule()
        question_id = reply.question_id
        screen.drafted.add(question_id)  # the text is the question's draft again
        self._set_status(question_id, "answered")
        if screen.pane.queue.highlight_id(question_id):
            screen.show_current()
            screen.action_reply(text)
            screen.notify("Reply pulled back: nothing was sent. Edit it and send again.")
            return
        screen.notify(
            "Reply pulled back: nothing was sent; its text is the question's draft "
            f"({key_names(screen).key('clear_filter')} shows every question).",
            markup=False,
        )

    def _restore(self, undone: Undone) -> None:
        """Give the question back its place and state, highlighted, and say what was undone."""
        screen = self.screen
        question_id = undone.question_id
        removed = undone.kind.value  # the queue's status is the action's disposition
        if removed == "tagged" and self._set_status(question_id, removed):
            screen.tags.pop(question_id, None)
        else:
            self._set_status(question_id, removed)
        if screen.pane.queue.highlight_id(question_id):
            screen.show_current()
        screen.notify(undone.description + ".", timeout=4, markup=False)

    def _set_status(self, question_id: str, removed: str) -> bool:
        """Drop ``removed`` from the question's status in the session and redraw the
        queue; False when the question is not in the session."""
        screen = self.screen
        if not any(item.question.id == question_id for item in screen.items):
            return False
        status = status_without(screen.statuses.get(question_id, ""), removed)
        if status:
            screen.statuses[question_id] = status
        else:
            screen.statuses.pop(question_id, None)
        screen.done_told = False
        screen.pane.set_items(screen.items, screen.queue_state(), keep=question_id)
        screen.clock.refresh_streak()
        return True

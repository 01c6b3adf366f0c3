"""Replies waiting for their undo window: sent when the window ends, counted down meanwhile.

A reply the leader sends waits ``[session] undo_seconds`` in the outbox (its
``send_after``, stored with it) and can be pulled back until then. :class:`ReplyWindows`
keeps one timer, set from :meth:`Service.next_send_due` (the store's copy in memory: no
disk polling), and sends the due replies in a thread worker when it fires; it is set
again after every change (a reply queued, pulled back, sent) and when the app starts, so
a reply still in its window after a restart goes out when due. Every
:class:`~cxdaily.ui.widgets.undo_countdown.UndoCountdown` on screen is told to redraw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdaily.core.errors import CxDailyError

if TYPE_CHECKING:
    from textual.timer import Timer

    from cxdaily.ui.app import CxDailyApp

MARGIN_S = 0.05
"""The timer fires this long after the window's end, so the reply is surely due then."""


class ReplyWindows:
    """The app's one timer for the next reply whose undo window ends."""

    def __init__(self, app: CxDailyApp) -> None:
        self.app = app
        self._timer: Timer | None = None

    def schedule(self) -> None:
        """On the UI thread: set the timer for the next window's end (none when no reply
        waits) and redraw the countdowns."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        service = self.app.service
        try:
            due = service.next_send_due()
            now = service.now()
        except CxDailyError:
            due = None  # the outbox cannot be read now: the minute's retry sends it later
        if due is not None:
            delay = max((due - now).total_seconds(), 0.0) + MARGIN_S
            self._timer = self.app.set_timer(delay, self._send_due, name="reply-window")
        self.redraw()

    def redraw(self) -> None:
        """Every countdown on screen shows the replies waiting now."""
        from cxdaily.ui.widgets.undo_countdown import UndoCountdown

        for screen in self.app.screen_stack:
            for countdown in screen.query(UndoCountdown):
                countdown.refresh_waiting()

    def _send_due(self) -> None:
        """The window of a reply ended: send the due replies in a thread worker, tell
        how it went, then set the timer for the next one."""
        from cxdaily.ui.outbox_status import customer_names, failure_line, outcome_messages
        from cxdaily.ui.widgets.question_view import show_reply_everywhere

        self._timer = None
        app = self.app

        def work() -> None:
            try:
                attempted = app.service.send_pending()
            except Exception as exc:  # told, never lost in the worker (the outbox keeps it)
                app.call_from_thread(
                    app.notify, failure_line(exc), severity="warning", markup=False
                )
            else:
                names = customer_names(app, attempted)
                for message, severity in outcome_messages(attempted, names) if attempted else []:
                    app.call_from_thread(app.notify, message, severity=severity, markup=False)
                for reply in attempted:
                    app.call_from_thread(show_reply_everywhere, app, reply)
            app.call_from_thread(self.schedule)

        app.run_worker(work, thread=True, group="reply-window", exit_on_error=False)

"""One line under the session while a sent reply waits for its undo window.

"Reply to Jane Doe sending in 8 s — u to pull back (1 more waiting)": redrawn every second
from the replies' ``send_after`` and the service's clock, hidden when nothing waits. The
list of waiting replies comes from :meth:`Service.replies_in_undo_window` (the store's
copy in memory) whenever :class:`~cxdaily.ui.reply_windows.ReplyWindows` says it changed;
the ticking itself reads nothing.
"""

from __future__ import annotations

import math
from datetime import datetime

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.core.models import Reply
from cxdaily.replies.outbox import undo_seconds_left
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import DEFAULT_KEY_NAMES, KeyNames, key_names
from cxdaily.ui.text import safe_line


def countdown_content(
    waiting: list[Reply],
    names: dict[str, str],
    now: datetime,
    keys: KeyNames = DEFAULT_KEY_NAMES,
) -> Content:
    """'Reply to Jane Doe sending in 8 s — u to pull back' for the newest waiting reply
    (the one the undo key pulls back), and how many more wait."""
    if not waiting:
        return Content("")
    newest = max(waiting, key=lambda r: r.created_at)
    left = math.ceil(undo_seconds_left(newest, now))
    when = f"sending in {left} s" if left > 0 else "going out now"
    more = len(waiting) - 1
    return Content.assemble(
        Content.styled("Reply to ", "bold"),
        safe_line(names.get(newest.question_id, newest.question_id), 40, "bold"),
        Content.styled(f" {when}", "$warning bold"),
        Content.styled(f" — {keys.key('undo')} to pull back", ""),
        Content.styled(f" ({more} more waiting)" if more > 0 else "", "dim"),
    )


class UndoCountdown(Static):
    """The countdown of the replies waiting for their undo window (hidden when none)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.waiting: list[Reply] = []
        self._names: dict[str, str] = {}
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        """Show what waits already (a reply sent just before a restart)."""
        self.refresh_waiting()

    def refresh_waiting(self) -> None:
        """Read which replies wait now, then tick every second while any does."""
        service = service_of(self)
        try:
            self.waiting = service.replies_in_undo_window()
            unnamed = [r.question_id for r in self.waiting if r.question_id not in self._names]
            if unnamed:
                self._names.update(service.replies.customer_names(unnamed))
        except CxDailyError:
            self.waiting = []
        if self.waiting and self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)
        elif not self.waiting and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self._tick()

    def _tick(self) -> None:
        """Redraw the seconds left (the clock only; nothing is read)."""
        self.display = bool(self.waiting)
        self.update(
            countdown_content(self.waiting, self._names, service_of(self).now(), key_names(self))
        )

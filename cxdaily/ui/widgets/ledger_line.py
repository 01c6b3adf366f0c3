"""One line on the start screen: open promises (overdue, due today) and unsent replies."""

from __future__ import annotations

from textual.widgets import Static

from cxdaily.core.errors import CxDailyError
from cxdaily.ui.app import service_of
from cxdaily.ui.keys import key_names
from cxdaily.ui.outbox_status import ledger_line

REDRAW_EVERY_S = 30.0


class LedgerLine(Static):
    """'3 promises open (1 overdue) · outbox: 1 unsent · p to review', kept current."""

    DEFAULT_CSS = """
    LedgerLine {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        """Draw now and every half minute (the outbox works in the background)."""
        self.redraw()
        self.set_interval(REDRAW_EVERY_S, self.redraw)

    def redraw(self) -> None:
        """Read the ledger and the outbox (in-memory store reads) and show the line."""
        service = service_of(self)
        try:
            promises = service.promises()
            unsent = service.unsent_replies()
        except CxDailyError:
            return  # the start screen reports store errors itself
        today = service.settings.session.days.today(service.now())
        self.update(ledger_line(unsent, promises, today, key_names(self)))
        self.display = bool(unsent or promises)  # nothing to say: no line taken

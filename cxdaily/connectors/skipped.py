"""What a fetch leaves out: the items it skipped, with one warning line each, and those it
left unread for the next fetch, whose checkpoint must then not pass them.

Every connector records them in a :class:`SkippedItems`; a checkpoint of time moves with
:func:`next_checkpoint`. A look-up that failed in a way that may pass holds its items for
the next fetch for a day at most (:mod:`cxdaily.connectors.holding`).
"""

from __future__ import annotations

from datetime import datetime

MAX_LISTED_WARNINGS = 20
"""Skipped items named one by one in a fetch's warnings; the rest are counted."""


class SkippedItems:
    """The warnings of one fetch for the items it skipped (a bad item, a failed look-up):
    the first :data:`MAX_LISTED_WARNINGS` named, the rest counted in one line.

    A look-up that failed for items not read at all, which may hold questions (a page
    of comments, a post's further replies), is recorded with :meth:`not_read`: when the
    failure may pass (:func:`~cxdaily.connectors.http_errors.may_pass`), the fetch keeps
    its checkpoint from passing them (:func:`next_checkpoint`) and the next fetch reads
    them again; otherwise they are skipped (items left for the next fetch for another
    reason, a walk the byte budget cut short, go to :meth:`unread_later`). A bad item
    (it would be as bad next time) and a lost detail (a question shown without its
    thread) are recorded with :meth:`add`."""

    def __init__(self, limit: int = MAX_LISTED_WARNINGS) -> None:
        self.limit = limit
        self.listed: list[str] = []
        self.count = 0
        self.unread = 0
        """How many look-ups left items unread for the next fetch (:meth:`not_read`)."""

    def add(self, text: str) -> None:
        """Record one skipped item (or a detail lost), said in one line."""
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(text)

    def not_read(self, text: str, exc: BaseException) -> bool:
        """Record a look-up that failed with ``exc`` and left items unread (``text`` says
        which and why, in one line): counted in :attr:`unread`, and the line says they
        are read again, when the failure may pass (unless the channel has held items for
        too long: :mod:`cxdaily.connectors.holding`); skipped otherwise. Returns whether
        they are to be read again."""
        # imported here: a file channel parses items without loading the HTTP stack
        from cxdaily.connectors.holding import HOLD_AT_MOST_WORDS, current_holding
        from cxdaily.connectors.http_errors import may_pass

        if not may_pass(exc):
            self.add(text)
            return False
        holding = current_holding()
        if not holding.allowed:  # held for over a day: the channel moves on
            self.add(f"{text}; skipped: items were held for over {HOLD_AT_MOST_WORDS}")
            return False
        holding.held += 1
        self.unread_later(text)
        return True

    def unread_later(self, text: str) -> None:
        """Record items left unread that the next fetch reads (``text`` says which and
        why, in one line: a look-up that may pass, a walk the byte budget cut short):
        counted in :attr:`unread`, and the line says they are read again."""
        self.unread += 1
        self.add(f"{text}; read again by the next fetch")

    def lines(self) -> list[str]:
        """The warnings to show: the ones listed, and how many more were skipped."""
        more = self.count - len(self.listed)
        return [*self.listed, *([f"{more} more items were skipped"] if more else [])]


def next_checkpoint(
    previous: datetime, newest: datetime, skipped: SkippedItems, unread_before: int = 0
) -> datetime:
    """Where a checkpoint of time moves after reading items up to ``newest``: there, or
    back to ``previous`` when a look-up left items unread for the next fetch
    (:meth:`SkippedItems.not_read`) since ``skipped.unread`` was ``unread_before``.
    Their times are unknown, so only the old checkpoint is sure not to pass them: the
    next fetch reads the window again, and the questions it had stored are stored again,
    unchanged."""
    if skipped.unread > unread_before:
        return previous
    return max(previous, newest)

"""How long a channel may keep items for the next fetch before it moves on without them.

A look-up that failed in a way that may pass (a timeout, a 5xx: see
:meth:`~cxdaily.connectors.skipped.SkippedItems.not_read`) holds the fetch's checkpoint
before the items it left unread, so the next fetch reads them again. A look-up that fails
that way at every fetch (one conversation whose thread always times out) would hold the
checkpoint there for ever: every fetch would read a longer window again, and once that
window outgrows the fetch's page cap, nothing newer would ever be read.

So the fetch runner keeps, with each channel's status, since when its fetches have been
holding items (``held_since``), and once that is over :data:`HOLD_AT_MOST` ago it runs the
channel's next fetch with holding off (:func:`fetch_holding`): the items whose look-up
fails then are skipped, each with a warning that says so, and the checkpoint moves on.
The first fetch that holds nothing starts the count again.

The runner sets the fetch's :class:`Holding` in a context variable around the
connector's ``fetch``, so every connector's ``SkippedItems`` follows it, with no
argument to thread through each of them; tasks a connector starts inherit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

#: How long a channel's fetches may keep holding items before one moves on without them.
HOLD_AT_MOST = timedelta(days=1)
#: :data:`HOLD_AT_MOST`, as a warning says it.
HOLD_AT_MOST_WORDS = "a day"


@dataclass
class Holding:
    """Whether this fetch may hold its checkpoint for items a look-up left unread, and
    how many look-ups did."""

    allowed: bool = True
    held: int = 0


_CURRENT: ContextVar[Holding] = ContextVar("cxdaily_fetch_holding")


def current_holding() -> Holding:
    """The running fetch's :class:`Holding` (outside a fetch run by the runner, one that
    allows holding, counted nowhere)."""
    try:
        return _CURRENT.get()
    except LookupError:
        return Holding()


@contextmanager
def fetch_holding(allowed: bool) -> Iterator[Holding]:
    """Run a fetch under a :class:`Holding` that ``allowed`` holding or not; yields it,
    so the runner reads how many look-ups held items."""
    holding = Holding(allowed)
    token = _CURRENT.set(holding)
    try:
        yield holding
    finally:
        _CURRENT.reset(token)


def may_hold(held_since: datetime | None, now: datetime) -> bool:
    """Whether a channel whose fetches have held items since ``held_since`` (``None``:
    the last one held nothing) may hold again in a fetch at ``now``."""
    return held_since is None or now - held_since <= HOLD_AT_MOST

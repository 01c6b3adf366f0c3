"""A backlog larger than one fetch can read, read over several fetches.

A help desk (Zendesk, Freshdesk, Intercom) lists what changed oldest change first, then
reads each ticket's thread, a request or more each. When the service's rate limit
(:class:`~cxdaily.core.errors.RateLimited`, raised once the HTTP layer's own waiting gives
up) or the channel's deadline (:class:`~cxdaily.connectors.http_errors.ChannelTimeoutError`)
is met while reading threads, failing the whole fetch would keep the checkpoint where it
was: an account with a few hundred changed tickets (after a weekend, or a first fetch)
would repeat the same work and fail at every fetch. Instead:

- :func:`read_in_order` reads the threads, a few at once, and gives back those read
  before the first one not read, with the error that stopped the rest;
- the connector keeps their questions, moves its checkpoint only up to the last ticket
  before the first one not read, and says so in one warning (:func:`left_for_next_fetch`);
  met before any thread was read, the limit fails the fetch, as it always did;
- the tickets read at the checkpoint's own place (the page a saved cursor asks for again,
  the second of ``updated_at`` a saved time starts at) are kept in the checkpoint with
  the state they were read in (:func:`read_marks`, :func:`with_read_marks`), so the next
  fetch skips them while they stay unchanged: each fetch moves on, even when the limit
  always falls inside one page or one second shared by many tickets.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from cxdaily.connectors.helpdesk import stop_reads
from cxdaily.connectors.http_errors import ChannelTimeoutError
from cxdaily.core.errors import RateLimited

LIMITS = (RateLimited, ChannelTimeoutError)
"""What stops reading threads and leaves the rest for the next fetch."""
READ_KEY = "read"
"""The checkpoint's key for the tickets read at its own place (ticket id: state)."""
MAX_READ_MARKS = 1000
"""Most tickets a checkpoint remembers as read (any left out are read again: harmless)."""
_T = TypeVar("_T")


class ReadSoFar(msgspec.Struct, Generic[_T], frozen=True):
    """What :func:`read_in_order` read."""

    done: list[_T]
    """The results of the jobs before the first one not done, in the jobs' order."""
    stopped_by: RateLimited | ChannelTimeoutError | None = None
    """The rate limit or deadline that stopped the rest (``None``: every job was done)."""


async def read_in_order(jobs: Sequence[Awaitable[_T]], at_once: int) -> ReadSoFar[_T]:
    """Run ``jobs`` (thread reads, in the order the service listed their tickets) at most
    ``at_once`` at a time, until a rate limit or the channel's deadline stops one: the
    others are then cancelled, and the results of the jobs before the first one not done
    come back in order, with what stopped them. Any other failure cancels the rest and is
    raised as it is, as :func:`~cxdaily.connectors.helpdesk.read_at_once` does. Whether a
    stop before anything was read fails the fetch is the caller's to say: it may have
    read other pages already."""
    gate = asyncio.Semaphore(at_once)
    failed_once = asyncio.Event()

    async def one(job: Awaitable[_T]) -> _T:
        async with gate:
            if failed_once.is_set():  # no read starts after one failed
                raise asyncio.CancelledError
            try:
                return await job
            except Exception:
                failed_once.set()
                raise

    tasks = [asyncio.ensure_future(one(job)) for job in jobs]
    try:
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        failed = [t.exception() for t in tasks if t.done() and not t.cancelled()]
        for error in failed:
            if error is not None and not isinstance(error, LIMITS):
                raise error
        stopped_by = next((e for e in failed if isinstance(e, LIMITS)), None)
        done: list[_T] = []
        for task in tasks:
            if not task.done() or task.cancelled() or task.exception() is not None:
                break
            done.append(task.result())
        return ReadSoFar(done, stopped_by)
    finally:  # stop the reads still running (a no-op when all are done)
        await stop_reads(tasks, jobs)


def left_for_next_fetch(stopped_by: RateLimited | ChannelTimeoutError, left: str) -> str:
    """The one warning line of a fetch a limit stopped: what was ``left`` unread (``"3
    tickets"``) and why, in words of our own (the error's text names addresses)."""
    if isinstance(stopped_by, RateLimited):
        wait = stopped_by.retry_after
        asks = f"{wait:.0f} s" if math.isfinite(wait) and 0 <= wait < 10**7 else "longer"
        why = f"the service's rate limit (it asks to wait {asks})"
    else:
        why = "the channel's deadline"
    return (
        f"stopped reading threads at {why} with {left} not read; the rest is read by the next fetch"
    )


def read_marks(checkpoint: Mapping[str, Any] | None) -> dict[str, str]:
    """The tickets a checkpoint remembers as read at its own place (ticket id: the state
    they were read in); anything malformed is left out (that ticket is read again)."""
    saved = (checkpoint or {}).get(READ_KEY)
    items = saved.items() if isinstance(saved, dict) else []
    return {k: v for k, v in items if isinstance(k, str) and isinstance(v, str)}


def with_read_marks(checkpoint: dict[str, Any], marks: Mapping[str, str]) -> dict[str, Any]:
    """``checkpoint`` remembering ``marks`` (the first :data:`MAX_READ_MARKS`), when any."""
    if not marks:
        return checkpoint
    return {**checkpoint, READ_KEY: dict(list(marks.items())[:MAX_READ_MARKS])}

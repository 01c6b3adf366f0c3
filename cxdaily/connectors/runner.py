"""Fetch many channels at once; one channel's failure never touches the others.

Each channel runs in its own task under its own deadline (the channel option
``deadline = "20s"``, default 60 s). Every failure, including a connector bug, becomes a
:class:`ChannelOutcome` with a one-line message and a typed error for that channel only;
``asyncio.gather`` is used rather than a task group so a failure never cancels siblings.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Collection, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from msgspec.structs import replace

if TYPE_CHECKING:
    import httpx

import msgspec

from cxdaily.connectors import http as http_layer
from cxdaily.connectors.base import Connector, FetchResult
from cxdaily.connectors.holding import fetch_holding
from cxdaily.connectors.http import ChannelTimeoutError, channel_deadline
from cxdaily.core.errors import ConnectorError, CxDailyError
from cxdaily.core.safe_text import one_line
from cxdaily.settings import ChannelSettings

DEFAULT_DEADLINE_S = 60.0
#: The runner's own timeout fires this much after the channel deadline, so the HTTP
#: layer's more precise error (which request was too slow) usually wins.
GRACE_S = 0.25
#: The last resort: work that has not returned this long after its deadline (a connector
#: blocking the event loop, a thread stuck on a FIFO) is abandoned and reported.
BACKSTOP_S = 1.0


T = TypeVar("T")

#: Makes the shared HTTP client channel work runs on (default: :func:`http.make_client`);
#: tests pass one over a mock transport.
ClientFactory = Callable[[], "httpx.AsyncClient"]


def channel_deadline_s(settings: ChannelSettings) -> float:
    """The overall deadline of one channel's fetch, from its ``deadline`` option (declared
    once, as :data:`cxdaily.connectors.options.DEADLINE`, for every kind)."""
    from cxdaily.connectors.options import DEADLINE

    seconds: float = DEADLINE.read(settings)
    return seconds


class ChannelOutcome(msgspec.Struct, frozen=True):
    """The result of fetching one channel: a FetchResult, or an error for it alone."""

    channel: str
    result: FetchResult | None = None
    error: str | None = None
    """One line, starting with the channel's name."""
    seconds: float = 0.0
    exception: CxDailyError | None = None
    """The typed error behind ``error`` (AuthError, RateLimited, ChannelTimeoutError ...)."""

    @property
    def ok(self) -> bool:
        """Whether the channel was fetched."""
        return self.error is None

    @property
    def count(self) -> int:
        """How many questions the fetch brought."""
        return len(self.result.questions) if self.result is not None else 0

    @classmethod
    def failed(cls, channel: str, exc: BaseException, seconds: float = 0.0) -> ChannelOutcome:
        """The outcome of a channel that failed with ``exc``."""
        typed = as_typed_error(channel, exc)
        text = one_line(typed, 400)
        if not text.startswith(f"{channel}: "):
            text = f"{channel}: {text}"
        return cls(channel, error=text, seconds=seconds, exception=typed)


def as_typed_error(channel: str, exc: BaseException) -> CxDailyError:
    """``exc`` itself when it is one of cxdaily's errors, else a ConnectorError naming it.

    A connector bug must not take the other channels down, nor show a traceback.
    """
    if isinstance(exc, CxDailyError):
        return exc
    return ConnectorError(
        f"unexpected {type(exc).__name__}: {one_line(exc, 200)} (a bug in this connector)",
        channel=channel,
    )


async def run_with_deadline(
    channel: str, work: Coroutine[Any, Any, T] | Awaitable[T], deadline_s: float
) -> T:
    """Await ``work`` under a channel deadline; a timeout is a ChannelTimeoutError."""
    try:
        with channel_deadline(deadline_s):
            async with asyncio.timeout(deadline_s + GRACE_S):
                return await work
    except TimeoutError:
        raise ChannelTimeoutError(
            f"no answer within {deadline_s:g} s (the channel's deadline; raise it with "
            'deadline = "...")',
            channel=channel,
        ) from None


async def fetch_one(
    connector: Connector,
    checkpoint: dict[str, Any] | None,
    deadline_s: float = DEFAULT_DEADLINE_S,
    *,
    may_hold: bool = True,
) -> ChannelOutcome:
    """Fetch one channel within its deadline, turning every failure into an outcome;
    ``may_hold``: whether look-ups that may pass hold the checkpoint (see
    :mod:`cxdaily.connectors.holding`; the result says how many did)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        with fetch_holding(may_hold) as holding:
            fetching = connector.fetch(checkpoint)
            result = await run_with_deadline(connector.name, fetching, deadline_s)
        if not isinstance(result, FetchResult):
            raise ConnectorError(
                f"the connector returned {type(result).__name__}, not a FetchResult",
                channel=connector.name,
            )
        if holding.held:
            result = replace(result, held=holding.held)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        connector.scrubber.scrub_error(exc)
        return ChannelOutcome.failed(connector.name, exc, loop.time() - started)
    notes = [n for n in connector.fetch_notes() if n not in result.warnings]
    if notes:
        result = replace(result, warnings=[*result.warnings, *notes])
    return ChannelOutcome(connector.name, result=result, seconds=loop.time() - started)


async def fetch_all(
    connectors: Mapping[str, Connector | CxDailyError],
    checkpoints: Mapping[str, dict[str, Any] | None],
    *,
    deadlines: Mapping[str, float] | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
    on_done: Callable[[ChannelOutcome], Awaitable[None] | None] | None = None,
    holding_off: Collection[str] = (),
) -> list[ChannelOutcome]:
    """Fetch every channel concurrently; ``on_done`` is told of each as it finishes.

    A channel whose connector could not be built (given as its error) fails alone.
    Outcomes come back in the order of ``connectors``. The channels in ``holding_off``
    have held items for too long: their fetch moves on without them (see
    :mod:`cxdaily.connectors.holding`).
    """

    async def run(name: str, connector: Connector | CxDailyError) -> ChannelOutcome:
        if isinstance(connector, Connector):
            limit = (deadlines or {}).get(name, deadline_s)
            may_hold = name not in holding_off
            outcome = await fetch_one(connector, checkpoints.get(name), limit, may_hold=may_hold)
        else:
            outcome = ChannelOutcome.failed(name, connector)
        if on_done is not None:
            try:
                maybe = on_done(outcome)
                if asyncio.iscoroutine(maybe):
                    await maybe
            except Exception as exc:  # storing one channel failed: report it for that one
                outcome = ChannelOutcome.failed(name, exc, outcome.seconds)
        return outcome

    return list(await asyncio.gather(*(run(n, c) for n, c in connectors.items())))


# ----------------------------------------------------------------------------- backstop
class WorkAbandonedError(ChannelTimeoutError):
    """Channel work that did not return even after its deadline; it was left behind."""


class _DaemonThreadExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each job on its own daemon thread, so a job stuck in a blocking call (a FIFO
    that never opens) can neither hold up the event loop's shutdown nor the process exit."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=run, name="cxdaily-io", daemon=True).start()
        return future


_DONE = object()


def _run_loop(
    work: Callable[[], Coroutine[Any, Any, T]], box: dict[str, Any], messages: queue.SimpleQueue
) -> None:
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_DaemonThreadExecutor())
    try:
        box["result"] = loop.run_until_complete(work())
    except BaseException as exc:
        box["error"] = exc
    finally:
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            messages.put(_DONE)


def run_bounded(
    work: Callable[..., Coroutine[Any, Any, T]],
    limit_s: float,
    *,
    channel: str | None = None,
    what: str = "the channel's work",
    on_message: Callable[[Any], None] | None = None,
) -> T:
    """Run ``work()`` on a private event loop and return within ``limit_s`` seconds, always.

    Deadlines inside ``work`` (the channel's, the HTTP layer's) normally end it first; this
    is the backstop for what they cannot stop: a connector that blocks the event loop or
    waits on a thread that never returns. Such work is abandoned (its daemon threads end
    with the process) and :class:`WorkAbandonedError` says so in one line.

    With ``on_message``, ``work`` is called with a ``post(item)`` function, and each item
    it posts is handed to ``on_message`` on the calling thread (progress as channels land).
    """
    box: dict[str, Any] = {}
    messages: queue.SimpleQueue[Any] = queue.SimpleQueue()
    factory = (lambda: work(messages.put)) if on_message is not None else work
    thread = threading.Thread(
        target=_run_loop, args=(factory, box, messages), name="cxdaily-channel", daemon=True
    )
    thread.start()
    ends = time.monotonic() + limit_s
    while True:
        try:
            item = messages.get(timeout=max(ends - time.monotonic(), 0.0))
        except queue.Empty:
            raise WorkAbandonedError(
                f"{what} did not return within {limit_s:g} s and was abandoned "
                "(a connector is stuck in a blocking call)",
                channel=channel,
            ) from None
        if item is _DONE:
            break
        if on_message is not None:
            on_message(item)
    if "error" in box:
        raise box["error"]
    return box["result"]


def run_on_channel(
    settings: ChannelSettings,
    build: Callable[[httpx.AsyncClient], Connector],
    work: Callable[[Connector], Awaitable[T]],
    *,
    wrap_errors: bool = True,
    make_client: ClientFactory | None = None,
) -> T:
    """Run ``work(connector)`` for one channel, from synchronous code: the one way to do it.

    The connector is built on a fresh shared client (from ``make_client``, by default
    :func:`cxdaily.connectors.http.make_client`); the work runs under the channel's
    deadline, with the backstop of :func:`run_bounded`. With ``wrap_errors`` any of
    cxdaily's errors (a missing secret, a bad option) becomes a ConnectorError of the
    channel, so callers handle one type.
    """
    deadline = channel_deadline_s(settings)

    async def main() -> T:
        async with (make_client or http_layer.make_client)() as client:
            try:
                connector = build(client)
                return await run_with_deadline(settings.name, work(connector), deadline)
            except ConnectorError:
                raise
            except CxDailyError as exc:
                if not wrap_errors:
                    raise
                raise ConnectorError(one_line(exc), channel=settings.name) from None

    limit = deadline + GRACE_S + BACKSTOP_S
    return run_bounded(main, limit, channel=settings.name)

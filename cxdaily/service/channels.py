"""The configured channels, for the service: connectors, fetching, status, checks.

:class:`Channels` builds each channel's connector from the connector registry it is given
(a callable ``kind -> connector class``) and runs every piece of channel work through one
of two helpers of :mod:`cxdaily.connectors.runner`: :func:`run_bounded` for a refresh of
many channels at once, :func:`run_on_channel` for work on one (a check, a look at a
thread, sending a reply). Both use the HTTP client factory it is given, so tests swap the
transport without patching module globals. The HTTP layer loads on first use, not at
start-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from cxdaily.core.errors import CxDailyError, NotFoundError
from cxdaily.service.context import ServiceContext
from cxdaily.settings import ChannelSettings
from cxdaily.store.repositories import ChannelStatus

if TYPE_CHECKING:  # the connectors and the HTTP layer load on first use, not at start-up
    from cxdaily.connectors import Capabilities, Connector
    from cxdaily.connectors.runner import ChannelOutcome, ClientFactory

T = TypeVar("T")

#: Where connector classes come from: a kind (``"http"``) to its class.
ConnectorRegistry = Callable[[str], "type[Connector]"]

#: Posts one channel's outcome to the thread that called :meth:`Channels.refresh`.
Post = Callable[["ChannelOutcome"], None]


def _deadline_or_default(channel: ChannelSettings) -> float:
    """A channel's fetch deadline; a bad one fails that channel later, in its outcome."""
    from cxdaily.connectors.runner import DEFAULT_DEADLINE_S, channel_deadline_s

    try:
        return channel_deadline_s(channel)
    except CxDailyError:
        return DEFAULT_DEADLINE_S


class RefreshReport(msgspec.Struct, frozen=True):
    """What a refresh did, channel by channel."""

    outcomes: tuple[ChannelOutcome, ...]
    added: int
    updated: int

    @property
    def failed(self) -> list[ChannelOutcome]:
        """Channels that failed."""
        return [o for o in self.outcomes if o.error]


@dataclass
class _Fetched:
    """What a refresh has stored so far (read back when the backstop abandons it)."""

    stored: dict[str, ChannelOutcome]
    """Outcomes as stored (their warnings name the questions left out), by channel."""
    added: int = 0
    updated: int = 0


@dataclass(eq=False)
class Channels:
    """The configured channels: their connectors, and every piece of work on them (on
    clients made by ``make_client``; ``None``: :func:`cxdaily.connectors.http.make_client`)."""

    context: ServiceContext
    _: KW_ONLY
    connector_class: ConnectorRegistry
    make_client: ClientFactory | None = None

    def settings_of(self, name: str) -> ChannelSettings:
        """A configured channel's settings (a NotFoundError naming the known ones)."""
        channels = self.context.settings.channels
        channel = channels.get(name)
        if channel is None:
            known = ", ".join(sorted(channels)) or "none configured"
            raise NotFoundError(f"no channel named {name!r} (channels: {known})")
        return channel

    def connector(self, name: str, client: Any = None) -> Connector:
        """The connector of a configured channel (on ``client``, the shared HTTP client)."""
        from cxdaily.credentials import secret_reader, secret_writer

        channel = self.settings_of(name)
        cls = self.connector_class(channel.kind)
        return cls(
            channel,
            client=client,
            secrets=secret_reader(name),
            secret_writer=secret_writer(name),
            now=self.context.now,
        )

    def capabilities(self, name: str) -> Capabilities:
        """What a channel can do (its connector is built without a client: no network)."""
        return self.connector(name).capabilities

    def run(
        self,
        name: str,
        work: Callable[[Connector], Awaitable[T]],
        *,
        wrap_errors: bool = True,
    ) -> T:
        """Run ``work(connector)`` on one channel from synchronous code (see
        :func:`cxdaily.connectors.runner.run_on_channel`)."""
        from cxdaily.connectors.runner import run_on_channel

        return run_on_channel(
            self.settings_of(name),
            lambda client: self.connector(name, client),
            work,
            wrap_errors=wrap_errors,
            make_client=self.make_client,
        )

    def check(self, name: str) -> str:
        """Check a channel's reachability and auth; returns what was checked, else raises."""
        self.connector(name)  # unknown names and bad options fail before any network work
        return self.run(name, lambda connector: connector.check(), wrap_errors=False)

    def status(self) -> list[ChannelStatus]:
        """Every configured channel's last fetch time, question count and error, in order."""
        context = self.context
        with context.lock:
            stored = context.store.questions.channel_statuses()
        return [
            stored.get(name) or ChannelStatus(channel=name) for name in context.settings.channels
        ]

    def refresh(
        self,
        names: Iterable[str] | None = None,
        on_done: Post | None = None,
    ) -> RefreshReport:
        """Fetch the named (or all) channels concurrently and store what they brought.

        Each channel's questions are stored in one batched write as soon as it finishes
        (then ``on_done`` is told), so fresh questions appear while slower channels are
        still working. A channel that fails is reported in its outcome and its status;
        the others are unaffected. ``on_done`` runs on the thread that called refresh
        (the app calls refresh from a thread worker, so it must hop to the UI thread).
        """
        context = self.context
        chosen = list(dict.fromkeys(names)) if names else list(context.settings.channels)
        for name in chosen:
            self.settings_of(name)
        with context.lock:
            checkpoints = {n: context.store.questions.checkpoint(n) for n in chosen}
            held_since = {n: context.store.questions.held_since(n) for n in chosen}
        from cxdaily.connectors.holding import may_hold
        from cxdaily.connectors.runner import (
            BACKSTOP_S,
            GRACE_S,
            ChannelOutcome,
            WorkAbandonedError,
            run_bounded,
        )

        now = context.now()
        holding_off = {n for n, since in held_since.items() if not may_hold(since, now)}
        fetched = _Fetched(stored={})
        deadlines = [_deadline_or_default(context.settings.channels[n]) for n in chosen]
        limit = GRACE_S + BACKSTOP_S + max(deadlines, default=0.0)

        def ignore(outcome: ChannelOutcome) -> None:
            return None

        try:
            outcomes = run_bounded(
                lambda post: self._fetch(chosen, checkpoints, holding_off, post, fetched),
                limit,
                what="fetching",
                on_message=on_done or ignore,
            )
        except WorkAbandonedError as exc:
            # A connector stuck where no deadline reaches: report what was stored and let
            # the rest go (waiting for the lock lets a write under way finish first).
            with context.lock:
                done = dict(fetched.stored)
            outcomes = []
            for name in chosen:
                if name in done:
                    outcomes.append(done[name])
                    continue
                outcome = ChannelOutcome.failed(name, WorkAbandonedError(str(exc), channel=name))
                outcomes.append(outcome)
                if on_done is not None:
                    on_done(outcome)
        return RefreshReport(outcomes=tuple(outcomes), added=fetched.added, updated=fetched.updated)

    async def _fetch(
        self,
        chosen: list[str],
        checkpoints: dict[str, dict[str, Any] | None],
        holding_off: set[str],
        post: Post,
        fetched: _Fetched,
    ) -> list[ChannelOutcome]:
        """Fetch and store every chosen channel (those in ``holding_off`` move on without
        the items a look-up leaves unread); ``post`` hands each outcome to the caller."""
        from cxdaily.connectors.http import make_client
        from cxdaily.connectors.runner import ChannelOutcome, channel_deadline_s, fetch_all
        from cxdaily.service.fetching import store_outcome

        context = self.context

        def store(outcome: ChannelOutcome) -> ChannelOutcome:
            with context.lock:
                outcome, added, updated = store_outcome(context.store, outcome, context.now())
                fetched.added += added
                fetched.updated += updated
                fetched.stored[outcome.channel] = outcome
            return outcome

        async def finished(outcome: ChannelOutcome) -> None:
            try:
                outcome = await asyncio.to_thread(store, outcome)
            except Exception as exc:
                post(ChannelOutcome.failed(outcome.channel, exc, outcome.seconds))
                raise
            post(outcome)

        async with (self.make_client or make_client)() as client:
            connectors: dict[str, Connector | CxDailyError] = {}
            deadlines: dict[str, float] = {}
            for name in chosen:
                try:
                    connectors[name] = self.connector(name, client)
                    deadlines[name] = channel_deadline_s(context.settings.channels[name])
                except CxDailyError as exc:  # a bad channel config fails that channel only
                    connectors[name] = exc
            outcomes = await fetch_all(
                connectors,
                checkpoints,
                deadlines=deadlines,
                on_done=finished,
                holding_off=holding_off,
            )
        return [fetched.stored.get(o.channel, o) if o.ok else o for o in outcomes]

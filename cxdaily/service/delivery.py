"""Sending digests to the configured destinations, at most once per period, and the weekly
rhythm (see :mod:`cxdaily.insights.delivery`).

:class:`Delivery` builds each destination's digest (redacted unless the caller says
otherwise: only ``cxdaily digest --send --no-redact`` does), asks the store what went out
already, sends through the destination's sender (:mod:`cxdaily.connectors.destinations`)
and records the outcome before and after, so that:

- a whole-digest destination (email, webhook) gets a period's digest at most once, unless
  the caller asks again (``again``); a send whose outcome is unknown is held, not repeated;
- an item-wise destination records each item as it goes, and a retry sends only the rest;
- a destination that fails never stops the others; each gets one :class:`DeliveryOutcome`.

Network work runs outside the store's lock (a destination's ledger takes it per write).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, Unpack

import msgspec
from msgspec.structs import replace

from cxdaily.core.clock import to_iso
from cxdaily.core.errors import CxDailyError, NotFoundError
from cxdaily.core.safe_text import one_line
from cxdaily.insights.delivery.model import (
    DeliveryOutcome,
    DeliveryPeriod,
    DueDigest,
    ItemRecord,
    OutcomeStatus,
    Parcel,
    PeriodRecord,
    PeriodState,
)
from cxdaily.insights.delivery.schedule import Decision, decide, digest_week, latest_digest_day
from cxdaily.service.context import ServiceContext
from cxdaily.service.digests import Digests
from cxdaily.settings.delivery import DestinationSettings

if TYPE_CHECKING:
    from cxdaily.connectors.runner import ClientFactory
    from cxdaily.insights.source import DigestRequest
    from cxdaily.store.deliveries import DeliveryRepository

AGAIN_HINT = "--again sends it again"


class DestinationStatus(msgspec.Struct, frozen=True):
    """A configured destination as ``cxdaily destinations list`` shows it."""

    name: str
    kind: str
    target: str
    """Where it sends, in a few words (no secret)."""
    last: PeriodRecord | None
    """Its latest period that went out."""


class StoreLedger:
    """The item records of one destination, in the store (one durable write per item)."""

    def __init__(
        self, context: ServiceContext, repository: DeliveryRepository, destination: str, period: str
    ) -> None:
        self._context = context
        self._repository = repository
        self._destination = destination
        self._period = period

    def sent(self) -> Mapping[str, ItemRecord]:
        """Every item sent to this destination, by item key."""
        with self._context.lock:
            return self._repository.items(self._destination)

    def record(
        self, item: str, remote_id: str, *, url: str | None = None, evidence: Sequence[str] = ()
    ) -> ItemRecord:
        """Durably record an item sent (or updated), keeping its first period."""
        with self._context.lock:
            known = self._repository.items(self._destination).get(item)
            record = ItemRecord(
                destination=self._destination,
                item=item,
                remote_id=remote_id,
                sent_at=known.sent_at if known else self._context.now(),
                period=known.period if known else self._period,
                url=url or (known.url if known else None),
                evidence=tuple(dict.fromkeys([*(known.evidence if known else ()), *evidence])),
            )
            self._repository.save_item(record)
            return record


class DigestSending(TypedDict, total=False):
    """How :meth:`Delivery.send` sends a digest; each may be left out."""

    destinations: Iterable[str] | None
    """The names of the destinations to send to (default: every one configured)."""
    redact: bool
    """Redact the digest (see :mod:`cxdaily.insights.redact`; default ``True``)."""
    again: bool
    """Send even to a destination that has had this period (default: at most once)."""


class Delivery:
    """Digests to destinations: what is due, and sending it once."""

    def __init__(
        self, context: ServiceContext, digests: Digests, *, make_client: ClientFactory | None = None
    ) -> None:
        self._context = context
        self._digests = digests
        self._make_client = make_client  # None: cxdaily.connectors.http.make_client
        self._repository: DeliveryRepository | None = None

    @property
    def repository(self) -> DeliveryRepository:
        """The delivery records (opened on first use)."""
        if self._repository is None:
            from cxdaily.store.deliveries import DeliveryRepository

            with self._context.lock:
                self._repository = DeliveryRepository(self._context.store.folder)
        return self._repository

    # -- what is configured and what is due -------------------------------------------
    def chosen(self, names: Iterable[str] | None) -> list[DestinationSettings]:
        """The named destinations (all when ``names`` is None), in the config's order."""
        configured = self._context.settings.destinations
        wanted = list(dict.fromkeys(names)) if names is not None else list(configured)
        for name in wanted:
            if name not in configured:
                known = ", ".join(configured) or "none configured"
                raise NotFoundError(f"no destination named {name!r} (destinations: {known})")
        return [configured[name] for name in wanted]

    def statuses(self) -> list[DestinationStatus]:
        """Every configured destination, where it sends and its last period sent."""
        from cxdaily.connectors.destinations import destination_class

        channels = self._context.settings.channels
        found = []
        for destination in self.chosen(None):
            sender = destination_class(destination.kind)(destination, channels=channels)
            with self._context.lock:
                last = self.repository.last_sent(destination.name)
            found.append(
                DestinationStatus(destination.name, destination.kind, sender.describe(), last)
            )
        return found

    def week_request(self, now: datetime) -> DigestRequest:
        """The request for the latest digest week (the seven days before the last digest
        day, in the home time zone)."""
        from cxdaily.insights.source import DigestRequest

        today = self._context.settings.session.days.today(now)
        first, last = digest_week(today, self._context.settings.digest.day)
        return DigestRequest(since=first.isoformat(), until=last.isoformat())

    def period_of(self, request: DigestRequest, now: datetime) -> DeliveryPeriod:
        """The delivery period a request resolves to."""
        from cxdaily.insights.source import period_for

        return DeliveryPeriod.of(period_for(request, self._context.settings, now))

    def due(self, now: datetime | None = None) -> DueDigest | None:
        """The latest digest week when a destination has not had it yet, else ``None``."""
        from cxdaily.connectors.destinations import destination_class

        now = now or self._context.now()
        destinations = self.chosen(None)
        if not destinations:
            return None
        request = self.week_request(now)
        period = self.period_of(request, now)
        pending, held = [], []
        for destination in destinations:
            with self._context.lock:
                record = self.repository.period(destination.name, period.key)
            itemwise = destination_class(destination.kind).itemwise
            decision = decide(record, itemwise=itemwise, again=False)
            if decision is Decision.SEND:
                pending.append(destination.name)
            elif decision is Decision.HELD:
                held.append(destination.name)
        if not pending:
            return None
        assert request.since is not None and request.until is not None
        today = self._context.settings.session.days.today(now)
        return DueDigest(
            day=latest_digest_day(today, self._context.settings.digest.day),
            period=period,
            since=request.since,
            until=request.until,
            destinations=tuple(pending),
            held=tuple(held),
        )

    # -- sending ----------------------------------------------------------------------
    def send(
        self, request: DigestRequest | None = None, **options: Unpack[DigestSending]
    ) -> list[DeliveryOutcome]:
        """Send the digest of ``request``'s period (by default the latest digest week) as
        ``options`` say (see :class:`DigestSending`); one outcome per destination, in
        order."""
        now = self._context.now()
        destinations = self.chosen(options.get("destinations"))
        redact, again = options.get("redact", True), options.get("again", False)
        if request is None or (request.since is None and request.until is None):
            week = self.week_request(now)
            request = week if request is None else replace(week, team=request.team, tag=request.tag)
        period = self.period_of(request, now)
        parcels: dict[tuple[str | None, str | None, bool], Parcel | CxDailyError] = {}
        outcomes = []
        for destination in destinations:
            outcomes.append(
                self._send_one(destination, request, period, parcels, redact=redact, again=again)
            )
        return outcomes

    def _send_one(
        self,
        destination: DestinationSettings,
        request: DigestRequest,
        period: DeliveryPeriod,
        parcels: dict[tuple[str | None, str | None, bool], Parcel | CxDailyError],
        *,
        redact: bool,
        again: bool,
    ) -> DeliveryOutcome:
        from cxdaily.connectors.destinations import destination_class

        name = destination.name
        try:
            sender = destination_class(destination.kind)(
                destination, channels=self._context.settings.channels
            )
        except CxDailyError as exc:
            return _outcome(destination, OutcomeStatus.FAILED, period, one_line(exc, 300))
        with self._context.lock:
            record = self.repository.period(name, period.key)
        decision = decide(record, itemwise=sender.itemwise, again=again)
        if decision is Decision.ALREADY and record is not None:
            when = to_iso(record.sent_at or record.updated_at)
            detail = f"already sent on {when} for {period.label} ({AGAIN_HINT})"
            return _outcome(destination, OutcomeStatus.ALREADY, period, detail)
        if decision is Decision.HELD and record is not None:
            detail = (
                f"an attempt on {to_iso(record.updated_at)} may have gone out "
                f"({record.error or 'it was interrupted'}); check {name}, then {AGAIN_HINT}"
            )
            return _outcome(destination, OutcomeStatus.HELD, period, one_line(detail, 500))
        key = (
            sender.option("team") or request.team,
            sender.option("tag") or request.tag,
            bool(sender.option("initials")),
        )
        if key not in parcels:
            parcels[key] = self._parcel(request, period, key, redact)
        parcel = parcels[key]
        if isinstance(parcel, CxDailyError):
            return _outcome(destination, OutcomeStatus.FAILED, period, one_line(parcel, 300))
        return self._deliver(destination, parcel, record)

    def _parcel(
        self,
        request: DigestRequest,
        period: DeliveryPeriod,
        key: tuple[str | None, str | None, bool],
        redact: bool,
    ) -> Parcel | CxDailyError:
        """The digest for one set of filters (an unknown team or tag is its error)."""
        from cxdaily.insights.redact import Redaction

        team, tag, initials = key
        wanted = replace(
            request, team=team, tag=tag, redaction=Redaction(enabled=redact, initials=initials)
        )
        try:
            return Parcel(self._digests.digest(wanted), period)
        except CxDailyError as exc:
            return exc

    def _deliver(
        self, destination: DestinationSettings, parcel: Parcel, record: PeriodRecord | None
    ) -> DeliveryOutcome:
        """Record the attempt, send, record the result (the send outside the lock)."""
        from cxdaily.connectors.destinations import may_have_gone_out, send_parcel

        period = parcel.period
        started = PeriodRecord(
            destination=destination.name,
            kind=destination.kind,
            period=period.key,
            label=period.label,
            state=PeriodState.SENDING,
            attempts=(record.attempts if record else 0) + 1,
            updated_at=self._context.now(),
            sent_at=record.sent_at if record else None,
        )
        repository = self.repository
        with self._context.lock:
            repository.save_period(started)
        ledger = StoreLedger(self._context, repository, destination.name, period.key)
        try:
            delivered = send_parcel(
                destination,
                parcel,
                ledger,
                channels=self._context.settings.channels,
                make_client=self._make_client,
            )
        except CxDailyError as exc:
            unknown = may_have_gone_out(exc)
            error = one_line(exc, 300)
            state = PeriodState.UNKNOWN if unknown else PeriodState.FAILED
            with self._context.lock:
                repository.save_period(
                    replace(started, state=state, updated_at=self._context.now(), error=error)
                )
            if unknown:
                error += f" (it may have gone out: check {destination.name}, then {AGAIN_HINT})"
            return _outcome(destination, OutcomeStatus.FAILED, period, error)
        now = self._context.now()
        with self._context.lock:
            repository.save_period(
                replace(
                    started,
                    state=PeriodState.SENT,
                    updated_at=now,
                    sent_at=now,
                    items=delivered.items,
                )
            )
        return _outcome(destination, OutcomeStatus.SENT, period, delivered.detail)


def _outcome(
    destination: DestinationSettings, status: OutcomeStatus, period: DeliveryPeriod, detail: str
) -> DeliveryOutcome:
    return DeliveryOutcome(destination.name, destination.kind, status, period, detail)

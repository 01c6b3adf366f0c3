"""What delivery is about: the period sent, the parcel, the records kept, the outcomes.

- :class:`DeliveryPeriod`: the digest period a send is for, with the key that makes "at
  most once per period" checkable (``2026-11-13T00:00:00Z..2026-11-20T00:00:00Z``);
- :class:`Parcel`: the digest of that period for one destination, rendered through the
  format registry on demand (each format once);
- :class:`PeriodRecord`: what the store keeps per destination and period (sent, failed, or
  an outcome nobody knows); :class:`ItemRecord`: per destination and item, for kinds that
  send items one by one (each insight, each theme) and must never send one twice;
- :class:`DeliveryOutcome`: the one-line result per destination the command line prints
  and the app shows; :class:`DueDigest`: what the weekly rhythm says is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import msgspec

from cxdaily.core.clock import to_iso
from cxdaily.core.record_fields import StoredRecord, plain_fields

if TYPE_CHECKING:
    from cxdaily.insights.model import Digest
    from cxdaily.insights.period import Period


class DeliveryPeriod(msgspec.Struct, frozen=True):
    """The period a digest is sent for."""

    key: str
    """``SINCE..UNTIL`` as ISO-8601 UTC instants for a period of whole days: the same period
    has the same key. A rolling period ("the last 7 days", ending now) is keyed by its
    first and last day in the home zone, so sending it again the same day is the same
    period (never twice), and the next day is a new one."""
    label: str
    """``13 Nov 2026 – 19 Nov 2026 (UTC)``: the period as the leader reads it."""

    @classmethod
    def of(cls, period: Period) -> DeliveryPeriod:
        """The delivery period of a resolved digest period."""
        if period.whole_days:
            return cls(key=f"{to_iso(period.since)}..{to_iso(period.until)}", label=period.label)
        last_day = period.day(period.until)
        return cls(key=f"{period.first_day}..{last_day} rolling", label=period.label)


@dataclass(frozen=True)
class Parcel:
    """The digest of one period, built and redacted for one destination.

    ``text(fmt)`` renders it in a format of the registry (``html``, ``md``, ``json``)
    once and keeps the text, so a destination that sends two formats renders each once.
    """

    digest: Digest
    period: DeliveryPeriod
    _texts: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def text(self, fmt: str) -> str:
        """The digest rendered in ``fmt`` (see :mod:`cxdaily.insights.formats`)."""
        if fmt not in self._texts:
            from cxdaily.insights.output import render

            self._texts[fmt] = render(self.digest, fmt)
        return self._texts[fmt]


class PeriodState(StrEnum):
    """How sending one period's digest to one destination stands."""

    SENDING = "sending"
    """Begun and not finished: a process that stopped mid-send leaves this behind."""
    SENT = "sent"
    FAILED = "failed"
    """The destination refused it, or it never got there: safe to send again."""
    UNKNOWN = "unknown"
    """It may have gone out (a timeout after it was transmitted): not sent again on its
    own, so nobody gets it twice; ``--again`` sends it anyway."""


class PeriodRecord(StoredRecord, frozen=True):
    """What was sent to one destination for one period (one per pair, replaced as it
    changes); read back field by field by its declared types (a field of the wrong shape
    raises ``RecordError``)."""

    destination: str
    kind: str
    period: str
    """The :attr:`DeliveryPeriod.key`."""
    label: str
    state: PeriodState
    attempts: int
    updated_at: datetime
    sent_at: datetime | None = None
    items: int = 0
    """Items delivered for this period (item-wise kinds; 1 for a whole digest)."""
    error: str | None = None
    """The last failure, one line, no secret."""

    @property
    def id(self) -> str:
        """The record's key in the store."""
        return record_id(self.destination, self.period)

    def to_dict(self) -> dict[str, Any]:
        """The record as the store keeps it: its key, then every field."""
        return {"id": self.id, **plain_fields(self)}


class ItemRecord(StoredRecord, frozen=True):
    """One item an item-wise destination delivered (a note, an issue), kept for good: the
    item is never sent twice, and an issue per theme is updated rather than opened again.
    Read back as :class:`PeriodRecord` is."""

    destination: str
    item: str
    """What was sent, stable across periods: ``insight:<id>``, ``theme:<key>``."""
    remote_id: str
    """The destination's id for it (to update it later)."""
    sent_at: datetime
    period: str
    """The period it was first sent in."""
    url: str | None = None
    evidence: tuple[str, ...] = ()
    """Insight ids already attached to it (an issue per theme gets only new evidence)."""

    @property
    def id(self) -> str:
        """The record's key in the store."""
        return record_id(self.destination, self.item)

    def to_dict(self) -> dict[str, Any]:
        """The record as the store keeps it: its key, then every field."""
        return {"id": self.id, **plain_fields(self)}


def record_id(destination: str, key: str) -> str:
    """``destination|key``: a store key (destination names never hold ``|``)."""
    return f"{destination}|{key}"


class Delivered(msgspec.Struct, frozen=True):
    """What a destination reports after sending: how many items went, and a few words on
    where (``email to 3 addresses``, ``Slack message``)."""

    items: int
    detail: str


class OutcomeStatus(StrEnum):
    """The outcome of sending to one destination, as the command line reports it."""

    SENT = "sent"
    ALREADY = "already sent"
    HELD = "held"
    """An earlier attempt may have gone out: nothing was sent (``--again`` sends it)."""
    FAILED = "failed"


class DeliveryOutcome(msgspec.Struct, frozen=True):
    """What happened to one destination in one send."""

    destination: str
    kind: str
    status: OutcomeStatus
    period: DeliveryPeriod
    detail: str
    """One line, no secret: ``email to 3 addresses``, the error, or when it was sent."""

    @property
    def ok(self) -> bool:
        """Sent now or before: nothing left to do for this destination and period."""
        return self.status in (OutcomeStatus.SENT, OutcomeStatus.ALREADY)

    @property
    def line(self) -> str:
        """``team-slack: sent (Slack message) for 13 Nov 2026 – 19 Nov 2026 (UTC)``."""
        if self.status is OutcomeStatus.SENT:
            return f"{self.destination}: sent ({self.detail}) for {self.period.label}"
        # an error names its destination already: "team-slack: POST ... (HTTP 400)"
        return f"{self.destination}: {self.detail.removeprefix(f'{self.destination}: ')}"


class DueDigest(msgspec.Struct, frozen=True):
    """The week's digest when it is due: the period, and who still needs it."""

    day: date
    """The digest day that made it due."""
    period: DeliveryPeriod
    since: str
    """The first day of the week (``2026-11-13``), as a ``--since`` expression."""
    until: str
    """The last day of the week (``2026-11-19``), as an ``--until`` expression."""
    destinations: tuple[str, ...]
    """The destinations that have not had it."""
    held: tuple[str, ...] = ()
    """Destinations whose earlier attempt may have gone out (left to the leader)."""

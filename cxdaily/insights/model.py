"""The digest's data: what every renderer reads.

Everything here is already cleaned of control characters and, unless redaction was
switched off, of personal data (see :mod:`cxdaily.insights.build`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from cxdaily.core.models import Action, Question
from cxdaily.core.safe_text import one_line
from cxdaily.insights.period import Period
from cxdaily.insights.redact import Redaction

UNASSIGNED = "unassigned"
"""The team name shown for insights routed to no team."""
UNKNOWN_SENTIMENT = "unknown"
"""The sentiment shown for insights recorded without one."""


class DigestInsight(NamedTuple):
    """One insight as exported: cleaned and redacted (a named tuple: a digest makes
    thousands of them, and tuples are the cheapest immutable records to build)."""

    id: str
    question_id: str
    url: str | None
    channel: str
    customer_name: str | None
    customer_handle: str | None
    tags: tuple[str, ...]
    team: str
    sentiment: str
    importance: int
    summary: str
    quote: str
    note: str
    created_at: datetime
    day: date

    @property
    def customer(self) -> str:
        """``Jane Doe (@jdoe)``, or whichever of the two is known, or ``unknown``."""
        if self.customer_name and self.customer_handle:
            return f"{self.customer_name} ({self.customer_handle})"
        return self.customer_name or self.customer_handle or "unknown"

    @property
    def headline(self) -> str:
        """The summary, or the start of the quote when there is no summary."""
        return self.summary or one_line(self.quote, 100) or "(no summary)"


@dataclass(frozen=True)
class Change:
    """A count in this period against the previous one."""

    name: str
    count: int
    previous: int

    @property
    def delta(self) -> int:
        """This period minus the previous one."""
        return self.count - self.previous

    @property
    def percent(self) -> int | None:
        """The change in percent, ``None`` when the previous period had none."""
        if not self.previous:
            return None
        return round(100 * self.delta / self.previous)

    @property
    def words(self) -> str:
        """``+8 (+24%)``, ``-2 (-50%)``, ``new``, ``no change``."""
        if self.delta == 0:
            return "no change"
        if self.percent is None:
            return "new"
        return f"{self.delta:+d} ({self.percent:+d}%)"


@dataclass(frozen=True)
class TagGroup:
    """The insights of one tag within a team, most important first."""

    tag: str
    insights: tuple[DigestInsight, ...]


@dataclass(frozen=True)
class TeamGroup:
    """One team's insights, by tag."""

    team: str
    count: int
    tags: tuple[TagGroup, ...]


@dataclass(frozen=True)
class Reflection:
    """A line the leader wrote at a wrap-up."""

    day: date
    text: str


@dataclass(frozen=True)
class Handoff:
    """A question handed to a team, with the leader's note."""

    at: datetime
    day: date
    team: str
    note: str
    question_id: str
    channel: str
    customer: str
    url: str | None


@dataclass(frozen=True)
class TrendBucket:
    """Insights per followed tag in one day, week or month."""

    start: date
    label: str
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class Trend:
    """Tags over time: the unit, the followed tags, and one bucket per step."""

    unit: str
    tags: tuple[str, ...]
    buckets: tuple[TrendBucket, ...]


@dataclass(frozen=True)
class Headline:
    """The numbers at the top of the digest."""

    insights: Change
    customers: int
    channels: int
    important: int
    """Insights of importance +3."""
    negative_percent: int | None
    handoffs: int
    sessions: int


@dataclass(frozen=True)
class HandoffSource:
    """A hand-off action with its question (``None`` when it is no longer stored)."""

    action: Action
    question: Question | None


@dataclass(frozen=True)
class Digest:
    """Everything a digest shows, ready to render."""

    period: Period
    generated_at: datetime
    team: str | None
    tag: str | None
    redaction: Redaction
    headline: Headline
    insights: tuple[DigestInsight, ...]
    groups: tuple[TeamGroup, ...]
    tags: tuple[Change, ...]
    teams: tuple[Change, ...]
    areas: tuple[Change, ...]
    sentiment: tuple[Change, ...]
    trend: Trend
    reflections: tuple[Reflection, ...]
    handoffs: tuple[Handoff, ...]

    @property
    def empty(self) -> bool:
        """Whether nothing at all happened in the period."""
        return not (self.insights or self.reflections or self.handoffs)

    @property
    def title(self) -> str:
        """``Customer insights · 16 Nov 2026 – 22 Nov 2026 (UTC)`` plus the filters."""
        scope = "".join(
            f" · {kind} {value}"
            for kind, value in (("team", self.team), ("tag", self.tag))
            if value
        )
        return f"Customer insights · {self.period.label}{scope}"

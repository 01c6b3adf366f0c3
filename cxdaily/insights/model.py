"""The digest's data: what every renderer reads.

Everything here is already cleaned of control characters and, unless redaction was
switched off, of personal data (see :mod:`cxdaily.insights.build`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import msgspec

from cxdaily.core.models import Action, Question
from cxdaily.core.words import whole_sentences
from cxdaily.insights.period import Period
from cxdaily.insights.redact import Redaction

UNASSIGNED = "unassigned"
"""The team name shown for insights routed to no team."""
UNKNOWN_SENTIMENT = "unknown"
"""The sentiment shown for insights recorded without one."""
UNTAGGED = "untagged"
"""The primary tag of an insight recorded without a tag."""
HEADLINE_CHARS = 140
"""Longest headline taken from a quote when an insight has no summary."""


def tag_key(tag: str) -> str:
    """A tag as themes and groups compare it: lower-case, single-spaced, with ``-`` and
    ``_`` read as spaces (``Churn-Risk``, ``churn_risk`` and ``churn risk`` are one)."""
    return " ".join(tag.replace("-", " ").replace("_", " ").lower().split())


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
    primary_tag: str
    """The tag the insight is filed under (its first tag, normalised; the filter tag when
    the digest has one): its group and its theme."""

    @property
    def other_tags(self) -> tuple[str, ...]:
        """Its tags but the primary one (shown beside it)."""
        primary = self.primary_tag
        return tuple(t for t in self.tags if tag_key(t) != primary)

    @property
    def customer(self) -> str:
        """``Jane Doe (@jdoe)``, or whichever of the two is known, or ``unknown``."""
        if self.customer_name and self.customer_handle:
            return f"{self.customer_name} ({self.customer_handle})"
        return self.customer_name or self.customer_handle or "unknown"

    @property
    def headline(self) -> str:
        """The summary, or the quote's first sentences when there is no summary (cut only
        between sentences)."""
        return self.summary or whole_sentences(self.quote, HEADLINE_CHARS) or "(no summary)"


class Change(msgspec.Struct, frozen=True):
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


class TagGroup(msgspec.Struct, frozen=True):
    """The insights filed under one primary tag within a team, most important first
    (then newest)."""

    tag: str
    insights: tuple[DigestInsight, ...]

    @property
    def top_importance(self) -> int:
        """The importance of its most important insight."""
        return self.insights[0].importance if self.insights else 0


class TeamGroup(msgspec.Struct, frozen=True):
    """One team's insights, each once, under its primary tag (groups with the most
    important insight first, then the largest)."""

    team: str
    count: int
    tags: tuple[TagGroup, ...]

    @property
    def top_importance(self) -> int:
        """The importance of the team's most important insight."""
        return max((g.top_importance for g in self.tags), default=0)


class Theme(msgspec.Struct, frozen=True):
    """One thing that matters this period: the insights sharing a primary tag, scored and
    summarised in one sentence.

    ``key`` (``tag:<normalised tag>``) stays the same from one period to the next, so a
    destination can update one issue per theme instead of opening a new one each time.
    """

    key: str
    title: str
    summary: str
    """One sentence written from the data: what, how many insights and customers, trend."""
    evidence: int
    """How many insights of the period back the theme."""
    customers: int
    """Distinct customers affected (an insight with no known customer counts as one)."""
    trend: str
    """``new``, ``rising``, ``falling`` or ``steady`` against the previous period."""
    sentiment: str
    """The sentiment of most of the theme's insights, or ``mixed`` when none has a
    majority."""
    team: str
    """The team most of the theme's insights are routed to."""
    quote: str
    """The strongest quote, whole (already redacted); empty when no insight has one."""
    insight_ids: tuple[str, ...]
    """The ids of the theme's insights, most important first."""


class Reflection(msgspec.Struct, frozen=True):
    """A line the leader wrote at a wrap-up."""

    day: date
    text: str


class Handoff(msgspec.Struct, frozen=True):
    """A question handed to a team, with the leader's note."""

    at: datetime
    day: date
    team: str
    note: str
    question_id: str
    channel: str
    customer: str
    url: str | None


class TrendBucket(msgspec.Struct, frozen=True):
    """Insights per followed tag in one day, week or month."""

    start: date
    label: str
    counts: dict[str, int]
    total: int


class Trend(msgspec.Struct, frozen=True):
    """Tags over time: the unit, the followed tags, and one bucket per step."""

    unit: str
    tags: tuple[str, ...]
    buckets: tuple[TrendBucket, ...]


class Headline(msgspec.Struct, frozen=True):
    """The numbers at the top of the digest."""

    insights: Change
    customers: int
    channels: int
    important: int
    """Insights of importance +3."""
    negative_percent: int | None
    handoffs: int
    sessions: int


class HandoffSource(msgspec.Struct, frozen=True):
    """A hand-off action with its question (``None`` when it is no longer stored)."""

    action: Action
    question: Question | None


class Digest(msgspec.Struct, frozen=True):
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
    themes: tuple[Theme, ...] = ()
    """The three to five themes that matter most this period, strongest first."""

    @property
    def ordered(self) -> tuple[DigestInsight, ...]:
        """Every insight once, in the order the digest shows them: team by team, primary
        tag by primary tag, most important first."""
        return tuple(i for team in self.groups for group in team.tags for i in group.insights)

    def theme_ranks(self) -> dict[str, tuple[int, Theme]]:
        """Insight id -> (rank from 1, theme) for the insights of the top themes."""
        return {
            insight_id: (rank, theme)
            for rank, theme in enumerate(self.themes, 1)
            for insight_id in theme.insight_ids
        }

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

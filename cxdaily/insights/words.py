"""Words and small helpers the renderers share: dates and times, safe links, the
headline sentences, the themes' facts, the sentiment shares, and the insights' fields
field by field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from cxdaily.core.clock import to_iso
from cxdaily.core.words import plural
from cxdaily.insights.model import Change, Digest, DigestInsight, TeamGroup, Theme, tag_key

EMPTY_NOTICE = "No insights, reflections or hand-offs in this period."
_CUSTOMER = attrgetter("customer")
THEMES_TITLE = "What matters"
"""The heading of the themes at the top of the digest."""
# http(s), a host (no user info: "https://good.example@evil.example" is refused), then
# anything but whitespace and control characters.
_WEB_URL = re.compile(r"https?://[^\s/?#@\\\x00-\x1f\x7f]+(?:[/?#][^\s\x00-\x1f\x7f]*)?", re.I)


@lru_cache(maxsize=4096)
def day_label(day: date) -> str:
    """``20 Nov 2026``."""
    return f"{day.day} {day:%b %Y}"


@lru_cache(maxsize=4096)
def tags_besides(tags: tuple[str, ...], primary: str) -> tuple[str, ...]:
    """The ``tags`` but the ``primary`` one, worked out once per combination (a digest's
    insights share a few dozen)."""
    return tuple(tag for tag in tags if tag_key(tag) != primary)


def other_tags(insight: DigestInsight) -> tuple[str, ...]:
    """:attr:`DigestInsight.other_tags`, worked out once per combination of tags (a
    digest's insights share a few dozen)."""
    return tags_besides(insight.tags, insight.primary_tag)


def fields_of(insights: Sequence[DigestInsight]) -> dict[str, tuple[Any, ...]]:
    """Each field of ``insights`` by name, one tuple per field (empty ones when there are
    no insights)."""
    names = DigestInsight._fields
    if not insights:
        return {name: () for name in names}
    return dict(zip(names, zip(*insights, strict=True), strict=True))


def insight_columns(insights: Sequence[DigestInsight]) -> dict[str, tuple[Any, ...]]:
    """Each field of ``insights`` by name, one tuple per field, and what every renderer
    shows beside them: ``headline``, ``customer``, ``day_label`` and ``other_tags``
    (renderers escape a field of every insight at once)."""
    columns = fields_of(insights)
    columns["headline"] = tuple(
        summary or insight.headline
        for summary, insight in zip(columns["summary"], insights, strict=True)
    )
    columns["customer"] = tuple(map(_CUSTOMER, insights))
    columns["day_label"] = tuple(map(day_label, columns["day"]))
    columns["other_tags"] = tuple(map(tags_besides, columns["tags"], columns["primary_tag"]))
    return columns


def iso_time(instant: datetime) -> str:
    """:func:`~cxdaily.core.clock.to_iso` of ``instant`` (``2026-11-23T08:00:00Z``),
    written directly when it is in UTC already, as stored times are: twice as fast, and
    a digest writes thousands."""
    if instant.tzinfo is not UTC:
        return to_iso(instant)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 (faster than an f-string here)
        instant.year,
        instant.month,
        instant.day,
        instant.hour,
        instant.minute,
        instant.second,
    )


def instant_label(instant: datetime, digest: Digest) -> str:
    """An instant in the digest's home time zone: ``23 Nov 2026 08:00``."""
    local = instant.astimezone(digest.period.zone)
    return f"{day_label(local.date())} {local:%H:%M}"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link with a host, else ``None`` (no ``javascript:``,
    ``data:`` or relative links from a channel ever reach an export as a link)."""
    if not url:
        return None
    value = url.strip()
    return value if _WEB_URL.fullmatch(value) else None


def generated_line(digest: Digest) -> str:
    """``Generated 23 Nov 2026 08:00 (UTC) · personal data redacted``."""
    redaction = digest.redaction
    if not redaction.enabled:
        privacy = "personal data NOT redacted"
    elif redaction.initials:
        privacy = "personal data redacted, names as initials"
    else:
        privacy = "personal data redacted"
    if not redaction.enabled and redaction.initials:
        privacy += " (names as initials)"
    return f"Generated {instant_label(digest.generated_at, digest)} · {privacy}"


def previous_label(digest: Digest) -> str:
    """The previous period without its zone: ``9 Nov 2026 – 15 Nov 2026``."""
    return digest.period.previous.label.rsplit(" (", 1)[0]


def insights_sentence(change: Change) -> str:
    """``42 insights, +8 (+24%) against 34 in the previous period`` and its variants."""
    count = plural(change.count, "insight")
    if change.delta == 0:
        return f"{count}, as many as in the previous period"
    if not change.previous:
        return f"{count} (none in the previous period)"
    return f"{count}, {change.words} against {change.previous} in the previous period"


def headline_lines(digest: Digest) -> list[str]:
    """The headline as plain sentences (renderers add their own emphasis)."""
    h = digest.headline
    return [
        insights_sentence(h.insights),
        f"{plural(h.customers, 'customer')} on {plural(h.channels, 'channel')}",
        f"{h.important} marked +3 (most important)",
        "Sentiment: " + sentiment_words(digest.sentiment),
        f"{plural(h.handoffs, 'hand-off')} · {plural(h.sessions, 'session')}",
        f"Previous period: {previous_label(digest)}",
    ]


def shares(changes: tuple[Change, ...]) -> list[tuple[str, int, int]]:
    """``(name, count, percent)`` for the sentiment mix, percentages adding up to 100."""
    total = sum(c.count for c in changes)
    if not total:
        return [(c.name, 0, 0) for c in changes]
    raw = [(c.name, c.count, 100 * c.count / total) for c in changes]
    rounded = [int(p) for _, _, p in raw]
    leftover = 100 - sum(rounded)
    order = sorted(range(len(raw)), key=lambda i: raw[i][2] - rounded[i], reverse=True)
    for index in order[:leftover]:
        rounded[index] += 1
    return [(name, count, rounded[i]) for i, (name, count, _) in enumerate(raw)]


def sentiment_words(changes: tuple[Change, ...]) -> str:
    """``60% negative · 30% neutral · 10% positive`` (or ``no insights``)."""
    parts = [f"{pct}% {name}" for name, count, pct in shares(changes) if count]
    return " · ".join(parts) if parts else "no insights"


def theme_team(theme: Theme) -> str:
    """``Team: product``: who the theme is for (the team most of its insights go to)."""
    return f"Team: {theme.team}"


def team_heading(team: TeamGroup) -> str:
    """``Product (3)``: a team's name and how many insights it has."""
    return f"{team.team.capitalize()} ({team.count})"

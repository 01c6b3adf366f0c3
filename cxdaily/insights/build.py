"""The digest as data: pure functions from insights, sessions and hand-offs to a
:class:`Digest` that every renderer reads.

Everything in a :class:`Digest` is already cleaned of control characters and, unless
redaction was switched off, of personal data: renderers never see the raw records.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from itertools import chain
from operator import attrgetter

from dateutil.relativedelta import relativedelta

from cxdaily.core.days import day_start_instant
from cxdaily.core.models import Insight, Session
from cxdaily.insights.cleaning import line, trimmed_lines
from cxdaily.insights.export import export_insights, read_fields
from cxdaily.insights.model import (
    UNASSIGNED,
    UNKNOWN_SENTIMENT,
    UNTAGGED,
    Change,
    Digest,
    DigestInsight,
    Handoff,
    HandoffSource,
    Headline,
    Reflection,
    TagGroup,
    TeamGroup,
    Theme,
    Trend,
    TrendBucket,
    tag_key,
)
from cxdaily.insights.period import Period
from cxdaily.insights.redact import Redaction
from cxdaily.insights.redactor import Redactor
from cxdaily.insights.taxonomy import SENTIMENTS
from cxdaily.insights.themes import build_themes
from cxdaily.insights.words import shares

__all__ = [
    "UNASSIGNED",
    "UNKNOWN_SENTIMENT",
    "Change",
    "Digest",
    "DigestInsight",
    "Handoff",
    "HandoffSource",
    "Theme",
    "build_digest",
]

TREND_SERIES = 6
"""How many tags the trend follows (the most frequent ones)."""


_TAGS = attrgetter("tags")
_TEAM = attrgetter("team")
_SENTIMENT = attrgetter("sentiment")
_IMPORTANCE = attrgetter("importance")
_CREATED = attrgetter("created_at")
_DAY = attrgetter("day")


def _counts(values: Iterable[str | None], missing: str) -> Counter[str]:
    """How often each value occurs, an empty or missing one counted as ``missing``."""
    counts: Counter[str | None] = Counter(values)
    lost = counts.pop(None, 0) + counts.pop("", 0)
    found: Counter[str] = Counter({value: n for value, n in counts.items() if value})
    if lost:
        found[missing] += lost
    return found


def _tag_counts(tag_lists: Iterable[tuple[str, ...]]) -> Counter[str]:
    """How many insights carry each tag, from their lists of tags (a tag counted once
    per time it is given)."""
    return Counter(chain.from_iterable(tag_lists))


def _shown_tags(tag_lists: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Lists of tags as stored, each tag as a digest shows it (:func:`line`: cleaned, on
    one line), with one look at them all first: almost every tag is clean already."""
    lists = list(tag_lists)
    if trimmed_lines(list(chain.from_iterable(lists))):
        return lists
    return [tuple(map(line, tags)) for tags in lists]


def matches(insight: Insight, team: str | None, tag: str | None) -> bool:
    """Whether an insight passes the team and tag filters (a tag in any of its spellings:
    ``churn risk`` finds ``Churn-Risk``, as themes read them, see :func:`tag_key`)."""
    if team is not None and (insight.team or UNASSIGNED) != team:
        return False
    return tag is None or tag in insight.tags or tag_key(tag) in map(tag_key, insight.tags)


def _one_spelling(now: Counter[str], before: Counter[str]) -> dict[str, str]:
    """Each spelling of a tag in ``now`` and ``before`` to the one a digest shows for it:
    of the spellings that are one tag to :func:`tag_key` (``churn-risk``, ``churn risk``),
    the most used (then the first in order); counted once per distinct spelling."""
    shown: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for spelling, _ in sorted((now + before).items(), key=lambda item: (-item[1], item[0])):
        shown[spelling] = chosen.setdefault(tag_key(spelling), spelling)
    return shown


def _merged(counts: Counter[str], shown: dict[str, str]) -> Counter[str]:
    """``counts`` with every spelling of a tag counted under the one shown."""
    if all(shown.get(tag, tag) == tag for tag in counts):
        return counts  # almost always: one spelling per tag
    merged: Counter[str] = Counter()
    for tag, count in counts.items():
        merged[shown.get(tag, tag)] += count
    return merged


def _within(
    insights: Iterable[Insight], period: Period, team: str | None, tag: str | None
) -> list[Insight]:
    """The insights in ``period`` that pass the filters."""
    inside = period.holding(insights, _CREATED)
    if team is None and tag is None:
        return inside
    return [i for i in inside if matches(i, team, tag)]


def _importance_order(insights: Sequence[DigestInsight]) -> list[int]:
    """The positions of ``insights`` most important first, then newest first (two stable
    sorts on plain keys: much faster than a key function over thousands of insights)."""
    order = sorted(
        range(len(insights)), key=list(map(_CREATED, insights)).__getitem__, reverse=True
    )
    order.sort(key=list(map(_IMPORTANCE, insights)).__getitem__, reverse=True)
    return order


def _customer_keys(
    ids: Sequence[str], names: Sequence[str | None], handles: Sequence[str | None]
) -> list[str]:
    """Who each insight is from, to count customers: the handle, else the name (either
    lower-cased; each distinct one folded once), else the insight itself (an unknown
    customer counts once per insight)."""
    who = [handle or name or "" for handle, name in zip(handles, names, strict=True)]
    folded = {value: value.strip().lower() for value in set(who)}
    return [
        folded[value] or f"insight:{insight_id}" for value, insight_id in zip(who, ids, strict=True)
    ]


def primary_of(insight: Insight, tag: str | None) -> str:
    """The tag an insight is filed under: the filter tag when there is one, else its
    first tag (see :func:`~cxdaily.insights.model.tag_key`)."""
    return primary_tag(insight.tags, tag)


def primary_tag(tags: Sequence[str], tag: str | None) -> str:
    """The tag an insight with ``tags`` is filed under (see :func:`primary_of`)."""
    if tag is not None:
        return tag_key(tag)
    return tag_key(line(tags[0])) if tags else UNTAGGED


def primaries_for(tag: str | None) -> Callable[[Iterable[tuple[str, ...]]], list[str]]:
    """What gives the tag each of many insights is filed under from their lists of tags
    (see :func:`primary_tag`): worked out once per distinct first tag (a digest's
    insights have a few dozen), looked up by that string."""
    of_first = cache(lambda first: primary_tag(() if first is None else (first,), tag))

    def primaries(tag_lists: Iterable[tuple[str, ...]]) -> list[str]:
        return list(map(of_first, [tags[0] if tags else None for tags in tag_lists]))

    return primaries


def build_digest(
    insights: Iterable[Insight],
    period: Period,
    *,
    now: datetime,
    previous: Iterable[Insight] = (),
    sessions: Iterable[Session] = (),
    handoffs: Iterable[HandoffSource] = (),
    team: str | None = None,
    tag: str | None = None,
    areas: Sequence[str] = (),
    redaction: Redaction | None = None,
) -> Digest:
    """Build the digest of ``period`` from the insights in it (and those of the previous
    period, for the trends), filtered by ``team`` and ``tag``."""
    redaction = redaction or Redaction()
    chosen = _within(insights, period, team, tag)
    before = _within(previous, period.previous, team, tag)
    primaries = primaries_for(tag)
    read = read_fields(chosen)
    names, handles = read["customer_name"], read["customer_handle"]
    handed_over = _handoffs_in(handoffs, period, team, tag, chosen)
    authors = [s.question.author for s in handed_over if s.question and s.question.author]
    people = chain(zip(names, handles, strict=True), ((a.name, a.handle) for a in authors))
    redactor = Redactor(redaction, people)  # with initials: see Redactor and KnownPeople
    exported = export_insights(chosen, redactor, DayFinder(period).each, primaries, read)
    order = _importance_order(exported)
    ordered = tuple(map(exported.__getitem__, order))
    customers = list(map(_customer_keys(read["id"], names, handles).__getitem__, order))
    handed = _handoffs(handed_over, period, redactor)
    reflections = _reflections(sessions, period, redactor)
    sessions_in_period = sum(1 for s in sessions if period.contains(s.started_at))
    tag_counts = _tag_counts(map(_TAGS, exported))
    before_tags = _tag_counts(_shown_tags(map(_TAGS, before)))
    shown = _one_spelling(tag_counts, before_tags)  # a tag's spellings counted as one
    tag_counts, before_tags = _merged(tag_counts, shown), _merged(before_tags, shown)
    sentiment = _counts(read["sentiment"], UNKNOWN_SENTIMENT)
    mix = _sentiment(sentiment, _counts(map(_SENTIMENT, before), UNKNOWN_SENTIMENT))
    # the share the words and the charts give (they add up to 100), in every format
    negative = next((pct for name, _, pct in shares(mix) if name == "negative"), 0)
    headline = Headline(
        insights=Change("insights", len(chosen), len(before)),
        customers=len(
            {h or n or q for h, n, q in zip(handles, names, read["question_id"], strict=True)}
        ),
        channels=len(set(read["channel"])),
        important=read["importance"].count(3),
        negative_percent=negative if chosen else None,
        handoffs=len(handed),
        sessions=sessions_in_period,
    )
    return Digest(
        period=period,
        generated_at=now,
        team=team,
        tag=tag,
        redaction=redaction,
        headline=headline,
        insights=ordered,
        groups=_groups(ordered),
        tags=_changes(tag_counts, before_tags),
        teams=_changes(_counts(read["team"], UNASSIGNED), _counts(map(_TEAM, before), UNASSIGNED)),
        areas=_area_changes(areas, tag_counts, before_tags),
        sentiment=mix,
        trend=_trend(ordered, period, [c.name for c in _changes(tag_counts, Counter())], shown),
        reflections=reflections,
        handoffs=handed,
        themes=build_themes(
            ordered,
            customers,
            Counter(primaries(map(_TAGS, before))),
        ),
    )


class DayFinder:
    """The leader's day of an instant, found by bisecting the period's day starts (the
    same days as :meth:`Period.day`, without the time zone arithmetic per insight)."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.first = period.first_day
        count = (period.last_day - self.first).days + 2
        self.starts = [
            day_start_instant(self.first + timedelta(days=n), period.zone, period.day_start)
            for n in range(count)
        ]
        self.days = [self.first + timedelta(days=n) for n in range(count - 1)]

    def __call__(self, instant: datetime) -> date:
        """The day ``instant`` belongs to."""
        index = bisect_right(self.starts, instant) - 1
        if 0 <= index < len(self.days):
            return self.days[index]
        return self.period.day(instant)

    def each(self, instants: Sequence[datetime]) -> list[date]:
        """The day of each instant (as calling for each, with less work per instant)."""
        starts, days, inside = self.starts, self.days, range(len(self.days))
        indices = [bisect_right(starts, instant) - 1 for instant in instants]
        return [
            days[index] if index in inside else self.period.day(instant)
            for index, instant in zip(indices, instants, strict=True)
        ]


def _groups(insights: Sequence[DigestInsight]) -> tuple[TeamGroup, ...]:
    """Teams, each with its insights once under their primary tag. Insights come most
    important first and keep that order; tag groups and teams are ordered by their most
    important insight, then by size, then by name (a team with a +3 comes before a team
    with only +1s, however many)."""
    by_team: dict[str, dict[str, list[DigestInsight]]] = {}
    for insight in insights:
        tags = by_team.get(insight.team)
        if tags is None:
            tags = by_team[insight.team] = {}
        group = tags.get(insight.primary_tag)
        if group is None:
            group = tags[insight.primary_tag] = []
        group.append(insight)
    teams = []
    for team_name, tags in by_team.items():
        groups = sorted(
            (TagGroup(name, tuple(items)) for name, items in tags.items()),
            key=lambda g: (-g.top_importance, -len(g.insights), g.tag),
        )
        teams.append(TeamGroup(team_name, sum(len(g.insights) for g in groups), tuple(groups)))
    teams.sort(key=lambda t: (-t.top_importance, -t.count, t.team))
    return tuple(teams)


def _changes(now_counts: Counter[str], before: Counter[str]) -> tuple[Change, ...]:
    names = set(now_counts) | set(before)
    ordered = sorted(names, key=lambda n: (-now_counts.get(n, 0), -before.get(n, 0), n))
    return tuple(Change(n, now_counts.get(n, 0), before.get(n, 0)) for n in ordered)


def _area_changes(
    areas: Sequence[str], now_counts: Counter[str], before: Counter[str]
) -> tuple[Change, ...]:
    """Each product area's count, its tag found in any spelling (see :func:`tag_key`)."""
    now_by_key = {tag_key(tag): count for tag, count in now_counts.items()}
    before_by_key = {tag_key(tag): count for tag, count in before.items()}
    found = [
        Change(a, now_by_key.get(tag_key(a), 0), before_by_key.get(tag_key(a), 0)) for a in areas
    ]
    return tuple(c for c in found if c.count or c.previous)


def _sentiment(now_counts: Counter[str], before: Counter[str]) -> tuple[Change, ...]:
    names = list(SENTIMENTS) + sorted((set(now_counts) | set(before)) - set(SENTIMENTS))
    return tuple(Change(n, now_counts.get(n, 0), before.get(n, 0)) for n in names)


def _reflections(
    sessions: Iterable[Session], period: Period, redactor: Redactor
) -> tuple[Reflection, ...]:
    found = [
        Reflection(period.day(s.started_at), redactor.text(line(s.reflection)))
        for s in sorted(sessions, key=lambda s: s.started_at)
        if s.reflection and s.reflection.strip() and period.contains(s.started_at)
    ]
    return tuple(found)


def _handoffs_in(
    sources: Iterable[HandoffSource],
    period: Period,
    team: str | None,
    tag: str | None,
    chosen: Sequence[Insight],
) -> list[HandoffSource]:
    """The hand-offs of ``period`` (to ``team``; of a question an insight tagged ``tag``
    in ``chosen`` is of), in time order."""
    tagged_questions = {i.question_id for i in chosen} if tag else None
    return [
        source
        for source in sorted(sources, key=lambda s: s.action.at)
        if period.contains(source.action.at)
        and (team is None or (source.action.team or UNASSIGNED) == team)
        and (tagged_questions is None or source.action.question_id in tagged_questions)
    ]


def _handoffs(
    sources: Sequence[HandoffSource], period: Period, redactor: Redactor
) -> tuple[Handoff, ...]:
    found = []
    for source in sources:
        action, question = source.action, source.question
        author = question.author if question else None
        owner = (author.name, author.handle) if author else None
        name = redactor.name(line(author.name) or None) if author else None
        handle = redactor.handle(line(author.handle) or None) if author else None
        customer = f"{name} ({handle})" if name and handle else name or handle or "unknown"
        found.append(
            Handoff(
                at=action.at,
                day=period.day(action.at),
                team=line(action.team) or UNASSIGNED,
                note=redactor.text(line(action.note), owner),
                question_id=redactor.link(line(action.question_id)) or "",
                channel=line(question.channel) if question else "",
                customer=customer,
                url=(
                    redactor.link(line(question.url), owner) if question and question.url else None
                ),
            )
        )
    return tuple(found)


def trend_unit(period: Period) -> str:
    """``day`` for periods up to 35 days, ``week`` up to 26 weeks, else ``month``."""
    days = period.length / timedelta(days=1)
    if days <= 35:
        return "day"
    if days <= 26 * 7:
        return "week"
    return "month"


def bucket_start(day: date, unit: str) -> date:
    """The first day of the bucket ``day`` falls in."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _bucket_label(start: date, unit: str) -> str:
    if unit == "month":
        return f"{start:%b %Y}"
    return f"{start.day} {start:%b}"


def _trend(
    insights: Sequence[DigestInsight],
    period: Period,
    ranked: list[str],
    shown: dict[str, str] | None = None,
) -> Trend:
    unit = trend_unit(period)
    followed = tuple(ranked[:TREND_SERIES])
    step = {
        "day": relativedelta(days=1),
        "week": relativedelta(weeks=1),
        "month": relativedelta(months=1),
    }[unit]
    starts: list[date] = []
    cursor = bucket_start(period.first_day, unit)
    while cursor <= period.last_day:
        starts.append(cursor)
        cursor += step
    # Count per day first (a year has at most 366 of them), then add days into buckets.
    # every spelling of a followed tag, to the name its series goes by
    series_of = {tag: tag for tag in followed}
    series_of.update((s, name) for s, name in (shown or {}).items() if name in series_of)
    day_totals = Counter(map(_DAY, insights))
    day_tags = Counter(
        (insight.day, series_of[tag])
        for insight in insights
        for tag in insight.tags
        if tag in series_of
    )
    counts: dict[date, Counter[str]] = {s: Counter() for s in starts}
    totals: Counter[date] = Counter()
    for day, total in day_totals.items():
        start = bucket_start(day, unit)
        if start in counts:
            totals[start] += total
    for (day, tag), count in day_tags.items():
        start = bucket_start(day, unit)
        if start in counts:
            counts[start][tag] += count
    buckets = tuple(
        TrendBucket(
            start=s,
            label=_bucket_label(s, unit),
            counts={t: counts[s].get(t, 0) for t in followed},
            total=totals.get(s, 0),
        )
        for s in starts
    )
    return Trend(unit=unit, tags=followed, buckets=buckets)

"""The themes that matter in a period: the digest's opening, the few things a product
manager acts on.

A theme is the insights sharing a primary tag (an insight's first tag, compared by
:func:`~cxdaily.insights.model.tag_key`, so ``Churn-Risk`` and ``churn risk`` are one;
the taxonomy has no alias table, so differently worded tags stay apart). Each theme is
scored from what makes it matter:

- **importance**: each insight weighs :data:`IMPORTANCE_WEIGHT` (a +3 counts nine +1s);
- **sentiment**: negative insights weigh more, positive ones less
  (:data:`SENTIMENT_WEIGHT`);
- **customers affected**: the average weight is multiplied by the distinct customers
  (by handle, else name; an insight without a known customer is one customer), and a
  customer's repeated reports add a quarter each;
- **trend**: new or rising against the previous period weighs up, falling weighs down
  (:data:`TREND_WEIGHT`).

So four customers at +3 about churn outrank ten customers' +1 praise. The best
:data:`MOST_THEMES` are kept; past :data:`FEWEST_THEMES`, only those scoring at least
:data:`KEEP_SHARE` of the first. A theme's ``key`` (``tag:<tag>``) is the same in every
period, for destinations that update one issue per theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, groupby, repeat
from operator import attrgetter, mul

from cxdaily.core.words import QUOTE_CHARS, plural
from cxdaily.insights.model import UNKNOWN_SENTIMENT, DigestInsight, Theme, tag_key

IMPORTANCE_WEIGHT = {1: 1.0, 2: 3.0, 3: 9.0}
"""What an insight of each importance weighs: each step triples."""
SENTIMENT_WEIGHT = {"negative": 1.5, "neutral": 1.0, "positive": 0.75}
"""Sentiment factors (other sentiments weigh 1)."""
TREND_WEIGHT = {"new": 1.25, "rising": 1.25, "steady": 1.0, "falling": 0.8}
"""Trend factors against the previous period."""
REPEAT_WEIGHT = 0.25
"""What a customer's second and later reports add to the reach (a new customer adds 1)."""
MOST_THEMES = 5
FEWEST_THEMES = 3
KEEP_SHARE = 0.25
"""Past the first :data:`FEWEST_THEMES`, a theme is kept when it scores at least this
share of the first theme's score."""
MIXED = "mixed"
"""A theme's sentiment when no sentiment has a majority."""
_NEGATIVITY = {"negative": 0, "neutral": 1, "positive": 2}
_IMPORTANCE = attrgetter("importance")
_PRIMARY = attrgetter("primary_tag")
_SENTIMENT = attrgetter("sentiment")
_TAGS = attrgetter("tags")


def theme_key(primary_tag: str) -> str:
    """The stable key of the theme of a primary tag: ``tag:churn risk``."""
    return f"tag:{primary_tag}"


def trend_of(count: int, previous: int) -> str:
    """``new`` (none before), ``rising``, ``falling`` or ``steady``."""
    if not previous:
        return "new"
    if count > previous:
        return "rising"
    return "falling" if count < previous else "steady"


def build_themes(
    insights: Sequence[DigestInsight], customers: Sequence[str], previous: Counter[str]
) -> tuple[Theme, ...]:
    """The themes worth the top of the digest, strongest first.

    ``insights`` are the period's insights, most important first, and ``customers`` who
    each is from (a customer key); ``previous`` counts the previous period's insights per
    primary tag.
    """
    primaries = list(map(_PRIMARY, insights))
    by_tag = sorted(range(len(insights)), key=primaries.__getitem__)  # stable: in order
    piles: dict[str, _Pile] = {}
    for tag, group in groupby(by_tag, primaries.__getitem__):
        positions = list(group)
        piles[tag] = _Pile(
            list(map(insights.__getitem__, positions)),
            set(map(customers.__getitem__, positions)),
        )
    scored = []
    for tag, pile in piles.items():
        trend = trend_of(len(pile.insights), previous.get(tag, 0))
        score = theme_score(pile.insights, len(pile.customers), trend)
        scored.append((-score, -pile.insights[0].importance, -len(pile.insights), tag))
    scored.sort()
    kept = []
    for rank, (negative_score, _, _, tag) in enumerate(scored[:MOST_THEMES]):
        if rank >= FEWEST_THEMES and -negative_score < KEEP_SHARE * -scored[0][0]:
            break
        pile = piles[tag]
        kept.append(_theme(tag, pile.insights, len(pile.customers), previous.get(tag, 0)))
    return tuple(kept)


@dataclass
class _Pile:
    """The insights of one primary tag (most important first), and who they are from."""

    insights: list[DigestInsight]
    customers: set[str]


def theme_score(insights: Sequence[DigestInsight], customers: int, trend: str) -> float:
    """How much a theme matters (see the module's docstring)."""
    importances = map(IMPORTANCE_WEIGHT.get, map(_IMPORTANCE, insights), repeat(1.0))
    sentiments = map(SENTIMENT_WEIGHT.get, map(_SENTIMENT, insights), repeat(1.0))
    weight = sum(map(mul, importances, sentiments)) / len(insights)  # in order, as one by one
    reach = customers + REPEAT_WEIGHT * (len(insights) - customers)
    return weight * reach * TREND_WEIGHT[trend]


def strongest_quote(insights: Iterable[DigestInsight]) -> str:
    """The quote that speaks loudest, whole: the most important, then the most negative,
    then the longest up to :data:`~cxdaily.core.words.QUOTE_CHARS` (past that, the
    shortest); ``""`` when none has a quote."""
    quoted = [i for i in insights if i.quote]
    if not quoted:
        return ""
    best = min(
        quoted,
        key=lambda i: (
            -i.importance,
            _NEGATIVITY.get(i.sentiment, 3),
            -min(len(i.quote), QUOTE_CHARS),
            len(i.quote),
        ),
    )
    return best.quote


def _mood(insights: Sequence[DigestInsight]) -> tuple[str, str]:
    """The theme's sentiment and how to say it: ``("negative", "all negative")``,
    ``("negative", "mostly negative")`` or ``("mixed", "mixed sentiment")``."""
    counts = Counter(i.sentiment or UNKNOWN_SENTIMENT for i in insights)
    name, count = min(counts.items(), key=lambda kv: (-kv[1], _NEGATIVITY.get(kv[0], 3)))
    if count == len(insights):
        return name, f"all {name}"
    if 2 * count > len(insights):
        return name, f"mostly {name}"
    return MIXED, "mixed sentiment"


def _trend_words(trend: str, previous: int) -> str:
    if trend == "new":
        return "new this period"
    if trend == "steady":
        return "as many as in the previous period"
    direction = "up" if trend == "rising" else "down"
    return f"{direction} from {previous} in the previous period"


def theme_title(tag: str, insights: Iterable[DigestInsight]) -> str:
    """The title of the theme of ``tag`` (a normalised tag): the tag as the insights
    spell it most often (``SSO``, ``iOS app``; on a tie, as the most important insight
    does), its first letter made a capital when it is all in lower case (``Churn
    risk``). The normalised tag when none spells it (``untagged``, a filter's tag)."""
    every = Counter(chain.from_iterable(map(_TAGS, insights)))  # a few distinct spellings
    spellings: Counter[str] = Counter()
    for spelled, count in every.items():
        if tag_key(spelled) == tag:
            spellings[" ".join(spelled.split())] += count
    spelled = max(spellings, key=spellings.__getitem__) if spellings else tag
    return spelled[:1].upper() + spelled[1:] if spelled.islower() else spelled


def _theme(tag: str, insights: list[DigestInsight], customers: int, previous: int) -> Theme:
    trend = trend_of(len(insights), previous)
    sentiment, mood = _mood(insights)
    team = Counter(i.team for i in insights).most_common(1)[0][0]
    title = theme_title(tag, insights)
    lead = insights[0].headline.rstrip(" .!?;:…")
    summary = (
        f"{title}: {lead} — {plural(len(insights), 'insight')} from "
        f"{plural(customers, 'customer')}, {_trend_words(trend, previous)}, {mood}."
    )
    return Theme(
        key=theme_key(tag),
        title=title,
        summary=summary,
        evidence=len(insights),
        customers=customers,
        trend=trend,
        sentiment=sentiment,
        team=team,
        quote=strongest_quote(insights),
        insight_ids=tuple(i.id for i in insights),
    )

"""Score a question from explainable, weighted signals; each signal that fires says why.

value = 1 + sum(weight x signal), where each signal is a small number (0 to about 3):

- waiting: grows with the time waiting up to the SLA, then slowly (log) beyond it;
- negative: the one sentiment scorer's (:mod:`.sentiment`: words, frustration, stars),
  with a 1-2 star review said as its stars; frustration ("third message") adds to it;
- reach: followers, subscribers, likes and votes, on a log scale;
- vip: the author is on the VIP list, or their organisation is, or the channel marks them
  VIP;
- keyword: a watch keyword ("refund", "lawyer" ...);
- asks: it asks something or needs an answer (a passing mention keeps only
  ``passing_mention`` of its value);
- novelty: its terms are mostly unlike what the leader read lately;
- coverage: its source or segment has not been read for a while;
- priority and thread: the source system says urgent; it continues a conversation.

Weights come from ``[curation.weights]``. The reasons of the signals that matter are
returned, largest contribution first: "waiting 26 h", "negative", "12k followers",
"VIP", "keyword: refund", "new topic", "no Discourse read in 9 days".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from cxdaily.core.files import code_checksum, fingerprint
from cxdaily.core.models import Question
from cxdaily.core.words import humanize_age as humanize_age
from cxdaily.core.words import humanize_count as humanize_count
from cxdaily.curation.analysis import UNREAD
from cxdaily.curation.candidates import Candidate, candidate_of
from cxdaily.curation.history import HISTORY_DAYS, LeaderHistory
from cxdaily.curation.sentiment import star_rating, with_signals
from cxdaily.curation.settings import CurationSettings, organization_key
from cxdaily.curation.sources import source_name
from cxdaily.curation.text import (
    NEGATIVE_AT,
    TextFeatures,
    question_terms,
    text_reader,
)

DAY_S = 86_400.0
WAITING_REASON_H = 4.0  # shorter waits add value but are not worth a word
NOVELTY_MIN_SEEN = 5  # questions read lately before "new topic" can be said
NOVELTY_MIN_TERMS = 3
NEW_TOPIC_BELOW = 0.2  # below this share of its topic terms seen lately, a topic is new
FRUSTRATION = 1.0  # added to the negative signal by "third message", "still no reply" ...
_ENGAGEMENT_KEYS = (("likes", 1), ("reposts", 2), ("score", 1), ("comments", 2))
_REACH_KEYS = frozenset(["subscribers", *(key for key, _ in _ENGAGEMENT_KEYS)])


@dataclass(slots=True, eq=False)
class Score:
    """A question's value, the signals behind it, and whether it is urgent."""

    total: float
    """1 plus the weighted signals."""
    parts: list[tuple[float, str | Reach]]
    """(contribution, reason) of each signal that fired, waiting aside."""
    urgent: bool
    """VIP, urgent priority, past the SLA, frustrated, or a keyword in a complaint."""
    factor: float
    """1, or ``passing_mention`` for a question that asks nothing."""
    hours: float
    """Hours waiting."""
    waiting: float
    """Contribution of the waiting signal."""
    value: float = field(init=False)
    """The score: higher deserves the leader's eyes more."""

    def __post_init__(self) -> None:
        self.value = round(self.total * self.factor, 3)

    def add(self, contribution: float, reason: str) -> None:
        """Add a signal computed later (novelty is known only for the shortlist)."""
        self.total += contribution
        self.parts.append((contribution, reason))
        self.value = round(self.total * self.factor, 3)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why, most important first: 'waiting 26 h', 'VIP', 'keyword: refund' ..."""
        parts = list(self.parts)
        if self.hours >= WAITING_REASON_H:
            parts.append((self.waiting, f"waiting {humanize_age(self.hours)}"))
        parts.sort(key=lambda part: -part[0])
        reasons = tuple(str(reason) for contribution, reason in parts if contribution > 0)
        return reasons or (f"new, {humanize_age(self.hours)} ago",)


def _count(value: object) -> int:
    """A non-negative count from a channel's number (anything else counts 0)."""
    if type(value) is int:
        return value if value > 0 else 0
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 0
    return int(min(max(value, 0), 10**12))


class Reach(NamedTuple):
    """A reason told in words only when shown: '12k followers' (``amount``, ``noun``)."""

    amount: int
    noun: str

    def __str__(self) -> str:
        return f"{humanize_count(self.amount)} {self.noun}"


_reach = partial(tuple.__new__, Reach)  # skips the Python-level __new__


def reach_signal(followers: object, meta: Mapping[str, Any]) -> tuple[float, Reach | None]:
    """Reach on a log scale (1k followers = 1, 100k = 3) and its reason, from the
    author's followers and the channel's counts in ``meta``."""
    if type(followers) is not int:
        followers = _count(followers)
    best, reason = 0.0, None
    if followers >= 100:
        best = math.log10(followers) - 2
        reason = _reach((followers, "followers")) if followers >= 1000 else None
    if not meta:
        return (best if best < 3.0 else 3.0), reason
    subscribers = meta.get("subscribers")
    if subscribers is not None:
        subscribers = _count(subscribers)
        if subscribers >= 100 and math.log10(subscribers) - 2 > best:
            best = math.log10(subscribers) - 2
            reason = _reach((subscribers, "subscribers")) if subscribers >= 1000 else None
    engagement = 0
    for key, factor in _ENGAGEMENT_KEYS:
        value = meta.get(key)
        if value is not None:
            if type(value) is not int:
                value = _count(value)
            if value > 0:
                engagement += value * factor
    if engagement >= 10 and math.log10(engagement) - 1 > best:
        best = math.log10(engagement) - 1
        reason = _reach((engagement, "reactions")) if engagement >= 50 else None
    return (best if best < 3.0 else 3.0), reason


def waiting_signal(hours: float, sla_hours: float) -> float:
    """Linear up to the SLA (1.0), then one more per doubling, capped at 3."""
    ratio = hours / sla_hours
    if ratio <= 1:
        return ratio
    return min(1.0 + math.log2(ratio), 3.0)


_STANDING_SOURCES = (
    "scoring.py",
    "text.py",
    "sentiment.py",
    "sentiment_words.py",
    "lexicon.py",
    "candidates.py",
)
"""The code a standing (:meth:`Scorer.standing`) is made by, relative to this package."""


@lru_cache(maxsize=1)
def _standing_code() -> int | None:
    """A checksum of the code that makes a standing: any change makes every kept one
    stale (``None`` when a source cannot be read: then none is kept or used)."""
    here = Path(__file__).parent
    return code_checksum(here / name for name in _STANDING_SOURCES)


def standing_fingerprint(settings: CurationSettings) -> str | None:
    """Names what a standing depends on: the code, the weights, the VIP lists,
    ``passing_mention`` and the watch keywords (``None``: the code is unknown)."""
    code = _standing_code()
    if code is None:
        return None
    named = (
        code,
        settings.weights,
        sorted(settings.vip_handles),
        sorted(settings.vip_emails),
        sorted(settings.vip_domains),
        sorted(settings.vip_organizations),
        settings.passing_mention,
        tuple(settings.watch_keywords),
    )
    return fingerprint(named, digest_size=8)


class Scorer:
    """Scores questions against one ``now``, one config and one leader history."""

    def __init__(
        self,
        settings: CurationSettings,
        now: datetime,
        history: LeaderHistory | None = None,
        common_terms: frozenset[bytes] = frozenset(),
    ) -> None:
        self.settings = settings
        self.weights = settings.weights
        self.now = now
        self.history = history or LeaderHistory()
        self.common_terms = common_terms
        """Terms too common in the pool to say anything about a topic."""
        self.reader = text_reader(tuple(settings.watch_keywords))
        self._sla_h = settings.sla_s / 3600
        self._now_ts = now.timestamp()
        self._history_on = self.history.actions > 0
        self._vip_lists = bool(
            settings.vip_handles
            or settings.vip_emails
            or settings.vip_domains
            or settings.vip_organizations
        )
        self._coverage: dict[tuple[str, str], tuple[float, str | None]] = {}
        self.novelty_on = (
            self.history.seen_questions >= NOVELTY_MIN_SEEN and self.weights.novelty > 0
        )
        """Whether the history is rich enough to call a topic new."""

    @cached_property
    def standing_key(self) -> str | None:
        """The fingerprint kept standings are stored under (see :meth:`standing_record`),
        worked out when first asked: a scorer that only tells VIPs never needs it."""
        return standing_fingerprint(self.settings)

    def is_vip(self, question: Question) -> bool:
        """On the VIP list by handle, email or domain, of a VIP organisation (a help
        desk's ``meta["organization"]``), or marked VIP by the channel."""
        return self._vip(question.meta, question.author.handle)

    def _vip(self, meta: Mapping[str, Any], handle: str | None) -> bool:
        """:meth:`is_vip` from a question's ``meta`` and its author's handle."""
        if meta.get("vip") is True:
            return True
        organization = meta.get("organization")
        if (
            isinstance(organization, str)
            and self.settings.vip_organizations
            and organization_key(organization) in self.settings.vip_organizations
        ):
            return True
        handle = (handle or "").strip().lower()
        if not handle:
            return False
        s = self.settings
        if "@" in handle[1:]:
            if handle in s.vip_emails:
                return True
            domain = handle.rsplit("@", 1)[1]
            return any(domain == d or domain.endswith("." + d) for d in s.vip_domains)
        return handle.lstrip("@") in s.vip_handles

    def coverage(self, source: str, segment: str) -> tuple[float, str | None]:
        """Pull towards a source or segment not read for a while (memoized per pair)."""
        key = (source, segment)
        cached = self._coverage.get(key)
        if cached is not None:
            return cached
        result: tuple[float, str | None] = (0.0, None)
        if self.history.actions and self.weights.coverage > 0:
            after_days = self.settings.coverage_after_s / DAY_S
            best = 0.0
            for name, last in (
                (source_name(source), self.history.last_read.get(source)),
                (segment, self.history.last_segment_read.get(segment)),
            ):
                days = HISTORY_DAYS if last is None else (self.now - last).total_seconds() / DAY_S
                if days >= after_days:
                    signal = min(days / (2 * after_days), 1.0)
                    if signal > best:
                        best = signal
                        more = "+" if last is None else ""
                        result = (signal, f"no {name} read in {int(days)}{more} days")
        self._coverage[key] = result
        return result

    def novelty(self, terms: frozenset[bytes]) -> bool:
        """Whether most of a question's topic terms were not seen lately."""
        if not self.novelty_on:
            return False
        topical = terms - self.common_terms
        if len(topical) < NOVELTY_MIN_TERMS:
            return False
        return len(topical & self.history.seen_terms) < NEW_TOPIC_BELOW * len(topical)

    def score(self, question: Question, text: TextFeatures) -> Score:
        """Score one question from its text features.

        Novelty needs the pool's common terms, so the engine adds it for its shortlist
        (:meth:`Score.add`); :func:`score_question` adds it at once.
        """
        return self.rate(candidate_of(question, UNREAD), text)

    def rate(self, candidate: Candidate, text: TextFeatures) -> Score:
        """Score one candidate from its text features (see :meth:`score`)."""
        parts: list[tuple[float, str | Reach]] = []
        static, factor, urgent = self.standing(candidate, text, parts)
        hours, waiting, total, covered = self._as_of_now(candidate, static)
        if covered is not None:
            parts.append(covered)
        return Score(total, parts, urgent or hours >= self._sla_h, factor, hours, waiting)

    def value(self, candidate: Candidate, static: float, factor: float) -> float:
        """The value :meth:`rate` gives a candidate whose :meth:`standing` is ``static``
        and ``factor`` (kept with it when it was stored), without the reasons."""
        return round(self._as_of_now(candidate, static)[2] * factor, 3)

    def _as_of_now(
        self, candidate: Candidate, static: float
    ) -> tuple[float, float, float, tuple[float, str] | None]:
        """What the time and the history add to a candidate's ``static`` standing: the
        hours it has waited, the waiting's contribution, the total (1 + waiting + static
        + coverage: the one sum :meth:`rate` and :meth:`value` both make), and the
        coverage's contribution with its reason (``None`` when it adds nothing)."""
        hours = (self._now_ts - candidate.created_at.timestamp()) / 3600
        if hours < 0:
            hours = 0.0
        waiting = self.weights.waiting * waiting_signal(hours, self._sla_h)
        total = 1.0 + waiting + static
        covered = None
        if self._history_on:
            cover, cover_reason = self.coverage(candidate.source, candidate.segment)
            if cover_reason:
                covered = (self.weights.coverage * cover, cover_reason)
                total += covered[0]
        return hours, waiting, total, covered

    def standing_record(self, candidate: Candidate, text: TextFeatures) -> list[object] | None:
        """A candidate's :meth:`standing`, in the form kept with the stored question:
        ``[fingerprint, static, factor]`` (``None`` when the code's version is unknown)."""
        if self.standing_key is None:
            return None
        static, factor, _ = self.standing(candidate, text)
        return [self.standing_key, static, factor]

    def kept_standing(self, record: object) -> tuple[float, float] | None:
        """The static part and factor of a kept :meth:`standing_record`, or ``None`` when
        it is missing, of other settings or code, or of the wrong shape: rate afresh."""
        if (
            type(record) is not list
            or len(record) != 3
            or self.standing_key is None
            or record[0] != self.standing_key
        ):
            return None
        static, factor = record[1], record[2]
        if type(static) is not float or type(factor) is not float:
            return None
        return static, factor

    def standing(
        self,
        candidate: Candidate,
        text: TextFeatures,
        parts: list[tuple[float, str | Reach]] | None = None,
    ) -> tuple[float, float, bool]:
        """What of a candidate's score depends neither on the time nor on the leader's
        history: the summed contributions of its VIP, negative, keyword, reach, priority,
        asks and thread signals (added in that order), its factor (1, or
        ``passing_mention``), and whether these signals make it urgent. Each signal that
        fires is added to ``parts`` with its reason."""
        w = self.weights
        meta = candidate.meta
        frustrated, found = text.frustrated, text.keywords
        said = parts if parts is not None else []
        static = 0.0

        vip = meta.get("vip") is True or (self._vip_lists and self._vip(meta, candidate.handle))
        if vip and w.vip:
            static += w.vip
            said.append((w.vip, "VIP"))

        negative = 0.0
        priority = meta.get("priority") if meta else None
        rating = meta.get("rating") if meta else None
        stars = None if rating is None else star_rating(rating)
        if stars is not None and stars <= 2:
            negative = 3.0 - stars
            said.append((w.negative * negative, f"{int(stars)}-star review"))
        else:  # the text's sentiment with the stars and priority, as the tag form sees it
            mood = text.sentiment
            if stars is not None or priority == "urgent":
                mood = with_signals(mood, rating=stars, urgent=priority == "urgent")
            if mood <= NEGATIVE_AT:
                negative = min(-mood * 2.5, 2.0)
                said.append((w.negative * negative, "negative"))
        if frustrated:
            negative += FRUSTRATION
            said.append((w.negative * FRUSTRATION, "frustrated"))
        static += w.negative * negative

        if found and w.keyword:
            bump = w.keyword * (1 + min(0.25 * (len(found) - 1), 0.5))
            static += bump
            said.append((bump, f"keyword: {found[0]}"))

        followers = candidate.followers  # under 100 followers reach nothing: not read
        if (
            followers and (type(followers) is not int or followers >= 100)
        ) or not _REACH_KEYS.isdisjoint(meta):
            reach, reach_reason = reach_signal(followers, meta)
            if reach > 0:
                static += w.reach * reach
                if reach_reason:
                    said.append((w.reach * reach, reach_reason))

        if (priority == "urgent" or priority == "high") and w.priority:
            bump = w.priority * (1.0 if priority == "urgent" else 0.6)
            static += bump
            said.append((bump, f"{priority} priority"))

        asks, requests = text.asks > 0, text.requests
        needs = asks or requests or negative > 0
        if needs and w.asks:
            bump = w.asks * (1.0 if asks or requests or frustrated else 0.5)
            static += bump
            said.append((bump, "asks a question" if asks else "needs an answer"))
        thread = candidate.thread
        if thread and w.thread:
            static += w.thread
            said.append((w.thread, f"thread of {thread + 1}"))

        urgent = vip or priority == "urgent" or frustrated or bool(found and negative)
        factor = 1.0 if needs or vip or thread else self.settings.passing_mention
        return static, factor, urgent


def score_question(
    question: Question,
    now: datetime,
    settings: CurationSettings | None = None,
    history: LeaderHistory | None = None,
) -> Score:
    """Score one question on its own (without a pool, no term counts as common)."""
    scorer = Scorer(settings or CurationSettings(), now, history)
    score = scorer.score(question, scorer.reader.read(question))
    if scorer.novelty(question_terms(question)):
        score.add(scorer.weights.novelty, "new topic")
    return score


@lru_cache(maxsize=4)
def standing_scorer(settings: CurationSettings) -> Scorer:
    """A scorer for standings alone (they use neither the time nor a history), made once
    per settings: the store makes the standing of each question it stores."""
    return Scorer(settings, datetime(1970, 1, 1, tzinfo=UTC))

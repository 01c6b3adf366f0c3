"""The curation pipeline: candidates, scores, estimates, near-duplicates, the batch.

1. :class:`Screening` keeps the candidates: not handled by the leader, not snoozed into
   the future, not skipped today, not older than ``max_age``, not answered by the team
   (when the connector can tell); the others are counted by reason.
2. :func:`evaluate` takes each candidate's text analysis (kept with the stored
   question, see :func:`cxdaily.curation.text.analyse`; made afresh when missing),
   scores it (:mod:`.scoring`) and estimates it (:mod:`.estimate`, calibrated by the
   leader's history). The shortlist (the best :data:`SHORTLIST` by value per second,
   and the best half as many by value: all that packing could reach) then gets its
   topic terms, the novelty signal and its near-duplicate groups (:mod:`.dedupe`).
   Linear in the number of candidates. Stored questions are read as candidates
   (:mod:`.candidates`): a full model is built only for the shortlist.
3. :func:`curate` packs the budget (:mod:`.pack`) and orders the session.

Pure: the same questions, actions, history and ``now`` give the same batch.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar, cast

import msgspec
from msgspec.structs import replace

from cxdaily.core.collector import collector_paused
from cxdaily.core.models import Action, Disposition, Question
from cxdaily.curation.batch import Batch, BatchItem
from cxdaily.curation.candidates import Candidate, StoredQuestions, candidate_of
from cxdaily.curation.dedupe import TermStats, group_leaders, topic_clusters
from cxdaily.curation.estimate import MAX_ESTIMATE_S, MIN_ESTIMATE_S, base_estimate
from cxdaily.curation.history import LeaderHistory
from cxdaily.curation.pack import VALUE_POWER, make_units, pack_units
from cxdaily.curation.scoring import Score, Scorer
from cxdaily.curation.settings import CurationSettings, format_span
from cxdaily.curation.sources import team_answered
from cxdaily.curation.text import TextAnalysis, analyse, question_terms

#: Near-duplicate ids listed per item; a larger group lists its best members.
GROUP_IDS_LIMIT = 50
#: Candidates that get topic terms, novelty and near-duplicate grouping: the best by
#: value per second, and the best half as many by value. Everything below is left out
#: (its value per second is lower than every listed question's).
SHORTLIST = 1200
_DEFAULT = CurationSettings()
#: No stored text analyses: every question is analysed afresh.
_NONE: Mapping[str, TextAnalysis] = {}


#: What a screening filters: stored candidates, or questions given as models.
Screened = TypeVar("Screened", Question, Candidate)


class Screening(msgspec.Struct, frozen=True):
    """What keeps a question from being a candidate today: the leader's latest action on
    it (as of ``now``, in the day that began at ``day_start``), its age, its team."""

    latest: Mapping[str, Action]
    now: datetime
    day_start: datetime
    settings: CurationSettings = _DEFAULT

    def screen(self, questions: Iterable[Screened]) -> tuple[list[Screened], dict[str, int]]:
        """Candidates (first copy of each id) and, by reason, how many others were left."""
        latest, now, day_start = self.latest, self.now, self.day_start
        max_age = timedelta(seconds=self.settings.max_age_s)
        too_old = f"older than {format_span(self.settings.max_age_s)}"
        found: list[Screened] = []
        excluded: dict[str, int] = {}
        seen: set[str] = set()
        for question in questions:
            if question.id in seen:
                continue
            seen.add(question.id)
            why = None
            action = latest.get(question.id)
            if action is not None:
                if action.disposition is Disposition.SNOOZED:
                    if action.until is not None and action.until > now:
                        why = "snoozed"
                elif action.disposition is Disposition.SKIPPED:
                    if action.at >= day_start:
                        why = "skipped today"
                else:
                    continue  # answered, tagged or handed off by the leader: not news to them
            if why is None and now - question.created_at > max_age:
                why = too_old
            if why is None and team_answered(question):
                why = "answered by the team"
            if why is None:
                found.append(question)
            else:
                excluded[why] = excluded.get(why, 0) + 1
        return found, excluded


def candidates(
    questions: Iterable[Question],
    latest: Mapping[str, Action],
    now: datetime,
    day_start: datetime,
    settings: CurationSettings = _DEFAULT,
) -> list[Question]:
    """Questions that still deserve a look (see :class:`Screening`)."""
    return Screening(latest, now, day_start, settings).screen(questions)[0]


class Evaluation(msgspec.Struct, frozen=True):
    """The shortlist ranked best first, and what ordering a session needs."""

    ranked: list[BatchItem]
    """Shortlisted candidates, best first, with reasons and near-duplicate groups."""
    terms: dict[str, frozenset[bytes]]
    stats: TermStats
    unlisted: int = 0
    """Candidates below the shortlist (lower value and value per minute than all of it)."""
    must_see: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    """The must-see kinds the text analyses of the shortlist found, by question id."""

    def same_topic(self, items: list[BatchItem]) -> list[int]:
        """Topic cluster of each item (for ordering a session)."""
        return topic_clusters([self.terms[i.question.id] for i in items], self.stats)


def pool_of(
    questions: Iterable[Question], analyses: Mapping[str, TextAnalysis] = _NONE
) -> tuple[list[Candidate], Callable[[Candidate], Question]]:
    """The candidates of ``questions`` and how to build the model of one: stored
    questions are read from their records (a model is built only when asked for); models
    are taken with their kept analyses (made afresh when missing)."""
    if isinstance(questions, StoredQuestions):
        return questions.candidates, questions.question
    kept = analyses.get
    pool = [candidate_of(q, kept(q.id) or analyse(q)) for q in questions]
    return pool, _model


def _model(candidate: Candidate) -> Question:
    """The model a candidate was made of (see :func:`candidate_of`)."""
    return cast(Question, candidate.record)


def evaluate(
    pool: list[Candidate],
    build: Callable[[Candidate], Question],
    now: datetime,
    settings: CurationSettings = _DEFAULT,
    history: LeaderHistory | None = None,
) -> Evaluation:
    """Score and estimate every candidate; shortlist, add novelty, group; best first.

    ``pool`` comes from :func:`pool_of`, and ``build`` makes the model of a candidate:
    only the shortlist's are built. A candidate with a standing kept for these settings
    (:mod:`cxdaily.curation.kept`) has only its waiting and coverage worked out; the
    shortlist's scores are read in full, with their reasons."""
    history = history or LeaderHistory()
    scorer = Scorer(settings, now, history)
    features, rate = scorer.reader.features, scorer.rate
    kept, value_of = scorer.kept_standing, scorer.value
    factors = history.calibration.by_source
    overall = history.calibration.overall
    values: list[float] = []
    estimates: list[int] = []
    rated: dict[int, Score] = {}
    for index, candidate in enumerate(pool):
        analysis = candidate.analysis
        standing = kept(candidate.standing)
        if standing is None:  # not kept for these settings: the whole score now
            score = rated[index] = rate(candidate, features(candidate, analysis, candidate.matches))
            values.append(score.value)
        else:  # only what depends on the time and the history (the same sums)
            values.append(value_of(candidate, standing[0], standing[1]))
        seconds = base_estimate(analysis.chars, candidate.segment, analysis.asks, candidate.thread)
        seconds *= factors.get(candidate.source, overall)
        estimates.append(
            MIN_ESTIMATE_S
            if seconds < MIN_ESTIMATE_S
            else MAX_ESTIMATE_S
            if seconds > MAX_ESTIMATE_S
            else int(seconds)
        )
    chosen = _shortlist(pool, values, estimates)
    scores: dict[int, Score] = {}
    for i in chosen:  # the shortlist's scores with their reasons
        candidate = pool[i]
        scores[i] = rated.get(i) or rate(
            candidate, features(candidate, candidate.analysis, candidate.matches)
        )
    topics = {i: question_terms(pool[i]) for i in chosen}
    stats = TermStats(list(topics.values()))
    if scorer.novelty_on:
        scorer.common_terms = stats.common
        novelty = settings.weights.novelty
        for i in chosen:
            if scorer.novelty(topics[i]):
                scores[i].add(novelty, "new topic")
    order = sorted(chosen, key=lambda i: (-scores[i].value, pool[i].created_at, pool[i].id))
    leaders = group_leaders([topics[i] for i in order], stats)
    members: dict[int, list[int]] = {}
    for position, leader in enumerate(leaders):
        members.setdefault(leader, []).append(position)
    heads: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    ranked: list[BatchItem] = []
    for position, i in enumerate(order):
        candidate, result = pool[i], scores[i]
        reasons = result.reasons
        lead = leaders[position]
        group = members[lead]
        others: tuple[str, ...] = ()
        if len(group) > 1:
            head = heads.get(lead)
            if head is None:
                listed = tuple(pool[order[p]].id for p in group[: GROUP_IDS_LIMIT + 1])
                head = heads[lead] = (listed, listed[:GROUP_IDS_LIMIT])
            if position <= group[min(GROUP_IDS_LIMIT, len(group) - 1)]:
                others = tuple(g for g in head[0] if g != candidate.id)[:GROUP_IDS_LIMIT]
            else:
                others = head[1]  # shared by every member past the listed ones
            reasons = (*reasons, f"asked {len(group)} times")
        ranked.append(
            BatchItem(build(candidate), result.value, estimates[i], reasons, others, result.urgent)
        )
    terms = {pool[i].id: topics[i] for i in chosen}
    must_see = {pool[i].id: pool[i].analysis.must_see for i in chosen}
    return Evaluation(ranked, terms, stats, len(pool) - len(chosen), must_see)


def _shortlist(pool: list[Candidate], values: list[float], estimates: list[int]) -> list[int]:
    """The candidates worth the detailed work: the best by value and by value per second.

    Packing is greedy by value density, so a question outside both lists would only be
    considered after every listed one.
    """
    if len(pool) <= SHORTLIST:
        return list(range(len(pool)))
    densities = [v**VALUE_POWER / e for v, e in zip(values, estimates, strict=True)]
    chosen = set(_best(values, SHORTLIST // 2, pool))
    chosen.update(_best(densities, SHORTLIST, pool))
    return sorted(chosen)


def _best(keys: list[float], count: int, pool: list[Candidate]) -> list[int]:
    """Indices of the ``count`` highest keys; ties at the cut go to the older question,
    then the smaller id, so the choice does not depend on the order of ``pool``."""
    top = heapq.nlargest(count, range(len(keys)), key=keys.__getitem__)
    cut = keys[top[-1]]
    above = [i for i in top if keys[i] > cut]
    tied = sorted(
        (i for i, key in enumerate(keys) if key == cut),
        key=lambda i: (pool[i].created_at, pool[i].id),
    )
    return above + tied[: count - len(above)]


def rank(
    questions: Iterable[Question],
    now: datetime,
    settings: CurationSettings = _DEFAULT,
    history: LeaderHistory | None = None,
    analyses: Mapping[str, TextAnalysis] = _NONE,
) -> list[BatchItem]:
    """The questions scored, estimated and grouped, best first (the shortlist: every
    question when there are at most :data:`SHORTLIST`). ``analyses`` holds the text
    analyses kept with the stored questions, by id (a question without one is analysed
    afresh: the ranking is the same either way)."""
    pool, build = pool_of(questions, analyses)
    with collector_paused():
        return evaluate(pool, build, now, settings, history).ranked


def pack(ranked: list[BatchItem], budget_s: int, settings: CurationSettings = _DEFAULT) -> Batch:
    """The batch from ranked items: value-dense first, within the budget and the share."""
    return pack_units(make_units(ranked, settings.group_max), budget_s, settings)


def curate(
    questions: Iterable[Question],
    latest: Mapping[str, Action],
    now: datetime,
    day_start: datetime,
    budget_s: int,
    *,
    settings: CurationSettings = _DEFAULT,
    history: LeaderHistory | None = None,
    analyses: Mapping[str, TextAnalysis] = _NONE,
) -> Batch:
    """Today's batch from the stored questions (with the text analyses kept with them,
    by id), the leader's actions and history."""
    pool, build = pool_of(questions, analyses)
    with collector_paused():
        found, excluded = Screening(latest, now, day_start, settings).screen(pool)
        evaluation = evaluate(found, build, now, settings, history)
        batch = pack_units(
            make_units(evaluation.ranked, settings.group_max, evaluation.must_see),
            budget_s,
            settings,
            evaluation.same_topic,
        )
    counts = tuple(sorted(excluded.items(), key=lambda kv: (-kv[1], kv[0])))
    return replace(batch, excluded=counts, unlisted=evaluation.unlisted)


def next_best(
    questions: Iterable[Question],
    latest: Mapping[str, Action],
    now: datetime,
    day_start: datetime,
    exclude: Collection[str],
    *,
    settings: CurationSettings = _DEFAULT,
    history: LeaderHistory | None = None,
    analyses: Mapping[str, TextAnalysis] = _NONE,
) -> BatchItem | None:
    """The best candidate not in ``exclude`` (for a batch done early).

    A near-duplicate of a question already in the session comes after the others.
    """
    pool, build = pool_of(questions, analyses)
    with collector_paused():
        found = Screening(latest, now, day_start, settings).screen(pool)[0]
        ranked = evaluate(found, build, now, settings, history).ranked
    fresh = [item for item in ranked if item.question.id not in exclude]
    for item in fresh:
        if not any(g in exclude for g in item.group):
            return item
    return fresh[0] if fresh else None

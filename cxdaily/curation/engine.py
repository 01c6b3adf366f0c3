"""The curation pipeline: candidates, scores, estimates, near-duplicates, the batch.

1. :func:`screen` keeps the candidates: not handled by the leader, not snoozed into the
   future, not skipped today, not older than ``max_age``, not answered by the team
   (when the connector can tell); the others are counted by reason.
2. :func:`evaluate` takes each candidate's text analysis (kept with the stored
   question, see :func:`cxdaily.curation.text.analyse`; made afresh when missing),
   scores it (:mod:`.scoring`) and estimates it (:mod:`.estimate`, calibrated by the
   leader's history). The shortlist (the best :data:`SHORTLIST` by value per second,
   and the best half as many by value: all that packing could reach) then gets its
   topic terms, the novelty signal and its near-duplicate groups (:mod:`.dedupe`).
   Linear in the number of candidates.
3. :func:`curate` packs the budget (:mod:`.pack`) and orders the session.

Pure: the same questions, actions, history and ``now`` give the same batch.
"""

from __future__ import annotations

import gc
import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cxdaily.core.models import Action, Disposition, Question
from cxdaily.curation.batch import Batch, BatchItem
from cxdaily.curation.dedupe import TermStats, group_leaders, topic_clusters
from cxdaily.curation.estimate import MAX_ESTIMATE_S, MIN_ESTIMATE_S, base_estimate
from cxdaily.curation.history import LeaderHistory
from cxdaily.curation.pack import VALUE_POWER, make_units, pack_units
from cxdaily.curation.scoring import Score, Scorer
from cxdaily.curation.settings import CurationSettings, format_span
from cxdaily.curation.sources import source_and_segment, team_answered
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


def screen(
    questions: Iterable[Question],
    latest: Mapping[str, Action],
    now: datetime,
    day_start: datetime,
    settings: CurationSettings = _DEFAULT,
) -> tuple[list[Question], dict[str, int]]:
    """Candidates (first copy of each id) and, by reason, how many others were filtered."""
    max_age = timedelta(seconds=settings.max_age_s)
    too_old = f"older than {format_span(settings.max_age_s)}"
    found: list[Question] = []
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
    """Questions that still deserve a look (see :func:`screen`)."""
    return screen(questions, latest, now, day_start, settings)[0]


@dataclass(frozen=True)
class Evaluation:
    """The shortlist ranked best first, and what ordering a session needs."""

    ranked: list[BatchItem]
    """Shortlisted candidates, best first, with reasons and near-duplicate groups."""
    terms: dict[str, frozenset[bytes]]
    stats: TermStats
    unlisted: int = 0
    """Candidates below the shortlist (lower value and value per minute than all of it)."""
    must_see: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The must-see kinds the text analyses of the shortlist found, by question id."""

    def same_topic(self, items: list[BatchItem]) -> list[int]:
        """Topic cluster of each item (for ordering a session)."""
        return topic_clusters([self.terms[i.question.id] for i in items], self.stats)


def evaluate(
    questions: Iterable[Question],
    now: datetime,
    settings: CurationSettings = _DEFAULT,
    history: LeaderHistory | None = None,
    analyses: Mapping[str, TextAnalysis] = _NONE,
) -> Evaluation:
    """Score and estimate every candidate; shortlist, add novelty, group; best first.

    ``analyses`` holds the text analyses kept with the stored questions, by question id;
    a question without one is analysed afresh (the batch is the same either way)."""
    with collector_paused():
        return _evaluate(list(questions), now, settings, history or LeaderHistory(), analyses)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading the store and curating make many small
    acyclic objects (tens of thousands of questions), and collection passes over them
    would only cost time (about a fifth of ``cxdaily batch`` over 20,000 questions)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _evaluate(
    pool: list[Question],
    now: datetime,
    settings: CurationSettings,
    history: LeaderHistory,
    analyses: Mapping[str, TextAnalysis],
) -> Evaluation:
    scorer = Scorer(settings, now, history)
    features, score, kept = scorer.reader.features, scorer.score, analyses.get
    factors = history.calibration.by_source
    overall = history.calibration.overall
    scores: list[Score] = []
    estimates: list[int] = []
    analysed: list[TextAnalysis] = []
    for question in pool:
        analysis = kept(question.id) or analyse(question)
        analysed.append(analysis)
        text = features(question, analysis)
        source, segment = source_and_segment(question)
        scores.append(score(question, text, source, segment))
        seconds = base_estimate(text.chars, segment, text.asks, len(question.context))
        seconds *= factors.get(source, overall)
        estimates.append(
            MIN_ESTIMATE_S
            if seconds < MIN_ESTIMATE_S
            else MAX_ESTIMATE_S
            if seconds > MAX_ESTIMATE_S
            else int(seconds)
        )
    chosen = _shortlist(pool, scores, estimates)
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
        question, result = pool[i], scores[i]
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
                others = tuple(g for g in head[0] if g != question.id)[:GROUP_IDS_LIMIT]
            else:
                others = head[1]  # shared by every member past the listed ones
            reasons = (*reasons, f"asked {len(group)} times")
        ranked.append(
            BatchItem(question, result.value, estimates[i], reasons, others, result.urgent)
        )
    terms = {pool[i].id: topics[i] for i in chosen}
    must_see = {pool[i].id: analysed[i].must_see for i in chosen}
    return Evaluation(ranked, terms, stats, len(pool) - len(chosen), must_see)


def _shortlist(pool: list[Question], scores: list[Score], estimates: list[int]) -> list[int]:
    """The candidates worth the detailed work: the best by value and by value per second.

    Packing is greedy by value density, so a question outside both lists would only be
    considered after every listed one.
    """
    if len(pool) <= SHORTLIST:
        return list(range(len(pool)))
    values = [s.value for s in scores]
    densities = [v**VALUE_POWER / e for v, e in zip(values, estimates, strict=True)]
    chosen = set(_best(values, SHORTLIST // 2, pool))
    chosen.update(_best(densities, SHORTLIST, pool))
    return sorted(chosen)


def _best(keys: list[float], count: int, pool: list[Question]) -> list[int]:
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
    question when there are at most :data:`SHORTLIST`)."""
    return evaluate(questions, now, settings, history, analyses).ranked


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
    with collector_paused():
        found, excluded = screen(questions, latest, now, day_start, settings)
        evaluation = evaluate(found, now, settings, history, analyses)
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
    found = candidates(questions, latest, now, day_start, settings)
    ranked = rank(found, now, settings, history, analyses)
    fresh = [item for item in ranked if item.question.id not in exclude]
    for item in fresh:
        if not any(g in exclude for g in item.group):
            return item
    return fresh[0] if fresh else None

"""Near-duplicates: questions that ask the same thing, within or across channels.

Not quadratic: each question is compared only with earlier questions that share one of
its signature terms, a bucket holds a bounded number of them, and the comparisons per
question are capped.

- *Informative terms* are the terms found in at least two questions of the pool. They
  weigh their rarity (idf); a term in more than :data:`COMMON_SHARE` of them (a brand
  name in every post) weighs a quarter of that.
- Each question is filed in a bucket per informative term (a bucket keeps its first
  :data:`BUCKET_SIZE`) and looks up the buckets of its :data:`SIGNATURE_TERMS` rarest
  ones, so questions about the same rare thing ("widget", "4.2") meet.
- *Similarity* is the weight of the shared informative terms over the geometric mean
  of both questions' weights (a weighted Ochiai coefficient): a tweet and a long ticket
  about the same bug still match. :data:`SIMILAR_AT_FEW` is enough on its own;
  :data:`SIMILAR_AT` needs :data:`MANY_SHARED` shared terms that are not common.
- A question joins the group it matches best. Groups never merge, so a chain of
  loosely related questions cannot snowball into one giant group; a question that also
  matches a lone question brings it into its group.

Questions are visited best first, so a group's first member is its best. Every choice
is ordered by rank and term, never by hash order: the groups are the same every run.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from operator import itemgetter

SIGNATURE_TERMS = 6
COMMON_SHARE = 0.1
COMMON_WEIGHT = 0.25
BUCKET_SIZE = 12
MAX_COMPARISONS = 8
PER_GROUP_COMPARISONS = 1
MANY_SHARED = 4
SIMILAR_AT = 0.32
SIMILAR_AT_FEW = 0.45
#: Two picks at least this similar are one topic when a session is ordered.
SAME_TOPIC_AT = 0.15


class TermStats:
    """Document frequencies and rarity weights of the terms of a pool of questions."""

    def __init__(self, term_sets: Sequence[AbstractSet[bytes]]) -> None:
        counts: Counter[bytes] = Counter()
        for terms in term_sets:
            counts.update(terms)
        self.documents = n = len(term_sets)
        common = max(3.0, COMMON_SHARE * n)
        shared = sorted((kv for kv in counts.items() if kv[1] > 1), key=itemgetter(1, 0))
        self.idf = {
            term: math.log(1.0 + n / count) * (COMMON_WEIGHT if count > common else 1.0)
            for term, count in shared
        }
        """Rarity weight of each term found in two questions or more."""
        self.vocabulary = frozenset(self.idf)
        self.rank = {term: i for i, (term, _) in enumerate(shared)}
        """Those terms, rarest first (ties broken by the term itself)."""
        self.common = frozenset(term for term, count in shared if count > common)
        """Terms in more than COMMON_SHARE of the questions: little help telling topics
        apart (a brand name), so they weigh little; a wave of copies still shares them."""

    def informative(self, terms: AbstractSet[bytes]) -> frozenset[bytes]:
        """The informative part of a term set."""
        return self.vocabulary.intersection(terms)

    def weight(self, terms: AbstractSet[bytes]) -> float:
        """The summed rarity of informative terms."""
        return sum(map(self.idf.__getitem__, terms))

    def similarity(self, a: frozenset[bytes], b: frozenset[bytes], wa: float, wb: float) -> float:
        """Weighted overlap of two informative term sets (0 to 1)."""
        shared = a & b
        if len(shared) < 2 or wa <= 0 or wb <= 0:
            return 0.0
        return self.weight(shared) / math.sqrt(wa * wb)

    def match(self, a: frozenset[bytes], b: frozenset[bytes], wa: float, wb: float) -> float:
        """The similarity when two informative term sets ask the same thing, else 0.

        A strong overlap (:data:`SIMILAR_AT_FEW`) is enough on its own; a looser one
        (:data:`SIMILAR_AT`) needs :data:`MANY_SHARED` shared terms that are not common.
        """
        shared = a & b
        if len(shared) < 2 or wa <= 0 or wb <= 0:
            return 0.0
        score = self.weight(shared) / math.sqrt(wa * wb)
        if score >= SIMILAR_AT_FEW:
            return score
        if score >= SIMILAR_AT and len(shared - self.common) >= MANY_SHARED:
            return score
        return 0.0


def group_leaders(ordered_terms: Sequence[AbstractSet[bytes]], stats: TermStats) -> list[int]:
    """For each question (given best first), the index of its group's best question.

    ``ordered_terms[i]`` are the terms of the i-th best question; a question with no
    near-duplicate is its own leader.
    """
    owner = list(range(len(ordered_terms)))  # group id of each question
    size = [1] * len(ordered_terms)
    buckets: dict[bytes, list[int]] = {}
    informative: list[frozenset[bytes]] = []
    weights: list[float] = []
    rank = stats.rank.__getitem__
    for index, terms in enumerate(ordered_terms):
        mine = stats.informative(terms)
        informative.append(mine)
        if len(mine) < 2:
            weights.append(0.0)
            continue
        own = stats.weight(mine)
        weights.append(own)
        found: set[int] = set()
        for term in sorted(mine, key=rank)[:SIGNATURE_TERMS]:
            bucket = buckets.get(term)
            if bucket:
                found.update(bucket)
        for term in mine:  # indexed under every informative term, looked up by the rarest
            bucket = buckets.get(term)
            if bucket is None:
                buckets[term] = [index]
            elif len(bucket) < BUCKET_SIZE:
                bucket.append(index)
        if found:
            _join(index, sorted(found), owner, size, informative, weights, stats)
    first: dict[int, int] = {}
    for index, group in enumerate(owner):
        first.setdefault(group, index)  # visited best first: the first member leads
    return [first[group] for group in owner]


def _join(
    index: int,
    found: list[int],
    owner: list[int],
    size: list[int],
    informative: list[frozenset[bytes]],
    weights: list[float],
    stats: TermStats,
) -> None:
    """Put question ``index`` in the group it matches best, with the loners it matches."""
    best_group, best_score = -1, 0.0
    loners: list[int] = []
    tried: dict[int, int] = {}
    comparisons = 0
    mine, own = informative[index], weights[index]
    for other in found:
        group = owner[other]
        if tried.get(group, 0) >= PER_GROUP_COMPARISONS:
            continue
        tried[group] = tried.get(group, 0) + 1
        comparisons += 1
        score = stats.match(mine, informative[other], own, weights[other])
        if score:
            if size[group] == 1:
                loners.append(group)
            if score > best_score:
                best_group, best_score = group, score
        if comparisons >= MAX_COMPARISONS:
            break
    if best_group < 0:
        return
    for loner in loners:  # a loner is one question: it moves in O(1)
        if loner != best_group:
            owner[loner] = best_group
            size[best_group] += 1
            size[loner] = 0
    owner[index] = best_group
    size[best_group] += 1


def topic_clusters(term_sets: Sequence[AbstractSet[bytes]], stats: TermStats) -> list[int]:
    """Single-link clusters of a few picks by topic (quadratic: for a batch, not a pool)."""
    parent = list(range(len(term_sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    mine = [stats.informative(t) for t in term_sets]
    weights = [stats.weight(t) for t in mine]
    for i in range(len(mine)):
        for j in range(i):
            if stats.similarity(mine[i], mine[j], weights[i], weights[j]) >= SAME_TOPIC_AT:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(mine))]

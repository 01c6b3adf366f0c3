"""Near-duplicates: questions that ask the same thing, within or across channels.

Not quadratic: a question is compared only with the leaders of the few groups that hold
the most of its signature keys; a bucket holds a bounded number of questions and the
comparisons per question are capped.

- *Keys.* Each topic term becomes a comparable key, the same across languages and
  inflections (:mod:`cxdaily.curation.term_keys`): ``Rückerstattung`` and ``refunds``
  are both ``refund``; junk (emoji, ``hahaha``, ``lorem ipsum``, stop words) is no key.
- *Weights.* A key weighs its rarity in the pool, ``log(1 + n / df)``, and every key
  counts: what one question says and the other does not counts against them. Words
  that frame many different questions (:data:`~cxdaily.curation.term_keys.GENERIC_WORDS`:
  "your page says", "since the update", "please help") weigh :data:`GENERIC_WEIGHT` of
  that; a key in more than :data:`COMMON_SHARE` of the questions (a brand name)
  :data:`COMMON_WEIGHT`; a key of one question only (a detail, a name, an untranslated
  word) :data:`UNIQUE_WEIGHT`, and nothing when it is a number (an order number, an
  amount). The *content* keys are the others found in two questions or more; the
  *specific* ones are not common either.
- *Same question.* Two questions must share :data:`MIN_SHARED` content keys. Their
  similarity is the weight of the shared keys over the geometric mean of both weights
  (a weighted Ochiai coefficient): :data:`SIMILAR_AT_ONCE` is enough (copies, a tweet
  and the ticket that tells it at length). Below that they must share
  :data:`BAND_SPECIFIC` specific keys and reach :data:`SIMILAR_AT`, and one of them must
  ask little beyond what they share (:data:`MAX_BEYOND`): two messages that open with
  the same frame ("your pricing page says ...") and then each ask their own thing are
  two questions. Two long posts (:data:`LONG_KEYS`) carry context, not other asks:
  :data:`SIMILAR_AT_LONG` is enough for them.
- *Groups.* A group is its leader (its best question) and the questions that ask what
  the leader asks: a newcomer is compared with leaders only and joins the one it
  matches best, so a chain of loosely related questions cannot snowball into one giant
  group. A lone question the newcomer matches comes along when it matches that leader
  too, or, when the newcomer forms a new group, when the newcomer matches it closely
  or both are long.

Questions are visited best first, so a group's first member is its best. Every choice
is ordered by rank and key, never by hash order: the groups are the same every run.
Measured on ``tests/unit/curation/data/duplicate_pairs.jsonl`` (see
``tests/unit/curation/test_duplicate_corpus.py``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain
from typing import NamedTuple

from cxdaily.curation.term_keys import GENERIC_KEYS, topic_keys

#: Keys of a question looked up in the buckets (its heaviest content keys).
SIGNATURE_TERMS = 6
#: Questions a bucket keeps (the first ones: the best).
BUCKET_SIZE = 12
#: Group leaders a question is compared with (those holding most of its signature).
MAX_COMPARISONS = 8
COMMON_SHARE = 0.1
COMMON_WEIGHT = 0.25
GENERIC_WEIGHT = 0.2
UNIQUE_WEIGHT = 0.3
MIN_SHARED = 2
SIMILAR_AT_ONCE = 0.65
SIMILAR_AT = 0.38
BAND_SPECIFIC = 3
#: Below SIMILAR_AT_ONCE, one of the two questions must ask little beyond what they
#: share: its specific keys the other lacks weigh at most this share of its specific
#: keys. Two questions that each add their own ask to a shared frame are two.
MAX_BEYOND = 0.42
#: Questions with this many keys are long posts; two of them match from SIMILAR_AT_LONG.
LONG_KEYS = 20
SIMILAR_AT_LONG = 0.28
#: Two picks at least this similar are one topic when a session is ordered.
SAME_TOPIC_AT = 0.15
#: A key that is a number (an order number, an amount).
_NUMBER = re.compile(rb"[\d.,]+")


class Profile(NamedTuple):
    """What grouping compares of one question."""

    keys: frozenset[bytes]
    weight: float
    """The summed weight of its keys."""
    content: tuple[bytes, ...]
    """Its keys that another question of the pool has too and that are not generic, the
    heaviest first (its signature)."""
    specific_weight: float
    """The summed weight of its specific keys."""


class TermStats:
    """Key frequencies and weights of a pool of questions (given as their topic terms)."""

    def __init__(self, term_sets: Sequence[AbstractSet[bytes]]) -> None:
        self.documents = n = len(term_sets)
        common_at = max(3.0, COMMON_SHARE * n)
        raw = Counter(chain.from_iterable(term_sets))
        self.common = frozenset(term for term, count in raw.items() if count > common_at)
        """Terms in more than COMMON_SHARE of the questions: little help telling topics
        apart (a brand name); novelty leaves them out."""
        distinct: dict[AbstractSet[bytes], frozenset[bytes]] = {}
        for terms in term_sets:
            if terms not in distinct:
                distinct[terms] = topic_keys(terms)
        counts = Counter(chain.from_iterable(distinct[terms] for terms in term_sets))
        self.weights: dict[bytes, float] = {}
        """Weight of each key: its rarity, less for generic, common and unique keys."""
        content: set[bytes] = set()
        specific: set[bytes] = set()
        for key, count in counts.items():
            weight = math.log(1.0 + n / count)
            if key in GENERIC_KEYS:
                weight *= GENERIC_WEIGHT
            elif count == 1:  # in one question only: a detail, a name, an untranslated word
                weight *= 0.0 if _NUMBER.fullmatch(key) else UNIQUE_WEIGHT  # an id, an amount
            elif count > common_at:
                weight *= COMMON_WEIGHT
                content.add(key)
            else:
                content.add(key)
                specific.add(key)
            self.weights[key] = weight
        self.content = frozenset(content)
        """Keys found in two questions or more that are not generic."""
        self.specific = frozenset(specific)
        """Content keys that are not common either."""
        self.rank = {key: i for i, key in enumerate(sorted(content, key=self._heaviest))}
        """The content keys, the heaviest first (ties by the key)."""
        self._profiles = {terms: self._profile(keys) for terms, keys in distinct.items()}

    def _heaviest(self, key: bytes) -> tuple[float, bytes]:
        return (-self.weights[key], key)

    def _profile(self, keys: frozenset[bytes]) -> Profile:
        rare = math.log(1.0 + self.documents) * UNIQUE_WEIGHT
        weight = sum(self.weights.get(key, rare) for key in keys)  # rare: not in the pool
        content = sorted(keys & self.content, key=self.rank.__getitem__)
        return Profile(keys, weight, tuple(content), self.weight(keys & self.specific))

    def profile(self, terms: AbstractSet[bytes]) -> Profile:
        """The keys and weights of one question's topic terms."""
        found = self._profiles.get(terms)
        return self._profile(topic_keys(terms)) if found is None else found

    def weight(self, keys: Iterable[bytes]) -> float:
        """The summed weight of keys of the pool."""
        return sum(map(self.weights.__getitem__, keys))

    def similarity(self, a: Profile, b: Profile) -> float:
        """Weighted overlap of two questions' keys, 0 to 1 (a weighted Ochiai coefficient)."""
        shared = a.keys & b.keys
        if not shared or a.weight <= 0 or b.weight <= 0:
            return 0.0
        return self.weight(shared) / math.sqrt(a.weight * b.weight)

    def match(self, a: Profile, b: Profile) -> float:
        """The similarity when two questions ask the same thing, else 0 (see the module)."""
        shared = a.keys & b.keys
        if len(shared & self.content) < MIN_SHARED:
            return 0.0
        weight = self.weight(shared)
        score = weight / math.sqrt(a.weight * b.weight)
        if score >= SIMILAR_AT_ONCE:
            return score
        both = shared & self.specific
        if len(both) < BAND_SPECIFIC:
            return 0.0
        if min(len(a.keys), len(b.keys)) >= LONG_KEYS:  # long posts: context, not asks
            return score if score >= SIMILAR_AT_LONG else 0.0
        if score < SIMILAR_AT:
            return 0.0
        # One of them must ask little beyond the shared part: its specific keys that the
        # other lacks weigh at most MAX_BEYOND of all its specific keys.
        least = min(a.specific_weight, b.specific_weight)
        return score if self.weight(both) >= (1.0 - MAX_BEYOND) * least else 0.0


def group_leaders(ordered_terms: Sequence[AbstractSet[bytes]], stats: TermStats) -> list[int]:
    """For each question (given best first), the index of its group's best question.

    ``ordered_terms[i]`` are the topic terms of the i-th best question; a question with
    no near-duplicate is its own leader.
    """
    owner = list(range(len(ordered_terms)))  # group id: the index of its leader
    size = [1] * len(ordered_terms)
    buckets: dict[bytes, list[int]] = {}
    profiles: list[Profile] = []
    weights = stats.weights
    for index, terms in enumerate(ordered_terms):
        mine = stats.profile(terms)
        profiles.append(mine)
        usable = mine.content
        if len(usable) < MIN_SHARED:
            continue
        votes: dict[int, float] = {}  # group -> weight of the signature keys it holds
        for key in usable[:SIGNATURE_TERMS]:
            bucket = buckets.get(key)
            if bucket:
                weight = weights[key]
                for group in {owner[other] for other in bucket}:
                    votes[group] = votes.get(group, 0.0) + weight
        for key in usable:  # indexed under every content key, looked up by the heaviest
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [index]
            elif len(bucket) < BUCKET_SIZE:
                bucket.append(index)
        if votes:
            likely = sorted(votes, key=lambda group: (-votes[group], group))
            _join(index, likely[:MAX_COMPARISONS], owner, size, profiles, stats)
    first: dict[int, int] = {}
    for index, group in enumerate(owner):
        first.setdefault(group, index)  # visited best first: the first member leads
    return [first[group] for group in owner]


def _join(
    index: int,
    groups: list[int],
    owner: list[int],
    size: list[int],
    profiles: list[Profile],
    stats: TermStats,
) -> None:
    """Put question ``index`` in the one of ``groups`` whose leader it matches best, with
    the lone questions it matches that belong there too.

    A newcomer is compared with leaders only, never with other members, so a chain of
    loosely related questions cannot snowball into one giant group. A lone question it
    matches comes along when it matches that leader too; when the newcomer forms a new
    group (it matched lone questions only), a lone question it matches closely
    (:data:`SIMILAR_AT_ONCE`), or at length (both long), comes along: three long posts
    on one topic need not each match the other two.
    """
    best_group, best_score = -1, 0.0
    loners: list[tuple[int, float]] = []
    mine = profiles[index]
    for group in groups:
        score = stats.match(mine, profiles[group])
        if score:
            if size[group] == 1:
                loners.append((group, score))
            if score > best_score:
                best_group, best_score = group, score
    if best_group < 0:
        return
    lead, forming = profiles[best_group], size[best_group] == 1
    for loner, score in loners:  # a loner is one question: it moves in O(1)
        if loner == best_group:
            continue
        other = profiles[loner]
        if forming:
            belongs = score >= SIMILAR_AT_ONCE or min(len(mine.keys), len(other.keys)) >= LONG_KEYS
        else:
            belongs = stats.match(other, lead) > 0
        if belongs:
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

    mine = [stats.profile(terms) for terms in term_sets]
    for i in range(len(mine)):
        for j in range(i):
            if stats.similarity(mine[i], mine[j]) >= SAME_TOPIC_AT:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(mine))]

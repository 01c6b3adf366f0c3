"""One sentiment scorer, for curation and for the sentiment the tag form suggests.

A text's score runs from -1 (angry) to +1 (delighted) and is built VADER-style from the
lexicon (:mod:`cxdaily.curation.sentiment_words`, English, Spanish, German and French):

- each sentiment word adds its valence (once, where it first appears); a phrase
  ("thanks for nothing", "Geld zurück") counts as a whole;
- a negation up to :data:`WINDOW` words before, in the same sentence, flips a word
  ("not good"); German and French also negate after the verb ("funktioniert nicht",
  "ne marche pas"); words that say little alone count as complaints when negated ("not
  working", "no funciona", "keine Antwort", "aucune réponse");
- a booster just before strengthens a word ("very", "muy", "sehr", "très"), a dampener
  weakens it ("a bit"); in a sentence with "but" ("pero", "aber", "mais") what follows
  counts more than what comes before;
- ``!`` adds emphasis; urgency words ("ASAP", "dringend", "urgente") count as negative,
  and so do frustration ("third message", "still no reply", "j'en ai marre"), ``??``
  and a bare "Nothing." / "Rien.";
- then the signals a caller knows: a star rating pulls the score towards its stars (4-5
  lean positive, 1-2 negative) and an urgent priority nudges it down.

Curation reads every candidate, so :class:`~cxdaily.curation.text.TextReader` hands
:func:`read_tokens` the tokens it has already split and the set of :data:`CUES` among
them (one intersection in C); a text without negations, boosters or contrasts is summed
in C (its phrases checked at their first words), and otherwise only its sentiment words
are visited in Python, each once. Curation
weighs frustration as a signal of its own, so it takes the score without it; the tag
form and the command line call :func:`sentiment_of` on a text, or
:func:`question_sentiment` on a question (the head curation reads, with its stars and
priority), which count it: a question curation calls negative or frustrated is never
suggested as positive. Pure functions: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from itertools import repeat
from typing import NamedTuple

from cxdaily.core.models import Question
from cxdaily.curation.lexicon import STOPWORDS
from cxdaily.curation.sentiment_words import (
    ALONE,
    BOOSTERS,
    CONTRASTS,
    FRUSTRATED_WORDS,
    FRUSTRATION_CUES,
    FRUSTRATION_FOLLOWERS,
    FRUSTRATION_LEADERS,
    NEGATED,
    NEGATIONS,
    NEGATIONS_AFTER,
    PHRASES,
    VALENCE,
    Phrase,
)

#: Score at or below which a text reads as negative.
NEGATIVE_AT = -0.3
#: Score at or above which a text reads as positive.
POSITIVE_AT = 0.3
#: Words before a sentiment word (and after a verb, for "nicht"/"pas") a negation reaches.
WINDOW = 3
#: Words before a sentiment word a booster reaches ("very very good" counts once).
BOOST_REACH = 2
#: A negated word that is not in :data:`~cxdaily.curation.sentiment_words.NEGATED` keeps this
#: share of its valence, flipped ("not great" is mildly negative). Like every factor
#: here, a binary fraction: sums of valences are then exact, in any order.
FLIP = -0.75
#: Weights of a sentence's words before and after a contrast ("great, but slow").
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
#: Valence of frustration ("third message", "still no reply").
FRUSTRATION_VALENCE = -2.0
#: Emphasis of each ``!`` (up to :data:`MAX_MARKS` of them).
EMPHASIS, MAX_MARKS = 0.25, 4
#: How far the stars pull the score (0: not at all, 1: the stars alone decide) ...
STAR_WEIGHT = 0.6
#: ... towards these scores for 1 to 5 stars.
STAR_SCORES = (-1.0, -0.65, 0.0, 0.65, 1.0)
#: Valence of "??" or "?!" (exasperation) in a text that has other sentiment.
EXASPERATION = -0.75
#: Valence of "Nothing." or "Rien." as a sentence of its own.
ALONE_VALENCE = -1.5
#: How much an urgent priority lowers the score.
URGENT_NUDGE = 0.1
#: Characters of a text read by :func:`sentiment_of`.
TEXT_CHARS = 4000

_STOP = b"."  # the token that ends a sentence (see cxdaily.curation.text.tokenize)
_NEGATES, _NEGATES_AFTER, _BOOSTS, _CONTRASTS = 1, 2, 4, 8  # what a modifier does
_MODIFIER_WORDS = NEGATIONS | frozenset(BOOSTERS) | CONTRASTS
_SCORED = frozenset(VALENCE) | frozenset(NEGATED) | frozenset(PHRASES)
#: Word -> (what it does as a modifier, valence, phrases starting with it, valence when
#: negated, whether it carries its own negation like "n'arrive"): one lookup per word.
_WORDS: dict[bytes, tuple[int, float, tuple[Phrase, ...], float | None, bool]] = {
    word: (
        (word in NEGATIONS and _NEGATES)
        | (word in NEGATIONS_AFTER and _NEGATES_AFTER)
        | (word in BOOSTERS and _BOOSTS)
        | (word in CONTRASTS and _CONTRASTS),
        VALENCE.get(word, 0.0),
        PHRASES.get(word, ()),
        NEGATED.get(word),
        word[:2] == b"n'" and word in NEGATED,
    )
    for word in _SCORED | _MODIFIER_WORDS
}
_NEGATED_ONLY = frozenset(NEGATED) - frozenset(VALENCE) - frozenset(PHRASES)
_PHRASE_STARTS = frozenset(PHRASES)
#: Phrase start -> the words that may come next (checked before the whole phrase).
_SECONDS = {first: frozenset(rest[0] for rest, _ in phrases) for first, phrases in PHRASES.items()}
_FRUSTRATION_WORDS = FRUSTRATED_WORDS | FRUSTRATION_CUES
_BOOSTER_WORDS = frozenset(BOOSTERS)
#: Words that say something on their own: sentiment words and the words of frustration
#: and of phrases that are not stop words ("any" of "any update" is one).
SENTIMENT_WORDS = (
    frozenset(VALENCE) | FRUSTRATED_WORDS | (frozenset(PHRASES) | FRUSTRATION_CUES) - STOPWORDS
)
#: Every token the scorer looks at; a reader intersects a text's tokens with it once and
#: passes the result as ``cues``.
CUES = SENTIMENT_WORDS | FRUSTRATION_CUES | _SCORED | _MODIFIER_WORDS | ALONE


class Sentiment(NamedTuple):
    """A text's sentiment: its score and what it reads as."""

    score: float
    """From -1 (angry) to +1 (delighted)."""
    label: str
    """``negative``, ``neutral`` or ``positive``."""


def label_of(score: float) -> str:
    """``negative``, ``neutral`` or ``positive`` for a score."""
    if score <= NEGATIVE_AT:
        return "negative"
    if score >= POSITIVE_AT:
        return "positive"
    return "neutral"


def star_rating(value: object) -> float | None:
    """A review's stars (1 to 5) from a channel's ``rating``; None if it is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(min(max(value, 1), 5))


def _star_score(stars: float) -> float:
    """The score the stars alone say (interpolated for half stars)."""
    low = int(stars) if stars < 5 else 4
    return STAR_SCORES[low - 1] + (stars - low) * (STAR_SCORES[low] - STAR_SCORES[low - 1])


def sentiment_of(
    text: str,
    *,
    rating: object = None,
    frustrated: bool | None = None,
    urgent: bool = False,
) -> Sentiment:
    """The sentiment of ``text`` (its first :data:`TEXT_CHARS` characters).

    ``rating`` is a review's stars, ``frustrated`` overrides the frustration found in the
    text, ``urgent`` says the source system marked it urgent.
    """
    # Imported here: cxdaily.curation.text imports this module for its reader.
    from cxdaily.curation.text import tokenize

    head = text[:TEXT_CHARS]
    tokens = tokenize(head)
    cues = CUES.intersection(tokens)
    if frustrated is None:
        frustrated = frustrated_in(tokens, cues)
    score = score_tokens(tokens, cues, head, frustrated)
    score = with_signals(score, rating=star_rating(rating), urgent=urgent)
    return Sentiment(score, label_of(score))


def question_sentiment(question: Question) -> Sentiment:
    """The sentiment of a question as curation reads it: the same head (title and start of
    the body), its stars, its priority; so a question curation calls negative is never
    suggested as anything else."""
    from cxdaily.curation.text import head_of

    meta = question.meta
    return sentiment_of(
        head_of(question), rating=meta.get("rating"), urgent=meta.get("priority") == "urgent"
    )


def with_signals(score: float, *, rating: float | None = None, urgent: bool = False) -> float:
    """A text's score with what the channel knows: the stars (1-5) pull it by
    :data:`STAR_WEIGHT` towards :data:`STAR_SCORES`; an urgent priority lowers it."""
    if urgent:
        score -= URGENT_NUDGE
    if rating is not None:
        score = STAR_WEIGHT * _star_score(rating) + (1 - STAR_WEIGHT) * score
    return -1.0 if score < -1 else 1.0 if score > 1 else score


def read_tokens(tokens: Sequence[bytes], cues: AbstractSet[bytes], head: str) -> tuple[float, bool]:
    """For curation, which weighs frustration as a signal of its own: the score of the
    text without it (:func:`score_tokens`), and whether the text reads frustrated."""
    frustrated = not cues.isdisjoint(_FRUSTRATION_WORDS) and frustrated_in(tokens, cues)
    return score_tokens(tokens, cues, head, False), frustrated


def score_tokens(
    tokens: Sequence[bytes], cues: AbstractSet[bytes], head: str, frustrated: bool
) -> float:
    """The score of a tokenized text from -1 to 1 (with the frustration if ``frustrated``).

    ``cues`` are the text's tokens found in :data:`CUES` (more do no harm), ``head`` is
    the text (for ``!`` and ``??``).
    """
    total = 0.0
    hits = cues & _SCORED
    if hits:
        if cues.isdisjoint(_MODIFIER_WORDS):  # multiples of 1/4: exact in any order
            total = sum(map(VALENCE.get, hits, repeat(0.0)))
            if not hits.isdisjoint(_PHRASE_STARTS):
                for token in hits & _PHRASE_STARTS:
                    i = tokens.index(token)
                    phrase = _phrase_at(tokens, i, token)
                    if phrase is not None:
                        total += phrase - VALENCE.get(token, 0.0)
        else:
            total = _in_context(tokens, hits, cues & _MODIFIER_WORDS)
    if not cues.isdisjoint(ALONE):
        total += _alone(tokens, cues)
    if frustrated:
        total += FRUSTRATION_VALENCE
    if not total:
        return 0.0
    mark = head.find("?")
    while mark >= 0:  # "??" or "?!"
        if head[mark + 1 : mark + 2] in ("?", "!"):
            total += EXASPERATION
            break
        mark = head.find("?", mark + 1)
    marks = head.count("!")
    if marks:
        emphasis = EMPHASIS * (marks if marks < MAX_MARKS else MAX_MARKS)
        total += emphasis if total > 0 else -emphasis
    return total / math.sqrt(total * total + 15)


def frustrated_in(tokens: Sequence[bytes], cues: AbstractSet[bytes]) -> bool:
    """Phrases of someone let down before: 'third message', 'still no reply', 'been
    waiting', 'not one human', 'sigo sin', 'noch keine', 'toujours pas' (at the cues)."""
    if not cues.isdisjoint(FRUSTRATED_WORDS):
        return True
    last = len(tokens) - 1
    for cue in cues & FRUSTRATION_CUES:
        followers = FRUSTRATION_FOLLOWERS.get(cue)
        leaders = FRUSTRATION_LEADERS.get(cue)
        i = -1
        for _ in range(tokens.count(cue)):
            i = tokens.index(cue, i + 1)
            if followers is not None and i < last and tokens[i + 1] in followers:
                return True
            if leaders is not None and i and tokens[i - 1] in leaders:
                return True
    return False


def _in_context(
    tokens: Sequence[bytes], hits: AbstractSet[bytes], modifiers: AbstractSet[bytes]
) -> float:
    """The sum of the valences of the sentiment words ``hits`` (each counted once, where
    it first appears), with the negations, boosters and contrasts among ``modifiers``
    and the phrases applied. Valences and factors are multiples of powers of two, so the
    sum is exact whatever the order."""
    flags = 0
    for word in modifiers:
        flags |= _WORDS[word][0]
    if not flags & _NEGATES:
        hits = hits - _NEGATED_ONLY  # "working" says nothing unless negated
    contrasts = [tokens.index(word) for word in modifiers & CONTRASTS] if flags & _CONTRASTS else ()
    total = 0.0
    for token in hits:
        i = tokens.index(token)
        _, value, phrases, negated_value, self_negated = _WORDS[token]
        phrase = _phrase_at(tokens, i, token) if phrases else None
        if phrase is not None:
            value = phrase
        elif modifiers and not modifiers.isdisjoint(
            tokens[i - WINDOW if i > WINDOW else 0 : i + 1 + WINDOW]
        ):  # a modifier is near: look closer
            if self_negated or (
                flags & _NEGATES
                and _negated(tokens, i, bool(flags & _NEGATES_AFTER) and negated_value is not None)
            ):
                value = FLIP * value if negated_value is None else negated_value
            if value and flags & _BOOSTS:
                value *= _boost(tokens, i)
        if value and contrasts:
            value *= _contrast(tokens, i, contrasts)
        total += value
    return total


def _contrast(tokens: Sequence[bytes], i: int, contrasts: Sequence[int]) -> float:
    """How much the word at ``i`` counts for a contrast in its sentence: less before
    "but", more after it (1 in a sentence without one)."""
    for c in sorted(contrasts):
        if c < i and _STOP not in tokens[c:i]:
            return AFTER_CONTRAST
        if c > i and _STOP not in tokens[i:c]:
            return BEFORE_CONTRAST
    return 1.0


def _positions(tokens: Sequence[bytes], word: bytes) -> Iterator[int]:
    """Where ``word`` occurs in ``tokens`` (searched in C)."""
    i = -1
    while True:
        try:
            i = tokens.index(word, i + 1)
        except ValueError:
            return
        yield i


def _alone(tokens: Sequence[bytes], cues: AbstractSet[bytes]) -> float:
    """:data:`ALONE_VALENCE` for each word of :data:`ALONE` that is a sentence of its own."""
    total = 0.0
    last = len(tokens) - 1
    for word in cues & ALONE:
        for i in _positions(tokens, word):
            if (not i or tokens[i - 1] == _STOP) and (i == last or tokens[i + 1] == _STOP):
                total += ALONE_VALENCE
    return total


def _phrase_at(tokens: Sequence[bytes], i: int, token: bytes) -> float | None:
    """The valence of the phrase that starts with ``token`` at ``i``, if one does."""
    if i + 1 >= len(tokens) or tokens[i + 1] not in _SECONDS[token]:
        return None
    for rest, valence in PHRASES[token]:
        if tuple(tokens[i + 1 : i + 1 + len(rest)]) == rest:
            return valence
    return None


def _negated(tokens: Sequence[bytes], i: int, after: bool) -> bool:
    """Whether a negation comes up to :data:`WINDOW` words before ``i`` in its sentence
    (or, with ``after``, a "nicht"/"pas" up to that many words after it)."""
    window = tokens[i - WINDOW if i > WINDOW else 0 : i]
    if not NEGATIONS.isdisjoint(window):
        if _STOP not in window:
            return True
        window = window[len(window) - window[::-1].index(_STOP) :]
        if not NEGATIONS.isdisjoint(window):
            return True
    if not after:
        return False
    for token in tokens[i + 1 : i + 1 + WINDOW]:
        if token == _STOP or token in CONTRASTS:
            return False
        if token in NEGATIONS_AFTER:
            return True
    return False


def _boost(tokens: Sequence[bytes], i: int) -> float:
    """The factor of a booster or dampener just before ``i`` (1 when there is none)."""
    window = tokens[i - BOOST_REACH if i > BOOST_REACH else 0 : i]
    if _BOOSTER_WORDS.isdisjoint(window):
        return 1.0
    for token in reversed(window):
        if token == _STOP:
            return 1.0
        factor = BOOSTERS.get(token)
        if factor is not None:
            return factor
    return 1.0

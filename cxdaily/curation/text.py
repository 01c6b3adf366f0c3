"""Text features of a question, read once, cheaply, from a bounded prefix.

Curation reads tens of thousands of questions, so the text work here is shaped for
speed. The title and the first :data:`PREFIX_CHARS` characters of the body are
lower-cased, encoded to UTF-8 and split on ASCII punctuation by ``bytes.translate`` (C
speed; any script survives as bytes). One set intersection then finds every word a
signal cares about (sentiment words, frustration and request cues, watch keywords with
their inflections); only those few words are looked at in Python, and only a text with
sentiment words is walked, at those words, for negations. The topic terms (for
near-duplicates and novelty) are built only for the questions that need them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import partial
from itertools import filterfalse
from typing import NamedTuple

from cxdaily.curation.lexicon import (
    FRUSTRATED_WORDS,
    FRUSTRATION_CUES,
    FRUSTRATION_FOLLOWERS,
    FRUSTRATION_LEADERS,
    NEGATIONS,
    REQUEST_CUES,
    STOPWORDS,
    VALENCE,
)
from cxdaily.models import Question

#: Characters of the body that are tokenized (the length itself is always known).
PREFIX_CHARS = 280
#: Characters of a title that are tokenized.
TITLE_CHARS = 120
#: Characters at the end of a longer body also searched for watch keywords: a threat
#: ("my lawyer will be in touch") often comes last.
TAIL_CHARS = 400
#: Normalised sentiment at or below which a question reads as negative.
NEGATIVE_AT = -0.3

_SEPARATORS = '"#$%&()*+,-/:;<=>@[\\]^_`{|}~\t\n\r\x0b\x0c'
_SENTENCE_ENDS = "!?"
_TABLE = bytes(
    32 if chr(b) in _SEPARATORS else 46 if chr(b) in _SENTENCE_ENDS else b for b in range(256)
)
_STOP = b"."  # the token that ends a sentence: a negation does not reach past it
_VALENCE_WORDS = frozenset(VALENCE)
_SIGNAL_WORDS = _VALENCE_WORDS | FRUSTRATED_WORDS | FRUSTRATION_CUES | REQUEST_CUES
#: Tokens that are not topic terms: stop words, single characters, small numbers.
_DROP = (
    STOPWORDS
    | frozenset(
        [bytes([c]) for c in range(256)]
        + [str(n).encode() for n in range(100)]
        + [f"{n:02d}".encode() for n in range(10)]
        + [b"..", b"...", b"'", b"''", b"--"]
    )
) - _SIGNAL_WORDS


def tokenize(text: str) -> list[bytes]:
    """Lower-cased word tokens of ``text`` as UTF-8 bytes (keeps ``4.2.0`` and ``don't``);
    ``.`` stands for the end of a sentence."""
    return _split(text.lower())


def _split(lowered: str) -> list[bytes]:
    data = lowered.replace("\u2019", "'").encode("utf-8", "ignore").translate(_TABLE) + b" "
    return data.replace(b". ", b" . ").split()


def terms_of(text: str) -> frozenset[bytes]:
    """The topic terms of a text: its words that are not stop words."""
    return frozenset(filterfalse(_DROP.__contains__, tokenize(text)))


def head_of(question: Question) -> str:
    """The part of a question that is read: its title and the start of its body."""
    title, body = question.title, question.body
    return f"{title[:TITLE_CHARS]}\n{body[:PREFIX_CHARS]}" if title else body[:PREFIX_CHARS]


def question_terms(question: Question) -> frozenset[bytes]:
    """The topic terms of a question (for near-duplicates and novelty)."""
    return terms_of(head_of(question))


def inflections(word: str) -> set[bytes]:
    """A word and its common English inflections, as tokens (``refund`` -> ``refunded`` ...)."""
    base = word.strip().lower()
    stems = {base}
    if base.endswith("e"):
        stems.add(base[:-1])  # outage -> outag(es), escalate -> escalat(ing)
    if len(base) > 2 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou":
        stems.add(base + base[-1])  # cancel -> cancell(ed), stop -> stopp(ed)
    forms = {base, base + "s", base + "es", base + "'s"}
    for stem in stems:
        forms.update(stem + suffix for suffix in ("ed", "ing", "er", "ers", "ation", "ations"))
    if base.endswith("y"):
        forms.update((base[:-1] + "ies", base[:-1] + "ied"))
    return {form.encode("utf-8", "ignore") for form in forms}


class TextFeatures(NamedTuple):
    """What curation needs from a question's text; built by :meth:`TextReader.read`."""

    sentiment: float
    """From -1 (angry) to +1 (delighted); 0 when no sentiment word was found."""
    frustrated: bool
    """Phrases of someone let down before: 'third message', 'still no reply'."""
    asks: int
    """Question marks in the prefix (capped at 5)."""
    requests: bool
    """Asks for something without a question mark ('please fix', 'need help')."""
    keywords: tuple[str, ...]
    """Watch keywords present, in configured order."""
    chars: int
    """Characters to read: title, the whole body and the thread."""

    @property
    def negative(self) -> bool:
        """Whether the text reads as negative."""
        return self.sentiment <= NEGATIVE_AT


_features = partial(tuple.__new__, TextFeatures)  # skips the Python-level __new__


class TextReader:
    """Reads questions for the signals, with one config's watch keywords.

    Single-word keywords match their inflections (``refund`` finds ``refunded``,
    ``cancel`` finds ``cancelled``); phrases such as ``data loss`` match as written.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(dict.fromkeys(k.strip() for k in keywords if k.strip()))
        self._forms: dict[bytes, int] = {}
        self._phrases: list[tuple[int, bytes, re.Pattern[str]]] = []
        self._scans: list[tuple[int, str, re.Pattern[str]]] = []
        for order, keyword in enumerate(self.keywords):
            words = [w.decode("utf-8", "ignore") for w in tokenize(keyword)]
            if not words:
                continue
            pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words))
            self._scans.append((order, words[0], pattern))
            if len(words) == 1:
                for form in inflections(words[0]):
                    self._forms.setdefault(form, order)
            else:
                self._phrases.append((order, words[0].encode("utf-8", "ignore"), pattern))
        self._keyword_words = frozenset(self._forms) | {first for _, first, _ in self._phrases}
        self._cues = _SIGNAL_WORDS | NEGATIONS | self._keyword_words

    def read(self, question: Question) -> TextFeatures:
        """The text features of one question (bounded work whatever its size)."""
        title, body = question.title, question.body
        head = f"{title[:TITLE_CHARS]}\n{body[:PREFIX_CHARS]}" if title else body[:PREFIX_CHARS]
        lowered = head.lower()
        tokens = _split(lowered)
        cues = self._cues.intersection(tokens)
        sentiment, frustrated, requests, found = 0.0, False, False, ()
        if cues:
            hits = cues & _VALENCE_WORDS
            if hits:
                sentiment = _sentiment(tokens, hits, head, not cues.isdisjoint(NEGATIONS))
            frustrated = not cues.isdisjoint(FRUSTRATED_WORDS) or (
                not cues.isdisjoint(FRUSTRATION_CUES) and _frustrated_phrase(tokens, cues)
            )
            requests = not cues.isdisjoint(REQUEST_CUES)
            if not cues.isdisjoint(self._keyword_words):
                found = self._find(cues, lowered)
        if not frustrated and "any update" in lowered:
            frustrated = True
        if (
            len(body) > PREFIX_CHARS
            and (found or frustrated or sentiment <= NEGATIVE_AT)
            and self.keywords
        ):  # a longer complaint: its end too ("... or my lawyer will be in touch")
            found = self._scan(body[max(PREFIX_CHARS, len(body) - TAIL_CHARS) :].lower(), found)
        asks = head.count("?") + head.count("\uff1f")
        chars = len(body) + len(title) if title else len(body)
        for message in question.context:
            chars += len(message.body)
        return _features(
            (
                sentiment,
                frustrated,
                asks if asks < 5 else 5,
                requests or body[:40].lstrip().startswith("@"),
                found,
                chars,
            )
        )

    def _find(self, cues: AbstractSet[bytes], lowered: str) -> tuple[str, ...]:
        """The keywords among a text's cue words (phrases: confirmed in ``lowered``)."""
        found = {self._forms[word] for word in cues if word in self._forms}
        for order, first, pattern in self._phrases:
            if first in cues and pattern.search(lowered):
                found.add(order)
        return tuple(self.keywords[i] for i in sorted(found))

    def _scan(self, lowered: str, found: tuple[str, ...]) -> tuple[str, ...]:
        """``found`` plus the keywords at the start of a word in ``lowered`` (more text)."""
        more = {self.keywords.index(k) for k in found}
        for order, first, pattern in self._scans:
            if order not in more and first in lowered and pattern.search(lowered):
                more.add(order)
        return tuple(self.keywords[i] for i in sorted(more)) if more else ()


def _frustrated_phrase(tokens: list[bytes], cues: AbstractSet[bytes]) -> bool:
    """'third message', 'still no reply', 'been waiting', 'not one human' (at the cues)."""
    for cue in sorted(cues & FRUSTRATION_CUES):
        followers = FRUSTRATION_FOLLOWERS.get(cue)
        leaders = FRUSTRATION_LEADERS.get(cue)
        i = -1
        while True:
            try:
                i = tokens.index(cue, i + 1)
            except ValueError:
                break
            if followers and i + 1 < len(tokens) and tokens[i + 1] in followers:
                return True
            if leaders and i and tokens[i - 1] in leaders:
                return True
    return False


def _sentiment(tokens: list[bytes], hits: AbstractSet[bytes], head: str, negated: bool) -> float:
    """VADER-style: sum of valences; a negation up to three words before, in the same
    sentence, flips one; ``!`` adds emphasis. Only lexicon hits are visited (in C)."""
    total = 0.0
    for token in sorted(hits):
        valence = VALENCE[token]
        if not negated:
            total += valence * tokens.count(token)
            continue
        start = 0
        while True:
            try:
                i = tokens.index(token, start)
            except ValueError:
                break
            start = i + 1
            window = tokens[max(i - 3, 0) : i]
            if _STOP in window:
                window = window[len(window) - window[::-1].index(_STOP) :]
            if NEGATIONS.isdisjoint(window):
                total += valence
            else:
                total -= 0.74 * valence
    if total:
        emphasis = 0.25 * min(head.count("!"), 4)
        total += emphasis if total > 0 else -emphasis
    return total / math.sqrt(total * total + 15)

"""Text features of a question, read once, cheaply, from a bounded prefix.

Curation reads tens of thousands of questions, so the text work here is shaped for
speed. The title and the first :data:`PREFIX_CHARS` characters of the body are
lower-cased, encoded to UTF-8 and split on ASCII punctuation by ``bytes.translate`` (C
speed; any script survives as bytes). One set intersection then finds every word a
signal cares about (sentiment words, frustration and request cues, watch keywords with
their inflections and translations); only those few words are looked at in Python, by
the one sentiment scorer (:mod:`cxdaily.curation.sentiment`). The topic terms (for
near-duplicates and novelty) are built only for the questions that need them.

What depends only on a question (its sentiment, frustration, asks, requests, length and
the words that could name a watch keyword) is its :class:`TextAnalysis`, made once when
the question is stored (:func:`analyse`) and kept with it in a compact, versioned form
(:mod:`cxdaily.curation.analysis`). Curation then only matches the
configured keywords against the kept words (:meth:`TextReader.features`); a record
without an analysis of the current :data:`ANALYSIS_VERSION` is analysed afresh.

The watch keywords found in a question depend only on its text and the configured
keywords, so they too are found when it is stored and kept with it
(:meth:`TextReader.matches_record`, see :mod:`cxdaily.curation.kept`), under a
:attr:`TextReader.fingerprint` naming those keywords: a reader of other keywords ignores
them and looks again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache, partial
from itertools import filterfalse
from typing import NamedTuple, Protocol

from cxdaily.core.models import Question
from cxdaily.curation.analysis import ANALYSIS_VERSION, TextAnalysis
from cxdaily.curation.lexicon import REQUEST_CUES, STOPWORDS, keyword_translations
from cxdaily.curation.sentiment import CUES as SENTIMENT_CUES
from cxdaily.curation.sentiment import NEGATIVE_AT, SENTIMENT_WORDS, read_tokens

#: Characters of the body that are tokenized (the length itself is always known).
PREFIX_CHARS = 280
#: Characters of a title that are tokenized.
TITLE_CHARS = 120
#: Characters at the end of a longer body also searched for watch keywords: a threat
#: ("my lawyer will be in touch") often comes last.
TAIL_CHARS = 400
_SEPARATORS = '"#$%&()*+,-/:;<=>@[\\]^_`{|}~\t\r\x0b\x0c'
_SENTENCE_ENDS = "!?\n"
_TABLE = bytes(  # "!", "?" and a new line become \x01, then each a "." token: "great!!" too
    32 if chr(b) in _SEPARATORS else 1 if chr(b) in _SENTENCE_ENDS else b for b in range(256)
)
_SIGNAL_WORDS = SENTIMENT_WORDS | REQUEST_CUES
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
    if not lowered.isascii():  # ’ as ', and Spanish ¡ ¿ and French « » as spaces
        lowered = (
            lowered.replace("\u2019", "'")
            .replace("¡", " ")
            .replace("¿", " ")
            .replace("«", " ")
            .replace("»", " ")
        )
    data = lowered.encode("utf-8", "ignore").translate(_TABLE) + b" "
    return data.replace(b"\x01", b" . ").replace(b". ", b" . ").split()


def terms_of(text: str) -> frozenset[bytes]:
    """The topic terms of a text: its words that are not stop words."""
    return frozenset(filterfalse(_DROP.__contains__, tokenize(text)))


class Texted(Protocol):
    """A question's text, as a model or a stored candidate holds it."""

    @property
    def title(self) -> str | None:
        """Its title, if the channel has titles."""

    @property
    def body(self) -> str:
        """Its body."""


def head_of(question: Texted) -> str:
    """The part of a question that is read: its title and the start of its body."""
    title, body = question.title, question.body
    return f"{title[:TITLE_CHARS]}\n{body[:PREFIX_CHARS]}" if title else body[:PREFIX_CHARS]


#: Where a message's own words end: a signature, a sign-off, a quoted earlier message.
_SIGN_OFFS = (
    "\n-- ", "\n--\n", "\n__", "\n>", "\nsent from my", "\nget outlook for",
    "\nregards", "\nkind regards", "\nbest regards", "\nbest,", "\nthanks,", "\ncheers,",
    "\nmany thanks", "\nthis email and any", "\nmit freundlichen", "\nviele grü",
    "\nvon meinem", "\ncordialement", "\nbien à vous", "\nenvoyé de mon", "\nsaludos",
    "\nun saludo", "\natentamente", "\nenviado desde",
)  # fmt: skip
#: Characters no customer types: terminal escapes, control characters, bidi overrides.
_HOSTILE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def own_words(body: str) -> str:
    """``body`` without what follows a signature or a sign-off line ("-- ", "Sent from
    my iPhone", "Kind regards", a quoted earlier message)."""
    if "\n" in body:
        lowered = body.lower()
        cuts = [i for i in map(lowered.find, _SIGN_OFFS) if i > 0]
        if cuts:
            return body[: min(cuts)]
    return body


def question_terms(question: Texted) -> frozenset[bytes]:
    """The topic terms of a question (for near-duplicates and novelty): the words of its
    head (:func:`head_of`) that are its own (:func:`own_words`) and not stop words.

    A head carrying terminal escape sequences, control characters or bidi overrides is
    hostile input, not a topic: it has no terms (and joins no near-duplicate group).
    """
    title, body = question.title, question.body[:PREFIX_CHARS]
    head = f"{title[:TITLE_CHARS]}\n{own_words(body)}" if title else own_words(body)
    return frozenset() if _HOSTILE.search(head) else terms_of(head)


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
    """From -1 (angry) to +1 (delighted); 0 when no sentiment word was found. Frustration
    is not in it (it is a signal of its own: ``frustrated``)."""
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


#: The version of keyword matching (:meth:`TextReader.features`): part of the
#: fingerprint stored matches are kept under, so a change here makes them again.
MATCHING_VERSION = 1
_TEXT_CUES = _SIGNAL_WORDS | SENTIMENT_CUES


def analyse(question: Question) -> TextAnalysis:
    """The config-free text analysis of one question (bounded work whatever its size)."""
    # Imported here: cxdaily.curation.must_see imports this module.
    from cxdaily.curation.must_see import text_must_see

    title, body = question.title, question.body
    head = f"{title[:TITLE_CHARS]}\n{body[:PREFIX_CHARS]}" if title else body[:PREFIX_CHARS]
    tokens = _split(head.lower())
    cues = _TEXT_CUES.intersection(tokens)
    sentiment, frustrated, requests = 0.0, False, False
    if cues:  # the one sentiment scorer (cxdaily.curation.sentiment), on these tokens
        sentiment, frustrated = read_tokens(tokens, cues, head)
        requests = not cues.isdisjoint(REQUEST_CUES)
    asks = head.count("?") + head.count("\uff1f")
    chars = len(body) + len(title) if title else len(body)
    for message in question.context:
        chars += len(message.body)
    words = b" ".join(dict.fromkeys(filterfalse(_DROP.__contains__, tokens)))
    return TextAnalysis(
        sentiment,
        frustrated,
        asks if asks < 5 else 5,
        requests or body[:40].lstrip().startswith("@"),
        chars,
        words.decode("utf-8", "replace"),
        text_must_see(question),
    )


class _Pattern:
    """A keyword's pattern, compiled when first searched with: a reader is made at every
    start, and most questions are read from the matches kept with them, so most patterns
    (a keyword's many translations) are never needed."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        """:meth:`re.Pattern.search` of the compiled pattern."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.source)
        return compiled.search(text)


class TextReader:
    """Reads questions for the signals, with one config's watch keywords.

    Single-word keywords match their inflections (``refund`` finds ``refunded``,
    ``cancel`` finds ``cancelled``); phrases such as ``data loss`` match as written. A
    keyword with translations in the lexicon also matches them as written (``cancel``
    finds ``Kündigung``, ``darme de baja``, ``résilier``).
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(dict.fromkeys(k.strip() for k in keywords if k.strip()))
        self._forms: dict[bytes, int] = {}
        self._phrases: list[tuple[int, bytes, _Pattern]] = []
        self._scans: list[tuple[int, str, _Pattern]] = []
        spellings = (
            (order, spelling, spelling is keyword)
            for order, keyword in enumerate(self.keywords)
            for spelling in (keyword, *keyword_translations(keyword))
        )
        for order, spelling, inflect in spellings:
            words = [w.decode("utf-8", "ignore") for w in tokenize(spelling)]
            if not words:
                continue
            pattern = _Pattern(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words))
            if inflect:  # the keyword as configured, searched as written in a longer text
                self._scans.append((order, words[0], pattern))
            if len(words) == 1:
                forms = inflections(words[0]) if inflect else {words[0].encode()}
                for form in forms:
                    self._forms.setdefault(form, order)
            else:
                self._phrases.append((order, words[0].encode("utf-8", "ignore"), pattern))
        self._keyword_words = frozenset(self._forms) | {first for _, first, _ in self._phrases}
        self._keyword_text = frozenset(w.decode("utf-8", "replace") for w in self._keyword_words)
        self._all_tokens = not self._keyword_words.isdisjoint(_DROP)
        """A keyword is a word an analysis does not keep (a stop word, a small number)."""
        named = "\x1f".join(self.keywords).encode("utf-8", "surrogatepass")
        digest = hashlib.blake2s(named, digest_size=8).hexdigest()
        self.fingerprint = f"{ANALYSIS_VERSION}.{MATCHING_VERSION}.{digest}"
        """Names these keywords and the code that matches them (see :meth:`matches_record`)."""
        self._known = frozenset(self.keywords)

    def matches_record(self, text: TextFeatures) -> list[str]:
        """The watch keywords found in a question (``text``: its :meth:`features`), in
        the compact form kept with it when it is stored: ``[fingerprint, keyword, ...]``."""
        return [self.fingerprint, *text.keywords]

    def stored_matches(self, record: object) -> tuple[str, ...] | None:
        """The keywords of a kept :meth:`matches_record`, or ``None`` when it is missing,
        of other keywords (another fingerprint) or of the wrong shape: look again."""
        if type(record) is not list or not record or record[0] != self.fingerprint:
            return None
        found = tuple(record[1:])
        for keyword in found:
            if type(keyword) is not str or keyword not in self._known:
                return None
        return found

    def read(self, question: Question) -> TextFeatures:
        """The text features of one question, analysed afresh (bounded work)."""
        return self.features(question, analyse(question))

    def features(
        self, question: Texted, analysis: TextAnalysis, matches: object = None
    ) -> TextFeatures:
        """The text features of one question from its analysis (:func:`analyse`, made
        when it was stored): only the watch keywords are looked for here, unless
        ``matches`` holds those found when it was stored (:meth:`matches_record`)."""
        sentiment, frustrated = analysis.sentiment, analysis.frustrated
        if matches is not None:
            known = self.stored_matches(matches)
            if known is not None:
                return _features(
                    (sentiment, frustrated, analysis.asks, analysis.requests, known, analysis.chars)
                )
        found: tuple[str, ...] = ()
        cues: AbstractSet[bytes] = frozenset()
        if self._all_tokens:  # a keyword the kept words leave out: read the head again
            cues = self._keyword_words.intersection(_split(head_of(question).lower()))
        elif self.keywords and analysis.words:
            matched = self._keyword_text.intersection(analysis.words.split(" "))
            if matched:
                cues = {word.encode("utf-8") for word in matched}
        if cues:
            found = self._find(cues, head_of(question).lower())
        body = question.body
        if (
            len(body) > PREFIX_CHARS
            and (found or frustrated or sentiment <= NEGATIVE_AT)
            and self.keywords
        ):  # a longer complaint: its end too ("... or my lawyer will be in touch")
            found = self._scan(body[max(PREFIX_CHARS, len(body) - TAIL_CHARS) :].lower(), found)
        return _features(
            (sentiment, frustrated, analysis.asks, analysis.requests, found, analysis.chars)
        )

    def _find(self, cues: AbstractSet[bytes], lowered: str) -> tuple[str, ...]:
        """The keywords among a text's cue words (phrases: confirmed in ``lowered``)."""
        found = {self._forms[word] for word in cues if word in self._forms}
        for order, first, pattern in self._phrases:
            if first in cues and pattern.search(lowered):
                found.add(order)
        return tuple(self.keywords[i] for i in sorted(found))

    def _scan(self, lowered: str, found: tuple[str, ...]) -> tuple[str, ...]:
        """``found`` plus the keywords in ``lowered`` (more text): the keywords as written
        at the start of a word and, in a text with accents (not English, likely), their
        translations too."""
        if lowered.isascii():
            more = {self.keywords.index(k) for k in found}
            for order, first, pattern in self._scans:
                if order not in more and first in lowered and pattern.search(lowered):
                    more.add(order)
            return tuple(self.keywords[i] for i in sorted(more)) if more else ()
        cues = self._keyword_words.intersection(_split(lowered))
        words = self._find(cues, lowered) if cues else ()
        return tuple(k for k in self.keywords if k in found or k in words) if words else found


@lru_cache(maxsize=8)
def text_reader(keywords: tuple[str, ...]) -> TextReader:
    """The reader of these watch keywords (made once; a reader is never changed, so the
    scorer and the store share it)."""
    return TextReader(keywords)

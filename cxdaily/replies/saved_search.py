"""Finding a saved reply from a few typed letters: small, predictable fuzzy matching.

Text is compared folded (:func:`fold`: accents dropped, case folded), word by word. Every
word of the query must match the reply somewhere, and scores by how it matches:

- the whole word (``refund`` in "Refund on the way"): 4;
- the start of a word (``ref``): 3;
- inside a word (``fund``): 2;
- its letters in order, in the title or name only (``rfnd``, or ``rw`` for "Refund on
  the way"): 1 (in the text this would match nearly anything).

A match in the title or the name counts three times one in the text; a title that
starts with the whole query gets a bonus. Replies are ranked by score, then
alphabetically by title; an empty query lists them all alphabetically.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxdaily.replies.saved import SavedReply

WHOLE_WORD, WORD_START, INSIDE_WORD, LETTERS_IN_ORDER = 4, 3, 2, 1
"""How well one query word matches a piece of text."""
TITLE_WEIGHT, BODY_WEIGHT = 3, 1
"""How much a match in the title (or name) counts against one in the text."""

_WORD = re.compile(r"[^\W_]+")  # letters and digits; '-', '_' and spaces split words


def fold(text: str) -> str:
    """Text as search compares it: accents dropped, case folded (``Émile`` -> ``emile``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def query_words(query: str) -> list[str]:
    """The words of a query, folded (punctuation and braces are not searched for)."""
    return _WORD.findall(fold(query))


def _letters_in_order(letters: str, text: str) -> bool:
    """Whether every letter of ``letters`` is in ``text``, in that order (gaps allowed)."""
    remaining = iter(text)
    return all(letter in remaining for letter in letters)


@lru_cache(maxsize=4096)
def _searchable(text: str) -> tuple[str, tuple[str, ...]]:
    """A text folded, and its words (kept: a reply is searched at every key press)."""
    folded = fold(text)
    return folded, tuple(_WORD.findall(folded))


def word_score(word: str, text: str, *, letters_in_order: bool) -> int:
    """How well one folded query word matches ``text`` (0: not at all); see the module."""
    folded, words = _searchable(text)
    if word in words:
        return WHOLE_WORD
    if any(candidate.startswith(word) for candidate in words):
        return WORD_START
    if word in folded:
        return INSIDE_WORD
    if letters_in_order and _letters_in_order(word, "".join(words)):
        return LETTERS_IN_ORDER
    return 0


def match_score(reply: SavedReply, words: list[str]) -> int:
    """How well a reply matches the query's words: 0 when one of them matches nowhere."""
    heading = f"{reply.title} {reply.name}"
    total = 0
    for word in words:
        best = max(
            TITLE_WEIGHT * word_score(word, heading, letters_in_order=True),
            BODY_WEIGHT * word_score(word, reply.body, letters_in_order=False),
        )
        if not best:
            return 0
        total += best
    if _searchable(reply.title)[0].startswith(" ".join(words)):
        total += TITLE_WEIGHT
    return total


def alphabetical(reply: SavedReply) -> tuple[str, str]:
    """The order of a list of replies: by title as search folds it, then by name."""
    return fold(reply.title), reply.name


def search_saved_replies(replies: Iterable[SavedReply], query: str) -> list[SavedReply]:
    """The replies matching ``query``, best first; all of them, alphabetically, for a
    query with no word in it."""
    words = query_words(query)
    if not words:
        return sorted(replies, key=alphabetical)
    scored = [(match_score(reply, words), reply) for reply in replies]
    ranked = sorted(
        ((score, reply) for score, reply in scored if score),
        key=lambda pair: (-pair[0], alphabetical(pair[1])),
    )
    return [reply for _, reply in ranked]


def close_names(wanted: str, replies: Iterable[SavedReply], limit: int = 5) -> list[str]:
    """Names of saved replies close to a mistyped ``wanted``: similar spellings first
    (``refnud`` -> ``refund``), then names every word of it matches (``rfnd`` -> ``refund``)."""
    names = sorted(reply.name for reply in replies)
    by_folded = {fold(name): name for name in names}
    spelled = difflib.get_close_matches(fold(wanted), list(by_folded), n=limit, cutoff=0.6)
    words = query_words(wanted)
    scored = [
        (sum(word_score(word, name, letters_in_order=True) for word in words), name)
        for name in names
        if words and all(word_score(word, name, letters_in_order=True) for word in words)
    ]
    matched = [name for _, name in sorted(scored, key=lambda pair: (-pair[0], pair[1]))]
    return list(dict.fromkeys([*(by_folded[key] for key in spelled), *matched]))[:limit]

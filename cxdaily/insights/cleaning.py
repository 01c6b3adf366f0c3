"""Cleaning untrusted text for an export, fast: the same result as
:mod:`cxdaily.core.safe_text`, with a quick check first because almost all text is clean.

No terminal escape sequence, control character or bidi override ever reaches a digest
file (someone may ``cat`` it in a terminal).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import TypeAlias

from cxdaily.core.patterns import lazy_compile
from cxdaily.core.safe_text import clean, one_line

# What safe_text.clean would remove or change (but newline and tab): text without any
# of these is already clean.
_UNSAFE = lazy_compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]"
)
_ONE_MORE = (1).__add__
_Trie: TypeAlias = dict[str, "_Trie"]
# The same and newline and tab: one-line text without any of these needs no folding.
_CONTROL = lazy_compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]")


def line(text: object) -> str:
    """Untrusted text cleaned (see :mod:`cxdaily.core.safe_text`) and folded to one line."""
    if not text:
        return ""
    value = str(text)
    return one_line(value) if _UNSAFE.search(value) else " ".join(value.split())


def block(text: object) -> str:
    """Untrusted text cleaned, keeping its lines, trimmed."""
    if not text:
        return ""
    value = str(text)
    return (clean(value) if _UNSAFE.search(value) else value).strip()


def is_plain_line(text: str) -> bool:
    """Whether ``text`` holds no control character at all (newline and tab included):
    then it needs neither cleaning nor folding, only trimming."""
    return _CONTROL.search(text) is None


def is_clean(text: str) -> bool:
    """Whether :func:`cxdaily.core.safe_text.clean` would leave ``text`` as it is."""
    return _UNSAFE.search(text) is None


def flagged(
    pattern: re.Pattern[str],
    texts: Sequence[str],
    separator: str = " ",
    joined: str = "",
    offset: int = 0,
) -> set[int]:
    """The indices of the texts ``pattern`` finds something in, found in one search over
    them all joined by ``separator`` (one character ``pattern`` never matches, so that
    no match spans two texts); ``joined``: that join, when the caller has it already.
    With ``offset`` 1, a pattern starting with the separator (a line's start, after a
    newline) flags the text holding the character after the match's first."""
    joined = joined or separator.join(texts)
    first = pattern.search(joined)
    if first is None:
        return set()
    ends = _ends(texts)
    return {bisect_right(ends, m.start() + offset) for m in pattern.finditer(joined, first.start())}


def _ends(texts: Sequence[str]) -> list[int]:
    """Where each text ends, plus one, in ``texts`` joined by a one-character separator
    (the separator's position; each text's index is found from it by bisection)."""
    return list(accumulate(map(_ONE_MORE, map(len, texts))))


def not_plain(texts: Sequence[str]) -> set[int]:
    """The indices of the texts that are not :func:`is_plain_line` (one look at them all
    first: printable text holds no control character)."""
    joined = " ".join(texts)
    return set() if joined.isprintable() else flagged(_CONTROL, texts, joined=joined)


def trimmed_lines(texts: Sequence[str], joined: str = "") -> bool:
    """Whether every text is surely a plain line (:func:`is_plain_line`) with no space at
    either end, so that cleaning, folding and trimming leave each as it is; ``joined``:
    the texts joined by newlines, when the caller has it already. One look at them all:
    printable text holds no control character and no white space but the plain space.
    ``False`` also when a text holds another character that is not printable (a no-break
    space, say): then the caller takes the long way."""
    if not texts:
        return True
    joined = joined or "\n".join(texts)
    return (
        joined.count("\n") == len(texts) - 1
        and all(map(str.isprintable, texts))
        and " \n" not in joined
        and "\n " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
    )


def not_clean(texts: Sequence[str]) -> set[int]:
    """The indices of the texts that are not :func:`is_clean`."""
    return flagged(_UNSAFE, texts)


def holding(
    texts: Sequence[str], needles: Sequence[str], separator: str = "\x00", joined: str = ""
) -> set[int]:
    """The indices of the texts that hold one of ``needles`` (strings without
    ``separator``), found with plain string searches over all of them joined by
    ``separator`` (much faster than a pattern), each text's first hit only; ``joined``:
    that join, when the caller has it already."""
    joined = joined or separator.join(texts)
    present = [needle for needle in needles if needle in joined]
    if not present:
        return set()
    ends = _ends(texts)
    found: set[int] = set()
    for needle in present:
        at = joined.find(needle)
        while at >= 0:
            index = bisect_right(ends, at)
            found.add(index)
            at = joined.find(needle, ends[index]) if index < len(ends) else -1
    return found


def words_pattern(words: Iterable[str], after_first: str = "") -> str:
    """A pattern matching any of ``words`` (non-empty; the longest, where one begins
    another), shaped as a trie (``an(?:a|n)?`` for "an", "ana" and "ann"): at each
    position the regex engine follows one path of characters, however many words there
    are, where an alternation of the words would try each of them.

    ``after_first`` is put after each word's first character: a look-behind there is
    tried only where a word can start, and the regex engine skips ahead to the next
    first character of a word quickly (a look-behind before the trie is tried at every
    position)."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    firsts = [re.escape(char) + after_first + _branches(child) for char, child in root.items()]
    return f"(?:{'|'.join(firsts)})"


def _branches(node: _Trie) -> str:
    """The pattern of one node of the trie of :func:`words_pattern`."""
    following = [re.escape(char) + _branches(child) for char, child in node.items() if char]
    if not following:
        return ""
    if len(following) == 1 and "" not in node:
        return following[0]
    return f"(?:{'|'.join(following)}){'?' if '' in node else ''}"

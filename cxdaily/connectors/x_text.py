"""How X counts a post's length: the weighted count of its text-counting rules.

X limits a post to 280 *weighted* characters (its published counting rules, the
``twitter-text`` configuration version 3):

- the text is counted after Unicode NFC normalization;
- a code point in one of :data:`WEIGHT_ONE_RANGES` weighs 1: U+0000-U+10FF (Latin,
  Greek, Cyrillic, Hebrew, Arabic, Devanagari and most other alphabets), U+2000-U+200D
  (spaces), U+2010-U+201F (dashes and quotation marks) and U+2032-U+2037 (primes);
- every other code point weighs 2 (CJK ideographs, kana, Hangul, most symbols, and
  anything outside the Basic Multilingual Plane);
- an emoji weighs 2 however many code points make it: a ZWJ sequence (a family), a
  skin-tone modifier, a presentation selector, a flag (two regional indicators or a tag
  sequence) or a keycap are one emoji;
- every URL weighs 23 (X shortens each to a ``t.co`` link): an ``http://`` or
  ``https://`` address, or a bare domain with a common top-level domain
  (``example.com/help``) or a country code followed by a path (``example.de/hilfe``).

The URL and emoji rules here approximate X's full ones (its complete list of top-level
domains and of emoji): where they differ they count a little more, never less, so a
reply this module passes fits.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
DEFAULT_WEIGHT = 2
WEIGHT_ONE_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
"""Code points that weigh 1; every other weighs :data:`DEFAULT_WEIGHT`."""

_PICTOGRAPHIC = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328"
    "\u23cf\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe"
    "\u2600-\u27bf\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297"
    "\u3299\U0001f000-\U0001faff"
)
_MODIFIER = "[\U0001f3fb-\U0001f3ff\ufe0f]"
_ONE = f"[{_PICTOGRAPHIC}]{_MODIFIER}*"
_EMOJI = re.compile(
    "[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # a subdivision flag (tags)
    "|[0-9#*]\ufe0f?\u20e3"  # a keycap
    f"|{_ONE}(?:\u200d{_ONE})*"  # an emoji, its modifiers and ZWJ sequence
)
_GENERIC_TLDS = (
    "com|net|org|edu|gov|mil|int|info|biz|name|pro|io|co|ai|app|dev|me|tv|ly|gl|gg|xyz|"
    "online|site|store|shop|tech|blog|news|cloud|link|page|help|support|email|live|media"
)
_URL = re.compile(
    r"(?<![\w@$#./-])(?:"
    r"https?://[^\s<>\"]+"  # with a protocol: anything up to a space
    rf"|(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_GENERIC_TLDS})\b(?::\d{{1,5}})?"
    r"(?:/[^\s<>\"]*)?"  # a bare domain with a common top-level domain
    r"|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2}/[^\s<>\"]*"  # a country code + path
    r")",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\")]}"
"""Punctuation that ends a sentence rather than a URL (as X leaves it out of links)."""


def char_weight(char: str) -> int:
    """The weight of one code point (1 inside :data:`WEIGHT_ONE_RANGES`, else 2)."""
    code = ord(char)
    for low, high in WEIGHT_ONE_RANGES:
        if low <= code <= high:
            return 1
    return DEFAULT_WEIGHT


def urls(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the URLs X would shorten in ``text``."""
    spans = []
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            if text[end - 1] == ")" and text.count("(", match.start(), end) >= text.count(
                ")", match.start(), end
            ):
                break  # a balanced parenthesis belongs to the URL (wiki links)
            end -= 1
        spans.append((match.start(), end))
    return spans


def _plain_length(text: str) -> int:
    """The weighted length of text without URLs: emoji sequences, then code points."""
    total = 0
    position = 0
    while position < len(text):
        emoji = _EMOJI.match(text, position)
        if emoji is not None and emoji.end() > position:
            total += EMOJI_WEIGHT
            position = emoji.end()
            continue
        total += char_weight(text[position])
        position += 1
    return total


def weighted_length(text: str) -> int:
    """The length of ``text`` the way X counts it against :data:`MAX_WEIGHTED_LENGTH`."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end in urls(text):
        total += _plain_length(text[position:start]) + URL_WEIGHT
        position = end
    return total + _plain_length(text[position:])


def without_urls(text: str) -> str:
    """``text`` with each URL replaced by one marker: a reply we sent with a link reads
    back with X's ``t.co`` link in its place, and still compares equal."""
    text = unicodedata.normalize("NFC", text)
    parts = []
    position = 0
    for start, end in urls(text):
        parts.append(text[position:start] + "\x00url\x00")
        position = end
    return "".join(parts) + text[position:]

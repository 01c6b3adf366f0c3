"""Street addresses in free text: the patterns :mod:`~cxdaily.insights.redact` masks them
with (each becomes ``[street address]``).

Four ways of writing an address are found:

- number first, English and French: ``221B Baker Street``, ``42 main st apt 4``,
  ``10 rue de Rivoli`` (:data:`ADDRESS_EN`, :data:`ADDRESS_NUMBER_FIRST`);
- a compound name ending in a street word, German, Dutch and Nordic: ``Hauptstraße 5``,
  ``Berliner Straße 5``, ``Kerkstraat 12``, ``Storgatan 3`` (:data:`ADDRESS_COMPOUND`);
- a street word, a capitalized name, then the number, Spanish, Catalan, Italian and
  Portuguese: ``Calle Mayor 12``, ``C/ Mayor 12, 3ºB``, ``Via Roma 5``, ``Avenida da
  Liberdade 245`` (:data:`ADDRESS_NAME_FIRST`);
- a person's or a place's name in the genitive, then a street word of its own, then the
  number, Norwegian, Danish and Swedish: ``Karl Johans gate 1``, ``Kongens gate 10``,
  ``Thorvald Meyers gate 5``, ``Ole Vigs vei 8`` (:data:`ADDRESS_GENITIVE`).

Ordinary prose stays: the name of a street is no word like "the", "my" or "minutes"
(``It took 5 minutes drive``), a name written first starts with a capital letter (``via
email 3 times``), and a number followed by what it counts is no house number (``Plaza
Mayor 3 times``), and a genitive name is capitalized before a street word in lower case
(``Departures Gate 12`` stays). "via" is also an English word: it counts as a street word only
capitalized when the name follows it (``Via Roma 5``; ``via Chrome 120`` stays), and only
before a capitalized name when the number comes first (``5 via Roma``; ``2 via email``
stays).
"""

from __future__ import annotations

import re

from cxdaily.insights.cleaning import flagged, words_pattern

ADDRESS_MASK = "[street address]"
# What a number counts when it is no house number ("3 times", "5 minutes").
_COUNTED = (
    "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months",
    "month", "years", "year", "times", "items", "people", "users", "seats", "orders",
    "more", "less",
)  # fmt: skip
_NOT_A_STREET_NAME = frozenset(
    (
        "a", "an", "the", "on", "in", "of", "my", "your", "our", "their", "to", "for",
        "and", "or", "at", "by", "with", "from", "this", "that", "these", "those", "is",
        "are", "was", "it", "its", "me", "you", "we", "they", *_COUNTED,
    )
)  # fmt: skip
_STREET_WORDS = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|square|sq|parkway|pkwy|highway|hwy|circle|cir|close|crescent|cres|alley|row"
)
ADDRESS_EN = re.compile(
    rf"\d(?<![\w-]\d)\d{{0,4}}[A-Za-z]?((?:\s++[A-Za-z][\w'.-]*+){{1,4}}?)\s++(?:{_STREET_WORDS})\b\.?"
    r"(?:,?\s+(?:apt|apartment|suite|unit|flat|#)\.?\s*[\w-]+)?",
    re.IGNORECASE,
)
"""``221B Baker Street``, ``42 main st apt 4``: masked by :func:`mask_address`."""
_UPPER = "A-ZÀ-ÖØ-Þ"
"""The capital letters of the languages whose street names are written first."""

# The endings of compound street names: German, Dutch, Swedish, Norwegian, Danish,
# Finnish. Only endings no common English word has ("gate" ends "navigate").
_SUFFIXES = (
    "straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "damm", "ufer",
    "straat", "laan", "plein", "gracht", "singel", "steeg", "dijk",
    "gatan", "gata", "gaten", "vägen", "väg", "gränd", "torget", "veien", "vegen",
    "gade", "vej", "stræde", "allé", "katu",
)  # fmt: skip
# German street words also written as a word of their own ("Berliner Straße 5").
_GERMAN_WORDS = ("Straße", "Strasse", "Str.", "Weg", "Gasse", "Platz", "Allee", "Damm", "Ufer")
ADDRESS_COMPOUND = re.compile(
    r"(?<![\w-])[^\W\d_][\w-]*(?:"
    + "|".join(map(re.escape, _SUFFIXES))
    + r"|\s(?-i:"
    + "|".join(map(re.escape, _GERMAN_WORDS))
    + r"))\s+\d{1,4}(?:\s?[a-z]\b)?\b",
    re.IGNORECASE,
)
"""``Hauptstraße 5``, ``Berliner Straße 5``, ``Kerkstraat 12``."""

# Street words written after a name in the genitive, as a word of their own: "Karl
# Johans gate 1" (Norwegian), "Kongens vej 3" (Danish), "Sankt Eriks gata 5" (Swedish).
_GENITIVE_WORDS = ("gate", "gata", "gatan", "vei", "veg", "vej", "gade", "plass", "torg", "allé")
ADDRESS_GENITIVE = re.compile(
    rf"(?<![\w-])(?:[{_UPPER}][\w-]*+\s){{0,3}}[{_UPPER}][\w-]*?s\s(?:"
    + "|".join(_GENITIVE_WORDS)
    + r")\s\d{1,4}(?:\s?[A-Za-z]\b)?\b"
)
"""``Karl Johans gate 1``, ``Kongens gate 10``: case-sensitive (see the module)."""

# Street words written before a number: "10 rue de Rivoli", "12 calle Mayor".
_NUMBER_FIRST_WORDS = (
    "rue", "avenue", "boulevard", "bd", "chemin", "calle", "viale", "piazza", "rua",
    "avenida",
)  # fmt: skip
ADDRESS_NUMBER_FIRST = re.compile(
    r"\d(?<![\w-]\d)\d{0,3}(?:\s?[a-z])?,?\s+(?:(?:"
    + "|".join(_NUMBER_FIRST_WORDS)
    + rf")\s+|via\s+(?=(?-i:[{_UPPER}])))"
    r"(?:[\w'’-]+\s?){1,4}",
    re.IGNORECASE,
)
"""``10 rue de Rivoli``, ``5 via Roma``."""

# Street words written before the street's name (Spanish and Catalan, Italian,
# Portuguese, and French as Belgium writes it); "Via" apart (see the module).
_NAME_FIRST_WORDS = (
    "calle", "carrer", "avenida", "avda", "paseo", "plaza", "plaça", "ronda",
    "viale", "piazza", "corso", "largo", "vicolo", "rua", "travessa", "praça", "alameda",
    "estrada", "rue",
)  # fmt: skip
# The small words inside a street's name ("Avenida da Liberdade", "Via dei Mille").
_PARTICLES = (
    "de", "del", "della", "delle", "dello", "dei", "degli", "di", "da", "das", "do", "dos",
    "la", "las", "los", "les", "du", "des",
)  # fmt: skip
_PARTICLE = rf"(?:(?:{'|'.join(_PARTICLES)})\s++|(?:d|l|dell|dall)['’])"
_NAME_WORD = rf"{_PARTICLE}{{0,2}}[{_UPPER}][\w'’.-]*+"
_NAME_FIRST_START = (
    rf"(?i:{'|'.join(_NAME_FIRST_WORDS)})\.?\s++"  # "Calle ", "Avda. "
    r"|(?i:av\.)\s*+"  # "Av. Paulista"
    r"|Via\s++"  # capitalized only (see the module)
    r"|(?i:c/)\s*+"  # "C/ Mayor"
)
_HOUSE_NUMBER = r"(?:n[º°.]\s?)?\d{1,4}[A-Za-z]?\b"  # "12", "12B", "nº 12"
_FLOOR = r"(?:,?\s?\d{1,2}\s?[ºª°](?:\s?(?:\d{1,2}\s?[ºª°]|[A-Za-z]{1,4}\b\.?))?)?"  # ", 3ºB"
ADDRESS_NAME_FIRST = re.compile(
    rf"(?<![\w-])(?:{_NAME_FIRST_START})(?:{_NAME_WORD}\s++){{0,3}}{_NAME_WORD},?\s++"
    rf"{_HOUSE_NUMBER}(?!\s+(?:{'|'.join(_COUNTED)})\b){_FLOOR}"
)
"""``Calle Mayor 12``, ``C/ Mayor 12, 3ºB``, ``Rua Augusta, 100``."""
# The patterns above but ADDRESS_EN are looked for only in a text that holds one of
# these (a search from every word is slow): their street words, lower-cased, and the
# letters that match a letter of them when case is ignored though their lower case is
# another (a dotless i matches "i", a long s matches "s").
_HINTS = (
    *(word.lower() for word in (*_SUFFIXES, *_GERMAN_WORDS)),
    *_GENITIVE_WORDS,
    *_NUMBER_FIRST_WORDS,
    "via",
    *_NAME_FIRST_WORDS,
    "av.",
    "c/",
    "ı",
    "ſ",
)
_HINT = re.compile(words_pattern(dict.fromkeys(_HINTS)))


def mask_address(match: re.Match[str]) -> str:
    """An :data:`ADDRESS_EN` match masked, unless its street's name is a word of prose."""
    words = (match.group(1) or "").split()
    if any(word.lower() in _NOT_A_STREET_NAME for word in words):
        return match.group()
    return ADDRESS_MASK


def may_hold_address(text: str) -> bool:
    """Whether :data:`ADDRESS_COMPOUND`, :data:`ADDRESS_NUMBER_FIRST`,
    :data:`ADDRESS_NAME_FIRST` or :data:`ADDRESS_GENITIVE` may find an address in
    ``text`` (it holds a word of theirs; a text with a letter that lower-cases into two
    is always searched)."""
    lowered = text.lower()
    return len(lowered) != len(text) or _HINT.search(lowered) is not None


def address_texts(texts: list[str], chosen: list[int], joiner: str) -> list[int]:
    """The indices in ``chosen`` of the texts :func:`may_hold_address` holds for, from
    one search over them all (joined by ``joiner``, which no street word holds)
    lower-cased."""
    picked = [texts[i] for i in chosen]
    joined = joiner.join(picked)
    lowered = joined.lower()
    if len(lowered) != len(joined):  # a letter lower-cased into two: check one by one
        return [i for i in chosen if may_hold_address(texts[i])]
    return [chosen[n] for n in sorted(flagged(_HINT, picked, joiner, lowered))]

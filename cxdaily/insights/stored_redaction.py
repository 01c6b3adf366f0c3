"""The digest's redaction of an insight's texts, made once when the insight is stored.

Redacting the summary, quote and note of every insight is most of the cost of a year's
digest, and it depends only on those texts. So when an insight is written, the store
keeps with it (see :func:`with_stored_redaction`):

- ``redaction``: a stamp, the CRC-32 of the texts as the digest prepares them
  (:func:`digest_texts`) seeded with the version of the redaction code
  (:data:`REDACTION_VERSION`, a checksum of :mod:`cxdaily.insights.redact` itself);
- ``redacted``: those texts redacted, joined by :data:`FIELD_BREAK`; absent when
  redaction changes nothing (most insights: the files barely grow).

A digest uses the stored form only when the stamp matches the texts it prepared and the
current code, and the stored text is clean and whole (:func:`stored_redactions`); anything
else (an older record, a file edited by hand, redaction code that changed, a damaged
field) is redacted again, so the result is always what redacting now would give.
"""

from __future__ import annotations

import platform
import zlib
from collections.abc import Sequence
from dataclasses import replace
from itertools import compress, count, repeat
from operator import attrgetter, is_not, methodcaller, ne
from pathlib import Path

from cxdaily.core.models import Insight
from cxdaily.insights import redact
from cxdaily.insights.cleaning import block, is_plain_line, line, not_clean

FIELD_BREAK = "\x01"
"""Joins an insight's summary, quote and note so that they are redacted as one text:
cleaned text never holds it, and no redaction pattern matches it or across it."""


def _code_version() -> int | None:
    """A checksum of the redaction code and of the Python version running it (whose
    ``re`` runs the patterns): any change makes every stored redaction stale (``None``
    when the source cannot be read: then none is ever used)."""
    try:
        source = Path(redact.__file__).read_bytes()
    except (OSError, TypeError):
        return None
    return zlib.crc32(source, zlib.crc32(platform.python_version().encode("ascii")))


REDACTION_VERSION = _code_version()
"""The version of the redaction code; it seeds every stamp."""
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
_STAMP = attrgetter("redaction")
_REDACTED = attrgetter("redacted")


def stamp(texts: str) -> int | None:
    """What a stored redaction of ``texts`` carries: the CRC-32 of the texts, seeded
    with :data:`REDACTION_VERSION` (``None`` when that is unknown)."""
    version = REDACTION_VERSION
    return None if version is None else zlib.crc32(_ENCODE(texts), version)


def short_fields(insight: Insight) -> tuple[str, ...]:
    """An insight's one-line fields, in the order of the columns of
    :func:`~cxdaily.insights.export.export_insights`."""
    return (
        insight.id,
        insight.question_id,
        insight.url or "",
        insight.channel,
        insight.team or "",
        insight.sentiment or "",
        insight.summary,
        insight.customer_name or "",
        insight.customer_handle or "",
    )


def digest_texts(insight: Insight) -> str:
    """The insight's summary, quote and note as a digest prepares them for redaction
    (cleaned, trimmed; see :func:`~cxdaily.insights.export.export_insights`), joined by
    :data:`FIELD_BREAK`."""
    plain = all(map(is_plain_line, short_fields(insight))) and is_plain_line(" ".join(insight.tags))
    summary = insight.summary.strip() if plain else line(insight.summary)
    return FIELD_BREAK.join((summary, block(insight.quote), block(insight.note or "")))


def redaction_is_current(insight: Insight) -> bool:
    """Whether the insight carries the stored redaction the current code would make of
    its texts as they are."""
    return insight.redaction is not None and insight.redaction == stamp(digest_texts(insight))


def with_stored_redaction(insight: Insight) -> Insight:
    """The insight with its digest redaction stamped and stored (see the module)."""
    texts = digest_texts(insight)
    redacted = redact.redact_text(texts)
    return replace(
        insight, redaction=stamp(texts), redacted=None if redacted == texts else redacted
    )


def stored_redactions(
    insights: Sequence[Insight], texts: Sequence[str]
) -> tuple[dict[int, str], list[int]]:
    """Where each insight's stored redaction can be used for its ``texts`` (its prepared
    texts, see :func:`digest_texts`): the stored redacted texts by index (none where
    redaction changes nothing), and the indices of the texts that must still be
    redacted, in order."""
    version = REDACTION_VERSION
    if version is None:
        return {}, list(range(len(texts)))
    sums = map(zlib.crc32, map(_ENCODE, texts), repeat(version))
    todo = list(compress(count(), map(ne, map(_STAMP, insights), sums)))
    stale = set(todo)
    stored = list(map(_REDACTED, insights))
    used = [i for i in compress(count(), map(is_not, stored, repeat(None))) if i not in stale]
    candidates = [stored[index] or "" for index in used]
    damaged = not_clean([text.replace(FIELD_BREAK, "\n") for text in candidates])
    found: dict[int, str] = {}
    for position, index in enumerate(used):
        redacted = candidates[position]
        if position in damaged or redacted.count(FIELD_BREAK) != 2:
            todo.append(index)
        else:
            found[index] = redacted
    return found, sorted(todo)

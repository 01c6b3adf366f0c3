"""The digest's form of an insight (cleaned and redacted), made once when it is stored.

Cleaning and redacting every field of a year of insights was most of the cost of a
digest, and it depends only on each insight's own fields. So when an insight is written,
the store keeps with it (see :func:`with_stored_redaction`):

- ``digest_stamp``: a stamp, the CRC-32 of its fields as stored (:func:`field_keys`),
  seeded with :data:`REDACTION_VERSION` (a checksum of the code that makes the form);
- ``digest_form``: the fields a digest with the default redaction shows otherwise than
  stored (cleaned, trimmed, personal data masked), by name; absent when there is none
  (most insights: the files barely grow).

A digest uses the form only while the stamp matches the fields and the current code, and
the form is whole and clean (:func:`stored_forms`); anything else (an older record, a
file edited by hand, new redaction code, a damaged form) takes the long way, so the result
is always what cleaning and redacting now would give. Other redaction settings
(``initials``) use the stored texts only; ``--no-redact`` uses nothing stored.
"""

from __future__ import annotations

import platform
import zlib
from collections.abc import Mapping, Sequence
from itertools import compress, count, repeat
from operator import methodcaller, ne
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from cxdaily.core.files import code_checksum
from cxdaily.core.models import FORM_FIELDS, Insight
from cxdaily.insights.cleaning import not_clean, not_plain

FIELD_BREAK = "\x01"
"""Joins texts that are redacted, or stamped, as one: cleaned text never holds it, and no
redaction pattern matches it or across it."""
_FORM_MARK = "\x02"
"""Marks the stored form in a stamp's key, and each field's name in it."""
_NO_VALUE = "\x00"
"""A field the form holds as missing (``None``), in a stamp's key."""
_LONG_FIELDS = ("quote", "note")
"""The form's fields that keep their lines (the others are one line each)."""
_SOURCES = (
    "redact.py",
    "redactor.py",
    "addresses.py",
    "cleaning.py",
    "export.py",
    "stored_redaction.py",
    "../core/safe_text.py",
)
"""The code that makes the form, relative to this package."""


def _code_version() -> int | None:
    """A checksum of the code that makes the form and of the Python version running it
    (whose ``re`` runs the patterns): any change makes every stored form stale (``None``
    when a source cannot be read: then none is ever used)."""
    here = Path(__file__).parent
    python = zlib.crc32(platform.python_version().encode("ascii"))
    return code_checksum((here / name for name in _SOURCES), python)


REDACTION_VERSION = _code_version()
"""The version of the code that makes the form; it seeds every stamp."""
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
STAMPED = tuple(name for name in FORM_FIELDS if name != "tags")
"""The fields a stamp covers, with the tags (see :func:`field_keys`)."""
_CHECKED = (*STAMPED, "tags", "digest_stamp", "digest_form")
"""The fields checking a stored form reads."""


def field_keys(columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """What each insight's stamp is the checksum of, but its form, from the insights'
    fields by name (every name of :data:`STAMPED`, and ``tags``): its :data:`STAMPED`
    fields (``None`` as empty: a digest shows both alike), the number of its tags and the
    tags, joined by :data:`FIELD_BREAK` (so a key has ``len(STAMPED)`` breaks, and one
    more for each tag past the first)."""
    tags = columns["tags"]
    return list(
        map(
            FIELD_BREAK.join,
            zip(
                *([value or "" for value in columns[name]] for name in STAMPED),
                map(str, map(len, tags)),
                map(FIELD_BREAK.join, tags),
                strict=True,
            ),
        )
    )


def _with_forms(keys: list[str], forms: Sequence[Mapping[str, Any] | None]) -> list[str]:
    """``keys`` (:func:`field_keys`) each followed by its insight's form, if any."""
    return [
        key if form is None else key + form_key(form) for key, form in zip(keys, forms, strict=True)
    ]


def form_key(form: Mapping[str, Any]) -> str:
    """What a stamp covers of a stored form (none: nothing), after the fields: each field
    the form holds, by name, in the form's order (the order the store writes them in). A
    form damaged or cut short no longer matches its stamp."""
    parts = [_FORM_MARK]
    for name, value in form.items():
        if name == "tags":
            value = FIELD_BREAK.join(value)
        parts.append(f"{name}{_FORM_MARK}{_NO_VALUE if value is None else value}")
    return FIELD_BREAK.join(parts)


def _checksums(keys: list[str], version: int) -> map[int]:
    """The stamp of each key, for the code version ``version``."""
    return map(zlib.crc32, map(_ENCODE, keys), repeat(version))


def stamp(insight: Insight, form: Mapping[str, Any] | None) -> int | None:
    """The stamp of ``insight`` as it is now with the digest form ``form``, for
    :data:`REDACTION_VERSION` (``None`` when that is unknown)."""
    columns = {name: [getattr(insight, name)] for name in (*STAMPED, "tags")}
    return _stamps(columns, [form])[0]


def _stamps(
    columns: Mapping[str, Sequence[Any]], forms: Sequence[Mapping[str, Any] | None]
) -> list[int | None]:
    """The stamp of each insight (its fields by name) with its form, for
    :data:`REDACTION_VERSION` (``None`` each when that is unknown)."""
    version = REDACTION_VERSION
    if version is None:
        return [None] * len(forms)
    return list(_checksums(_with_forms(field_keys(columns), forms), version))


def with_stored_redaction(insight: Insight) -> Insight:
    """The insight with its digest form stamped and stored (see the module)."""
    return with_stored_redactions([insight])[0]


def with_stored_redactions(insights: Sequence[Insight]) -> list[Insight]:
    """The insights, each with its digest form stamped and stored, made in one batch
    from their fields read once."""
    from cxdaily.insights.export import digest_forms, read_fields  # the export reads this

    read = read_fields(insights)
    forms = digest_forms(read)
    return [
        replace(insight, digest_stamp=stamped, digest_form=form)
        for insight, form, stamped in zip(insights, forms, _stamps(read, forms), strict=True)
    ]


def stale_forms(insights: Sequence[Insight]) -> list[int]:
    """The indices of the insights whose stored form a digest cannot use, each one's
    stamp and form checked (whatever the store found: see :func:`stored_forms`)."""
    from cxdaily.insights.export import read_fields  # the export reads this module

    return _checked_forms(read_fields(insights))[1]


def stored_forms(columns: Mapping[str, Sequence[Any]]) -> tuple[list[int], list[int]]:
    """Which insights' stored forms can be used, from their fields by name (every name of
    :data:`STAMPED`, ``tags``, ``digest_stamp``, ``digest_form``, and ``form_checked``
    when known): the indices of those whose form stands (stamped for their fields as
    they are and the current code, whole and clean, or found so by the store as it read
    them: see :attr:`~cxdaily.core.models.Insight.form_checked`), and the indices of the
    others, both in order."""
    checked = columns.get("form_checked") or ()
    if not any(checked):
        return _checked_forms(columns)
    unchecked = [index for index, done in enumerate(checked) if not done]
    if not unchecked:
        return list(range(len(checked))), []
    stale = _checked_forms(
        {name: [columns[name][index] for index in unchecked] for name in _CHECKED}
    )[1]
    found = {unchecked[index] for index in stale}
    return [index for index in range(len(checked)) if index not in found], sorted(found)


def _checked_forms(columns: Mapping[str, Sequence[Any]]) -> tuple[list[int], list[int]]:
    """:func:`stored_forms`, each insight's stamp and form checked."""
    stamps = columns["digest_stamp"]
    version = REDACTION_VERSION
    if version is None:
        return [], list(range(len(stamps)))
    keys = field_keys(columns)
    forms = columns["digest_form"]
    stamped = _checksums(_with_forms(keys, forms), version)
    stale = set(compress(count(), map(ne, stamps, stamped)))
    # A field holding the break could pass for another split of the same key.
    breaks = map(methodcaller("count", FIELD_BREAK), keys)
    wanted = [len(STAMPED) + (len(found) or 1) for found in columns["tags"]]
    stale.update(compress(count(), map(ne, breaks, wanted)))
    stale.update(_unusable_forms(forms, stale))
    usable = [index for index in range(len(keys)) if index not in stale]
    return usable, sorted(stale)


def _unusable_forms(forms: Sequence[Mapping[str, Any] | None], stale: set[int]) -> set[int]:
    """The indices (not already ``stale``) of the stored forms that are damaged: read
    from a form of the wrong shape (empty), or holding a text that is not clean (a
    short field that is not one plain line)."""
    bad: set[int] = set()
    short: list[tuple[int, str]] = []
    long: list[tuple[int, str]] = []
    for index, form in enumerate(forms):
        if form is None or index in stale:
            continue
        if not form:
            bad.add(index)
        for name, value in form.items():
            if name == "tags":
                short += [(index, tag) for tag in value]
            elif value is not None:
                (long if name in _LONG_FIELDS else short).append((index, value))
    bad.update(short[i][0] for i in not_plain([text for _, text in short]))
    bad.update(long[i][0] for i in not_clean([text for _, text in long]))
    return bad

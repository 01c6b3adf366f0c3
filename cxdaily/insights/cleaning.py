"""Cleaning untrusted text for an export, fast: the same result as
:mod:`cxdaily.core.safe_text`, with a quick check first because almost all text is clean.

No terminal escape sequence, control character or bidi override ever reaches a digest
file (someone may ``cat`` it in a terminal).
"""

from __future__ import annotations

import re

from cxdaily.core.safe_text import clean, one_line

# What safe_text.clean would remove or change (but newline and tab): text without any
# of these is already clean.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]"
)
# The same and newline and tab: one-line text without any of these needs no folding.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]")


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

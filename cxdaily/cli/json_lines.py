"""``--json`` output: one JSON document per line, safe to print to a terminal.

Text stays readable (non-ASCII letters are written as they are), but every character a
terminal could act on is written as a ``\\uXXXX`` escape, which any JSON reader turns
back into the same text: DEL and the C1 controls (``\\x9b`` starts a control sequence
on many terminals), the bidirectional controls (which reorder what is shown), line and
paragraph separators, and lone surrogates. JSON itself escapes the C0 controls, ``ESC``
included. Customer text, and ids a service chose, go out this way. To an output whose
encoding is not UTF-8 (``PYTHONIOENCODING=ascii``, a Latin-1 locale), every non-ASCII
character is escaped too: the reader still gets the same text.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

from cxdaily.core.patterns import lazy_compile

_TERMINAL_ACTS_ON = lazy_compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def json_line(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as one line of JSON (``default``: as for :func:`json.dumps`), with every
    character a terminal could act on escaped."""
    text = json.dumps(value, ensure_ascii=False, default=default)
    return _TERMINAL_ACTS_ON.sub(_escaped, text)


def print_json(value: Any, default: Callable[[Any], Any] | None = None) -> None:
    """Print ``value`` as one line of JSON (see :func:`json_line`; all ASCII to an output
    that does not write UTF-8)."""
    if writes_utf8(sys.stdout):
        print(json_line(value, default))
    else:
        print(json.dumps(value, ensure_ascii=True, default=default))


def writes_utf8(stream: TextIO) -> bool:
    """Whether ``stream`` takes any character: it encodes text as UTF-8, or keeps it as
    text (a :class:`io.StringIO` has no encoding)."""
    encoding = getattr(stream, "encoding", None)
    if encoding is None:
        return True
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False

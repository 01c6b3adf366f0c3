"""The one way untrusted text (customers' words, channel names, errors from services)
becomes displayable.

:func:`clean` removes every terminal escape sequence (7-bit ``ESC`` forms and 8-bit C1
forms such as ``\\x9b``), every control character except newline and tab, and Unicode
bidi overrides and isolates that could reorder what the leader sees. The UI then wraps
the result in a ``Content`` object so that it is never parsed as markup
(see ``cxdaily.ui.text``). This module imports nothing from the UI.
"""

from __future__ import annotations

import re

from cxdaily.core.patterns import lazy_compile

# ESC-introduced sequences: CSI, OSC/DCS/SOS/PM/APC strings, and two-byte escapes.
_ESC_SEQUENCE = lazy_compile(
    r"""
    \x1b\[ [0-?]* [ -/]* [@-~]?             # CSI ... final byte (maybe truncated)
  | \x1b[\]PX^_] .*? (?:\x07|\x1b\\|\x9c|$) # OSC, DCS, SOS, PM, APC ... BEL or ST
  | \x1b [ -/]* [0-~]?                      # nF / Fp / Fe / Fs escapes, or a lone ESC
  | \x9b [0-?]* [ -/]* [@-~]?               # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f] .*? (?:\x07|\x9c|\x1b\\|$)  # 8-bit string introducers
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff"
"""C0 controls (but ``\\t`` and ``\\n``), DEL, C1 controls and the byte-order mark, as a
character class's ranges."""
# Remaining controls, and the bidi controls that could reorder what the leader sees.
_CONTROL = lazy_compile(f"[{_CONTROLS}\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clean(text: object) -> str:
    """Return ``text`` with escape sequences and unsafe control characters removed.

    Newlines and tabs are kept; ``\\r\\n`` and lone ``\\r`` become ``\\n``.
    """
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    if value.isprintable():  # no control, format or escape character: nothing to remove
        return value
    value = _ESC_SEQUENCE.sub("", value)
    return _CONTROL.sub("", value)


_TERMINAL_CODES = lazy_compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC, DCS ... with their end
)
_OUTGOING_CONTROL = lazy_compile(f"[{_CONTROLS}]")


def outgoing(text: str) -> str:
    """The leader's own text as it is sent to a customer: control characters, the escape
    sequences of text pasted from a terminal (colours, cursor moves, titles and clipboard
    strings that end), and a byte-order mark removed (newlines and tabs kept; ``\r\n``
    and a lone ``\r`` become ``\n``). Nothing else changes: bidirectional marks stay
    (right-to-left writing uses them), and a stray control character or an unended
    sequence costs only itself (:func:`clean`, made for display, drops the rest of a
    string after an unended one)."""
    value = text.replace("\r\n", "\n").replace("\r", "\n")
    if value.isprintable():
        return value
    return _OUTGOING_CONTROL.sub("", _TERMINAL_CODES.sub("", value))


def outgoing_drops(text: str) -> bool:
    """Whether :func:`outgoing` leaves something out of ``text`` (line ends aside)."""
    return outgoing(text) != text.replace("\r\n", "\n").replace("\r", "\n")


_ZERO_WIDTH = lazy_compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064]")
"""Invisible characters (zero-width space and joiners, word joiner, soft hyphen) that
terminals and the layout count differently: dropped from one-line labels, where one
extra or missing cell breaks a column."""


def one_line(text: object, limit: int | None = None) -> str:
    """Clean ``text`` and fold it to one line, cut to ``limit`` characters with an ellipsis.

    Invisible zero-width characters are dropped too: a one-line label sits in a column.
    """
    value = clean(text)
    if not value.isprintable():  # the zero-width characters are format characters
        value = _ZERO_WIDTH.sub("", value)
    value = " ".join(value.split())
    if limit is not None and len(value) > limit:
        value = value[: max(limit - 1, 0)].rstrip() + "…"
    return value


def visible(text: object, limit: int | None = None) -> str:
    """``text`` on one line with every control, escape or bidi character written as
    ``\\xNN`` or ``\\uNNNN`` rather than removed: for names the leader chose (a file's
    path) that must read as they are, yet never drive the terminal."""
    shown = _CONTROL_OR_BREAK.sub(_escaped, str(text))
    return shown if limit is None or len(shown) <= limit else shown[: max(limit - 1, 0)] + "…"


_CONTROL_OR_BREAK = lazy_compile(f"{_CONTROL.pattern}|[\t\n\u2028\u2029]")
"""What :data:`_CONTROL` finds, and the line breaks and tabs it lets through."""


def _escaped(found: re.Match[str]) -> str:
    code = ord(found[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

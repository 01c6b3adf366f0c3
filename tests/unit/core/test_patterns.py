"""Patterns compiled on first use, and the shortcut of the cleaning functions for text that
has nothing to remove: both give exactly what compiling at once and cleaning always did."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cxdaily.core import safe_text
from cxdaily.core.patterns import lazy_compile


def test_a_lazy_pattern_compiles_when_first_used_and_then_is_the_compiled_one() -> None:
    pattern = lazy_compile(r"(\w+)@(\w+)", re.IGNORECASE)
    assert pattern.pattern == r"(\w+)@(\w+)" and pattern.flags == re.IGNORECASE
    assert "search" not in vars(pattern)  # nothing compiled yet
    found = pattern.search("write to Ada@Example")
    assert found is not None and found.groups() == ("Ada", "Example")
    compiled = re.compile(r"(\w+)@(\w+)", re.IGNORECASE)
    assert vars(pattern)["search"].__self__.pattern == compiled.pattern
    assert pattern.sub(r"\2", "a@b c@d") == compiled.sub(r"\2", "a@b c@d")
    assert [m.span() for m in pattern.finditer("a@b c@d")] == [(0, 3), (4, 7)]
    assert pattern.findall("a@b") == [("a", "b")] and pattern.split("x a@b y") == [
        "x ",
        "a",
        "b",
        " y",
    ]
    assert pattern.fullmatch("a@b") and not pattern.match(" a@b")
    assert pattern.subn("", "a@b") == ("", 1)
    assert pattern.groups == 2  # an attribute the stand-in does not keep still answers


def test_a_lazy_bytes_pattern_and_one_built_from_another() -> None:
    escape = lazy_compile(rb"\\u[dD][89abAB]")
    assert escape.search(b'"\\ud83d"') is not None and escape.search(b'"\\u0041"') is None
    letters = lazy_compile("[a-c]")
    either = lazy_compile(f"{letters.pattern}|[xyz]")
    assert either.sub("", "abxq") == "q"
    with pytest.raises(re.error):
        lazy_compile("(").search("x")  # a bad pattern fails where it is first used


def _clean_always(text: str) -> str:
    """What :func:`safe_text.clean` did before it skipped text with nothing to remove."""
    value = text.replace("\r\n", "\n").replace("\r", "\n")
    return safe_text._CONTROL.sub("", safe_text._ESC_SEQUENCE.sub("", value))


#: Every character the cleaning removes or reads as the start of a sequence, and a few
#: neighbours it keeps.
_CHARACTERS = [
    *map(chr, range(0x00, 0x20)),
    *map(chr, range(0x7F, 0xA0)),
    *"\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u2060\u2064",
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00a0\u3000",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x9b2J",
    "é",
    "漢",
    "😀",
]


@pytest.mark.parametrize("char", _CHARACTERS, ids=lambda c: f"U+{ord(c[0]):04X}+{len(c)}")
def test_cleaning_with_its_shortcut_gives_what_it_always_gave(char: str) -> None:
    for text in (f"Refund {char} please", char, f"{char}tail", f"head{char}"):
        assert safe_text.clean(text) == _clean_always(text)
        expected = " ".join(safe_text._ZERO_WIDTH.sub("", _clean_always(text)).split())
        assert safe_text.one_line(text) == expected


def test_plain_text_is_cleaned_without_compiling_a_pattern() -> None:
    code = (
        "from cxdaily.core import safe_text as s\n"
        "assert s.clean('Where is my order #4411?') == 'Where is my order #4411?'\n"
        "assert s.one_line('Where is my order?  ', 12) == 'Where is my…'\n"
        "names = ('_ESC_SEQUENCE', '_CONTROL', '_ZERO_WIDTH')\n"
        "print([n for n in names if 'sub' in vars(getattr(s, n))])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

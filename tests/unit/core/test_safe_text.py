"""safe_text.clean: customer text can never drive the terminal or reorder what is shown."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.core.safe_text import clean, one_line

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def assert_safe(value: str) -> None:
    """No control character but \\n and \\t, no ESC/C1, no bidi control."""
    assert not FORBIDDEN.search(value), repr(value)
    assert not BIDI.intersection(value), repr(value)
    assert "\x1b" not in value and "\x9b" not in value


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        # markup is kept literally: it is the UI's Content wrapper that stops it acting
        ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),
        (
            "[@click=app.screenshot('f.svg','/tmp')]x[/]",
            "[@click=app.screenshot('f.svg','/tmp')]x[/]",
        ),
        ("[link=https://evil.example]x[/link]", "[link=https://evil.example]x[/link]"),
        ("stray [/] closer", "stray [/] closer"),
        ("[b]bold[/b] [red]", "[b]bold[/b] [red]"),
        # CSI colours and screen control
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b[2J\x1b[Hcleared", "cleared"),
        ("\x1b[38;2;255;0;0mtrue colour\x1b[m", "true colour"),
        # OSC 52 clipboard write, window titles (BEL and ST terminators), hyperlinks
        ("copy\x1b]52;c;SGVsbG8=\x07me", "copyme"),
        ("\x1b]0;pwned\x07title", "title"),
        ("\x1b]2;pwned\x1b\\title", "title"),
        ("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"),
        # 8-bit CSI and string introducers
        ("\x9b2Jafter", "after"),
        ("\x9b31mred", "red"),
        ("\x9d0;pwned\x9ctitle", "title"),
        ("\x90q#0;2;0;0;0\x9cdone", "done"),
        # DCS, SOS, PM, APC
        ("\x1bP1$r0m\x1b\\ok", "ok"),
        ("\x1bXsos\x1b\\ok", "ok"),
        ("\x1b^pm\x1b\\ok", "ok"),
        ("\x1b_apc\x1b\\ok", "ok"),
        # truncated sequences and a lone ESC
        ("end\x1b[31", "end"),
        ("end\x1b]52;c;SGVsbG8=", "end"),
        ("end\x1bP1$r", "end"),
        ("end\x1b", "end"),
        ("a\x1b", "a"),
        ("\x1b", ""),
        ("\x9b", ""),
        # two-byte escapes (keypad mode, charset switch, full reset)
        ("\x1b=\x1b(0\x1bcreset", "reset"),
        # bidi overrides and isolates
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066isolated\u2069 \u2067rtl\u2069 \u2068first\u2069", "isolated rtl first"),
        ("\u202alre\u202c\u202brle\u202c\u202dlro\u202c\u200e\u200f\u061c", "lrerlelro"),
        # C0, DEL, C1 controls
        ("nul\x00del\x7fbell\x07bs\x08", "nuldelbellbs"),
        ("nel\x85pad\x80st\x9cend\x9f", "nelpadstend"),
        ("vt\x0bff\x0cfs\x1c", "vtfffs"),
        ("\ufeffbom", "bom"),
        # newlines and tabs survive; CR becomes LF
        ("line one\nline\ttwo", "line one\nline\ttwo"),
        ("windows\r\nline\rold mac", "windows\nline\nold mac"),
        # ordinary text of every script is untouched
        ("Grüße, 你好, مرحبا, שלום 🙌", "Grüße, 你好, مرحبا, שלום 🙌"),
    ],
)
def test_hostile_payloads(payload, expected):
    result = clean(payload)
    assert result == expected
    assert_safe(result)


def test_none_and_non_strings():
    assert clean(None) == ""
    assert clean(12) == "12"
    assert clean("") == ""


def test_a_sequence_split_by_a_control_character_does_not_reassemble():
    """Removing NUL must not glue ESC back onto '[31m'."""
    result = clean("\x1b\x00[31mred")
    assert_safe(result)
    assert "red" in result


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_any_text_comes_out_safe(text):
    assert_safe(clean(text))


_HOSTILE_ALPHABET = st.sampled_from(
    list("\x1b\x9b\x90\x9c\x9d\x07\\[]();0123456789mJPX^_ abc\n\t\r\x00\x7f\u202e\u2066")
)


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=_HOSTILE_ALPHABET, max_size=60))
def test_dense_escape_soup_comes_out_safe_and_cleaning_is_idempotent(text):
    once = clean(text)
    assert_safe(once)
    assert clean(once) == once


_PRINTABLE = st.characters(
    blacklist_categories=("Cc", "Cs"),
    blacklist_characters="".join(BIDI) + "\ufeff",
)


@settings(deadline=None)
@given(st.text(alphabet=_PRINTABLE | st.sampled_from(list("[]/@=\n\t"))))
def test_text_without_controls_is_unchanged_brackets_included(text):
    assert clean(text) == text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("  several\nlines\tand   spaces ", None, "several lines and spaces"),
        ("\x1b]0;t\x07title\x1b[31m red", None, "title red"),
        ("abcdefghij", 5, "abcd…"),
        ("abcde", 5, "abcde"),
        ("abc def ghi", 8, "abc def…"),
        (None, 10, ""),
    ],
)
def test_one_line(text, limit, expected):
    assert one_line(text, limit) == expected


@given(st.text(), st.integers(1, 80))
def test_one_line_is_one_safe_line_within_the_limit(text, limit):
    result = one_line(text, limit)
    assert "\n" not in result and "\t" not in result
    assert len(result) <= limit
    assert_safe(result)


def test_one_line_drops_zero_width_characters_that_break_columns() -> None:
    from rich.cells import cell_len

    from cxdaily.core.safe_text import one_line

    name = "Pri\u200bya\u200d S\u00adhar\u2060ma\ufeff"
    folded = one_line(name)
    assert folded == "Priya Sharma"
    assert cell_len(folded) == len(folded)  # every character is one cell, as a terminal shows it


def test_outgoing_text_loses_its_controls_and_nothing_else():
    from cxdaily.core.safe_text import outgoing

    assert outgoing("Plain text, nothing to do.") == "Plain text, nothing to do."
    assert outgoing("a\r\nb\rc\td") == "a\nb\nc\td"
    assert outgoing("\x1b[38;5;196mred\x1b[0m and \x07bell\x7f") == "red and bell"
    assert outgoing("copy \x1b]52;c;SGk=\x07done \x1b]0;title\x1b\\ok") == "copy done ok"
    assert outgoing("lone \x1b]unended text") == "lone ]unended text"
    # a stray C1 or OSC introducer costs only itself, never the text after it
    assert outgoing("curly \x9dquote\x9d and \x90more") == "curly quote and more"
    assert outgoing("\ufeffstart \u200e\u202bRTL\u202c") == "start \u200e\u202bRTL\u202c"

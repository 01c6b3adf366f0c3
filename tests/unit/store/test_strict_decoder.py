"""The data files' fast decoder reads exactly what the standard one reads.

:func:`cxdaily.store.storage.parse_data_file` first tries a strict decoder and falls
back to :func:`~cxdaily.store.storage.parse_long_way` (the standard ``json`` with the
store's checks) for anything it refuses. These tests hold the two to the same result:
the same values of the same types, or the same one-line refusal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.store.storage import parse_data_file, parse_long_way


def _typed(value: Any) -> str:
    """A value's exact form (an int and an equal float differ)."""
    return json.dumps(value, ensure_ascii=False)


def _outcome(parse: Any, raw: bytes) -> tuple[str, str]:
    try:
        return "read", _typed(parse(raw))
    except ValueError as exc:
        return "refused", str(exc)


EDGE_CASES = [
    b'{"a": 1, "a": 2}',
    b'"\\u00e9\\ud83d\\ude00"',
    b'"\\ud800"',  # a lone surrogate, escaped: cleaned to U+FFFD
    b'"\\udc00 tail"',
    b'"\xed\xa0\x80"',  # a lone surrogate as bytes
    b'"\xff"',  # not UTF-8
    b"\xef\xbb\xbf{}",  # a byte order mark
    '{"a": "b"}'.encode("utf-16"),
    b"NaN",
    b"[Infinity]",
    b"[1e400]",
    b"[-1e400]",
    b"[1e-400]",
    b"[-0]",
    b"[-0.0]",
    b"[18446744073709551616]",  # past 64 bits: stays an exact integer
    b"[-9223372036854775809]",
    b"[" + b"9" * 40 + b"]",
    b"[" + b"9" * 1000 + b"]",
    b"[" + b"9" * 4300 + b"]",
    b"[" + b"9" * 4301 + b"]",  # too long for Python's int(): refused
    b"[1." + b"0" * 5000 + b"]",
    b'"a\x01b"',
    b"[1,]",
    b"01",
    b"",
    b"[" * 500 + b"]" * 500,
    b"[" * 5000 + b"]" * 5000,  # too deep: refused
    b' \t\r\n{"x": [true, false, null]} ',
    b'{"x": 1} trailing',
]


@pytest.mark.parametrize("raw", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_edge_cases_read_as_the_standard_decoder_reads_them(raw: bytes) -> None:
    assert _outcome(parse_data_file, raw) == _outcome(parse_long_way, raw)


def test_a_number_past_64_bits_is_kept_exact() -> None:
    assert parse_data_file(b'{"id": 18446744073709551617}') == {"id": 18446744073709551617}


def test_refusals_keep_their_one_line_reasons() -> None:
    with pytest.raises(ValueError, match="too large"):
        parse_data_file(b'{"x": 1e999}')
    with pytest.raises(ValueError, match="not a number"):
        parse_data_file(b'{"x": NaN}')
    with pytest.raises(ValueError, match="too long to read"):
        parse_data_file(b"[" + b"1" * 5000 + b"]")
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_data_file(b"[" * 100_000 + b"]" * 100_000)


def test_lone_surrogates_are_cleaned_as_before() -> None:
    assert parse_data_file(b'{"k\\ud800": "x\\udfff"}') == {"k\ufffd": "x\ufffd"}


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=3),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=_json_values, ascii_only=st.booleans())
def test_any_written_document_reads_the_same(value: Any, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    assert _outcome(parse_data_file, raw) == _outcome(parse_long_way, raw)

"""The one duration grammar: every unit, compound values, the bare-number rule, refusals."""

from __future__ import annotations

import pytest

from cxdaily.core.durations import LONGEST_DURATION, format_duration, parse_duration
from cxdaily.core.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("30 min", 1800),
        ("1h15m", 4500),
        ("1h 15m", 4500),
        ("90s", 90),
        ("90 sec", 90),
        ("500ms", 0.5),
        ("1.5s", 1.5),
        ("2m", 120),
        ("1h", 3600),
        ("14d", 14 * 86400),
        ("1d12h", 129600),
        ("1m30s", 90),
        ("2m30s500ms", 150.5),
        ("  20M ", 1200),
        ("0s", 0),
    ],
)
def test_every_unit_and_compound(text, seconds):
    assert parse_duration(text, setting="x") == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "30x", "-5s", "+5s", "1.5.5h", "30m1h", "1m1m", "5 hours", "h", "m", "m5"],
)
def test_refusals_are_one_line_and_name_the_setting(text):
    with pytest.raises(ConfigError) as caught:
        parse_duration(text, setting="[x] wait")
    message = str(caught.value)
    assert message.startswith("[x] wait")
    assert "not a duration" in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ["45", 45, 45.0, " 45 "])
def test_a_bare_number_is_refused_without_a_documented_unit(value):
    with pytest.raises(ConfigError, match=r"write the unit: d, h, m, s or ms"):
        parse_duration(value, setting="[x] wait")


@pytest.mark.parametrize(
    ("value", "unit", "seconds"),
    [("45", "m", 2700), (45, "m", 2700), ("7", "s", 7), (0.5, "s", 0.5)],
)
def test_a_bare_number_is_read_in_the_settings_documented_unit(value, unit, seconds):
    assert parse_duration(value, setting="x", bare_unit=unit) == seconds


@pytest.mark.parametrize("value", [True, None, [30], {"m": 30}, float("nan"), float("inf")])
def test_values_of_the_wrong_type_are_refused(value):
    with pytest.raises(ConfigError, match="is not a duration"):
        parse_duration(value, setting="x", bare_unit="s")


def test_a_huge_value_is_refused_without_reading_it():
    with pytest.raises(ConfigError, match="5,000-character value is not a duration"):
        parse_duration("1" * 4999 + "s", setting="x")
    assert LONGEST_DURATION < 100


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1800, "30m"),
        (4500, "1h15m"),
        (90, "1m30s"),
        (3600, "1h"),
        (129600, "1d12h"),
        (14 * 86400, "14d"),
        (0.5, "500ms"),
        (1.5, "1.5s"),
        (0, "0s"),
    ],
)
def test_format_writes_the_grammar_and_reads_back(seconds, text):
    assert format_duration(seconds) == text
    assert parse_duration(text, setting="x") == pytest.approx(seconds)


def test_format_refuses_a_negative_duration():
    with pytest.raises(ValueError):
        format_duration(-1)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (True, "true"),
        (False, "false"),
        ("soon", '"soon"'),
        ([30], "a list"),
        ({"m": 30}, "a table"),
    ],
)
def test_a_bad_value_is_shown_as_the_config_file_spells_it(value, written):
    """TOML's spelling (``true``, ``"soon"``), not Python's (``True``, ``'soon'``)."""
    with pytest.raises(ConfigError) as caught:
        parse_duration(value, setting="[session] budget")
    assert str(caught.value).startswith(f"[session] budget = {written} is not a duration")

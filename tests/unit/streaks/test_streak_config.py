"""The ``[streak]`` table and the day settings: good values parse, bad ones give one clear
line naming the setting, and saving the config keeps the table."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.settings import load_settings, save_settings, settings_from_dict, settings_to_dict
from cxdaily.streaks.rules import Pause, StreakRules, streak_rules_from_dict

FULL_TABLE = """
[session]
timezone = "Europe/Berlin"
day_start = "05:30"

[streak]
min_handled = 2
min_minutes = 20
workdays_only = true
weekend = ["fri", "Saturday"]
rest_days = ["2026-12-24", 2026-12-31, "sun"]
max_freezes = 3
batches_per_freeze = 2
pauses = [{ from = 2026-12-20, to = "2027-01-03" }, { from = 2026-08-01, to = 2026-08-14 }]
"""


def test_a_full_streak_table(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(FULL_TABLE)
    settings = load_settings(path)
    assert settings.session.day_start == time(5, 30)
    assert settings.streak == StreakRules(
        min_handled=2,
        min_minutes=20,
        workdays_only=True,
        weekend=frozenset({4, 5}),
        rest_dates=frozenset({date(2026, 12, 24), date(2026, 12, 31)}),
        rest_weekdays=frozenset({6}),
        max_freezes=3,
        batches_per_freeze=2,
        pauses=(
            Pause(date(2026, 8, 1), date(2026, 8, 14)),
            Pause(date(2026, 12, 20), date(2027, 1, 3)),
        ),
    )


def test_saving_the_config_keeps_the_streak_table(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(FULL_TABLE)
    settings = load_settings(path)
    save_settings(path, settings)
    assert load_settings(path) == settings
    assert "streak" in tomllib.loads(path.read_text())


def test_defaults_are_not_written():
    settings = settings_from_dict({})
    assert settings.streak == StreakRules()
    assert "streak" not in settings_to_dict(settings)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"min_handled": "one"}, "[streak] min_handled = 'one' is not a whole number"),
        ({"min_handled": True}, "[streak] min_handled = True is not a whole number"),
        ({"min_handled": -1}, "[streak] min_handled = -1 must be between 0 and 1000"),
        ({"min_minutes": 600}, "[streak] min_minutes = 600 must be between 0 and 480"),
        ({"min_handled": 0}, "[streak] min_handled = 0 and min_minutes = 0"),
        ({"workdays_only": "yes"}, "[streak] workdays_only = 'yes' is not true or false"),
        ({"weekend": "sat"}, "[streak] weekend must be a list"),
        ({"weekend": ["sat", "caturday"]}, "[streak] weekend[1] = 'caturday' is not a weekday"),
        ({"rest_days": ["2026-02-30"]}, "[streak] rest_days[0] = '2026-02-30' is not a date"),
        ({"rest_days": [5]}, "[streak] rest_days[0] = 5 is not a date"),
        (
            {"rest_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
            "[streak] rest_days names every weekday",
        ),
        (
            {"workdays_only": True, "rest_days": ["mon", "tue", "wed", "thu", "fri"]},
            "[streak] weekend and rest_days cover every weekday",
        ),
        ({"max_freezes": 11}, "[streak] max_freezes = 11 must be between 0 and 10"),
        ({"batches_per_freeze": 0}, "[streak] batches_per_freeze = 0 must be between 1 and 100"),
        ({"pauses": [{"from": "2026-12-20"}]}, "[streak] pauses[0] needs to = YYYY-MM-DD"),
        (
            {"pauses": [{"from": "2026-12-20", "to": "2026-12-01"}]},
            "[streak] pauses[0]: to = 2026-12-01 is before from = 2026-12-20",
        ),
        ({"pauses": [{"from": "soon", "to": "2026-12-01"}]}, "[streak] pauses[0].from = 'soon'"),
        ({"pauses": ["2026-12-20"]}, "[streak] pauses[0] must be a table"),
        ({"pauses": [{"from": "2026-12-20", "to": "2026-12-21", "why": "x"}]}, "unknown key 'why'"),
        ({"streaky": 1}, "unknown setting [streak] streaky"),
    ],
)
def test_a_bad_streak_setting_is_one_line_naming_it(table, message):
    with pytest.raises(ConfigError) as caught:
        streak_rules_from_dict(table)
    text = str(caught.value)
    assert message in text and "\n" not in text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"session": {"timezone": "Mars/Olympus_Mons"}},
            "[session] timezone = 'Mars/Olympus_Mons'",
        ),
        ({"session": {"day_start": "4am"}}, "[session] day_start = '4am' is not a time of day"),
        ({"session": {"day_start": "24:00"}}, "[session] day_start = '24:00'"),
        ({"streak": "on"}, "[streak] must be a table"),
        ({"streak": {"min_minutes": "5m"}}, "[streak] min_minutes = '5m' is not a whole number"),
    ],
)
def test_bad_day_settings_name_the_setting(raw, message):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict(raw)
    assert message in str(caught.value)


def test_a_bad_table_in_the_file_names_the_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[streak]\nrest_days = ["someday"]\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value) and "[streak] rest_days[0]" in str(caught.value)


def test_off_reasons_and_the_description():
    rules = StreakRules(
        workdays_only=True,
        rest_dates=frozenset({date(2026, 11, 25)}),
        pauses=(Pause(date(2026, 12, 20), date(2027, 1, 3)),),
    )
    assert rules.off_reason(date(2026, 11, 21)) == "weekend"
    assert rules.off_reason(date(2026, 11, 25)) == "rest day"
    assert rules.off_reason(date(2026, 12, 21)) == "pause"  # a Monday inside the pause
    assert rules.off_reason(date(2026, 11, 23)) is None
    words = rules.describe()
    assert "work days only" in words and "pause 2026-12-20 to 2027-01-03" in words

"""The [curation] config table: defaults, values, and one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.curation.settings import (
    DEFAULT_WATCH_KEYWORDS,
    CurationSettings,
    Weights,
    curation_from_dict,
    curation_to_dict,
    parse_span,
)
from cxdaily.settings import load_settings, save_settings, settings_from_dict


def test_an_empty_or_missing_table_gives_the_documented_defaults():
    assert curation_from_dict({}) == CurationSettings()
    defaults = settings_from_dict({}).curation
    assert defaults.max_age_s == 14 * 86400
    assert defaults.reserve == 0.1
    assert 0 < defaults.channel_share < 1
    assert defaults.watch_keywords == DEFAULT_WATCH_KEYWORDS
    assert {"cancel", "refund", "broken", "lawyer"} <= set(defaults.watch_keywords)
    assert defaults.weights == Weights()


def test_every_setting_is_read():
    settings = curation_from_dict(
        {
            "max_age": "7d",
            "reserve": 0.2,
            "channel_share": 0.5,
            "sla": "36h",
            "coverage_after": "3d",
            "group_max": 6,
            "passing_mention": 0.25,
            "vip_handles": ["@BigCustomer", "ceo_acme"],
            "vip_emails": ["Boss@Client.example"],
            "vip_domains": ["@Client.example"],
            "vip_organizations": [" Acme Corp ", "ACME CORP", "Straße GmbH", " "],
            "watch_keywords": ["refund", "switching to", "refund", " "],
            "weights": {"reach": 2, "vip": 0, "novelty": 1.5},
        }
    )
    assert settings.max_age_s == 7 * 86400
    assert settings.sla_s == 36 * 3600
    assert settings.coverage_after_s == 3 * 86400
    assert (settings.reserve, settings.channel_share, settings.group_max) == (0.2, 0.5, 6)
    assert settings.passing_mention == 0.25
    assert settings.vip_handles == {"bigcustomer", "ceo_acme"}
    assert settings.vip_emails == {"boss@client.example"}
    assert settings.vip_domains == ("client.example",)
    assert settings.vip_organizations == {"acme corp", "strasse gmbh"}
    assert settings.watch_keywords == ("refund", "switching to")
    assert (settings.weights.reach, settings.weights.vip, settings.weights.novelty) == (
        2.0,
        0.0,
        1.5,
    )
    assert settings.weights.waiting == Weights().waiting


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"weights": {"reach": "x"}}, "[curation] weights.reach = 'x' is not a number"),
        ({"weights": {"vip": True}}, "[curation] weights.vip = True is not a number"),
        ({"weights": {"waiting": [1]}}, "[curation] weights.waiting = [1] is not a number"),
        ({"weights": {"negative": -1}}, "[curation] weights.negative = -1 must be between"),
        ({"weights": {"loudness": 1}}, "unknown weight [curation] weights.loudness"),
        ({"weights": 3}, "[curation] weights must be a table"),
        ({"reserve": "lots"}, "[curation] reserve = 'lots' is not a number"),
        ({"reserve": 0.9}, "[curation] reserve = 0.9 must be between 0 and 0.5"),
        ({"channel_share": 0}, "[curation] channel_share = 0 must be between"),
        ({"group_max": 2.5}, "[curation] group_max = 2.5 is not a whole number"),
        ({"max_age": 14}, "[curation] max_age = 14 is not a duration like 14d"),
        ({"max_age": "soon"}, '[curation] max_age = "soon" is not a duration like 14d'),
        ({"sla": "5m"}, "[curation] sla = '5m' must be between 10m and 60d"),
        ({"vip_handles": "@bob"}, "[curation] vip_handles must be a list of strings"),
        ({"vip_organizations": "Acme"}, "[curation] vip_organizations must be a list of strings"),
        ({"vip_organizations": [1]}, "[curation] vip_organizations must be a list of strings"),
        ({"watch_keywords": ["ok", 3]}, "[curation] watch_keywords must be a list of strings"),
        ({"volume": 11}, "unknown setting [curation] volume"),
    ],
)
def test_a_bad_value_is_a_one_line_error_naming_the_key(table, message):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"curation": table})
    text = str(caught.value)
    assert message in text
    assert "\n" not in text


def test_a_curation_value_that_is_not_a_table_is_refused():
    with pytest.raises(ConfigError, match=r"\[curation\] must be a table"):
        settings_from_dict({"curation": "fast"})


def test_a_bad_weight_in_the_config_file_names_the_file_and_the_key(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[curation.weights]\nreach = "lots"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert "[curation] weights.reach = 'lots' is not a number" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [("14d", 14 * 86400), ("36h", 36 * 3600), ("1d12h", 129600), ("90m", 5400)]
)
def test_spans(text, seconds):
    assert parse_span(text, setting="x") == seconds


def test_the_table_survives_a_save_and_a_load(tmp_path: Path):
    settings = settings_from_dict(
        {
            "curation": {
                "max_age": "10d",
                "vip_domains": ["client.example"],
                "vip_organizations": ["Acme Corp"],
                "weights": {"reach": 2.5},
            }
        }
    )
    path = tmp_path / "config.toml"
    save_settings(path, settings)
    again = load_settings(path)
    assert again.curation == settings.curation
    assert curation_to_dict(CurationSettings()) == {}  # defaults are not written out

"""The ``[taxonomy]`` config table: defaults, validation, saving, and how the service uses
it for tags, teams and completion."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError, NotFoundError
from cxdaily.core.models import InsightEntry
from cxdaily.insights.taxonomy import AREAS, DEFAULT_TAGS, TEAMS, TaxonomySettings
from cxdaily.service import Service
from cxdaily.settings import Settings, load_settings, save_settings, settings_from_dict


def test_good_defaults():
    taxonomy = Settings().taxonomy
    assert taxonomy == TaxonomySettings()
    assert {"bug", "feature request", "pricing", "billing", "churn risk"} <= set(taxonomy.tags)
    assert taxonomy.areas == (
        "product",
        "customer service",
        "engineering",
        "logistics",
        "communications",
    )
    assert {"product", "marketing", "sales", "support"} <= set(taxonomy.teams)
    assert not taxonomy.strict


def test_a_table_replaces_what_it_names_and_normalizes():
    settings = settings_from_dict(
        {"taxonomy": {"teams": [" Customer  Success ", "Product", "product"], "strict": True}}
    )
    taxonomy = settings.taxonomy
    assert taxonomy.teams == ("customer success", "product")
    assert taxonomy.tags == DEFAULT_TAGS and taxonomy.areas == AREAS and taxonomy.strict


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"tags": "bug"}, "[taxonomy] tags must be a list"),
        ({"teams": []}, "[taxonomy] teams needs at least one name"),
        ({"tags": ["bug", 3]}, "[taxonomy] tags[1] = 3 is not a name"),
        ({"areas": ["a, b"]}, "without commas"),
        ({"strict": "yes"}, "[taxonomy] strict = 'yes' is not true or false"),
        ({"colours": []}, "unknown setting [taxonomy] colours"),
    ],
)
def test_bad_tables_are_one_line_errors(table, message):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"taxonomy": table})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_file_names_the_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text("[taxonomy]\nteams = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml: \[taxonomy\] teams must be a list"):
        load_settings(path)


def test_saving_keeps_only_what_differs(tmp_path: Path):
    path = tmp_path / "config.toml"
    save_settings(path, Settings())
    assert "taxonomy" not in tomllib.loads(path.read_text(encoding="utf-8"))
    custom = settings_from_dict({"taxonomy": {"teams": ["product", "success"], "strict": True}})
    save_settings(path, custom)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["taxonomy"] == {
        "teams": ["product", "success"],
        "strict": True,
    }
    assert load_settings(path).taxonomy == custom.taxonomy


def test_checks():
    taxonomy = TaxonomySettings(tags=("bug",), areas=("logistics",), teams=("product",))
    assert taxonomy.check_team(" Product ") == "product"
    assert taxonomy.check_team(None) is None and taxonomy.check_team("  ") is None
    with pytest.raises(NotFoundError, match=r"unknown team 'sales' \(known: product\)"):
        taxonomy.check_team("sales")
    assert taxonomy.check_tags(["Bug", "bug", " new  thing "]) == ("bug", "new thing")
    strict = TaxonomySettings(tags=("bug",), areas=("logistics",), strict=True)
    assert strict.check_tags(["logistics", "BUG"]) == ("logistics", "bug")
    with pytest.raises(NotFoundError, match="strict = true allows only bug, logistics"):
        strict.check_tags(["bug", "vibes"])


@pytest.fixture
def demo(home: Path):
    (home / "config.toml").write_text(
        '[taxonomy]\ntags = ["checkout", "bug"]\nareas = ["logistics"]\n'
        'teams = ["product", "success"]\n',
        encoding="utf-8",
    )
    with Service.open("demo") as service:
        service.refresh()
        yield service


def test_the_service_uses_the_configured_taxonomy(demo: Service):
    first, second = (item.question.id for item in demo.batch().items[:2])
    insight = demo.tag(first, InsightEntry(tags=("Checkout",), team="Success"))
    assert insight.team == "success"
    with pytest.raises(NotFoundError, match="unknown team 'marketing'"):
        demo.tag(second, InsightEntry(tags=("bug",), team="marketing"))
    with pytest.raises(NotFoundError, match="unknown team 'support'"):
        demo.hand_off(second, "support", "please")
    assert demo.hand_off(second, "Success", "please").team == "success"
    known = demo.known_tags()
    assert known[:3] == ["checkout", "bug", "logistics"]
    assert "pricing" not in known  # the defaults were replaced
    assert demo.settings.taxonomy.teams == ("product", "success")  # not the default TEAMS
    assert set(demo.settings.taxonomy.teams) != set(TEAMS)


def test_tags_and_teams_are_cleaned_where_they_enter():
    """A tag typed (or scripted) with escape sequences, control or bidirectional
    characters is stored without them; one that is nothing else is no tag."""
    taxonomy = TaxonomySettings()
    tags = taxonomy.check_tags(["\x1b[2JBilling", "\u202eEvil", "ok\x07", "\x1b]0;x\x07", "\x9b"])
    assert tags == ("billing", "evil", "ok")
    assert taxonomy.check_team("\u202eProduct\x1b[0m") == "product"
    assert taxonomy.check_team("\x1b[2J") is None
    assert taxonomy.check_tags(["فروش\u200cها"]) == ("فروش\u200cها",)  # a joiner is text


def test_a_config_name_that_is_only_control_characters_is_refused():
    with pytest.raises(ConfigError, match=r"tags\[0\].*is not a name"):
        settings_from_dict({"taxonomy": {"tags": ["\x1b[2J"]}})

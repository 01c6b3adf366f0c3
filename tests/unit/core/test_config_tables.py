"""The checks every config table shares (:mod:`cxdaily.core.config_tables`)."""

from __future__ import annotations

import pytest

from cxdaily.core.config_tables import config_table
from cxdaily.core.errors import ConfigError
from cxdaily.settings import settings_from_dict


def test_a_table_with_known_keys_is_returned_as_it_is():
    table = {"sla": "24h"}
    assert config_table(table, "curation", {"sla", "reserve"}) is table
    assert config_table({}, "curation", {"sla"}) == {}
    assert config_table({"anything": 1}, "channels") == {"anything": 1}


@pytest.mark.parametrize("value", ["fast", 3, ["a"], None])
def test_a_value_that_is_not_a_table_is_refused(value):
    with pytest.raises(ConfigError, match=r"^\[streak\] must be a table$"):
        config_table(value, "streak", {"min_handled"})


def test_the_first_unknown_key_is_named_with_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        config_table({"zeta": 1, "alpha": 2, "sla": 3}, "curation", {"sla", "reserve"})
    assert str(caught.value) == "unknown setting [curation] alpha (known: reserve, sla)"


@pytest.mark.parametrize("table", ["session", "ui", "taxonomy", "streak", "curation"])
def test_every_table_of_the_config_file_says_the_same(table):
    with pytest.raises(ConfigError, match=rf"^unknown setting \[{table}\] volume \(known: "):
        settings_from_dict({table: {"volume": 11}})
    with pytest.raises(ConfigError, match=rf"^\[{table}\] must be a table$"):
        settings_from_dict({table: "loud"})

"""The weekly rhythm and the "never twice" decision, and the ``[digest]`` and
``[destinations.NAME]`` tables: one-line errors naming the table and option."""

from __future__ import annotations

from datetime import date

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.insights.delivery.model import PeriodRecord, PeriodState
from cxdaily.insights.delivery.schedule import (
    Decision,
    decide,
    digest_week,
    latest_digest_day,
    next_digest_day,
    weekday_label,
)
from cxdaily.settings import load_settings, settings_from_dict, settings_to_dict
from cxdaily.settings.delivery import DigestSettings
from tests.unit.insights.delivery_kit import write_config
from tests.unit.insights.digest_kit import at

FRIDAY = 4


def record(state: PeriodState) -> PeriodRecord:
    return PeriodRecord("mail", "email", "k", "label", state, 1, at("2026-11-20 09:00"))


def test_the_digest_week_is_the_seven_days_before_the_last_digest_day():
    saturday, friday, thursday = date(2026, 11, 21), date(2026, 11, 20), date(2026, 11, 19)
    assert latest_digest_day(friday, FRIDAY) == friday
    assert latest_digest_day(saturday, FRIDAY) == friday
    assert latest_digest_day(thursday, FRIDAY) == date(2026, 11, 13)
    assert digest_week(friday, FRIDAY) == (date(2026, 11, 13), date(2026, 11, 19))
    assert digest_week(thursday, FRIDAY) == (date(2026, 11, 6), date(2026, 11, 12))
    assert next_digest_day(friday, FRIDAY) == date(2026, 11, 27)
    assert weekday_label(date(2026, 11, 27)) == "Friday 27 Nov"


@pytest.mark.parametrize(
    ("state", "itemwise", "again", "expected"),
    [
        (None, False, False, Decision.SEND),
        (PeriodState.FAILED, False, False, Decision.SEND),
        (PeriodState.SENT, False, False, Decision.ALREADY),
        (PeriodState.SENT, False, True, Decision.SEND),
        (PeriodState.UNKNOWN, False, False, Decision.HELD),
        (PeriodState.SENDING, False, False, Decision.HELD),
        (PeriodState.UNKNOWN, False, True, Decision.SEND),
        (PeriodState.UNKNOWN, True, False, Decision.SEND),
        (PeriodState.SENT, True, False, Decision.ALREADY),
    ],
)
def test_decide(state, itemwise, again, expected):
    previous = None if state is None else record(state)
    assert decide(previous, itemwise=itemwise, again=again) is expected


def test_records_round_trip_through_their_dicts():
    sent = record(PeriodState.SENT)
    assert PeriodRecord.from_dict(sent.to_dict()) == sent and sent.id == "mail|k"


def test_digest_day_defaults_to_friday_and_reads_names():
    assert settings_from_dict({}).digest == DigestSettings(day=FRIDAY)
    assert settings_from_dict({"digest": {"day": "Mon"}}).digest.day == 0
    assert settings_to_dict(settings_from_dict({"digest": {"day": "sunday"}}))["digest"] == {
        "day": "sunday"
    }
    with pytest.raises(ConfigError, match=r"^\[digest\] day = 'someday' is not a day of the week"):
        settings_from_dict({"digest": {"day": "someday"}})
    with pytest.raises(ConfigError, match=r"unknown setting \[digest\] hour"):
        settings_from_dict({"digest": {"hour": 9}})


HOOK = {"kind": "webhook", "format": "json"}
MAIL = {"kind": "email", "to": "a@acme.com"}
OWN_SMTP = {**MAIL, "from_address": "me@acme.com", "smtp_host": "smtp.acme.com"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"kind": "fax"},
            r"unknown destination kind 'fax' \(known: email, jira, linear, productboard, webhook\)",
        ),
        ({"kind": "webhook"}, r'needs format = "slack"'),
        ({**HOOK, "format": "irc"}, r"format must be one of slack, teams, json"),
        ({**HOOK, "url": "http://example.com/x"}, r"refusing .*plain http://"),
        ({**HOOK, "colour": 1}, r"unknown option 'colour'"),
        ({**HOOK, "redact": False}, r"redact: redaction cannot be switched off .*--no-redact"),
        ({**HOOK, "api_token": "x"}, r"api_token: secrets do not belong"),
        ({"kind": "email"}, r"needs to = "),
        ({**MAIL, "to": ["not-an-address"]}, r"to: 'not-an-address' must be an email address"),
        ({**MAIL, "smtp_host": "smtp.acme.com"}, r"needs from_address"),
        ({**MAIL, "from_address": "me@acme.com"}, r"needs smtp_host"),
        ({**OWN_SMTP, "smtp_tls": "plain"}, r'smtp_tls = "plain" is allowed only to a loopback'),
        (
            {**MAIL, "smtp_from_channel": "nope"},
            r"smtp_from_channel: no email channel named 'nope'",
        ),
    ],
)
def test_a_bad_destination_is_one_line_naming_its_table(home, table, message):
    write_config(home, {"out": table})
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(home / "config.toml")
    text = str(caught.value)
    assert "\n" not in text and text.startswith(f"{home / 'config.toml'}: [destinations.out] ")


def test_destination_names_are_unique_across_channels(home):
    write_config(
        home,
        {"support": {"kind": "webhook", "format": "json", "url": "https://x.example/h"}},
        channels={"support": {"kind": "demo"}},
    )
    with pytest.raises(ConfigError, match=r"\[destinations\.support\]: a channel has this name"):
        load_settings(home / "config.toml")


def test_a_good_config_loads_with_its_options_as_written(home):
    write_config(
        home,
        {
            "mail": {
                "kind": "email",
                "to": ["a@acme.com", "b@acme.com"],
                "smtp_from_channel": "inbox",
            },
            "hook": {"kind": "webhook", "format": "slack"},
        },
        channels={
            "inbox": {
                "kind": "email",
                "imap_host": "imap.acme.com",
                "smtp_host": "smtp.acme.com",
                "username": "me@acme.com",
                "from_address": "me@acme.com",
            }
        },
        digest_day="monday",
    )
    settings = load_settings(home / "config.toml")
    assert list(settings.destinations) == ["mail", "hook"]
    assert settings.destinations["mail"].table == "[destinations.mail]"
    assert settings.digest.day == 0
    assert settings_to_dict(settings)["destinations"]["hook"] == {
        "kind": "webhook",
        "format": "slack",
    }


def test_a_rolling_period_is_the_same_period_all_day_and_a_new_one_the_next():
    """'The last 7 days' ends now: sent at 10:00 and again at 10:05, it is one period
    (never sent twice); the next morning it is a new one. Whole-day periods keep their
    instants."""
    from zoneinfo import ZoneInfo

    from cxdaily.insights.delivery.model import DeliveryPeriod
    from cxdaily.insights.period import Clock, resolve_period

    zone = ZoneInfo("Europe/Berlin")

    def key(now: str, since: str = "7d", until: str | None = None) -> str:
        return DeliveryPeriod.of(resolve_period(since, until, Clock(at(now), zone))).key

    assert key("2026-11-20 09:00") == key("2026-11-20 09:05")
    assert key("2026-11-20 09:00") != key("2026-11-21 09:00")
    assert key("2026-11-20 09:00").endswith("rolling")
    whole = key("2026-11-20 09:00", "last week", "last week")
    assert ".." in whole and not whole.endswith("rolling")
    assert whole == key("2026-11-20 09:05", "last week", "last week")

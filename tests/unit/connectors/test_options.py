"""Options declared once: every check, message, default and listing comes from the
declaration (:mod:`cxdaily.connectors.options`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.connectors import builtin_kinds, check_channel_settings, connector_class
from cxdaily.connectors.base import Connector, FetchResult, SentReply
from cxdaily.connectors.options import (
    CHANNEL_OPTIONS,
    HTTP_OPTIONS,
    OPTION_TYPES,
    Option,
    OptionSpec,
    full_match,
)
from cxdaily.core.errors import ConfigError, ConnectorError
from cxdaily.settings import ChannelSettings

EVERY_TYPE = OptionSpec(
    Option("title", "text", "a text", required=True),
    Option("site", "url", "an address"),
    Option("page", "url", "a path or an address", relative=True),
    Option("loud", "bool", "a switch", default=False),
    Option("count", "int", "a number", default=3, minimum=0, maximum=10),
    Option("size", "int", "a size", minimum=1, unit="megabytes"),
    Option("wait", "duration", "a time", default="20s"),
    Option("file", "path", "a file"),
    Option("mode", "enum", "a choice", default="fast", choices=("fast", "slow")),
    Option("slug", "text", "checked text", check=lambda v: None if v.isalnum() else "is odd"),
)


class EveryTypeConnector(Connector):
    """A connector with one option of each type."""

    kind = "every"
    declared_options = EVERY_TYPE

    async def fetch(self, checkpoint):
        return FetchResult([], None)

    async def send_reply(self, question, body, idempotency_key):
        return SentReply("x")


def build(**options) -> EveryTypeConnector:
    return EveryTypeConnector(ChannelSettings("c", "every", {"title": "t", **options}))


def test_every_type_is_declared_here():
    assert {option.type for option in EVERY_TYPE} == set(OPTION_TYPES)


def test_values_are_converted_and_defaults_filled(monkeypatch):
    monkeypatch.setenv("QDIR", "/data")
    values = build(
        title="  hello ", site="https://a.example", page="/api/q", size=7, wait="2m",
        file="$QDIR/q.jsonl", mode="slow",
    ).option_values  # fmt: skip
    assert values == {
        "title": "hello", "site": "https://a.example", "page": "/api/q", "loud": False,
        "count": 3, "size": 7, "wait": 120.0, "file": Path("/data/q.jsonl"), "mode": "slow",
        "slug": None,
    }  # fmt: skip
    assert build().option("wait") == 20.0


def test_a_text_option_written_as_a_whole_number_is_its_digits():
    # an agent or admin id is often written unquoted in the config: ``admin_id = 814860``
    assert build(title=814860).option("title") == "814860"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"title": None}, "needs title = \"...\" (kind 'every')"),
        ({"title": "   "}, "needs title"),
        ({"title": 3.5}, "title must be text"),
        ({"title": True}, "title must be text"),
        ({"site": "http://far.example"}, "refusing"),
        ({"site": "/relative"}, "refusing"),
        ({"page": "ftp://far.example/x"}, "refusing"),
        ({"loud": "yes"}, "loud must be true or false"),
        ({"count": 11}, "count must be a whole number from 0 to 10"),
        ({"count": True}, "count must be a whole number from 0 to 10"),
        ({"count": 1.5}, "count must be a whole number from 0 to 10"),
        ({"size": 0}, "size must be a whole number of megabytes above 0"),
        ({"wait": "soon"}, 'wait = "soon" is not a duration'),
        ({"wait": 0}, "must be between 0.1 s and 1 h"),
        ({"file": ["a"]}, "file must be text"),
        ({"mode": "medium"}, "mode must be one of fast, slow"),
        ({"slug": "a b"}, "slug is odd"),
        ({"colour": "red"}, "unknown option 'colour' for kind 'every' (known: count, file"),
    ],
)
def test_a_bad_option_of_each_type_is_one_line_naming_the_table(options, message):
    with pytest.raises((ConfigError, ConnectorError)) as caught:
        build(**options)
    text = str(caught.value)
    assert message in text and "\n" not in text
    if isinstance(caught.value, ConfigError):
        assert text.startswith("[channels.c] ")


def test_missing_lists_required_options_not_given():
    assert [o.name for o in EVERY_TYPE.missing({})] == ["title"]
    assert [o.name for o in EVERY_TYPE.missing({"title": " "})] == ["title"]
    assert EVERY_TYPE.missing({"title": "x"}) == []


def test_a_declaration_refuses_duplicates_and_unknown_types():
    with pytest.raises(ValueError, match="declared twice"):
        CHANNEL_OPTIONS.extended(Option("deadline", "duration", "again"))
    with pytest.raises(ValueError, match="unknown type"):
        Option("x", "colour", "no such type")
    with pytest.raises(ValueError, match="needs choices"):
        Option("x", "enum", "no choices")


def test_shared_options_are_declared_once_and_shared():
    for kind in builtin_kinds():
        spec = connector_class(kind).declared_options
        assert spec is not None
        for option in CHANNEL_OPTIONS:
            assert spec[option.name] is option, (kind, option.name)
    http = connector_class("http").declared_options
    for option in HTTP_OPTIONS:
        assert http[option.name] is option


def test_every_builtin_option_has_a_one_line_description():
    for kind in builtin_kinds():
        for option in connector_class(kind).declared_options:
            assert option.description and "\n" not in option.description
            assert option.type in OPTION_TYPES


def test_the_demo_refuses_unknown_options_but_takes_the_shared_ones():
    check_channel_settings(ChannelSettings("d", "demo", {"deadline": "5s", "signature": "D"}))
    with pytest.raises(ConfigError, match=r"\[channels.d\] unknown option 'path'"):
        check_channel_settings(ChannelSettings("d", "demo", {"path": "x"}))


def test_an_undeclared_plugin_gets_its_table_unchecked():
    class Plugin(EveryTypeConnector):
        declared_options = None

    plugin = Plugin(ChannelSettings("p", "plugin", {"anything": 1}))
    assert plugin.option_values == {"anything": 1}


def test_http_policy_comes_from_the_declared_options():
    connector = connector_class("http")(
        ChannelSettings(
            "p", "http", {"url": "https://h.example/q", "retries": 0, "deadline": "5s",
                          "max_fetch_mb": 2}
        )
    )  # fmt: skip
    assert connector.policy.retries == 0
    assert connector.policy.deadline_s == 5.0
    assert connector.policy.max_fetch_bytes == 2 * 2**20


# ------------------------------------------------------------------------ full_match checks
def test_a_full_match_check_accepts_only_a_whole_match():
    check = full_match(r"v\d{1,3}\.\d{1,3}", 'must be a version such as "v26.0"')
    assert check("v26.0") is None
    assert check("v26.0/../x") == 'must be a version such as "v26.0"'
    assert check("xv26.0") == 'must be a version such as "v26.0"'


def test_a_full_match_check_makes_the_options_one_line_error():
    option = Option("api_version", "text", "a version", check=full_match(r"\d+", "must be digits"))
    channel = ChannelSettings(name="shop", kind="x", options={"api_version": "12a"})
    with pytest.raises(ConfigError) as caught:
        option.read(channel)
    assert str(caught.value) == "[channels.shop] api_version must be digits"

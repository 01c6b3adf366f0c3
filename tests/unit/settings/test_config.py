"""Settings: defaults, validation with one-line errors, and atomic TOML round trips."""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from datetime import time
from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.settings import (
    DEFAULT_BUDGET_S,
    ChannelSettings,
    SessionSettings,
    Settings,
    load_settings,
    parse_day_start,
    parse_duration,
    parse_timezone,
    save_settings,
    settings_from_dict,
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


# ----------------------------------------------------------------------------- defaults
def test_defaults():
    settings = Settings()
    assert settings.session.budget_s == DEFAULT_BUDGET_S == 30 * 60
    assert settings.session.timezone == "UTC"
    assert settings.session.day_start == time(4, 0)
    assert settings.channels == {}
    assert settings.keys == {}
    assert settings.theme == "cxdaily-dark"
    assert settings.editor is None


def test_a_missing_file_means_the_defaults_in_the_machines_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    settings = load_settings(tmp_path / "nothing.toml")
    assert settings.session.timezone == "Asia/Tokyo"
    assert settings.session.budget_s == DEFAULT_BUDGET_S
    assert settings.channels == {}
    assert not (tmp_path / "nothing.toml").exists()


def test_an_empty_file_means_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    settings = load_settings(_write(tmp_path / "config.toml", ""))
    assert settings == Settings(session=SessionSettings(timezone="UTC"))


def test_a_full_file_is_read(tmp_path):
    path = _write(
        tmp_path / "config.toml",
        """
[session]
budget = "45m"
timezone = "Europe/Berlin"
day_start = "05:30"

[ui]
theme = "cxdaily-light"
editor = "vim -f"

[keys]
reply = "R"

[channels.acme-support]
kind = "zendesk"
subdomain = "acme"
email = "ceo@acme.com"

[channels.fediverse]
kind = "mastodon"
base_url = "https://mastodon.social"
""",
    )
    # the kinds are service connectors still to come: only the file's reading is tested
    settings = load_settings(path, check_channels=False)
    assert settings.session == SessionSettings(
        budget_s=45 * 60, timezone="Europe/Berlin", day_start=time(5, 30)
    )
    assert settings.session.zone.key == "Europe/Berlin"
    assert settings.theme == "cxdaily-light"
    assert settings.editor == "vim -f"
    assert settings.keys == {"reply": "R"}
    assert settings.channels["acme-support"] == ChannelSettings(
        name="acme-support",
        kind="zendesk",
        options={"subdomain": "acme", "email": "ceo@acme.com"},
    )
    assert settings.channels["fediverse"].options == {"base_url": "https://mastodon.social"}


# ----------------------------------------------------------------------------- budget
@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("1h", 3600),
        ("1h30m", 5400),
        ("1h 15m", 4500),
        ("45", 2700),
        (45, 2700),
        ("90s", 90),
        ("2m30s", 150),
        ("30 min", 1800),
        ("1m", 60),
        ("8h", 8 * 3600),
        (" 20m ", 1200),
        ("1.5h", 5400),  # the one grammar takes fractions (a deadline of "1.5s" always did)
        ("30M", 1800),
    ],
)
def test_budget_parsing(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "30x",
        "1.5.5h",
        "30m1h",
        "-5",
        "0",
        "0m",
        "30s",
        "59s",
        "9h",
        "8h1m",
        "h",
        "m",
        True,
    ],
)
def test_bad_budgets_are_one_line_errors_naming_the_setting(text):
    with pytest.raises(ConfigError) as caught:
        parse_duration(text, setting="[session] budget")
    message = str(caught.value)
    assert message.startswith("[session] budget = ")
    assert "\n" not in message


def test_a_bad_budget_in_the_file_names_the_file_and_the_setting(tmp_path):
    path = _write(tmp_path / "config.toml", '[session]\nbudget = "soon"\n')
    message = _error_of(path)
    assert "[session] budget" in message
    assert '"soon"' in message


@pytest.mark.parametrize("value", ["[30]", "true", "{ minutes = 30 }", "nan"])
def test_a_budget_of_the_wrong_toml_type_is_a_config_error(tmp_path, value):
    path = _write(tmp_path / "config.toml", f"[session]\nbudget = {value}\n")
    assert "[session] budget" in _error_of(path)


def test_a_bare_number_budget_is_minutes_even_a_toml_float(tmp_path):
    path = _write(tmp_path / "config.toml", "[session]\nbudget = 1.5\n")
    assert load_settings(path).session.budget_s == 90


# ----------------------------------------------------------------------------- timezone
@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
def test_known_time_zones_are_accepted(name):
    assert parse_timezone(name).key == name
    assert settings_from_dict({"session": {"timezone": name}}).session.timezone == name


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "Berlin", "../../etc/passwd", "/etc/localtime", "Europe/"]
)
def test_unknown_time_zones_are_refused(name):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"session": {"timezone": name}})
    message = str(caught.value)
    assert message.startswith("[session] timezone = ")
    assert "Europe/Berlin" in message  # says what a valid value looks like
    assert "\n" not in message


def test_a_time_zone_folder_name_is_refused():
    with pytest.raises(ConfigError):
        parse_timezone("Europe")


# ----------------------------------------------------------------------------- day start
@pytest.mark.parametrize(
    ("text", "expected"),
    [("04:00", time(4)), ("4:00", time(4)), ("00:00", time(0)), ("23:59", time(23, 59))],
)
def test_day_start_parsing(text, expected):
    assert parse_day_start(text) == expected
    assert settings_from_dict({"session": {"day_start": text}}).session.day_start == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "0400", "4", 4, "noon", "-1:00", ""])
def test_bad_day_starts_are_refused(text):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"session": {"day_start": text}})
    message = str(caught.value)
    assert message.startswith("[session] day_start = ")
    assert "04:00" in message
    assert "\n" not in message


# ----------------------------------------------------------------------------- unknown keys
@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[sesion]\nbudget = "30m"\n', "'sesion'"),
        ('theme = "dark"\n', "'theme'"),
        ('[session]\nbudgte = "30m"\n', "[session] budgte"),
        ('[ui]\ncolour = "red"\n', "[ui] colour"),
    ],
)
def test_unknown_keys_are_named(tmp_path, toml, named):
    message = _error_of(_write(tmp_path / "config.toml", toml))
    assert named in message
    assert "known:" in message


def test_tables_must_be_tables(tmp_path):
    message = _error_of(_write(tmp_path / "config.toml", 'session = "30m"\n'))
    assert "[session] must be a table" in message


def test_key_bindings_must_be_key_names():
    with pytest.raises(ConfigError, match=r"\[keys\] reply"):
        settings_from_dict({"keys": {"reply": 5}})
    with pytest.raises(ConfigError, match=r"\[keys\] reply"):
        settings_from_dict({"keys": {"reply": "  "}})


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[ui]\neditor = ["code", "--wait"]\n', '[ui] editor must be text, like editor = "'),
        ("[ui]\ntheme = 3\n", '[ui] theme must be text, like theme = "cxdaily-light"'),
        ('[ui]\ntheme = { name = "x" }\n', "[ui] theme must be text"),
        ("[session]\ntimezone = false\n", '[session] timezone must be text, like timezone = "'),
        ("[session]\ntimezone = 1\n", "[session] timezone must be text"),
    ],
)
def test_text_settings_of_another_type_are_refused_not_turned_into_text(tmp_path, toml, expected):
    """An editor written as a list was read as the text "['code', '--wait']" (no editor
    started), a theme number as "3", and ``timezone = false`` as the system's zone."""
    message = _error_of(_write(tmp_path / "config.toml", toml))
    assert expected in message


# ----------------------------------------------------------------------------- channels
def test_a_channel_needs_a_kind():
    with pytest.raises(ConfigError, match=r"\[channels.acme\] needs kind"):
        settings_from_dict({"channels": {"acme": {"subdomain": "acme"}}})


@pytest.mark.parametrize("name", ["bad name", "-leading-dash", "a/b", "x" * 65])
def test_channel_names_are_restricted(name):
    with pytest.raises(ConfigError, match="a channel name uses"):
        settings_from_dict({"channels": {name: {"kind": "demo"}}})


def test_a_channel_must_be_a_table():
    with pytest.raises(ConfigError, match="must be a table"):
        settings_from_dict({"channels": {"acme": "zendesk"}})


@pytest.mark.parametrize("key", ["api_token", "password", "client_secret", "api_key", "Token"])
def test_secrets_in_the_config_file_are_refused(tmp_path, key):
    secret_value = "s3cr3t-VALUE-that-must-not-leak"
    path = _write(
        tmp_path / "config.toml",
        f'[channels.acme]\nkind = "zendesk"\n{key} = "{secret_value}"\n',
    )
    message = _error_of(path)
    assert "secrets do not belong in the config file" in message
    assert "cxdaily login acme" in message
    assert key in message
    assert secret_value not in message
    # a channel problem, told by the channel checks; the value is kept nowhere
    table = {"channels": {"acme": {"kind": "zendesk", "subdomain": "acme", key: secret_value}}}
    channel = settings_from_dict(table).channels["acme"]
    assert key not in channel.options and secret_value not in repr(channel)
    assert channel.refused.startswith(f"{key}: secrets do not belong")


def test_an_address_named_after_a_token_is_an_option_not_a_secret():
    settings = settings_from_dict(
        {"channels": {"tube": {"kind": "youtube", "token_url": "https://oauth2.example/token"}}}
    )
    assert settings.channels["tube"].options["token_url"] == "https://oauth2.example/token"


# ----------------------------------------------------------------------------- syntax errors
def test_a_toml_syntax_error_names_the_file_line_and_column(tmp_path):
    path = _write(
        tmp_path / "config.toml",
        '[session]\nbudget = "30m"\ntimezone = Europe/Berlin\n',
    )
    message = _error_of(path)
    assert "line 3, column 12" in message
    assert "(at line" not in message  # tomllib's own suffix is rewritten, not repeated
    assert message.count(str(path)) == 1  # the file is named once


def test_a_config_that_is_not_utf8_names_the_file_once(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe[session]\n")
    assert _error_of(path) == f"{path}: is not UTF-8 text (byte 1)"


def test_a_duplicate_table_is_a_one_line_error(tmp_path):
    path = _write(tmp_path / "config.toml", "[session]\n[session]\n")
    assert "line 2" in _error_of(path)


def test_an_unreadable_config_is_a_one_line_error(tmp_path):
    path = tmp_path / "config.toml"
    path.mkdir()  # a folder where the file should be
    assert "cannot be read" in _error_of(path)


def test_invalid_utf8_is_a_one_line_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'[session]\nbudget = "\xff\xfe"\n')
    _error_of(path)


# ----------------------------------------------------------------------------- issue 11, item 15
CHANNEL_PROBLEMS = [
    ('kind = "no-such-kind"', "unknown channel kind 'no-such-kind'"),
    ('kind = "http"', 'needs url = "..."'),
    ('kind = "http"\nurl = "http://example.com/q"', "plain http:// is only allowed"),
    ('kind = "http"\nurl = "file:///etc/passwd"', "the scheme 'file' is not http or https"),
    ('kind = "http"\nurl = "https://h.example/q"\nreply_url = "ftp://h/r"', "'ftp'"),
    ('kind = "http"\nurl = "https://h.example/q"\nretries = -1', "retries must be"),
    ('kind = "http"\nurl = "https://h.example/q"\ndeadline = "-5s"', "not a duration"),
    ('kind = "jsonl"', 'needs path = "..."'),
    ('kind = "jsonl"\npath = "q.jsonl"\ndeadline = 0', "must be between 0.1 s and 1 h"),
    ('kind = "jsonl"\npath = "q.jsonl"\ndeadline = -3', "must be between 0.1 s and 1 h"),
    ('kind = "jsonl"\npath = "q.jsonl"\nurl = "https://x"', "unknown option 'url'"),
    ('kind = "demo"\ndeadline = "soon"', "not a duration"),
]


@pytest.mark.parametrize(("table", "problem"), CHANNEL_PROBLEMS)
def test_channel_problems_are_found_when_the_file_is_read(tmp_path, table, problem):
    path = _write(tmp_path / "config.toml", f"[channels.portal]\n{table}\n")
    message = _error_of(path)  # one line, starting with the file's name
    assert message.startswith(f"{path}: [channels.portal] ")
    assert problem in message
    assert "portal: " not in message  # the channel is named once, as its table


def test_good_channels_load_and_the_demo_profile_skips_the_check(tmp_path):
    path = _write(
        tmp_path / "config.toml",
        '[channels.portal]\nkind = "http"\nurl = "https://h.example/q"\ndeadline = "20s"\n'
        '[channels.local]\nkind = "http"\nurl = "http://127.0.0.1:8080/q"\n'
        '[channels.imp]\nkind = "jsonl"\npath = "~/q.jsonl"\n',
    )
    assert sorted(load_settings(path).channels) == ["imp", "local", "portal"]
    _write(path, '[channels.broken]\nkind = "http"\n')
    assert "broken" in load_settings(path, check_channels=False).channels


def test_a_plugin_that_cannot_be_loaded_is_a_config_error(tmp_path, monkeypatch):
    class BrokenEntry:
        name = "acme"

        def load(self):
            raise ImportError("No module named 'acme_connector'")

    monkeypatch.setattr("importlib.metadata.entry_points", lambda group=None: [BrokenEntry()])
    path = _write(tmp_path / "config.toml", '[channels.x]\nkind = "acme"\n')
    message = _error_of(path)
    assert "[channels.x] the plugin for kind 'acme' cannot be loaded (ImportError" in message


def test_a_plugin_connector_that_fails_in_its_own_way_is_a_config_error(tmp_path, monkeypatch):
    from cxdaily.connectors import base

    class Fussy(base.Connector):
        kind = "fussy"

        def __init__(self, settings, **kwargs):
            super().__init__(settings, **kwargs)
            raise KeyError("host")

        async def fetch(self, checkpoint):
            raise AssertionError

        async def send_reply(self, question, body, idempotency_key):
            raise AssertionError

    class Entry:
        name = "fussy"

        def load(self):
            return Fussy

    monkeypatch.setattr("importlib.metadata.entry_points", lambda group=None: [Entry()])
    path = _write(tmp_path / "config.toml", '[channels.f]\nkind = "fussy"\n')
    assert "[channels.f] the connector of kind 'fussy' refused its options (KeyError" in (
        _error_of(path)
    )


# ----------------------------------------------------------------------------- hostile files
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[session]\nbudget = " + "9" * 5000 + "\n", "a number has too many digits"),
        ("a = " + "[" * 50_000 + "]" * 50_000 + "\n", "nested too deeply"),
        ('[session]\nbudget = "' + "1" * 5000 + '"\n', "is not a duration"),
        ("# " + "x" * (2 * 1024 * 1024) + "\n", "larger than 1024 KiB"),
    ],
    ids=["huge-int", "deep-array", "huge-duration", "huge-file"],
)
def test_a_hostile_config_file_is_a_one_line_error(tmp_path, content, problem):
    path = _write(tmp_path / "config.toml", content)
    assert problem in _error_of(path)


def test_a_fifo_as_the_config_file_is_refused_without_blocking(tmp_path):
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    assert "not a regular file" in _error_of(path)


# ----------------------------------------------------------------------------- saving
def _full_settings(**session) -> Settings:
    return Settings(
        session=SessionSettings(
            **{"budget_s": 75 * 60, "timezone": "Europe/Berlin", "day_start": time(5, 30)} | session
        ),
        channels={
            "acme-support": ChannelSettings(
                name="acme-support",
                kind="zendesk",
                options={"subdomain": "acme", "email": "ceo@acme.com", "page_size": 50},
            ),
            "fediverse": ChannelSettings(
                name="fediverse", kind="mastodon", options={"base_url": "https://m.example"}
            ),
        },
        theme="cxdaily-light",
        keys={"reply": "R", "skip": "s,x"},
        editor="nano",
    )


def test_save_then_load_round_trips(tmp_path):
    path = tmp_path / "config.toml"
    settings = _full_settings()
    save_settings(path, settings)
    assert load_settings(path, check_channels=False) == settings


def test_save_then_load_round_trips_the_defaults(tmp_path):
    path = tmp_path / "config.toml"
    settings = Settings()
    save_settings(path, settings)
    assert load_settings(path) == settings


@pytest.mark.parametrize("budget_s", [90, 3630])
def test_a_budget_with_seconds_survives_a_round_trip(tmp_path, budget_s):
    path = tmp_path / "config.toml"
    save_settings(path, _full_settings(budget_s=budget_s))
    assert load_settings(path, check_channels=False).session.budget_s == budget_s


def test_none_options_are_dropped_when_saving(tmp_path):
    path = tmp_path / "config.toml"
    settings = Settings(
        channels={"x": ChannelSettings(name="x", kind="demo", options={"base_url": None})}
    )
    save_settings(path, settings)
    with path.open("rb") as handle:
        assert tomllib.load(handle)["channels"]["x"] == {"kind": "demo"}


def test_save_is_owner_only_and_leaves_no_temp_files(tmp_path):
    folder = tmp_path / "conf"
    path = folder / "config.toml"
    save_settings(path, Settings())
    save_settings(path, _full_settings())  # replacing an existing file
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    save_settings(path, Settings())
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch, pytest.raises(ConfigError) as caught:
        patch.setattr(os, "replace", disk_full)
        save_settings(path, _full_settings())
    assert "disk is full" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]

"""Config edits keep the user's file: comments, order, and no defaults they never wrote."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cxdaily.cli import main
from cxdaily.core.errors import ConfigError
from cxdaily.settings.edit import BACKUP_SUFFIX, remove_channel, set_channel, set_value

USER_FILE = """\
# My cxdaily setup -- keep this comment
[session]
timezone = "Europe/Berlin"   # where I live

# the help desk export
[channels.inbox]
kind = "jsonl"
path = "/tmp/inbox.jsonl"  # nightly dump
"""


@pytest.fixture
def config_file(home: Path) -> Path:
    path = home / "config.toml"
    path.write_text(USER_FILE)
    (home / "q.jsonl").write_text("")
    return path


def test_channels_add_and_remove_keep_the_users_comments(config_file, home, capsys):
    assert main(["channels", "add", "portal", "jsonl", f"path={home / 'q.jsonl'}"]) == 0
    text = config_file.read_text()
    assert text.startswith(USER_FILE)  # untouched, byte for byte
    assert "[channels.portal]" in text
    assert "budget" not in text and "[ui]" not in text  # no defaults the user never set
    assert config_file.with_name("config.toml" + BACKUP_SUFFIX).read_text() == USER_FILE
    assert main(["channels", "remove", "portal"]) == 0
    assert config_file.read_text().rstrip() == USER_FILE.rstrip()


def test_replacing_a_channel_keeps_its_place_and_comments(config_file):
    set_channel(config_file, "inbox", {"kind": "jsonl", "path": "/data/new.jsonl"})
    text = config_file.read_text()
    assert "# the help desk export\n[channels.inbox]" in text
    assert tomllib.loads(text)["channels"]["inbox"] == {"kind": "jsonl", "path": "/data/new.jsonl"}
    assert "# My cxdaily setup -- keep this comment" in text


def test_set_value_touches_only_its_table(config_file):
    set_value(config_file, "ui", "theme", "cxdaily-light")
    text = config_file.read_text()
    assert text.startswith(USER_FILE)
    assert tomllib.loads(text)["ui"] == {"theme": "cxdaily-light"}
    remove_channel(config_file, "nope")  # nothing to remove: the file is not rewritten
    assert config_file.read_text() == text


def test_a_broken_file_is_refused_in_one_line_and_kept(config_file):
    config_file.write_text("[session\nbudget = ")
    with pytest.raises(ConfigError) as caught:
        set_value(config_file, "ui", "theme", "x")
    assert str(config_file) in str(caught.value) and "\n" not in str(caught.value)
    assert config_file.read_text() == "[session\nbudget = "

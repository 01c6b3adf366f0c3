"""``[session] undo_seconds``: how long a sent reply waits in the outbox (0 turns it off)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.settings import (
    MAX_UNDO_S,
    SessionSettings,
    Settings,
    load_settings,
    save_settings,
    settings_from_dict,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(0, 0), (10, 10), ("10", 10), ("30s", 30), ("1m", 60), ("5m", 300), (300, 300)],
)
def test_the_window_is_read_in_seconds(value, seconds):
    session = settings_from_dict({"session": {"undo_seconds": value}}).session
    assert session.undo_s == seconds
    assert session.undo_window == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (-1, "must be whole seconds from 0 (off)"),
        (301, f"must be whole seconds from 0 (off) to {MAX_UNDO_S}"),
        (2.5, "must be whole seconds"),
        ("10 minutes", "is not a duration"),
        (True, "is not a duration"),
        ("x" * 100, "is not a duration"),
    ],
)
def test_a_bad_window_is_one_line_naming_the_setting(value, problem):
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"session": {"undo_seconds": value}})
    message = str(caught.value)
    assert message.startswith("[session] undo_seconds")
    assert problem in message and "\n" not in message


def test_the_setting_round_trips_and_is_written_only_when_set(tmp_path: Path):
    path = tmp_path / "config.toml"
    save_settings(path, Settings(session=SessionSettings(timezone="UTC", undo_s=0)))
    assert "undo_seconds = 0" in path.read_text()
    assert load_settings(path).session.undo_s == 0
    save_settings(path, Settings(session=SessionSettings(timezone="UTC")))
    assert "undo_seconds" not in path.read_text()
    assert load_settings(path).session.undo_s is None


def test_the_default_window_is_ten_seconds(subprocess_env):
    # in a child: this test process turns the window off for the tests about other things
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cxdaily.settings import SessionSettings, settings_from_dict\n"
            "print(SessionSettings().undo_window.total_seconds())\n"
            "print(settings_from_dict({}).session.undo_window.total_seconds())\n",
        ],
        capture_output=True,
        text=True,
        env=subprocess_env,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["10.0", "10.0"]

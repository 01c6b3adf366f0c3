"""Channel checks remembered: a config whose checks passed is not checked again while the
file, the checking code and Python are the same; anything else runs them again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cxdaily.settings
import cxdaily.settings.checked as checked
from cxdaily.core.errors import ConfigError
from cxdaily.settings import load_settings
from cxdaily.settings.checked import CHECKED_FILE, PassedChecks, checks_key

ZENDESK = '[channels.acme]\nkind = "zendesk"\nsubdomain = "acme"\nemail = "ceo@acme.com"\n'


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the channels each check of the channel options was run for."""
    runs: list[str] = []
    check = cxdaily.settings.check_channel_options

    def counting(settings: cxdaily.settings.Settings) -> bool:
        runs.append(",".join(sorted(settings.channels)))
        return check(settings)

    monkeypatch.setattr(cxdaily.settings, "check_channel_options", counting)
    return runs


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    return folder


def test_checks_that_passed_are_not_run_again(tmp_path, counted) -> None:
    path, data = config(tmp_path, ZENDESK), data_dir(tmp_path)
    first = load_settings(path, remember_checks_in=data)
    second = load_settings(path, remember_checks_in=data)
    assert counted == ["acme"]
    assert second == first
    assert (data / CHECKED_FILE).stat().st_mode & 0o077 == 0  # owner-only, as data files


def test_without_a_folder_to_remember_in_every_load_checks(tmp_path, counted) -> None:
    path = config(tmp_path, ZENDESK)
    load_settings(path)
    load_settings(path)
    assert counted == ["acme", "acme"]


def test_a_changed_config_is_checked_again_and_its_problem_refused(tmp_path, counted) -> None:
    path, data = config(tmp_path, ZENDESK), data_dir(tmp_path)
    load_settings(path, remember_checks_in=data)
    config(tmp_path, ZENDESK.replace('subdomain = "acme"\n', ""))
    with pytest.raises(ConfigError, match=r"\[channels\.acme\] needs subdomain"):
        load_settings(path, remember_checks_in=data)
    assert counted == ["acme", "acme"]


def test_a_problem_is_never_remembered(tmp_path, counted) -> None:
    broken = ZENDESK + '[channels.acme-local]\nkind = "jsonl"\n'  # no path
    path, data = config(tmp_path, broken), data_dir(tmp_path)
    told: list[str] = []
    for _ in range(2):
        load_settings(path, remember_checks_in=data, on_channel_problem=told.append)
    assert len(told) == 2 and "[channels.acme-local]" in told[0]
    assert not (data / CHECKED_FILE).exists()
    with pytest.raises(ConfigError):
        load_settings(path, remember_checks_in=data)


def test_two_secrets_from_one_place_are_refused_at_every_load(tmp_path) -> None:
    twice = ZENDESK + ZENDESK.replace("channels.acme]", "channels.ACME]")
    path, data = config(tmp_path, twice), data_dir(tmp_path)
    for _ in range(2):
        with pytest.raises(ConfigError, match="its secret would be read from"):
            load_settings(path, remember_checks_in=data)
    assert not (data / CHECKED_FILE).exists()


def test_changed_code_or_python_makes_a_new_key(tmp_path, monkeypatch, counted) -> None:
    path, data = config(tmp_path, ZENDESK), data_dir(tmp_path)
    load_settings(path, remember_checks_in=data)
    code = checked._code_identity()
    assert code is not None and any(name == "connectors/zendesk.py" for name, *_ in code)
    changed = tuple(
        (n, size + 1, at) if n == "settings/checked.py" else (n, size, at) for n, size, at in code
    )
    monkeypatch.setattr(checked, "_code_identity", lambda: changed)
    load_settings(path, remember_checks_in=data)
    monkeypatch.setattr(checked.sys, "version", "3.99.0 (elsewhere)")
    load_settings(path, remember_checks_in=data)
    load_settings(path, remember_checks_in=data)
    assert counted == ["acme", "acme", "acme"]


def test_an_install_without_sources_names_no_code(tmp_path, monkeypatch) -> None:
    package = tmp_path / "cxdaily"
    for folder in checked._CHECKING_CODE:
        (package / folder).mkdir(parents=True, exist_ok=True)
        (package / folder / "module.cpython-311.pyc").write_bytes(b"compiled")
    (package / "settings" / "checked.py").write_text("")
    monkeypatch.setattr(checked, "__file__", str(package / "settings" / "checked.py"))
    assert checked._code_identity() is not None  # one source is enough to name it
    (package / "settings" / "checked.py").unlink()
    assert checked._code_identity() is None


def test_code_that_cannot_be_named_is_checked_every_time(tmp_path, monkeypatch, counted) -> None:
    monkeypatch.setattr(checked, "_code_identity", lambda: None)
    path, data = config(tmp_path, ZENDESK), data_dir(tmp_path)
    load_settings(path, remember_checks_in=data)
    load_settings(path, remember_checks_in=data)
    assert counted == ["acme", "acme"]
    assert checks_key(b"anything") is None
    assert not (data / CHECKED_FILE).exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda file: file.write_bytes(b"\x00" * 64),
        lambda file: file.write_bytes(file.read_bytes()[:-1]),
        lambda file: file.write_bytes(file.read_bytes() + b"\n"),
        lambda file: (file.unlink(), file.mkdir()),
        lambda file: (file.unlink(), file.symlink_to(file.parent / "elsewhere")),
    ],
    ids=["zeros", "cut", "grown", "folder", "symlink"],
)
def test_a_damaged_record_only_costs_the_checks(tmp_path, counted, damage) -> None:
    path, data = config(tmp_path, ZENDESK), data_dir(tmp_path)
    load_settings(path, remember_checks_in=data)
    damage(data / CHECKED_FILE)
    load_settings(path, remember_checks_in=data)
    assert counted == ["acme", "acme"]


def test_a_folder_that_cannot_be_written_only_costs_the_checks(tmp_path, counted) -> None:
    path = config(tmp_path, ZENDESK)
    missing = tmp_path / "not-yet"
    assert load_settings(path, remember_checks_in=missing).channels["acme"].kind == "zendesk"
    assert not missing.exists()
    expected = ["acme"]
    if os.geteuid() != 0:  # root writes anywhere
        locked = data_dir(tmp_path)
        locked.chmod(0o500)
        try:
            load_settings(path, remember_checks_in=locked)
        finally:
            locked.chmod(0o700)
        assert not (locked / CHECKED_FILE).exists()
        expected.append("acme")
    assert counted == expected


def test_a_kind_from_a_plugin_is_never_remembered(tmp_path, monkeypatch, counted) -> None:
    from cxdaily.connectors import base

    class Plugged(base.Connector):
        kind = "plugged"

        async def fetch(self, checkpoint):
            raise AssertionError

        async def send_reply(self, question, body, idempotency_key):
            raise AssertionError

    Plugged.__module__ = "acme_connector"

    class Entry:
        name = "plugged"

        def load(self):
            return Plugged

    monkeypatch.setattr("importlib.metadata.entry_points", lambda group=None: [Entry()])
    path, data = config(tmp_path, '[channels.p]\nkind = "plugged"\n'), data_dir(tmp_path)
    load_settings(path, remember_checks_in=data)
    load_settings(path, remember_checks_in=data)
    assert counted == ["p", "p"]
    assert not (data / CHECKED_FILE).exists()


def test_no_channels_and_no_destinations_need_no_record(tmp_path, counted) -> None:
    path, data = config(tmp_path, '[session]\nbudget = "20m"\n'), data_dir(tmp_path)
    load_settings(path, remember_checks_in=data)
    assert not (data / CHECKED_FILE).exists()


def test_the_record_is_the_key_alone(tmp_path) -> None:
    data = data_dir(tmp_path)
    passed = PassedChecks(data)
    key = checks_key(b"[channels.acme]\n")
    assert key is not None and key != checks_key(b"[channels.acme] \n")
    assert not passed.holds(key)
    passed.record(key)
    assert passed.holds(key) and not passed.holds(None)
    assert (data / CHECKED_FILE).read_bytes() == key.encode("ascii")

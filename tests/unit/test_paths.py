"""Where files live: CXDAILY_HOME, the platform folders, the demo profile, the themes."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

import cxdaily.paths as paths_module
from cxdaily.core.errors import CxDailyError
from cxdaily.paths import DEMO_PROFILE, builtin_themes_dir, locations

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_cxdaily_home_holds_config_data_and_user_themes(home: Path):
    where = locations()
    assert where.config_file == home / "config.toml"
    assert where.config_dir == home
    assert where.data_dir == home / "data"
    assert where.user_themes_dir == home / "themes"


def test_demo_profile_has_its_own_data_folder(home: Path):
    default, demo = locations(), locations(DEMO_PROFILE)
    assert demo.data_dir == home / "data" / "demo"
    assert demo.data_dir != default.data_dir
    # the demo shares the config file and themes, never the data files
    assert demo.config_file == default.config_file
    assert demo.user_themes_dir == default.user_themes_dir


def test_cxdaily_home_expands_a_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CXDAILY_HOME", "~/cx")
    assert locations().config_file == tmp_path / "cx" / "config.toml"
    assert locations().data_dir == tmp_path / "cx" / "data"


def test_locating_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "not-yet"
    monkeypatch.setenv("CXDAILY_HOME", str(target))
    locations()
    locations(DEMO_PROFILE)
    assert not target.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_without_cxdaily_home_the_platform_folders_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("CXDAILY_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    where = locations()
    assert where.config_file == tmp_path / "xdg-config" / "cxdaily" / "config.toml"
    assert where.data_dir == tmp_path / "xdg-data" / "cxdaily"
    assert locations(DEMO_PROFILE).data_dir == tmp_path / "xdg-data" / "cxdaily" / "demo"


def test_when_config_and_data_folders_coincide_data_gets_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """On macOS platformdirs gives one folder for both; data must not sit beside config."""
    monkeypatch.delenv("CXDAILY_HOME")
    shared = str(tmp_path / "Application Support" / "cxdaily")
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *a, **k: shared)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: shared)
    where = locations()
    assert where.config_file == Path(shared) / "config.toml"
    assert where.data_dir == Path(shared) / "data"


def test_builtin_themes_dir_finds_the_checkouts_themes():
    if not (REPO_ROOT / "themes" / "app.tcss").is_file():
        pytest.skip("themes/app.tcss is not in this checkout yet (it is being written)")
    assert builtin_themes_dir() == REPO_ROOT / "themes"


def _fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pretend cxdaily/paths.py lives in tmp_path/site/cxdaily (nothing touches the repo)."""
    package = tmp_path / "site" / "cxdaily"
    package.mkdir(parents=True)
    monkeypatch.setattr(paths_module, "__file__", str(package / "paths.py"))
    return package


def test_builtin_themes_dir_prefers_the_wheels_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    package = _fake_package(tmp_path, monkeypatch)
    for folder in (package / "_themes", package.parent / "themes"):
        folder.mkdir()
        (folder / "app.tcss").write_text("Screen {}\n")
    assert builtin_themes_dir() == package / "_themes"


def test_builtin_themes_dir_falls_back_to_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    package = _fake_package(tmp_path, monkeypatch)
    (package / "_themes").mkdir()  # a folder without app.tcss does not count
    (package.parent / "themes").mkdir()
    (package.parent / "themes" / "app.tcss").write_text("Screen {}\n")
    assert builtin_themes_dir() == package.parent / "themes"


def test_missing_builtin_themes_names_both_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    package = _fake_package(tmp_path, monkeypatch)
    with pytest.raises(CxDailyError) as caught:
        builtin_themes_dir()
    message = str(caught.value)
    assert str(package / "_themes") in message
    assert str(package.parent / "themes") in message
    assert "\n" not in message

"""Fixtures of the UI tier: an isolated home with a fixed clock, the config file, and the
demo profile's service. The helpers that drive and read the app are in ``pilot_kit.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cxdaily.service import Service
from tests.ui.pilot_kit import UI_NOW_ISO


@pytest.fixture
def ui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated CXDAILY_HOME with the clock fixed at UI_NOW, days counted in UTC."""
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path))
    monkeypatch.setenv("CXDAILY_NOW", UI_NOW_ISO)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    return tmp_path


@pytest.fixture
def write_config(ui_home: Path) -> Callable[[str], Path]:
    """Write ``config.toml`` in the test's CXDAILY_HOME (call before opening the service)."""

    def write(text: str) -> Path:
        path = ui_home / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def service(ui_home: Path) -> Iterator[Service]:
    """The demo profile's service, closed (store lock released) after the test."""
    opened = Service.open("demo")
    try:
        yield opened
    finally:
        opened.close()

"""Shared fixtures: every test runs isolated from the real machine.

- No test may touch a real keyring: an in-memory backend is installed for every test.
- No test may read or write the user's real config or data: ``CXDAILY_HOME`` points to a
  throwaway folder for every test, and the ``CXDAILY_*`` variables of the developer's
  shell are removed.
- ``home`` gives a test its own ``CXDAILY_HOME`` (``tmp_path``) and a fixed clock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # tests run from a source checkout, not an install
    sys.path.insert(0, str(REPO_ROOT))

from cxdaily.core.models import Author, Message, Question  # noqa: E402
from tests.time_kit import FIXED_NOW, FIXED_NOW_ISO  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict, so tests never reach the OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no password for {username!r}") from None


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring installed for every test (the previous one is restored)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep the developer's CXDAILY_* settings and real folders out of every test."""
    for name in list(os.environ):
        if name.startswith("CXDAILY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path_factory.mktemp("cxdaily-default-home")))


@pytest.fixture(autouse=True)
def _replies_go_out_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replies skip the undo window in tests that are about something else, as with
    ``[session] undo_seconds = 0``: a test of the window sets ``undo_seconds`` (or
    ``SessionSettings(undo_s=...)``) itself. A child process keeps the real default."""
    import cxdaily.settings

    monkeypatch.setattr(cxdaily.settings, "DEFAULT_UNDO_S", 0)


@pytest.fixture
def fixed_now() -> datetime:
    """The instant the ``home`` fixture sets CXDAILY_NOW to."""
    return FIXED_NOW


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated CXDAILY_HOME (``tmp_path``) with the clock fixed at FIXED_NOW, in UTC."""
    monkeypatch.setenv("CXDAILY_HOME", str(tmp_path))
    monkeypatch.setenv("CXDAILY_NOW", FIXED_NOW_ISO)
    monkeypatch.setenv("TZ", "UTC")  # the default home time zone follows TZ
    return tmp_path


@pytest.fixture
def subprocess_env(home: Path) -> dict[str, str]:
    """Environment for a child ``python`` that imports cxdaily from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def make_question() -> Callable[..., Question]:
    """Build a Question with sensible defaults; any field can be overridden.

    ``age`` (a timedelta, default 2 h) sets ``created_at`` relative to FIXED_NOW.
    """
    counter = iter(range(1, 1_000_000))

    def build(
        native_id: str | None = None,
        *,
        channel: str = "acme",
        body: str = "How do I export my invoices?",
        title: str | None = None,
        age: timedelta = timedelta(hours=2),
        author: Author | None = None,
        context: tuple[Message, ...] = (),
        meta: dict[str, Any] | None = None,
        now: datetime = FIXED_NOW,
        **overrides: Any,
    ) -> Question:
        native = native_id or str(next(counter))
        fields: dict[str, Any] = {
            "id": Question.make_id(channel, native),
            "channel": channel,
            "kind": "zendesk",
            "native_id": native,
            "thread_id": native,
            "url": f"https://acme.example/tickets/{native}",
            "author": author
            if author is not None
            else Author(id=f"u{native}", handle=f"user{native}@example.com", name="Jane Doe"),
            "title": title,
            "body": body,
            "created_at": now - age,
            "context": context,
            "meta": dict(meta or {}),
        }
        fields.update(overrides)
        return Question(**fields)

    return build

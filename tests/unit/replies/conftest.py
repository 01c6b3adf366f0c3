"""Fixtures of the outbox tests: a service over a scripted connector, with a movable clock.

``scripted`` is a :class:`cxdaily.service.Service` on an isolated data folder whose one
channel, ``portal``, is a :class:`ScriptedConnector`: each test says what the next
posts do (succeed, fail with a given error) and what the thread holds, and reads back
what was posted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxdaily.connectors import connector_class
from cxdaily.connectors.base import Connector
from cxdaily.paths import locations
from cxdaily.service import Service
from cxdaily.settings import ChannelSettings, SessionSettings, Settings
from tests.time_kit import FIXED_NOW
from tests.unit.replies.outbox_kit import Clock, Script, ScriptedConnector, question


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> Script:
    fresh = Script()
    monkeypatch.setattr(ScriptedConnector, "script", fresh)
    return fresh


def with_scripted(kind: str) -> type[Connector]:
    """The connector registry of the scripted service: ``scripted``, then the built-in kinds."""
    return ScriptedConnector if kind == "scripted" else connector_class(kind)


@pytest.fixture
def open_scripted(home: Path, script: Script, clock: Clock):
    """Open (and reopen: a restart) the scripted service; every one is closed at the end.
    ``undo_s`` is ``[session] undo_seconds`` (not set: replies go out at once in tests)."""
    opened: list[Service] = []

    def open_service(undo_s: int | None = None, **options: Any) -> Service:
        for service in opened:
            service.close()
        channel = ChannelSettings(name="portal", kind="scripted", options=options)
        session = SessionSettings(timezone="Europe/Berlin", undo_s=undo_s)
        settings = Settings(session=session, channels={"portal": channel})
        service = Service(locations(), settings, now=clock, connectors=with_scripted)
        opened.append(service)
        if not service.store.questions.all():
            service.store.questions.upsert_many([question("q1"), question("q2")])
        return service

    yield open_service
    for service in opened:
        service.close()


@pytest.fixture
def scripted(open_scripted) -> Iterator[Service]:
    """The scripted service, opened once."""
    yield open_scripted()

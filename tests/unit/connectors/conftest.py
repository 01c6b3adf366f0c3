"""Shared fixtures for connector tests: an in-memory keyring, a fake sleep, mock HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend

from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict: tests never touch the machine's real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Every test gets a fresh in-memory keyring and no CXDAILY_SECRET_ variables."""
    import os

    for name in list(os.environ):
        if name.startswith("CXDAILY_SECRET_"):
            monkeypatch.delenv(name)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class FakeSleep:
    """Records requested sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def fake_sleep() -> FakeSleep:
    """A sleep that returns at once and remembers how long it was asked to wait."""
    return FakeSleep()


Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def mock_http(fake_sleep: FakeSleep):
    """Build a ChannelHttp whose client answers with ``handler`` (an httpx.MockTransport)."""
    clients: list[httpx.AsyncClient] = []

    def build(handler: Handler, *, policy: HttpPolicy | None = None, **kwargs) -> ChannelHttp:
        client = make_client(transport=httpx.MockTransport(handler))
        clients.append(client)
        return ChannelHttp(
            client,
            channel="test",
            policy=policy or HttpPolicy(),
            sleep=fake_sleep,
            rand=lambda: 0.0,
            **kwargs,
        )

    return build

"""Shared fixtures for connector tests: a fake sleep and mock HTTP (the in-memory keyring
is installed for every test by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client


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

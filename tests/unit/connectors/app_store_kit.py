"""What the app_store unit tests share: the fake App Store Connect behind a
``MockTransport`` (every request recorded), a settable clock, and a connector built on
them with a recorded sleep."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from cxdaily.connectors.app_store import AppStoreConnector
from cxdaily.connectors.http import ChannelHttp, HttpPolicy, make_client
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings
from tests.integration.app_store_fake_kit import (
    API_HOST,
    APP_ID,
    ISSUER,
    KEY_ID,
)
from tests.integration.loopback_kit import FakeWire

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


class Wire(FakeWire):
    """The fake behind a MockTransport; records every request (hosts included)."""

    def lists(self) -> list[httpx.Request]:
        """The requests for a page of reviews."""
        return [r for r in self.requests if r.url.path.endswith("/customerReviews")]


class Clock:
    """A clock the test sets (``now``)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build(fake, fake_sleep, *, clock=None, policy=None, **options):
    """An ``app_store`` channel named ``ios`` talking to ``fake``: ``(connector, wire)``."""
    base = options.get("base_url", API_HOST)
    wire = Wire(fake, httpx.URL(base).path.rstrip("/"))
    options = {"app_id": APP_ID, "issuer_id": ISSUER, "key_id": KEY_ID, **options}
    settings = ChannelSettings(name="ios", kind="app_store", options=options)
    client = make_client(transport=httpx.MockTransport(wire))
    connector = AppStoreConnector(
        settings, client=client, secrets=secret_reader("ios"), now=clock or Clock()
    )
    connector.http = ChannelHttp(
        client, channel="ios", sleep=fake_sleep, rand=lambda: 0.0,
        wall_clock=lambda: NOW.timestamp(), policy=policy or HttpPolicy(),
    )  # fmt: skip
    return connector, wire

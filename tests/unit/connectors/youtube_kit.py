"""Helpers the youtube channel's tests share: the connector over the fake of the YouTube
Data API (every request recorded), and the OAuth client's secrets in the environment."""

from __future__ import annotations

import httpx
import pytest

from cxdaily.connectors.http import ChannelHttp, make_client
from cxdaily.connectors.oauth import PROCESS_TOKENS
from cxdaily.connectors.youtube import YouTubeConnector
from cxdaily.credentials import secret_reader
from cxdaily.settings import ChannelSettings
from tests.integration.youtube_fake_kit import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    YouTubeFake,
    mock_transport,
)
from tests.unit.connectors.recorder_kit import Recorder as RecorderBase


@pytest.fixture(autouse=True)
def secrets_in_env(monkeypatch):
    """Each test starts without cached tokens, with the OAuth client's secrets in the env."""
    PROCESS_TOKENS.clear()
    monkeypatch.setenv("CXDAILY_SECRET_YT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CXDAILY_SECRET_YT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("CXDAILY_SECRET_YT_REFRESH_TOKEN", REFRESH_TOKEN)
    yield
    PROCESS_TOKENS.clear()


class Recorder(RecorderBase):
    """Every request the connector sent, and a hook answering some of them first."""

    def to(self, last: str, method: str = "GET") -> list[httpx.Request]:
        """The requests to the endpoint whose path ends with ``last``."""
        return [r for r in self.requests if r.method == method and r.url.path.endswith(last)]


def build(fake: YouTubeFake, sleep=None, now=None, **options) -> tuple[YouTubeConnector, Recorder]:
    """The connector over ``fake``, every request recorded, sleeps recorded by ``sleep``."""
    recorder = Recorder()
    settings = ChannelSettings(
        name="yt", kind="youtube", options={"channel_id": fake.channel_id, **options}
    )
    client = make_client(transport=mock_transport(fake, recorder))
    connector = YouTubeConnector(settings, client=client, secrets=secret_reader("yt"), now=now)
    if sleep is not None:
        connector.http = ChannelHttp(client, channel="yt", sleep=sleep, rand=lambda: 0)
    return connector, recorder


def walk(rec: Recorder) -> list[httpx.Request]:
    """The requests of the walk down the channel's comment threads (not the followed
    threads read again by id)."""
    return [r for r in rec.to("/commentThreads") if "allThreadsRelatedToChannelId" in r.url.params]


def held(checkpoint: dict) -> dict:
    """A checkpoint without the followed threads (see :mod:`cxdaily.connectors.youtube_follow`)."""
    return {key: value for key, value in checkpoint.items() if key != "follow"}

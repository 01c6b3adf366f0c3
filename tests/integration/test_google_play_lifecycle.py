"""The ``google_play`` kind through the whole command line and the app, against a loopback
fake of the Google Play Developer API and Google's token endpoint: add, login (the
service account's JSON key into the keyring), test, fetch, batch, reply, a second fetch,
and a reply from the app."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.google_play_fake_kit import KEY_BODY, GooglePlayFake, key_json

NOW = "2026-12-04T09:00:00Z"
SECRETS = (KEY_BODY, "ya29.play-access")


def app() -> tuple[GooglePlayFake, dict[str, str]]:
    """Two questions and one review the developer answered in Play Console."""
    fake = GooglePlayFake()
    reviews = {
        "ana": fake.review("ana", "Sync stopped working after the update", stars=2),
        "answered": fake.review("cy", "Where are my archived notes?"),
        "ben": fake.review("ben", "Please add a dark mode", stars=4),
    }
    fake.answer(reviews["answered"], "Under Menu > Archive.")
    return fake, reviews


def start(tmp_path, loopback) -> tuple[GooglePlayFake, dict[str, str], ChannelHome, Any]:
    """The fake on loopback, and a home with the channel added and logged in."""
    fake, reviews = app()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add(
        "play",
        "google_play",
        package_name=fake.package,
        base_url=f"{server.url}/androidpublisher/v3",
        token_url=f"{server.url}/token",
    )
    home.login("play", {"": key_json()})
    return fake, reviews, home, server


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


def review_lists(server) -> list[dict[str, str]]:
    """The query of every review list the server answered."""
    return [
        {k: v[0] for k, v in seen.query.items()}
        for seen in server.requests
        if seen.method == "GET" and seen.path.endswith("/reviews")
    ]


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, reviews, home, server = start(tmp_path, loopback)
    said: list[str] = []
    checked = run(home, said, "channels", "test", "play")
    assert f"play: ok: package {fake.package} readable" in checked
    run(home, said, "fetch")
    batch = home.batch()
    by_review = {item["id"].split(":", 1)[1]: item["id"] for item in batch}
    assert set(by_review) == {reviews["ana"], reviews["ben"]}  # not the answered one

    run(home, said, "reply", by_review[reviews["ana"]], "--text", "Fixed in 4.12.1.", "--yes")
    assert fake.posted == [(reviews["ana"], {"replyText": "Fixed in 4.12.1."})]
    assert fake.reply_text(reviews["ana"]) == "Fixed in 4.12.1."
    (sent,) = home.outbox()
    assert sent["state"] == "sent" and sent["remote_id"] == reviews["ana"]

    server.requests.clear()
    fresh = fake.review("cy", "Can I export to PDF?", stars=4)
    fetched = [json.loads(line) for line in run(home, said, "fetch", "--json").splitlines()]
    (again,) = review_lists(server)
    assert again == {"maxResults": "100"}  # the newest page only, no page token
    assert [q["native_id"] for q in fetched] == [fresh]
    assert fetched[0]["meta"]["rating"] == 4 and fetched[0]["author"]["name"] == "Cy Park"
    assert set(home.batch_ids()) == {by_review[reviews["ben"]], f"play:{fresh}"}
    assert_secrets_kept(home, said)


async def test_a_reply_sent_from_the_app_reaches_the_review(tmp_path, loopback, monkeypatch):
    fake, reviews, home, _ = start(tmp_path, loopback)
    said: list[str] = []
    run(home, said, "fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we are on it.")
    assert len(fake.posted) == 1, fake.posted
    review, body = fake.posted[0]
    assert question_id == f"play:{review}" and review in (reviews["ana"], reviews["ben"])
    assert body == {"replyText": "Thanks, we are on it."}
    assert_secrets_kept(home, said)

"""The ``x`` kind through the whole command line and the app, against a loopback fake of
the X API: add, login into the keyring, test, fetch, batch, reply, a second fetch that
asks only for what is new, and a reply sent from the app."""

import json

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.x_fake_kit import BRAND_ID, CLIENT_ID, REFRESH, TOKEN, FakeX

NOW = "2026-12-04T09:00:00Z"
JANE, OMAR = "2000000000000000001", "2000000000000000002"


def brand() -> tuple[FakeX, dict[str, str]]:
    """Two mentions waiting and one the brand already answered."""
    fake = FakeX()
    fake.add_user(JANE, "jane_roe", "Jane Roe", followers=1234)
    fake.add_user(OMAR, "omar", "Omar K", followers=5)
    ids = {"answered": fake.mention(JANE, "@acme is the API down?")["id"]}
    fake.brand_replies(ids["answered"], "It is back up.")
    ids["export"] = fake.mention(JANE, "@acme my invoice export fails every time")["id"]
    ids["ship"] = fake.mention(OMAR, "@acme do you ship to Norway?")["id"]
    return fake, ids


def home_with_x(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its access token stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("social", "x", base_url=server.url, web_url="https://x.com", user_id=BRAND_ID)
    home.login("social", {"": TOKEN})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, ids = brand()
    server = loopback(fake.handler)
    home = home_with_x(tmp_path, server)
    outputs = [home.ok("channels", "test", "social")]
    assert "signed in as @acme" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == sorted(
        [f"social:{ids['export']}", f"social:{ids['ship']}"]
    )  # the answered mention is not there
    target = f"social:{ids['ship']}"
    outputs.append(home.ok("reply", target, "--text", "Yes, we ship to Norway.", "--yes"))
    assert fake.replies == [
        {"text": "Yes, we ship to Norway.", "reply": {"in_reply_to_tweet_id": ids["ship"]}}
    ]
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in server.requests)

    newer = fake.mention(OMAR, "@acme thanks! and to Iceland?")["id"]
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    mentions = [s for s in server.requests[before:] if s.path.endswith("/mentions")]
    assert [s.query["since_id"] for s in mentions] == [[ids["ship"]]]
    assert all("start_time" not in s.query for s in mentions)
    ids_now = {item["id"] for item in home.batch()}
    assert f"social:{newer}" in ids_now and target not in ids_now
    assert len(fake.replies) == 1
    assert all(TOKEN not in text for text in outputs)
    assert TOKEN not in home.files_text()
    json.dumps(outputs)


async def test_a_reply_sent_from_the_app_reaches_x(tmp_path, loopback, monkeypatch):
    fake, ids = brand()
    server = loopback(fake.handler)
    home = home_with_x(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we are on it.")
    tweet_id = question_id.split(":", 1)[1]
    assert tweet_id in (ids["export"], ids["ship"])
    assert fake.replies == [
        {"text": "Thanks, we are on it.", "reply": {"in_reply_to_tweet_id": tweet_id}}
    ]
    assert TOKEN not in home.files_text()


def test_two_runs_after_x_rotates_the_refresh_token(tmp_path, loopback):
    fake, _ = brand()
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add("social", "x", base_url=server.url, user_id=BRAND_ID, client_id=CLIENT_ID)
    home.login("social", {"": TOKEN, "refresh_token": REFRESH})
    fake.expire_token()
    outputs = [home.ok("fetch")]
    assert [form["refresh_token"] for form in fake.refreshes] == [[REFRESH]]
    fake.expire_token()  # two hours later: the second run needs the rotated refresh token
    outputs.append(home.ok("fetch"))
    assert fake.refreshes[-1]["refresh_token"] == [f"{REFRESH}-rotated-1"]
    outputs.append(home.ok("fetch"))  # a third run uses the access token stored by the second
    assert len(fake.refreshes) == 2 and len(home.batch_ids()) == 2
    secrets = (TOKEN, REFRESH)
    assert not any(s in text for text in outputs for s in secrets)
    assert not any(s in home.files_text() for s in secrets)

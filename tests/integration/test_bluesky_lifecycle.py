"""The ``bluesky`` kind through the whole command line and the app, against a loopback
fake of a Bluesky PDS: add, login into the keyring, test, fetch, batch, reply, a second
fetch that asks only for what is new, and a reply sent from the app."""

import json

from tests.integration.bluesky_fake_kit import DID, HANDLE, PASSWORD, FakeBluesky
from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app

NOW = "2026-12-04T09:00:00Z"


def account() -> FakeBluesky:
    """Two mentions waiting and one the brand answered from the Bluesky app."""
    fake = FakeBluesky()
    fake.mention("jane.bsky.social", "@brand.bsky.social my invoice export fails every time")
    fake.mention("omar.example.com", "@brand.bsky.social can I change my billing email?")
    answered = fake.mention("jane.bsky.social", "@brand.bsky.social I forgot my password")
    fake.brand_replies(answered, "Here is the reset link.")
    return fake


def home_with_bluesky(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its app password stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("bsky", "bluesky", base_url=server.url, handle=HANDLE)
    home.login("bsky", {"": PASSWORD})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = account()
    server = loopback(fake.handler)
    home = home_with_bluesky(tmp_path, server)
    outputs = [home.ok("channels", "test", "bsky")]
    assert f"signed in as @{HANDLE}" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    ids = sorted(item["id"] for item in batch)
    assert len(ids) == 2 and all(i.startswith("bsky:at://did:plc:") for i in ids)
    jane = next(i for i in ids if "jane" in i)
    outputs.append(
        home.ok("reply", jane, "--text", "Thanks Jane, fixed: https://acme.example", "--yes")
    )
    [posted] = fake.replies
    parent_uri = jane.removeprefix("bsky:")
    assert posted["repo"] == DID and len(posted["rkey"]) == 13
    assert posted["record"]["text"] == "Thanks Jane, fixed: https://acme.example"
    assert posted["record"]["reply"]["parent"] == {
        "uri": parent_uri, "cid": fake.posts[parent_uri]["cid"]}  # fmt: skip
    assert posted["record"]["facets"][0]["features"][0]["uri"] == "https://acme.example"

    fake.mention("omar.example.com", "@brand.bsky.social any news?")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    lists = [s for s in again if s.path.endswith("listNotifications")]
    assert len(lists) == 1 and lists[0].query["reasons"] == ["mention", "reply", "quote"]
    threads = [s for s in again if s.path.endswith("getPostThread")]
    assert len(threads) == 1  # only the new mention was read
    assert len(home.batch_ids()) == 2 and jane not in home.batch_ids()
    assert len(fake.replies) == 1
    assert all(PASSWORD not in text for text in outputs)
    assert PASSWORD not in home.files_text()
    assert not any(token in home.files_text() for token in fake.access | fake.refresh_tokens)
    json.dumps(fake.replies)


async def test_a_reply_sent_from_the_app_reaches_bluesky(tmp_path, loopback, monkeypatch):
    fake = account()
    server = loopback(fake.handler)
    home = home_with_bluesky(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    [posted] = fake.replies
    assert posted["record"]["text"] == "Thanks, we fixed it."
    assert posted["record"]["reply"]["parent"]["uri"] == question_id.removeprefix("bsky:")
    assert PASSWORD not in home.files_text()


def test_runs_reuse_the_stored_session_and_refresh_it_when_expired(tmp_path, loopback):
    fake = account()
    server = loopback(fake.handler)
    home = home_with_bluesky(tmp_path, server)
    outputs = [home.ok("fetch"), home.ok("fetch")]
    assert fake.sessions_created == 1  # the second run signed in with the stored session
    fake.expire_tokens()
    outputs.append(home.ok("fetch"))
    assert fake.refreshed == 1 and fake.sessions_created == 1
    fake.expire_tokens()
    fake.refresh_tokens.clear()  # the stored session was revoked: sign in again
    outputs.append(home.ok("fetch"))
    assert fake.sessions_created == 2 and len(home.batch_ids()) == 2
    tokens = fake.access | fake.expired | {PASSWORD}
    assert not any(token in text for text in outputs for token in tokens)
    assert not any(token in home.files_text() for token in tokens)

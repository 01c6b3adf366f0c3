"""The ``mastodon`` kind through the whole command line and the app, against a loopback
fake of a Mastodon instance: add, login into the keyring, test, fetch, batch, reply in
the thread (once, with the idempotency key), a second fetch that asks only for what is
new, and a reply sent from the app."""

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.mastodon_fake_kit import BOB, JANE, TOKEN, FakeMastodon

NOW = "2026-12-04T09:00:00Z"


def instance() -> tuple[FakeMastodon, dict, dict]:
    """Two mentions waiting for an answer and one the brand answered in Mastodon."""
    fake = FakeMastodon()
    export = fake.mention(JANE, "My invoice export fails every time, can you help?")
    billing = fake.mention(BOB, "How do I change the billing email on my account?")
    answered = fake.mention(JANE, "Is the API down right now?")
    fake.brand_replies(answered["id"], "It is back, sorry about that.")
    return fake, export, billing


def home_with_mastodon(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its access token stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("fedi", "mastodon", base_url=server.url)
    home.login("fedi", {"": TOKEN})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake, export, billing = instance()
    server = loopback(fake.handler)
    home = home_with_mastodon(tmp_path, server)
    outputs = [home.ok("channels", "test", "fedi")]
    assert "signed in as @acme on 127.0.0.1" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == sorted(
        [f"fedi:{export['id']}", f"fedi:{billing['id']}"]
    )  # the answered mention is not there
    outputs.append(
        home.ok("reply", f"fedi:{export['id']}", "--text", "Thanks Jane, it is fixed.", "--yes")
    )
    [posted] = fake.posted
    assert posted["status"] == "@jane Thanks Jane, it is fixed."
    assert posted["in_reply_to_id"] == export["id"] and posted["visibility"] == "public"
    assert posted["idempotency_key"]
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in server.requests)

    newest = fake.notifications[-1]["id"]
    later = fake.mention(BOB, "Any news on the billing email?", reply_to=billing["id"])
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    lists = [s for s in server.requests[before:] if s.path == "/api/v1/notifications"]
    assert [s.query["min_id"] for s in lists] == [[newest]]
    assert all(s.query["types[]"] == ["mention"] for s in lists)
    assert f"fedi:{later['id']}" in [item["id"] for item in home.batch()]
    assert len(fake.posted) == 1
    assert all(TOKEN not in text for text in outputs)
    assert TOKEN not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_mastodon(tmp_path, loopback, monkeypatch):
    fake, _, _ = instance()
    server = loopback(fake.handler)
    home = home_with_mastodon(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    status_id = question_id.split(":")[1]
    [posted] = fake.posted
    assert posted["in_reply_to_id"] == status_id
    assert posted["status"].endswith("Thanks, we fixed it.")
    assert posted["status"].startswith("@")
    assert TOKEN not in home.files_text()

"""The ``reddit`` kind through the whole command line and the app, against a loopback fake
of Reddit (API and token endpoint on one server): add, login of both secrets into the
keyring, test, fetch, batch, reply, a second fetch that reads only what is new, and a
reply sent from the app."""

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.reddit_fake_kit import (
    BRAND,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    FakeReddit,
)

NOW = "2026-12-04T09:00:00Z"


def community() -> FakeReddit:
    """A reply to the brand's post, a mention, and a question the brand already answered."""
    fake = FakeReddit()
    post = fake.post("acme", BRAND, "Release notes 2.0", "We shipped 2.0.")
    fake.comment(f"t3_{post}", "jane", "Does 2.0 fix **sync**?")
    other = fake.post("acme", "bob", "Export", "Export is broken.")
    fake.comment(f"t3_{other}", "carl", "u/acme_support can you help with export?")
    answered = fake.comment(f"t3_{post}", "dana", "Where are the docs?")
    fake.comment(f"t1_{answered}", BRAND, "Here: https://acme.example/docs")
    fake.karma.update(jane=(3, 4), carl=(10, 0), dana=(1, 1))
    return fake


def home_with_reddit(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and both secrets stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("social", "reddit", base_url=server.url, auth_url=server.url, username=BRAND,
             client_id=CLIENT_ID)  # fmt: skip
    home.login("social", {"client_secret": CLIENT_SECRET, "password": PASSWORD})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = community()
    server = loopback(fake.handler)
    home = home_with_reddit(tmp_path, server)
    outputs = [home.ok("channels", "test", "social")]
    assert f"signed in as u/{BRAND}" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    by_body = {item["id"]: item for item in batch}
    assert sorted(by_body) == ["social:t1_a0002", "social:t1_a0004"]  # answered one settled
    outputs.append(home.ok("reply", "social:t1_a0002", "--text", "Yes, sync is fixed.", "--yes"))
    assert fake.replies == [{"thing_id": "t1_a0002", "text": "Yes, sync is fixed."}]
    posts = [s for s in server.requests if s.method == "POST" and s.path == "/api/comment"]
    assert len(posts) == 1 and posts[0].headers["authorization"].startswith("bearer tok-")
    assert all(f"(by /u/{BRAND})" in s.headers["user-agent"] for s in server.requests)

    fake.now += 3600
    fake.comment("t3_a0001", "erin", "And the API?")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = [s for s in server.requests[before:] if s.path == "/message/inbox"]
    assert len(again) == 1 and again[0].query["limit"] == ["100"]
    ids = [item["id"] for item in home.batch()]
    assert "social:t1_a0008" in ids and "social:t1_a0002" not in ids
    assert len(fake.replies) == 1
    for secret in (CLIENT_SECRET, PASSWORD, *fake.tokens):
        assert all(secret not in text for text in outputs)
        assert secret not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_reddit(tmp_path, loopback, monkeypatch):
    fake = community()
    server = loopback(fake.handler)
    home = home_with_reddit(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert fake.replies == [{"thing_id": question_id.split(":")[1], "text": "Thanks, we fixed it."}]
    assert CLIENT_SECRET not in home.files_text() and PASSWORD not in home.files_text()

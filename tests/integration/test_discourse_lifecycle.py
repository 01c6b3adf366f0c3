"""The ``discourse`` kind through the whole command line and the app, against a loopback
fake of a Discourse forum: add, login into the keyring, test, fetch, batch, reply, a
second fetch that asks only for the posts that are new, and a reply sent from the app."""

import json

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.discourse_fake_kit import API_KEY, BOT, FakeDiscourse

NOW = "2026-12-04T09:00:00Z"


def forum() -> FakeDiscourse:
    """Two open questions and one a staff member answered."""
    fake = FakeDiscourse()
    export = fake.topic("Invoice export", "My invoice export fails every time.")
    fake.topic("Billing email", "Can I change the billing email on my account?", by="omar")
    password = fake.topic("Password", "I forgot my password.")
    fake.write(password, "Here is the reset link.", by="anna", reply_to=1)
    fake.write(export, "Same for me since Monday.", by="omar", reply_to=1)
    return fake


def home_with_discourse(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its API key stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("forum", "discourse", base_url=server.url, api_username=BOT, categories="support")
    home.login("forum", {"": API_KEY})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = forum()
    server = loopback(fake.handler)
    home = home_with_discourse(tmp_path, server)
    outputs = [home.ok("channels", "test", "forum")]
    assert f"signed in as {BOT} (staff)" in outputs[0] and "127.0.0.1" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == ["forum:100", "forum:101", "forum:104"]
    first = next(item["id"] for item in batch if item["id"] == "forum:104")
    outputs.append(home.ok("reply", first, "--text", "Thanks Omar, it is fixed now.", "--yes"))
    assert fake.replies == [
        {"topic_id": 10, "raw": "Thanks Omar, it is fixed now.", "reply_to_post_number": 2}
    ]
    assert all(s.headers["api-key"] == API_KEY for s in server.requests)
    assert all(s.headers["api-username"] == BOT for s in server.requests)

    fake.write(11, "Any news on this?", by="omar")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    pages = [s for s in again if s.path == "/posts.json"]
    assert [s.query for s in pages] == [{}]  # the newest page reaches the checkpoint
    topics_read = {s.path for s in again if s.path.startswith("/t/")}
    assert topics_read == {"/t/10.json", "/t/11.json"}  # our reply in 10 settles it
    assert sorted(item["id"] for item in home.batch()) == ["forum:101", "forum:106"]
    assert len(fake.replies) == 1
    assert all(API_KEY not in text for text in outputs)
    assert API_KEY not in home.files_text()
    json.dumps(fake.replies)


async def test_a_reply_sent_from_the_app_reaches_the_forum(tmp_path, loopback, monkeypatch):
    fake = forum()
    server = loopback(fake.handler)
    home = home_with_discourse(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    post = fake.posts[int(question_id.split(":")[1])]
    assert fake.replies == [
        {"topic_id": post["topic_id"], "raw": "Thanks, we fixed it.",
         "reply_to_post_number": post["post_number"]}
    ]  # fmt: skip
    assert fake.posts[max(fake.posts)]["username"] == BOT
    assert API_KEY not in home.files_text()

"""The ``wordpress`` kind through the whole command line and the app, against a loopback
fake of a WordPress site's REST API: add, login of the application password into the
keyring, test, fetch, batch, reply, a second fetch that asks only for what is new, and a
reply sent from the app."""

import base64

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.wordpress_fake_kit import APP_PASSWORD, OUR_ID, USERNAME, FakeWordPress

NOW = "2026-12-04T09:00:00Z"
AUTH = "Basic " + base64.b64encode(f"{USERNAME}:{''.join(APP_PASSWORD.split())}".encode()).decode()


def blog() -> FakeWordPress:
    """A visitor's question, a held comment, and a comment our user already answered."""
    fake = FakeWordPress()
    post = fake.post("Release 2.0")
    fake.comment(post, "Does 2.0 fix <b>sync</b>?")  # comment 2
    fake.comment(post, "Is there a refund?", name="Carl", status="hold")  # comment 3
    answered = fake.comment(post, "Where are the docs?", name="Dana")  # comment 4
    fake.reply_by_us(answered, "Here: https://acme.example/docs")
    return fake


def home_with_wordpress(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its application password stored."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("blog", "wordpress", base_url=server.url, username=USERNAME)
    home.login("blog", {"": APP_PASSWORD})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = blog()
    server = loopback(fake.handler)
    home = home_with_wordpress(tmp_path, server)
    outputs = [home.ok("channels", "test", "blog")]
    assert "signed in as Acme Support on 127.0.0.1" in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == ["blog:1:2", "blog:1:3"]  # 4 was answered
    outputs.append(home.ok("reply", "blog:1:2", "--text", "Yes, sync is fixed.", "--yes"))
    assert fake.posted == [{"post": 1, "parent": 2, "content": "Yes, sync is fixed."}]
    reply = max(fake.comments)
    assert fake.comments[reply]["parent"] == 2 and fake.comments[reply]["author"] == OUR_ID
    posts = [s for s in server.requests if s.method == "POST"]
    assert len(posts) == 1 and posts[0].path == "/wp-json/wp/v2/comments"
    assert all(s.headers["authorization"] == AUTH for s in server.requests)

    fake.tick(1)
    later = fake.comment(1, "And the API?", name="Erin")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    lists = [s for s in server.requests[before:] if s.path == "/wp-json/wp/v2/comments"]
    assert sorted(s.query["status"][0] for s in lists) == ["approve", "hold"]
    assert all(s.query["after"] == ["2026-12-03T08:20:00"] for s in lists)  # a day back
    ids = [item["id"] for item in home.batch()]
    assert f"blog:1:{later}" in ids and "blog:1:2" not in ids
    assert len(fake.posted) == 1
    for text in outputs:
        assert APP_PASSWORD not in text and AUTH[6:] not in text
    files = home.files_text()
    assert APP_PASSWORD not in files and "".join(APP_PASSWORD.split()) not in files
    assert AUTH[6:] not in files


async def test_a_reply_sent_from_the_app_reaches_wordpress(tmp_path, loopback, monkeypatch):
    fake = blog()
    server = loopback(fake.handler)
    home = home_with_wordpress(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    _, post, comment = question_id.split(":")
    assert fake.posted == [
        {"post": int(post), "parent": int(comment), "content": "Thanks, we fixed it."}
    ]
    assert APP_PASSWORD not in home.files_text()

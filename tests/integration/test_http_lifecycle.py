"""The ``http`` kind through the whole command line and the app, against a loopback API:
add, login into the keyring, test, fetch, batch, reply, and a reply sent from the app."""

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.loopback_kit import Answer

QS = [
    {
        "id": "1",
        "body": "How do I export my invoices? It keeps failing.",
        "created_at": "2026-12-04T08:00:00Z",
        "author": {"name": "Jane"},
    },
    {
        "id": "2",
        "body": "Can I change the billing email on my account?",
        "created_at": "2026-12-04T08:10:00Z",
        "author": {"name": "Ravi"},
    },
]


def test_add_login_test_fetch_and_reply_from_the_command_line(tmp_path, loopback):
    replies = []

    def handler(seen):
        if seen.method == "POST":
            replies.append(seen)
            return Answer(201, {"id": f"r{len(replies)}"})
        if seen.path.startswith("/thread"):
            return Answer(200, [])
        assert seen.headers.get("authorization") == "Bearer S3CRET-TOKEN", seen.headers
        return Answer(200, QS)

    server = loopback(handler)
    home = ChannelHome(tmp_path, now="2026-12-04T09:00:00Z")
    home.add("api", "http", url=server.url + "/q", reply_url=server.url + "/reply")
    home.login("api", {"": "S3CRET-TOKEN"})
    home.ok("channels", "test", "api")
    home.ok("fetch")
    ids = home.batch_ids()
    assert len(ids) == 2
    home.ok("reply", ids[0], "--text", "Thanks Jane, here is how.", "--yes")
    assert len(replies) == 1
    assert "S3CRET" not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_the_service(tmp_path, loopback, monkeypatch):
    replies = []

    def handler(seen):
        if seen.method == "POST":
            replies.append(seen)
            return Answer(201, {"id": f"r{len(replies)}"})
        return Answer(200, QS)

    server = loopback(handler)
    home = ChannelHome(tmp_path, now="2026-12-04T09:00:00Z")
    home.add("api", "http", url=server.url + "/q", reply_url=server.url + "/reply")
    home.login("api", {"": "S3CRET-TOKEN"})
    home.ok("fetch")
    await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert len(replies) == 1, replies
    assert b"Thanks, we fixed it." in replies[0].body

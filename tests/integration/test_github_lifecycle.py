"""The ``github`` kind through the whole command line and the app, against a loopback fake
of GitHub's REST and GraphQL APIs: add, login into the keyring, test, fetch, batch,
reply to an issue, a second fetch that asks only for what changed, and a reply sent from
the app."""

import json

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.github_fake_kit import BOT, REPO, TOKEN, FakeGitHub

NOW = "2026-12-04T09:00:00Z"


def tracker() -> FakeGitHub:
    """Two issues and a discussion asking, one issue the team answered, one of the team's."""
    fake = FakeGitHub(page_size=2)
    fake.open_issue(1, "Invoice export", "My invoice export fails every time.")
    fake.open_issue(2, "Roadmap", "Planned work.", login="anna", association="MEMBER")
    fake.open_issue(3, "Login loop", "I cannot log in.")
    fake.comment(3, "Clear your cookies, please.", login="anna", association="MEMBER")
    fake.open_issue(4, "Billing email", "Can I change the billing email?", login="carol")
    fake.open_discussion(5, "Proxy support?", "Does it work behind a proxy?")
    return fake


def home_with_github(tmp_path, server, fake: FakeGitHub) -> ChannelHome:
    """A leader's home with the channel added and its token stored by ``login``."""
    fake.origin = server.url
    home = ChannelHome(tmp_path, now=NOW)
    home.add("oss", "github", base_url=server.url, repos=REPO, discussions="true")
    home.login("oss", {"": TOKEN})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = tracker()
    server = loopback(fake.handler)
    home = home_with_github(tmp_path, server, fake)
    outputs = [home.ok("channels", "test", "oss")]
    assert f"signed in as {BOT}" in outputs[0] and "repos: 1 readable" in outputs[0]
    outputs.append(home.ok("fetch"))
    newest = max(issue["updated_at"] for issue in fake.issues[REPO].values())
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == [
        "oss:acme/widgets#1",
        "oss:acme/widgets#4",
        "oss:acme/widgets#5",
    ]  # the answered issue and the team's own are not there
    outputs.append(
        home.ok("reply", "oss:acme/widgets#1", "--text", "Thanks, it is fixed in 2.1.", "--yes")
    )
    assert fake.replies == [("acme/widgets#1", {"body": "Thanks, it is fixed in 2.1."})]
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in server.requests)
    assert all(s.headers["x-github-api-version"] == "2022-11-28" for s in server.requests)

    fake.comment(4, "Any news on this?", login="carol")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    lists = [s for s in again if s.path == f"/repos/{REPO}/issues"]
    assert lists[0].query["since"] == [newest]  # the newest update the first fetch saw
    assert lists[0].query["direction"] == ["asc"] and lists[0].query["state"] == ["open"]
    read = sorted({s.path for s in again if s.path.endswith("/comments")})
    assert read == [f"/repos/{REPO}/issues/1/comments", f"/repos/{REPO}/issues/4/comments"]
    graphql = [json.loads(s.body) for s in again if s.path == "/graphql"]
    assert len(graphql) == 1  # the first page of discussions reaches the checkpoint
    assert sorted(home.batch_ids()) == ["oss:acme/widgets#4", "oss:acme/widgets#5"]
    assert len(fake.replies) == 1
    assert all(TOKEN not in text for text in outputs)
    assert TOKEN not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_github(tmp_path, loopback, monkeypatch):
    fake = tracker()
    server = loopback(fake.handler)
    home = home_with_github(tmp_path, server, fake)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    thread = question_id.split(":", 1)[1]
    assert fake.replies == [(thread, {"body": "Thanks, we fixed it."})]
    assert TOKEN not in home.files_text()

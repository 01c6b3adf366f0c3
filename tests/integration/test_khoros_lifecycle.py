"""The ``khoros`` kind through the whole command line and the app, against a loopback fake
of a Khoros Community: add, login (three secret fields) into the keyring, test, fetch,
batch, reply, a second fetch that asks only for the messages that are new, and a reply
sent from the app."""

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.khoros_fake_kit import BOT, SECRETS, FakeKhoros, stamp

NOW = "2026-12-04T09:00:00Z"


def community() -> FakeKhoros:
    """Three open questions (one a reply) and one a moderator answered."""
    fake = FakeKhoros()
    export = fake.post("Invoice export", "My invoice export fails every time.")
    fake.post("Billing email", "Can I change the billing email?", by="omar")
    password = fake.post("Password", "I forgot my password.")
    fake.post("Re: Password", "Here is the reset link.", by="anna_mod", parent=password)
    fake.post("Re: Invoice export", "Same for me since Monday.", by="omar", parent=export)
    return fake


def home_with_khoros(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its three secrets stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("community", "khoros", base_url=server.url, boards="support,billing")
    home.login("community", SECRETS)
    return home


def searches(requests) -> list[str]:
    return [s.query["q"][0] for s in requests if s.path == "/api/2.0/search"]


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = community()
    server = loopback(fake.handler)
    home = home_with_khoros(tmp_path, server)
    outputs = [home.ok("channels", "test", "community")]
    assert f"signed in as {BOT} on 127.0.0.1" in outputs[0]
    outputs.append(home.ok("fetch"))
    first = searches(server.requests)
    assert first and "board.id IN ('support', 'billing')" in first[0]
    assert "post_time > '2026-11-27T09:00:00.000+00:00'" in first[0]
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == [
        "community:100", "community:101", "community:104"
    ]  # fmt: skip
    outputs.append(home.ok("reply", "community:104", "--text", "Thanks Omar, fixed now.", "--yes"))
    assert fake.replies == [{"data": {"type": "message", "subject": "Re: Invoice export",
                                      "body": "<p>Thanks Omar, fixed now.</p>",
                                      "parent": {"id": "104"}}}]  # fmt: skip
    ours = fake.messages["105"]
    assert ours["author"]["login"] == BOT and ours["parent"]["id"] == "104"
    refreshes = [s for s in server.requests if s.path == "/auth/refreshToken"]
    assert refreshes and all(parse_qs(s.body.decode())["grant_type"] == ["refresh_token"]
                             for s in refreshes)  # fmt: skip
    api = [s for s in server.requests if s.path.startswith("/api/")]
    assert all(s.headers["authorization"].startswith("Bearer access-") for s in api)

    newest = datetime.fromisoformat(fake.messages["104"]["post_time"])
    checkpoint = stamp(newest - timedelta(milliseconds=1))  # its instant is asked again
    fake.post("More billing", "Any news on this?", by="omar", board="billing")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = searches(server.requests[before:])
    assert len(again) == 1 and f"post_time > '{checkpoint}'" in again[0]
    ids = [item["id"] for item in home.batch()]
    assert "community:106" in ids and "community:104" not in ids
    assert len(fake.replies) == 1
    every_secret = list(SECRETS.values())
    assert all(secret not in text for text in outputs for secret in every_secret)
    stored = home.files_text()
    assert all(secret not in stored for secret in every_secret)
    assert stamp(fake.clock)  # the fake's clock moved with every message
    json.dumps(fake.replies)


async def test_a_reply_sent_from_the_app_reaches_the_community(tmp_path, loopback, monkeypatch):
    fake = community()
    server = loopback(fake.handler)
    home = home_with_khoros(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    parent = question_id.split(":")[1]
    assert [r["data"]["parent"] for r in fake.replies] == [{"id": parent}]
    assert fake.replies[0]["data"]["body"] == "<p>Thanks, we fixed it.</p>"
    newest = fake.messages[max(fake.messages, key=int)]
    assert newest["author"]["login"] == BOT
    assert all(secret not in home.files_text() for secret in SECRETS.values())


def test_two_runs_after_the_community_rotates_the_refresh_token(tmp_path, loopback):
    fake = community()
    fake.rotate = True
    server = loopback(fake.handler)
    home = home_with_khoros(tmp_path, server)
    outputs = [home.ok("fetch"), home.ok("fetch")]
    used = [form["refresh_token"] for form in fake.refreshes]
    assert used == [SECRETS["refresh_token"], "khoros-refresh-token-0001-rotated"]
    assert len(home.batch_ids()) == 3
    secrets = [*SECRETS.values(), "khoros-refresh-token-0001-rotated"]
    assert not any(s in text for text in outputs for s in secrets)
    assert not any(s in home.files_text() for s in secrets)

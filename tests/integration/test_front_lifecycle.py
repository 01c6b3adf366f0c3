"""The ``front`` kind through the whole command line and the app, against a loopback fake
of Front: add, login into the keyring, test, fetch, batch, reply, a second fetch that
reads only what changed, and a reply sent from the app."""

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.front_fake_kit import INBOX, TEAMMATE, TOKEN, FakeFront

NOW = "2026-12-04T09:00:00Z"


def desk() -> FakeFront:
    """Two conversations waiting on the team and one the team answered."""
    fake = FakeFront()
    fake.add("cnv_1", "Invoice export", "My invoice export fails every time.")
    fake.add("cnv_2", "Billing email", "Can I change the billing email on my account?")
    fake.add("cnv_3", "Password", "I forgot my password.")
    fake.team_writes("cnv_3", "Here is the reset link.")
    return fake


def home_with_front(tmp_path, server) -> ChannelHome:
    """A leader's home with the channel added and its API token stored by ``login``."""
    home = ChannelHome(tmp_path, now=NOW)
    home.add("desk", "front", base_url=server.url, inbox_id=INBOX, author_id=TEAMMATE)
    home.login("desk", {"": TOKEN})
    return home


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = desk()
    server = loopback(fake.handler)
    home = home_with_front(tmp_path, server)
    outputs = [home.ok("channels", "test", "desk")]
    assert "Acme Inc" in outputs[0] and INBOX in outputs[0]
    outputs.append(home.ok("fetch"))
    batch = home.batch()
    assert sorted(item["id"] for item in batch) == [
        "desk:cnv_1:msg_cnv_1_1",
        "desk:cnv_2:msg_cnv_2_1",
    ]  # the answered conversation is not there
    first = next(item["id"] for item in batch if item["id"].startswith("desk:cnv_1"))
    outputs.append(home.ok("reply", first, "--text", "Thanks Jane, it is fixed now.", "--yes"))
    assert fake.replies == [
        (
            "cnv_1",
            {
                "body": "<p>Thanks Jane, it is fixed now.</p>",
                "author_id": TEAMMATE,
                "options": {"archive": False},
            },
        )
    ]
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in server.requests)

    fake.customer_writes("cnv_2", "Any news on this?")
    before = len(server.requests)
    outputs.append(home.ok("fetch"))
    again = server.requests[before:]
    lists = [s for s in again if s.path == f"/inboxes/{INBOX}/conversations"]
    assert lists and all(
        s.query["q[statuses][]"] == ["unassigned", "assigned"] and s.query["limit"] == ["100"]
        for s in lists
    )
    read = {s.path for s in again if s.path.endswith("/messages")}
    assert read == {"/conversations/cnv_1/messages", "/conversations/cnv_2/messages"}
    assert [item["id"] for item in home.batch()] == ["desk:cnv_2:msg_cnv_2_1"]
    assert len(fake.replies) == 1
    assert all(TOKEN not in text for text in outputs)
    assert TOKEN not in home.files_text()


async def test_a_reply_sent_from_the_app_reaches_front(tmp_path, loopback, monkeypatch):
    fake = desk()
    server = loopback(fake.handler)
    home = home_with_front(tmp_path, server)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    conversation = question_id.split(":")[1]
    assert [(cid, posted["body"]) for cid, posted in fake.replies] == [
        (conversation, "<p>Thanks, we fixed it.</p>")
    ]
    assert fake.replies[0][1]["author_id"] == TEAMMATE
    assert TOKEN not in home.files_text()

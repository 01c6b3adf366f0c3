"""The ``intercom`` kind through the whole command line and the app, against a loopback
fake of Intercom: add, login into the keyring, test, fetch, batch, reply, a second fetch
asking only for what changed, and a reply sent from the app."""

from __future__ import annotations

import json
from datetime import datetime

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.intercom_fake_kit import ADMIN_ID, WORKSPACE, FakeIntercom

NOW_ISO = "2026-12-04T09:00:00Z"
NOW = int(datetime.fromisoformat(NOW_ISO).timestamp())
HOUR = 3600
TOKEN = "dG9rOmludGVyY29tLWxpZmVjeWNsZS1TRUNSRVQ="
JANE = {"type": "user", "id": "u-jane", "name": "Jane Doe", "email": "jane@example.com"}
RAVI = {"type": "lead", "id": "u-ravi", "name": "Ravi", "email": "ravi@example.com"}
KIM = {"type": "user", "id": "u-kim", "name": "Kim", "email": "kim@example.com"}
BO = {"type": "admin", "id": "42", "name": "Bo", "email": "bo@acme.example"}


def workspace() -> FakeIntercom:
    """Jane waits (with an internal note on her conversation), Ravi was answered by Bo,
    Kim's conversation is closed."""
    fake = FakeIntercom(TOKEN, now=NOW)
    fake.add_conversation("101", JANE, "<p>My invoice export <b>fails</b>.</p>", NOW - 3 * HOUR)
    fake.add_part("101", BO, "<p>VIP account, be quick</p>", NOW - 2 * HOUR, "note")
    fake.add_part("101", JANE, "<p>Still failing today.</p>", NOW - HOUR)
    fake.add_conversation("102", RAVI, "<p>Can I change my billing email?</p>", NOW - 4 * HOUR)
    fake.add_part("102", BO, "<p>Yes: Settings, then Billing.</p>", NOW - 3 * HOUR)
    fake.add_conversation("103", KIM, "<p>Thanks, all good</p>", NOW - 5 * HOUR, state="closed")
    return fake


def desk_home(tmp_path, server_url: str) -> ChannelHome:
    home = ChannelHome(tmp_path, now=NOW_ISO)
    home.add("desk", "intercom", base_url=server_url, admin_id=ADMIN_ID, workspace_id=WORKSPACE)
    home.login("desk", {"": TOKEN})
    return home


def test_add_login_test_fetch_and_reply_from_the_command_line(tmp_path, loopback):
    fake = workspace()
    server = loopback(fake.handler)
    home = desk_home(tmp_path, server.url)
    outputs = [home.ok("channels", "test", "desk")]
    assert "signed in as Anna Agent" in outputs[0] and WORKSPACE in outputs[0]

    fake.throttle_next = 1  # the search is rate-limited once: waited out, then answered
    outputs.append(home.ok("fetch", "--json"))
    fetched = [json.loads(line) for line in outputs[-1].splitlines()]
    assert [(q["thread_id"], q["body"]) for q in fetched] == [
        ("101", "My invoice export fails.\n\nStill failing today.")
    ]
    assert fetched[0]["url"].endswith(f"/a/inbox/{WORKSPACE}/inbox/conversation/101")
    assert "VIP" not in outputs[-1]  # internal notes are never read
    first_search = fake.searches[-1]
    assert {"field": "state", "operator": "=", "value": "open"} in first_search["query"]["value"]

    ids = home.batch_ids()
    assert ids == [fetched[0]["id"]]  # Ravi was answered by the team, Kim's is closed
    outputs.append(home.ok("reply", ids[0], "--text", "Thanks Jane, it is fixed now.", "--yes"))
    assert len(fake.replies) == 1
    conversation_id, body = fake.replies[0]
    assert conversation_id == "101"
    assert body["message_type"] == "comment" and body["type"] == "admin"
    assert body["admin_id"] == ADMIN_ID
    assert body["body"] == "<p>Thanks Jane, it is fixed now.</p>"
    assert [r["state"] for r in home.outbox()] == ["sent"]

    fake.add_part("102", RAVI, "<p>It did not work, the field is greyed out.</p>", NOW - 60)
    outputs.append(home.ok("fetch"))
    later = fake.searches[-1]["query"]
    assert later == {
        "operator": "AND",
        "value": [{"field": "updated_at", "operator": ">", "value": NOW - HOUR}],
    }
    assert home.batch_ids() == ["desk:102:102001"]  # Ravi is back; Jane was answered

    for text in [*outputs, home.files_text()]:
        assert TOKEN not in text


def test_a_wrong_token_fails_the_check_in_one_line_without_the_secret(tmp_path, loopback):
    fake = workspace()
    fake.token = "another-token"
    server = loopback(fake.handler)
    home = desk_home(tmp_path, server.url)
    done = home.run("channels", "test", "desk")
    assert done.returncode != 0
    assert "refused the credentials (HTTP 401)" in done.stderr + done.stdout
    assert TOKEN not in done.stderr + done.stdout + home.files_text()


async def test_a_reply_sent_from_the_app_reaches_the_service(tmp_path, loopback, monkeypatch):
    fake = workspace()
    server = loopback(fake.handler)
    home = desk_home(tmp_path, server.url)
    home.ok("fetch")
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    assert question_id.startswith("desk:101:")
    assert len(fake.replies) == 1, fake.replies
    assert fake.replies[0][0] == "101"
    assert fake.replies[0][1]["body"] == "<p>Thanks, we fixed it.</p>"
    assert TOKEN not in home.files_text()

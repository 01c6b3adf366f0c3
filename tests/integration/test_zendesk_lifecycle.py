"""The ``zendesk`` kind through the whole command line and the app, against a loopback
fake of Zendesk Support: add, login into the keyring, test, fetch, batch, reply, a
second fetch from the checkpoint, and a reply sent from the app."""

from __future__ import annotations

import base64

from tests.integration.channel_lifecycle_kit import ChannelHome, reply_from_the_app
from tests.integration.zendesk_fake_kit import ZendeskFake

NOW = "2026-12-04T09:00:00Z"
TOKEN = "zd-S3CRET-api-token-77"
OAUTH = "zd-S3CRET-oauth-access-88"


def account(**credentials: str) -> ZendeskFake:
    """Ticket 201 and 202 wait on the team; 203 was answered and waits on the customer."""
    fake = ZendeskFake(**credentials)
    fake.customer(501, "Jane Doe", "jane@shop.example", organization="Shop & Co")
    fake.customer(502, "Ravi Rao", "ravi@cafe.example")
    fake.ticket(201, 501, "Invoice export fails", "open", "2026-12-03T10:00:00Z")
    fake.comment(201, 501, "Exporting my invoices fails with an error.", "2026-12-03T10:00:00Z")
    fake.comment(201, 900, "Internal: see the export logs", "2026-12-03T10:05:00Z", public=False)
    fake.ticket(202, 502, "Card reader drops", "new", "2026-12-03T11:00:00Z")
    fake.comment(202, 502, "The card reader disconnects every hour.", "2026-12-03T11:00:00Z")
    fake.ticket(203, 502, "Billing email", "pending", "2026-12-03T12:00:00Z")
    fake.comment(203, 502, "How do I change my billing email?", "2026-12-03T12:00:00Z")
    fake.comment(203, 900, "Under Settings > Billing.", "2026-12-03T12:30:00Z")
    return fake


def secrets_absent(home: ChannelHome, *outputs: str) -> None:
    basic = base64.b64encode(f"anna@acme.example/token:{TOKEN}".encode()).decode()
    for text in (*outputs, home.files_text()):
        for secret in (TOKEN, OAUTH, basic):
            assert secret not in text


def test_add_login_test_fetch_batch_reply_and_fetch_again(tmp_path, loopback):
    fake = account(token=TOKEN)
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    outputs = [home.add("desk", "zendesk", base_url=server.url, email="anna@acme.example")]
    outputs.append(home.ok("login", "desk", "--field", "", input=TOKEN + "\n"))
    tested = home.ok("channels", "test", "desk")
    assert "signed in as Anna Berg (admin) on 127.0.0.1" in tested
    fake.throttle()  # the first export is told to wait: the fetch waits and goes on
    outputs += [tested, home.ok("fetch")]
    first, *more = fake.exports
    assert first == {  # 14 days back from NOW, then the cursor of each page
        "start_time": [str(1796374800 - 14 * 86400)],
        "include": ["users,organizations"],
        "per_page": ["100"],
    }
    assert more and all(set(query) == {"cursor", "include", "per_page"} for query in more)
    picks = {qid.split(":")[1]: qid for qid in home.batch_ids()}
    assert sorted(picks) == ["201", "202"]  # ticket 203 was answered: not a candidate
    outputs.append(home.ok("reply", picks["201"], "--text", "Fixed: please try again.", "--yes"))
    [reply] = fake.replies
    assert reply["ticket_id"] == 201
    assert reply["comment"] == {
        "body": "Fixed: please try again.",
        "public": True,
        "author_id": 900,
    }
    assert reply["auth"].startswith("Basic ")
    asked = len(fake.exports)
    outputs.append(home.ok("fetch"))
    [again] = fake.exports[asked:]  # one page: only ticket 201 changed since
    assert set(again) == {"cursor", "include", "per_page"}
    assert home.batch_ids() == [picks["202"]]
    secrets_absent(home, *outputs)


def test_a_wrong_token_fails_the_test_in_one_line_without_showing_it(tmp_path, loopback):
    server = loopback(account(token=TOKEN).handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add("desk", "zendesk", base_url=server.url, email="anna@acme.example")
    home.ok("login", "desk", "--field", "", input="zd-WRONG-token-000\n")
    done = home.run("channels", "test", "desk")
    assert done.returncode != 0
    [line] = done.stderr.strip().splitlines()
    assert "HTTP 401" in line and "cxdaily login desk" in line
    assert "zd-WRONG-token-000" not in done.stderr + done.stdout + home.files_text()


async def test_a_reply_sent_from_the_app_reaches_the_ticket(tmp_path, loopback, monkeypatch):
    fake = account(oauth_token=OAUTH)
    server = loopback(fake.handler)
    home = ChannelHome(tmp_path, now=NOW)
    home.add("desk", "zendesk", base_url=server.url, author_id="900")
    home.login("desk", {"oauth_token": OAUTH})
    outputs = [home.ok("fetch")]
    question_id = await reply_from_the_app(home, monkeypatch, "Thanks, we fixed it.")
    [reply] = fake.replies
    assert reply["auth"] == f"Bearer {OAUTH}"
    assert reply["comment"]["body"] == "Thanks, we fixed it."
    assert reply["comment"]["public"] is True and reply["comment"]["author_id"] == 900
    assert question_id.startswith(f"desk:{reply['ticket_id']}:")
    secrets_absent(home, *outputs)
